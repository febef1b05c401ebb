"""Every translation catalogue is complete, and what the server loads (.mo) is what was written (.po)."""

import os
import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "node_modules", ".git", "var"}


def catalogues() -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if d not in SKIP and not d.startswith(".")]
        if "django.po" in files:
            found.append(Path(folder) / "django.po")
    return sorted(found)


CATALOGUES = catalogues()


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_project_and_the_community_app_have_catalogues():
    names = {_id(p) for p in CATALOGUES}
    assert "locale/zh_Hans/LC_MESSAGES/django.po" in names
    assert "community/locale/zh_Hans/LC_MESSAGES/django.po" in names


def _translated(entry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(v.strip() for v in entry.msgstr_plural.values())
    return bool(entry.msgstr.strip())


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_id)
def test_catalogue_is_complete(po_path):
    po = polib.pofile(str(po_path))
    entries = [e for e in po if not e.obsolete]
    assert entries, f"{_id(po_path)} is empty"
    untranslated = [e.msgid for e in entries if not _translated(e)]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated in {_id(po_path)}: {untranslated}"
    assert not fuzzy, f"fuzzy in {_id(po_path)}: {fuzzy}"
    assert not po.metadata_is_fuzzy, f"{_id(po_path)} has a fuzzy header"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_id)
def test_placeholders_survive_translation(po_path):
    """A translation that drops or renames %(name)s would raise KeyError (a 500) at run time."""
    import re

    pattern = re.compile(r"%\((\w+)\)")
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete or "python-format" not in entry.flags:
            continue
        wanted = set(pattern.findall(entry.msgid))
        strings = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in strings:
            assert set(pattern.findall(text)) == wanted, f"{_id(po_path)}: {entry.msgid!r} → {text!r}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_id)
def test_compiled_catalogue_agrees_with_source(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"compile {_id(po_path)} (django-admin compilemessages) and commit the .mo"
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(mo_path))

    def key(entry):
        return (entry.msgctxt or "", entry.msgid)

    def value(entry):
        if entry.msgid_plural:
            return tuple(sorted(entry.msgstr_plural.items()))
        return entry.msgstr

    expected = {key(e): value(e) for e in po if not e.obsolete and _translated(e) and "fuzzy" not in e.flags}
    compiled = {key(e): value(e) for e in mo if e.msgid}
    stale = {k: (v, compiled.get(k)) for k, v in expected.items() if compiled.get(k) != v}
    assert not stale, f"{_id(mo_path)} is out of date (re-run compilemessages): {list(stale.items())[:5]}"
    extra = set(compiled) - set(expected)
    assert not extra, f"{_id(mo_path)} holds strings the .po no longer has: {sorted(extra)[:5]}"


def test_default_language_is_simplified_chinese(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    with translation.override("zh-hans"):
        assert translation.gettext("Dashboard") == "工作看板"
        assert translation.gettext("Communities") == "社区"


@pytest.mark.django_db
def test_pages_render_in_chinese(client, staff_a, community_a):
    landing = client.get(reverse("landing")).content.decode()
    assert "社区服务，一点就到" in landing and "跳到正文" in landing
    client.force_login(staff_a)
    admin_index = client.get(reverse("admin:index"))
    assert admin_index.status_code == 200
    html = admin_index.content.decode()
    assert "社区" in html and "社区居委会工作平台" in html
    assert "Community residents' committees platform" not in html
    dashboard = client.get(reverse("dashboard:index")).content.decode()
    assert "人口与住户" in dashboard and "工作看板" in dashboard


TEMPLATE_STRING = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
CODE_STRING = re.compile(r"""(?<![\w.])_\(\s*"((?:[^"\\]|\\.)*[A-Za-z](?:[^"\\]|\\.)*)"\s*[,)]""")


def _sources(suffix: str) -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if d not in SKIP | {"tests", "migrations"} and not d.startswith(".")]
        found += [Path(folder) / f for f in files if f.endswith(suffix)]
    return found


def test_every_literal_string_reaches_a_catalogue():
    """A string marked for translation but never extracted (e.g. a template in a folder ``makemessages``
    ignored) shows in English: every literal in the templates and code comes back translated (acronyms
    such as PDF read the same in Chinese)."""
    missing = []
    with translation.override("zh-hans"):
        for path in _sources(".html"):
            for _quote, text in TEMPLATE_STRING.findall(path.read_text()):
                if re.search(r"[a-z]{2}", text) and translation.gettext(text) == text:
                    missing.append(f"{_id(path)}: {text}")
        for path in _sources(".py"):
            for text in CODE_STRING.findall(path.read_text()):
                text = text.encode().decode("unicode_escape") if "\\" in text else text
                if re.search(r"[a-z]{2}", text) and translation.gettext(text) == text:
                    missing.append(f"{_id(path)}: {text}")
    assert not missing, missing

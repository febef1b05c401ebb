"""Security headers (issue 8, item 3): a CSP the pages pass (no inline script), framing and referrer policy.

The pages people use — the landing page, a public form, the tracking page, the dashboard, an admin list —
carry a Content-Security-Policy whose scripts come only from the site itself ('unsafe-inline' and
'unsafe-eval' absent from script-src), X-Frame-Options DENY, a Referrer-Policy and nosniff; neither their
HTML nor any template of the project holds an inline <script> (a JSON data block is not script).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE | re.DOTALL)
REFERRER_POLICIES = ("same-origin", "strict-origin-when-cross-origin", "no-referrer")
DATA_BLOCK = re.compile(r"""type\s*=\s*["']application/(ld\+)?json["']""", re.IGNORECASE)


def inline_scripts(html: str) -> list[str]:
    """The <script> tags that would run inline: no src, and not a JSON data block."""
    return [
        match.group(0)
        for match in SCRIPT_TAG.finditer(html)
        if not re.search(r"\bsrc\s*=", match.group(1)) and not DATA_BLOCK.search(match.group(1))
    ]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


def project_templates() -> list[Path]:
    root = Path(settings.BASE_DIR)
    folders = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    folders += [root / app / "templates" for app in settings.LOCAL_APPS]
    return sorted(p for folder in folders if folder.exists() for p in folder.rglob("*.html"))


def test_the_judges_tell_inline_script_from_script_files():
    assert inline_scripts("<script>alert(1)</script>")
    assert inline_scripts('<SCRIPT type="text/javascript">x()</SCRIPT>')
    assert not inline_scripts('<script\n  id="c"\n  src="/static/a.js" data-x="1"></script>')
    assert not inline_scripts('<script id="d" type="application/json">{"a": 1}</script>')
    assert directives("default-src 'self'; script-src 'self' 'unsafe-inline'")["script-src"] == [
        "'self'",
        "'unsafe-inline'",
    ]


def test_no_template_holds_an_inline_script():
    templates = project_templates()
    assert len(templates) > 20, f"only {len(templates)} templates found"
    offenders = {
        str(path.relative_to(settings.BASE_DIR)): found
        for path in templates
        if (found := inline_scripts(path.read_text(encoding="utf-8")))
    }
    assert not offenders, f"inline <script> in templates (move it to static/js/): {offenders}"


@pytest.fixture
def pages(community_a, staff_a, client):
    from tests.services import factories as sf

    category = sf.category()
    request = sf.service_request(community_a, cat=category, phone="13912345678")
    superuser = staff_a.__class__.objects.create_superuser("csp-admin", "c@example.org", "Csp!2026check")
    return [
        ("landing", None, reverse("landing"), {}),
        ("public form", None, reverse("services:submit"), {"community": community_a.pk, "category": category.pk}),
        ("tracking", None, reverse("services:track"), {}),
        ("tracked request", None, reverse("services:track"), {"code": request.tracking_code, "last4": "5678"}),
        ("dashboard", staff_a, reverse("dashboard:index"), {}),
        ("dashboard wall", staff_a, reverse("dashboard:index"), {"wall": "1"}),
        ("admin changelist", staff_a, reverse("admin:community_resident_changelist"), {}),
        ("admin change form", superuser, reverse("admin:community_zone_add"), {}),
        ("api docs", staff_a, reverse("swagger-ui"), {}),
    ]


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_script_and_the_other_headers(client, pages):
    problems = []
    for label, user, url, data in pages:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.post(url, data) if label == "tracked request" else client.get(url, data)
        if response.status_code != 200:
            problems.append(f"{label}: {response.status_code}")
            continue
        csp = response.headers.get("Content-Security-Policy", "")
        policy = directives(csp)
        scripts = policy.get("script-src", policy.get("default-src", []))
        if not csp or not scripts:
            problems.append(f"{label}: no Content-Security-Policy for scripts ({csp!r})")
        elif "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts or "*" in scripts:
            problems.append(f"{label}: script-src allows inline or any script: {scripts}")
        if policy.get("object-src") != ["'none'"]:
            problems.append(f"{label}: object-src is not 'none'")
        if policy.get("frame-ancestors") != ["'none'"]:
            problems.append(f"{label}: frame-ancestors is not 'none'")
        if response.headers.get("X-Frame-Options") != "DENY":
            problems.append(f"{label}: X-Frame-Options is {response.headers.get('X-Frame-Options')!r}")
        if response.headers.get("Referrer-Policy") not in REFERRER_POLICIES:
            problems.append(f"{label}: Referrer-Policy is {response.headers.get('Referrer-Policy')!r}")
        if response.headers.get("X-Content-Type-Options") != "nosniff":
            problems.append(f"{label}: no X-Content-Type-Options: nosniff")
        if found := inline_scripts(response.content.decode()):
            problems.append(f"{label}: inline script in the page: {found[:2]}")
    assert not problems, "\n".join(problems)

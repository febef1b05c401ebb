"""Template helpers of the public pages and the dashboard.

The landing page's slots are filled from the apps' configs (as ``role_permissions`` are), so
``community`` imports no app:

- ``public_links = [(url_name, label), ...]``: links on every community's card.  The URL is
  reversed with the community's ``code`` as keyword argument (``worklist/<str:code>/``); a URL
  that takes no argument gets ``?community=<code>`` instead (``services/new/?community=…``).
- ``public_pages = [(url_name, label), ...]``: county-wide public pages (no argument), listed
  once under the communities.

``{% community_links community as links %}`` and ``{% public_pages as pages %}`` read them; a
name that does not reverse (an app whose page is not routed yet) is left out.

``chart_table`` turns an ECharts option (as built by ``utilities.charts``) into the rows of a
plain data table, the accessible alternative shown under each chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.apps import apps
from django.urls import NoReverseMatch, reverse

register = template.Library()


@dataclass(frozen=True)
class PublicLink:
    url: str
    label: str


def declared(attribute: str) -> list[tuple[str, object]]:
    """Every ``(url_name, label)`` the app configs declare under ``attribute``, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        found.extend(getattr(config, attribute, ()))
    return found


def _community_url(url_name: str, code: str) -> str | None:
    try:
        return reverse(url_name, kwargs={"code": code})
    except NoReverseMatch:
        pass
    try:
        return f"{reverse(url_name)}?{urlencode({'community': code})}"
    except NoReverseMatch:
        return None


@register.simple_tag
def community_links(community) -> list[PublicLink]:
    links = []
    for url_name, label in declared("public_links"):
        url = _community_url(url_name, community.code)
        if url is not None:
            links.append(PublicLink(url, str(label)))
    return links


@register.simple_tag
def public_pages() -> list[PublicLink]:
    pages = []
    for url_name, label in declared("public_pages"):
        try:
            pages.append(PublicLink(reverse(url_name), str(label)))
        except NoReverseMatch:
            continue
    return pages


def _number(value):
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@register.filter
def chart_table(option) -> dict | None:
    """``{"columns": [...], "rows": [[label, v1, v2, ...], ...]}`` for bar, line and pie options."""
    if not isinstance(option, dict):
        return None
    series = [s for s in option.get("series", []) if isinstance(s, dict)]
    if not series:
        return None
    if all(s.get("type") == "pie" for s in series):
        rows = [[item.get("name", ""), _number(item)] for s in series for item in s.get("data", [])]
        return {"columns": [series[0].get("name", "")], "rows": rows}
    axis = None
    for key in ("xAxis", "yAxis"):
        candidate = option.get(key)
        if isinstance(candidate, dict) and candidate.get("type") == "category":
            axis = candidate
            break
    categories = list(axis.get("data", [])) if axis else []
    if not categories:
        categories = [str(i + 1) for i in range(max(len(s.get("data", [])) for s in series))]
    rows = []
    for index, category in enumerate(categories):
        row = [category]
        for s in series:
            data = s.get("data", [])
            row.append(_number(data[index]) if index < len(data) else "")
        rows.append(row)
    return {"columns": [s.get("name", "") for s in series], "rows": rows}

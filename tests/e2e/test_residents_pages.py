"""Issue 9: every public page passes axe-core, fits a 320 px phone and a 1920 px screen, and stays light.

The pages are discovered the way the landing page lists them (the apps' ``public_links`` and
``public_pages``), then the pages those lead to (a campaign's announcement, scores and publicity
list, a published quarter, a category's form, the tracking status).  Screenshots go to
docs/screenshots/residents-*.png; the transfer sizes to docs/transfer-sizes.md.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.urls import reverse

from community.templatetags.community_pages import community_links, public_pages

from .conftest import ROOT, WALL, no_horizontal_scroll

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TRANSFER_LIMIT = 200 * 1024
REPORT = ROOT / "docs" / "transfer-sizes.md"


def public_urls(site) -> dict[str, str]:
    """name → path of every public page, from the app configs and the pages they link to."""
    from staffing.models import Campaign

    urls = {"landing": reverse("landing")}
    for link in community_links(site.community):
        urls[f"link:{link.label}"] = link.url
    for page in public_pages():
        urls[f"page:{page.label}"] = page.url
    campaign = Campaign.objects.get()
    urls.update(
        {
            "services-community": f"{reverse('services:index')}?community={site.community.pk}",
            "request-form": f"{reverse('services:submit')}?community={site.community.pk}&category={site.repair.pk}",
            "staffing-announcement": reverse("staffing:announcement", args=[campaign.pk]),
            "staffing-scores": reverse("staffing:scores", args=[campaign.pk]),
            "staffing-publicity": reverse("staffing:publicity", args=[campaign.pk]),
            "disclosure": reverse(
                "funding:disclosure", args=[site.community.code, site.disclosure.year, site.disclosure.quarter]
            ),
            "worklist-county": reverse("worklist:public"),
        }
    )
    return urls


def open_status(page, live_server, site):
    """The tracking status page: reached by posting the code and the phone's last 4 digits."""
    page.goto(f"{live_server.url}{reverse('services:track')}")
    page.fill("#id_code", site.request.display_code)
    page.fill("#id_last4", site.phone[-4:])
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("#status").is_visible(), page.url


SCREENSHOTS = {"landing", "request-form", "services-community", "disclosure", "staffing-publicity"}


def test_every_public_page_passes_axe_and_fits_320_px(live_server, phone_320, axe, screenshot, public_site):
    page = phone_320
    urls = public_urls(public_site)
    # the discovery found the apps' pages: request form, facilities, disclosure, work list, tracking, events, staffing
    paths = {urlparse(u).path for u in urls.values()}
    for expected in ("services:submit", "services:facilities", "services:track", "services:events", "staffing:list"):
        assert reverse(expected) in paths, expected
    assert reverse("funding:disclosure-index", args=[public_site.community.code]) in paths
    assert reverse("worklist:community", args=[public_site.community.code]) in paths

    checked = []
    for name, url in urls.items():
        response = page.goto(f"{live_server.url}{url}")
        assert response.status < 400, (name, url, response.status)
        assert page.get_attribute("html", "lang") == "zh-Hans", name
        assert page.locator("h1").count() == 1, name
        assert page.locator(".mode-switch").count() == 1, f"{name}: no elderly-mode switch"
        assert axe(page) == [], (name, url)
        assert no_horizontal_scroll(page), f"{name} scrolls sideways at 320 px"
        assert page.evaluate("() => [...document.images].every(i => i.hasAttribute('alt'))"), name
        if name in SCREENSHOTS:
            screenshot(page, f"residents-{name}-320")
        checked.append(name)
    open_status(page, live_server, public_site)
    assert axe(page) == []
    assert no_horizontal_scroll(page)
    screenshot(page, "residents-status-320")
    assert not page.console_errors, page.console_errors
    assert len(checked) >= 12, checked


def test_main_pages_at_1920_px(live_server, new_page, axe, screenshot, public_site):
    page = new_page(**WALL)
    urls = public_urls(public_site)
    for name in sorted(SCREENSHOTS):
        page.goto(f"{live_server.url}{urls[name]}")
        assert no_horizontal_scroll(page), name
        # the text column stays readable on a wide screen instead of running 1900 px across
        width = page.evaluate("() => document.querySelector('main').getBoundingClientRect().width")
        assert width <= 1200, (name, width)
        screenshot(page, f"residents-{name}-1920")
    open_status(page, live_server, public_site)
    assert axe(page) == []
    screenshot(page, "residents-status-1920")
    assert not page.console_errors, page.console_errors


def _first_load_bytes(browser_page, url) -> tuple[int, int, list[str]]:
    """Bytes over the wire (headers + bodies) of everything the page loads on a cold cache."""
    finished = []
    browser_page.on("requestfinished", lambda request: finished.append(request))
    browser_page.goto(url, wait_until="load")
    total, kinds = 0, []
    for request in finished:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        kinds.append(request.resource_type)
    return total, len(finished), kinds


def test_first_load_transfer_is_small(live_server, new_page, public_site):
    rows = []
    for name, url in public_urls(public_site).items():
        page = new_page(390, 844)  # a fresh context each time: nothing cached
        total, count, kinds = _first_load_bytes(page, f"{live_server.url}{url}")
        assert "font" not in kinds, f"{name} downloads a web font"
        rows.append((name, url, count, total))
        assert total <= TRANSFER_LIMIT, (name, url, total)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# First-load transfer of the residents' pages",
        "",
        "Measured by `tests/e2e/test_residents_pages.py::test_first_load_transfer_is_small` (Playwright,",
        "Debian Chromium, cold cache, test server without compression: an upper bound): every byte of",
        "response headers and bodies the page loads. Limit: 200 KB. No web fonts, no images, no script.",
        "",
        "| page | path | requests | bytes |",
        "|---|---|---:|---:|",
        *(f"| {name} | `{url}` | {count} | {total:,} |" for name, url, count, total in rows),
        "",
        f"Largest: {max(total for *_, total in rows):,} bytes.",
        "",
    ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    assert Path(REPORT).stat().st_size > 0

"""Issue 9: the elderly mode (长辈模式) — one switch on every public page, remembered, larger and
higher-contrast text, and a request form reduced to what is needed, which still submits."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.public_views import ELDERLY_COOKIE
from services.models import ServiceRequest

from .conftest import no_horizontal_scroll

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FONT = """(selector) => {
  const style = getComputedStyle(document.querySelector(selector));
  return {size: parseFloat(style.fontSize), line: parseFloat(style.lineHeight), color: style.color};
}"""


def elderly_cookie(page):
    return next((c for c in page.context.cookies() if c["name"] == ELDERLY_COOKIE), None)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_switch_is_remembered_and_enlarges_text(live_server, new_page, axe, screenshot, public_site, javascript):
    page = new_page(320, 640, is_mobile=True, has_touch=True, java_script_enabled=javascript)
    page.goto(f"{live_server.url}{reverse('services:track')}")
    before = page.evaluate(FONT, "main p")
    assert page.locator("html.elderly").count() == 0
    with page.expect_navigation():
        page.click(".mode-switch")
    # back on the same page, in elderly mode, and the choice is kept in a cookie
    assert page.url.endswith(reverse("services:track"))
    assert page.locator("html.elderly").count() == 1
    cookie = elderly_cookie(page)
    assert cookie and cookie["value"] == "1" and cookie["expires"] > 0 and cookie["sameSite"] == "Lax"
    body, para = page.evaluate(FONT, "body"), page.evaluate(FONT, "main p")
    assert body["size"] >= 18 and para["size"] >= 18 and para["size"] > before["size"], (before, para)
    assert body["color"] == "rgb(0, 0, 0)"  # black on white
    assert para["line"] >= 1.7 * para["size"]  # more room between lines
    button = page.evaluate("() => document.querySelector('button[type=submit]').getBoundingClientRect().height")
    assert button >= 52
    assert no_horizontal_scroll(page)
    # remembered on every other public page
    for url in (reverse("landing"), reverse("services:events"), reverse("staffing:list"), reverse("worklist:public")):
        page.goto(f"{live_server.url}{url}")
        assert page.locator("html.elderly").count() == 1, url
        assert page.evaluate(FONT, "body")["size"] >= 18, url
        assert no_horizontal_scroll(page), url
        assert page.locator(".mode-switch[data-elderly='1']").count() == 1, url
    if javascript:
        assert axe(page) == []
        page.goto(f"{live_server.url}/")
        screenshot(page, "residents-elderly-landing-320")
    # and switched off the same way
    with page.expect_navigation():
        page.click(".mode-switch")
    assert page.locator("html.elderly").count() == 0 and elderly_cookie(page) is None
    assert page.evaluate(FONT, "body")["size"] < 18
    assert not page.console_errors, page.console_errors


def test_simplified_request_form_still_submits(live_server, new_page, axe, screenshot, public_site):
    page = new_page(390, 844, is_mobile=True, has_touch=True)
    url = f"{reverse('services:submit')}?community={public_site.community.pk}&category={public_site.repair.pk}"
    page.goto(f"{live_server.url}{url}")
    assert page.locator("#id_photos").count() == 1 and page.locator("#id_address").count() == 1
    standard = page.locator("form.svc-form .field").count()
    page.goto(f"{live_server.url}{reverse('elderly-mode')}?on=1&next={url.replace('&', '%26')}")
    assert page.locator("html.elderly").count() == 1
    # only where, what and who (and the consent): no photos, no address, no optional question
    assert page.locator("#id_photos").count() == 0
    assert page.locator("#id_address").count() == 0
    assert page.locator("#id_answer_part").count() == 0
    assert page.locator("form.svc-form .field").count() < standard
    for field in ("id_building", "id_door_number", "id_description", "id_contact_name", "id_contact_phone"):
        assert page.locator(f"#{field}").is_visible(), field
    assert page.evaluate(FONT, "#id_description")["size"] >= 18
    assert axe(page) == []
    screenshot(page, "residents-elderly-form-phone")
    # a refused post keeps the simple form and says what to do
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("#error-summary").is_visible() and page.locator("#id_photos").count() == 0
    assert axe(page) == []
    page.console_errors.clear()  # the refused post answered 400, as it should
    page.select_option("#id_building", label=str(public_site.building))
    page.fill("#id_door_number", "3-502")
    page.fill("#id_description", "家里水管漏水，一个人弄不了")
    page.fill("#id_contact_name", "周奶奶")
    page.fill("#id_contact_phone", "13600003333")
    page.check("#id_consent")
    with page.expect_navigation():
        page.click("button[type=submit]")
    code = page.inner_text("#tracking-code").strip()
    saved = ServiceRequest.objects.get(contact_name="周奶奶")
    assert saved.display_code == code and saved.building == public_site.building and "3-502" in saved.address
    assert page.evaluate(FONT, "#tracking-code")["size"] >= 24
    assert not page.console_errors, page.console_errors


def test_switch_refuses_to_send_residents_elsewhere(client):
    response = client.get(reverse("elderly-mode"), {"on": "1", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies[ELDERLY_COOKIE].value == "1"
    assert client.post(reverse("elderly-mode"), {"on": "1"}).status_code == 405
    off = client.get(reverse("elderly-mode"), {"next": "/services/"})
    assert off["Location"] == "/services/" and off.cookies[ELDERLY_COOKIE]["max-age"] == 0

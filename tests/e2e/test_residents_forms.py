"""Issue 9: the request form by keyboard alone, without JavaScript, and its errors for screen readers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from services.models import ServiceRequest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def form_url(live_server, site) -> str:
    return f"{live_server.url}{reverse('services:submit')}?community={site.community.pk}&category={site.repair.pk}"


def test_request_form_with_the_keyboard_alone(live_server, new_page, public_site):
    page = new_page(1024, 900)
    page.goto(f"{live_server.url}{reverse('services:index')}?community={public_site.community.pk}")
    # Tab to the kind of request, Enter to follow it
    for _ in range(30):
        page.keyboard.press("Tab")
        if public_site.repair.name in (page.evaluate("() => document.activeElement.textContent") or ""):
            break
    else:
        pytest.fail("the category link is not reachable with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/services/new/" in page.url

    typed = {
        "id_door_number": "2-301",
        "id_description": "楼道灯坏了，晚上看不见台阶",
        "id_contact_name": "李阿姨",
        "id_contact_phone": "13800001111",
    }
    done = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => ({id: document.activeElement.id, tag: document.activeElement.tagName})")
        # every stop shows where the focus is
        assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none", focused
        if focused["id"] == "id_building":
            page.keyboard.press("ArrowDown")
            done.add("building")
        elif focused["id"] in typed:
            page.keyboard.type(typed[focused["id"]])
            done.add(focused["id"])
        elif focused["id"] == "id_consent":
            page.keyboard.press("Space")
            done.add("consent")
        elif focused["tag"] == "BUTTON":
            break
    assert done >= {"building", "consent", *typed}, done
    assert page.is_checked("#id_consent")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    code = page.inner_text("#tracking-code").strip()
    saved = ServiceRequest.objects.get(contact_name="李阿姨")
    assert code == saved.display_code and saved.building is not None and "2-301" in saved.address
    assert not page.console_errors, page.console_errors


def test_errors_are_tied_to_fields_announced_and_plain(live_server, phone_page, axe, screenshot, public_site):
    page = phone_page
    page.goto(form_url(live_server, public_site))
    page.fill("#id_description", "坏了")  # too short
    page.fill("#id_contact_phone", "12345")  # not a mobile number
    with page.expect_navigation():
        page.click("button[type=submit]")
    summary = page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert "还没有提交" in summary.inner_text()
    for field in ("id_description", "id_contact_name", "id_contact_phone", "id_consent"):
        box = page.locator(f"#{field}")
        assert box.get_attribute("aria-invalid") == "true", field
        described = box.get_attribute("aria-describedby").split()
        assert f"{field}_error" in described, field
        message = page.locator(f"#{field}_error").inner_text()
        assert message.strip(), field
        # the summary links to the field, with the same message
        assert page.locator(f"#error-summary a[href='#{field}']").count() == 1, field
    assert "请填写" in page.inner_text("#id_contact_name_error") or "不能空着" in page.inner_text(
        "#id_contact_name_error"
    )
    assert "勾选" in page.inner_text("#id_consent_error")
    assert "至少" in page.inner_text("#id_description_error")
    assert "This field" not in page.content() and "该变量" not in page.content()
    assert page.input_value("#id_description") == "坏了"  # what was typed is kept
    assert axe(page) == []
    screenshot(page, "residents-form-errors-phone")
    # following a link of the summary puts the focus on the field
    page.locator("#error-summary a[href='#id_contact_name']").click()
    assert page.evaluate("() => document.activeElement.id") == "id_contact_name"
    assert not ServiceRequest.objects.filter(contact_phone__endswith="12345").exists()

    # tracking with a wrong pair: one plain message saying what to check
    page.goto(f"{live_server.url}{reverse('services:track')}")
    page.fill("#id_code", public_site.request.display_code)
    page.fill("#id_last4", "0000")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("#error-summary[role=alert]").is_visible()
    assert axe(page) == []


def test_request_form_and_tracking_without_javascript(live_server, new_page, public_site):
    page = new_page(390, 844, java_script_enabled=False)
    page.goto(f"{live_server.url}/")
    with page.expect_navigation():
        page.locator(f"[data-community='{public_site.community.code}'] a[href*='/services/new/']").first.click()
    if "/services/new/" not in page.url:  # the landing's link lands on the choice of community or kind
        if page.locator(f"a:has-text('{public_site.community.name}')").count():
            with page.expect_navigation():
                page.click(f"a:has-text('{public_site.community.name}')")
        with page.expect_navigation():
            page.click(f"text={public_site.repair.name}")
    assert "/services/new/" in page.url
    # first a refused post: the errors come back from the server, nothing is saved
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("#error-summary").is_visible()
    page.console_errors.clear()  # the refused post answered 400, as it should
    before = ServiceRequest.objects.count()
    page.select_option("#id_building", label=str(public_site.building))
    page.fill("#id_door_number", "1-101")
    page.fill("#id_description", "门口的路灯不亮了")
    page.fill("#id_contact_name", "赵大爷")
    page.fill("#id_contact_phone", "13700002222")
    page.check("#id_consent")
    with page.expect_navigation():
        page.click("button[type=submit]")
    code = page.inner_text("#tracking-code").strip()
    assert ServiceRequest.objects.count() == before + 1
    page.goto(f"{live_server.url}{reverse('services:track')}")
    page.fill("#id_code", code)
    page.fill("#id_last4", "2222")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("#status").is_visible()
    assert page.locator("#status-explained").inner_text().strip()
    # dates in Chinese, in Beijing time
    assert "年" in page.locator(".timeline time").first.inner_text()
    assert not page.console_errors, page.console_errors

"""Issue 19 in the browser: the staff workbench, the request handling page, the triage list, the admin at
1366 px in Chinese, and the public pages' rough edges (elderly-mode contrast, limits, consent, cancelling).

Screenshots for the README: docs/screenshots/admin-workbench.png and admin-handling.png.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from services.choices import Status
from services.models import ServiceRequest
from tests import factories as f
from tests.services import factories as sf

from .conftest import AXE
from .test_residents_pages import open_status, public_urls

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LATIN = re.compile(r"[A-Za-z]{3,}")


def _submitted(site, **kwargs):
    return sf.service_request(site.community, cat=site.repair, **kwargs)


def test_workbench_counts_open_exactly_their_rows(live_server, desktop_page, admin_login, screenshot, public_site):
    for _ in range(2):
        _submitted(public_site)
    page = admin_login(desktop_page, public_site.staff)
    row = page.locator(".workbench-item[data-key=requests_to_accept]")
    assert row.is_visible()
    figure = int(row.locator("[data-count]").get_attribute("data-count"))
    assert figure == ServiceRequest.objects.filter(community=public_site.community, status=Status.SUBMITTED).count()
    hand_over = int(page.locator(".workbench-item[data-key=requests_to_hand_over] [data-count]").inner_text())
    assert hand_over == 1  # the accepted request of the public site
    screenshot(page, "admin-workbench", full_page=False)
    # the admin below the to-do is grouped by task, and its screen-reader headers are not English
    assert page.locator(".task-group caption").count() >= 2
    hidden = page.locator("thead.visually-hidden th").all_text_contents()
    assert hidden and not any(LATIN.search(text) for text in hidden), hidden
    with page.expect_navigation():
        row.locator("th a").click()
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == figure
    assert not page.console_errors, page.console_errors


def test_handling_page_offers_only_valid_steps(live_server, desktop_page, admin_login, screenshot, public_site):
    req = public_site.request  # accepted, with a public note
    ServiceRequest.objects.filter(pk=req.pk).update(answers={"part": "楼道"})
    page = admin_login(desktop_page, public_site.staff)
    page.goto(f"{live_server.url}{reverse('admin:services_servicerequest_process', args=[req.pk])}")
    steps = [el.get_attribute("id") for el in page.locator("form.handling-step").all()]
    assert "step-accept" not in steps and "step-assign" in steps and "step-resolve" not in steps
    assert steps.index("step-assign") == 0  # nothing defaults to 受理 once accepted
    # each step shows only its fields: the hand-over form has the people, the note form none of them
    assert page.locator("#step-assign select").count() >= 1
    assert page.locator("#step-note select").count() == 0
    # answers under their question label, the history as a timeline
    assert "损坏部位" in page.locator(".handling-answers").inner_text()
    assert page.locator(".request-timeline li").count() >= 2
    # the steps sit beside the request at 1366 px, not squeezed below it
    request_box = page.locator(".handling-request").bounding_box()
    steps_box = page.locator(".handling-steps").bounding_box()
    assert steps_box["x"] > request_box["x"] + request_box["width"] - 1 and steps_box["width"] > 400
    screenshot(page, "admin-handling")
    page.select_option("#step-assign select[name='assign-user']", str(public_site.staff.pk))
    with page.expect_navigation():
        page.click("#step-assign input[type=submit]")
    req.refresh_from_db()
    assert req.status == Status.ASSIGNED
    assert not page.console_errors, page.console_errors


def test_triage_list_opens_on_open_requests_and_finds_the_dashed_code(
    live_server, desktop_page, admin_login, public_site
):
    wanted = _submitted(public_site)
    _submitted(public_site, status=Status.CLOSED)
    page = admin_login(desktop_page, public_site.staff)
    page.goto(f"{live_server.url}{reverse('admin:services_servicerequest_changelist')}")
    assert page.locator("#result_list tbody tr").count() == 2  # the two open ones, not the closed one
    page.fill("#searchbar", wanted.display_code.lower())
    with page.expect_navigation():
        page.press("#searchbar", "Enter")
    assert page.locator("#result_list tbody tr").count() == 1
    assert wanted.display_code in page.locator("#result_list").inner_text()


def test_resident_list_fits_1366_px(live_server, desktop_page, admin_login, public_site):
    household = f.SCOPED_FACTORIES["community.Household"](public_site.community)
    f.ResidentFactory.create_batch(3, household=household)
    f.ResidentFactory(household=household, name="欧阳慕容秀英")
    page = admin_login(desktop_page, public_site.staff)
    page.goto(f"{live_server.url}{reverse('admin:community_resident_changelist')}")
    lines = page.evaluate(
        """() => [...document.querySelectorAll('#result_list tbody .field-name')].map((cell) => {
             const range = document.createRange(); range.selectNodeContents(cell);
             const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
             return tops.size; })"""
    )
    assert lines and max(lines) == 1, lines  # each name on one line, not a character per line
    header = page.locator("#result_list thead th.column-residence_type")
    header.scroll_into_view_if_needed()
    assert header.is_visible() and header.bounding_box()["width"] > 30
    # "Background export" and the person's name read in Chinese
    tools = page.locator(".object-tools").inner_text()
    assert not re.search(r"BACKGROUND|Background", tools), tools
    assert "姓名" in page.locator("#result_list thead").inner_text()


def test_elderly_mode_has_no_contrast_violation_on_any_public_page(live_server, new_page, public_site):
    page = new_page(390, 844, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}{reverse('elderly-mode')}?on=1&next=/")
    assert page.locator("html.elderly").count() == 1
    source = AXE.read_text(encoding="utf-8")
    found = {}
    urls = public_urls(public_site)
    for name, url in urls.items():
        page.goto(f"{live_server.url}{url}")
        page.evaluate(source)
        result = page.evaluate("() => axe.run(document, {runOnly: {type: 'rule', values: ['color-contrast']}})")
        if result["violations"]:
            found[name] = [n["target"] for v in result["violations"] for n in v["nodes"]][:5]
    open_status(page, live_server, public_site)
    page.evaluate(source)
    result = page.evaluate("() => axe.run(document, {runOnly: {type: 'rule', values: ['color-contrast']}})")
    if result["violations"]:
        found["status"] = [n["target"] for v in result["violations"] for n in v["nodes"]][:5]
    assert not found, found
    # the landing page's main buttons stay buttons: light text on the accent colour, not underlined
    page.goto(f"{live_server.url}/")
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.querySelector('a.button-link:not(.secondary)'));"
        " return {line: s.textDecorationLine, color: s.color, bg: s.backgroundColor}; }"
    )
    assert style["line"] == "none" and style["color"] != style["bg"], style


def test_request_form_states_limits_and_consent_matches_layout(live_server, phone_page, public_site):
    url = f"{reverse('services:submit')}?community={public_site.community.pk}&category={public_site.repair.pk}"
    page = phone_page
    page.goto(f"{live_server.url}{url}")
    assert page.locator("#id_description").get_attribute("maxlength") == "4000"
    assert "4,000" in page.locator("#id_description_helptext").inner_text() or "4000" in page.locator(
        "#id_description_helptext"
    ).inner_text().replace(",", "")
    notice = page.locator("#pi-notice").bounding_box()
    consent = page.locator("label[for=id_consent]")
    assert notice["y"] < consent.bounding_box()["y"]  # the notice is above the consent …
    assert "下方" not in consent.inner_text() and "below" not in consent.inner_text()  # … and the text says so


def test_cancelling_asks_for_confirmation_and_is_secondary(live_server, phone_page, public_site):
    page = phone_page
    open_status(page, live_server, public_site)
    cancel = page.locator("form:has(input[name=op][value=cancel]) button[type=submit]")
    main = page.locator("form:has(input[name=op][value=info]) button[type=submit]")
    colours = [el.evaluate("(b) => getComputedStyle(b).backgroundColor") for el in (cancel, main)]
    assert colours[0] != colours[1], colours  # not the same filled colour as the main action
    # the tracking page's add-information field does not read as something the resident must do
    heading = page.locator("h2").filter(has_text=re.compile("补充|Add information")).first.inner_text()
    assert "可选" in heading or "optional" in heading, heading
    with page.expect_navigation():
        cancel.click()
    public_site.request.refresh_from_db()
    assert public_site.request.status != Status.CANCELLED
    assert page.locator("#id_confirm").is_visible()
    page.check("#id_confirm")
    with page.expect_navigation():
        page.locator("form:has(input[name=op][value=cancel]) button[type=submit]").click()
    public_site.request.refresh_from_db()
    assert public_site.request.status == Status.CANCELLED

"""Every role does its day in a real browser (issue 15): each journey logs in through the admin login form,
moves by the links and buttons a person would click, and checks both what the page shows and the rows saved.

- the department liaison records a 六进 activity and handles a request routed to the department;
- community staff take a resident's request from submission to closure, calling the resident back;
- the county official follows a dashboard figure down to the list of its rows;
- a party worker records a household visit.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from community.choices import DepartmentCode, Role, ScopeLevel
from community.models import PersonalDataAccess
from partybuild.models import Visit
from services.choices import ActivityKind, Status
from services.models import Activity, FollowUp, RequestEvent, ServiceRequest
from tests import factories as f
from tests.partybuild import factories as pf
from tests.services import factories as sf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REQUESTS = "/admin/services/servicerequest/"


def _open_request_from_the_list(page, req):
    """Admin home → the requests list → the request's row → its process page."""
    page.click(f"#content-main a[href='{REQUESTS}']")
    page.wait_for_load_state()
    with page.expect_navigation():
        page.locator("#result_list a", has_text=req.display_code).click()
    assert f"{REQUESTS}{req.pk}/change/" in page.url
    _to_process(page, req)


def _to_process(page, req):
    with page.expect_navigation():
        page.click(f"a.button[href='{REQUESTS}{req.pk}/process/']")
    assert page.url.endswith(f"{REQUESTS}{req.pk}/process/")


def _apply(page, operation: str, *, note: str = "", public: bool = False, **fields) -> None:
    """Fill the small form of the step on the handling page (one per step offered) and submit it."""
    step = f"#step-{operation}"
    assert page.locator(step).count() == 1, f"{operation} is not offered"
    if page.locator(f"#id_{operation}-note").count():
        page.fill(f"#id_{operation}-note", note)
    if page.locator(f"#id_{operation}-public").count():
        page.set_checked(f"#id_{operation}-public", public)
    for name, value in fields.items():
        if isinstance(value, bool):
            page.set_checked(f"#id_{operation}-{name}", value)
        else:
            page.select_option(f"#id_{operation}-{name}", value)
    with page.expect_navigation():
        page.click(f"{step} input[type=submit]")


def _done(page, req) -> None:
    """After an operation the page goes back to the request, saying it is done."""
    errors = page.locator(".errornote, .errorlist").all_inner_texts()
    assert page.url.endswith(f"{REQUESTS}{req.pk}/change/"), (page.url, errors)
    assert page.locator(".messagelist .success").count() == 1


# --- 1. the department liaison ---------------------------------------------------------------------


def test_liaison_records_an_activity_and_handles_a_routed_request(live_server, desktop_page, admin_login, screenshot):
    county = f.CountyFactory(name="示范县", code="330999")
    town = f.TownFactory(county=county, name="城关镇")
    east = f.CommunityFactory(town=town, name="东风社区")
    west = f.CommunityFactory(town=town, name="西湖社区")
    civil = f.DepartmentFactory(county=county, code=DepartmentCode.CIVIL_AFFAIRS, name="县民政局")
    f.DepartmentFactory(county=county, code=DepartmentCode.JUSTICE, name="县司法局")
    liaison = f.make_user(role=Role.DEPARTMENT_LIAISON, scope_level=ScopeLevel.DEPARTMENT, department=civil)
    staff = f.staff_of(east)
    req = sf.service_request(east, phone="13912340030", description="申请开具低保证明")
    from services import actions

    actions.request_move(by=staff, request_id=req.pk, to=Status.ACCEPTED)
    actions.request_assign(by=staff, request_id=req.pk, department=civil)
    req.refresh_from_db()

    page = desktop_page
    admin_login(page, liaison)

    # a 六进 activity: admin home → 六进活动 → add
    page.click("#content-main a.addlink[href='/admin/services/activity/add/']")
    page.wait_for_load_state()
    department_choices = page.locator("#id_department option:not([value=''])").all_inner_texts()
    assert department_choices == ["县民政局"], department_choices
    page.select_option("#id_community", label=str(west))
    page.select_option("#id_department", label="县民政局")
    page.select_option("#id_kind", ActivityKind.SCIENCE_EDUCATION)
    page.fill("#id_date", "2026-11-20")
    page.fill("#id_title", "居民自治培训")
    page.fill("#id_participants", "35")
    page.fill("#id_staff_count", "2")
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert page.url.endswith("/admin/services/activity/"), page.locator(".errornote, .errorlist").all_inner_texts()
    assert "居民自治培训" in page.locator("#result_list").inner_text()
    activity = Activity.objects.get(title="居民自治培训")
    assert (activity.department, activity.community, activity.date, activity.participants, activity.staff_count) == (
        civil,
        west,
        dt.date(2026, 11, 20),
        35,
        2,
    )

    # the routed request: admin home → requests → the row → process
    with page.expect_navigation():
        page.click("#site-name a")
    _open_request_from_the_list(page, req)
    # only the steps open from 已交办 to a liaison: start the work, a note, the logged call
    offered = {el.get_attribute("id").removeprefix("step-") for el in page.locator("form.handling-step").all()}
    assert offered == {"start", "note", "call"}, offered
    assert "13912340030" not in page.content() and "139****0030" in page.content()

    _apply(page, "start", note="已派员核实")
    _done(page, req)
    _to_process(page, req)
    _apply(page, "note", note="材料已收齐，三日内办结", public=True)
    _done(page, req)
    _to_process(page, req)
    _apply(page, "call", note="核实申请人信息")
    phone = page.locator(".revealed-phone a")
    assert phone.inner_text() == "13912340030" and phone.get_attribute("href") == "tel:13912340030"
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.model, log.object_id, log.fields, log.reason) == (
        liaison,
        "services.ServiceRequest",
        str(req.pk),
        "contact_phone",
        "核实申请人信息",
    )
    _apply(page, "resolve", note="证明已开具，请到社区领取")
    _done(page, req)
    req.refresh_from_db()
    assert req.status == Status.RESOLVED
    public = set(RequestEvent.objects.filter(request=req, public=True).values_list("note", flat=True))
    assert {"材料已收齐，三日内办结", "证明已开具，请到社区领取"} <= public
    # start, the public reply, the reveal (for staff only: "phone revealed … 核实申请人信息") and the resolution
    assert RequestEvent.objects.filter(request=req, by=liaison).count() == 4
    assert not any("核实申请人信息" in note for note in public)
    assert "13912340030" not in page.content(), "the phone is shown only on the call's own page"
    assert not page.console_errors, page.console_errors
    screenshot(page, "journey-liaison")


# --- 2. community staff, from submission to closure ---------------------------------------------------


def test_staff_take_a_request_from_submission_to_closure(
    live_server, phone_page, desktop_page, admin_login, screenshot
):
    community = f.CommunityFactory(name="东风社区")
    building = f.BuildingFactory(zone=f.ZoneFactory(community=community), name="3号楼")
    category = sf.category(code="repair", name="房屋设施报修", resolve_within_days=5)
    staff = f.staff_of(community)
    f.staff_of(community)  # a colleague: assigning is a real choice

    resident = phone_page
    resident.goto(f"{live_server.url}/services/")
    resident.click("text=东风社区")
    resident.click(f"text={category.name}")
    assert "/services/new/" in resident.url
    resident.select_option("#id_building", label=str(building))
    resident.fill("#id_door_number", "2-301")
    resident.fill("#id_description", "楼道灯坏了一周，晚上看不见台阶")
    resident.fill("#id_contact_name", "王先生")
    resident.fill("#id_contact_phone", "13912345678")
    resident.check("#id_consent")
    with resident.expect_navigation():
        resident.click("button[type=submit]")
    code = resident.inner_text("#tracking-code").strip()
    req = ServiceRequest.objects.get()
    assert code == req.display_code and req.status == Status.SUBMITTED

    page = desktop_page
    admin_login(page, staff)
    _open_request_from_the_list(page, req)
    _apply(page, "accept", note="明天上午电工上门查看", public=True)
    _done(page, req)
    _to_process(page, req)
    _apply(page, "assign", user=str(staff.pk))
    _done(page, req)
    _to_process(page, req)
    _apply(page, "start")
    _done(page, req)
    _to_process(page, req)
    _apply(page, "resolve", note="已更换灯泡")
    _done(page, req)
    req.refresh_from_db()
    assert (req.status, req.assigned_user) == (Status.RESOLVED, staff)

    # calling back: the phone is masked until a reason is given
    _to_process(page, req)
    assert "13912345678" not in page.content()
    _apply(page, "call", note="回访")
    assert page.locator(".revealed-phone a").get_attribute("href") == "tel:13912345678"
    reveal = PersonalDataAccess.objects.get(user=staff, object_id=str(req.pk))
    assert (reveal.fields, reveal.reason) == ("contact_phone", "回访")
    _apply(page, "follow_up", note="居民满意", reached=True, satisfaction="satisfied")
    _done(page, req)
    req.refresh_from_db()
    assert req.status == Status.CLOSED
    follow_up = FollowUp.objects.get(request=req)
    assert (follow_up.by, follow_up.reached, follow_up.satisfaction, follow_up.call) == (
        staff,
        True,
        "satisfied",
        reveal,
    )
    assert not page.console_errors, page.console_errors
    screenshot(page, "journey-staff")

    # the resident reads the public replies on the tracking page, and nothing of the call
    resident.goto(f"{live_server.url}/services/track/")
    resident.fill("#id_code", code)
    resident.fill("#id_last4", "5678")
    with resident.expect_navigation():
        resident.click("button[type=submit]")
    body = resident.content()
    assert "明天上午电工上门查看" in body and "已更换灯泡" in body
    assert "居民满意" not in body, "the follow-up's note is for staff"
    assert not resident.console_errors, resident.console_errors


# --- 3. the county official follows a figure down to its rows ---------------------------------------


def _number(text: str) -> int:
    match = re.search(r"\d[\d,]*", text)
    assert match, text
    return int(match.group().replace(",", ""))


def _list_count(page) -> tuple[int, int]:
    """The changelist's own count (its paginator line) and the rows it shows."""
    return _number(page.locator("#changelist .paginator").inner_text()), page.locator("#result_list tbody tr").count()


@pytest.fixture
def county_at_work(db):
    county = f.CountyFactory(name="示范县", code="330999")
    town = f.TownFactory(county=county, name="城关镇")
    east = f.CommunityFactory(town=town, name="东风社区")
    west = f.CommunityFactory(town=town, name="西湖社区")
    for size, community in ((4, east), (3, west)):
        household = f.SCOPED_FACTORIES["community.Household"](community)
        f.ResidentFactory.create_batch(size, household=household)
    elsewhere = f.CommunityFactory(town=f.TownFactory(name="邻县镇"), name="邻县社区")
    f.ResidentFactory.create_batch(2, household=f.SCOPED_FACTORIES["community.Household"](elsewhere))
    cat = sf.category()
    now = timezone.now()
    for community, status in [
        (east, Status.SUBMITTED),
        (east, Status.ACCEPTED),
        (east, Status.IN_PROGRESS),
        (east, Status.CLOSED),
        (west, Status.SUBMITTED),
        (west, Status.RESOLVED),
        (elsewhere, Status.SUBMITTED),
    ]:
        sf.service_request(community, status=status, cat=cat, submitted_at=now)
    return county


def test_county_official_follows_a_figure_down_to_its_rows(
    live_server, desktop_page, admin_login, screenshot, county_at_work
):
    official = f.official_of(county_at_work)
    page = desktop_page
    admin_login(page, official, next_url="/dashboard/")
    assert "示范县" in page.locator("h1").inner_text()
    screenshot(page, "journey-official", full_page=False)

    seen = {}
    for figure_id in ("ind-people-residents", "ind-requests-requests", "ind-requests-requests_open"):
        link = page.locator(f"#{figure_id} .figure-value a")
        figure = _number(link.inner_text())
        with page.expect_navigation():
            link.click()
        url = page.url
        assert "/admin/" in url and "/login/" not in url, url
        listed, rows = _list_count(page)
        seen[figure_id] = (figure, listed, rows, url)
        page.go_back()
        page.wait_for_load_state()
    assert {key: value[:3] for key, value in seen.items()} == {
        "ind-people-residents": (7, 7, 7),
        "ind-requests-requests": (6, 6, 6),
        "ind-requests-requests_open": (4, 4, 4),
    }, seen
    assert not page.console_errors, page.console_errors


# --- 4. a party worker records a visit --------------------------------------------------------------


def _autocomplete(page, field: str, search: str, choice: str) -> None:
    """Pick ``choice`` in the admin's autocomplete (select2) widget of ``field``."""
    page.click(f".field-{field} .select2-selection")
    page.fill(".select2-container--open .select2-search__field", search)
    page.locator(".select2-container--open .select2-results__option", has_text=choice).first.click()
    assert choice in page.locator(f".field-{field} .select2-selection__rendered").inner_text()


def test_party_worker_records_a_visit(live_server, desktop_page, admin_login, screenshot):
    community = f.CommunityFactory(name="东风社区")
    building = f.BuildingFactory(zone=f.ZoneFactory(community=community), name="3号楼")
    household = f.HouseholdFactory(building=building, number="2-301")
    f.HouseholdFactory(building=building, number="2-302")
    member = pf.member_of(community, name="李党员")
    pf.cover(member, household)
    worker = f.make_user(role=Role.PARTY_WORKER, scope_level=ScopeLevel.COMMUNITY, community=community)
    day = timezone.localdate() - dt.timedelta(days=1)

    page = desktop_page
    admin_login(page, worker)
    page.click("#content-main a.addlink[href='/admin/partybuild/visit/add/']")
    page.wait_for_load_state()
    _autocomplete(page, "member", "李党员", "李党员")
    _autocomplete(page, "household", "2-301", "2-301")
    page.fill("#id_date", f"{day:%Y-%m-%d}")
    page.select_option("#id_way", index=0)
    page.fill("#id_raised", "楼道扶手松动，希望社区修一下")
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert page.url.endswith("/admin/partybuild/visit/"), page.locator(".errornote, .errorlist").all_inner_texts()
    assert "李党员" in page.locator("#result_list").inner_text()
    visit = Visit.objects.get()
    assert (visit.member, visit.household, visit.date, visit.recorded_by) == (member, household, day, worker)
    assert visit.by_coverer and visit.needs_follow_up and visit.raised == "楼道扶手松动，希望社区修一下"
    assert not page.console_errors, page.console_errors
    screenshot(page, "journey-party-worker")

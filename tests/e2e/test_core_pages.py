"""Issue 2, item 14 and the pages of item 8, in a real browser (Debian's Chromium via Playwright)."""

from __future__ import annotations

import datetime as dt

import pytest

from community.idnumbers import make_id_number
from community.models import Household, Resident
from tests import factories as f

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CANVAS_PIXELS = """
(el) => {
  const canvas = el.querySelector("canvas");
  if (!canvas) { return null; }
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  const colours = new Set();
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0) {
      painted += 1;
      if (colours.size < 64) { colours.add(data[i] + "," + data[i + 1] + "," + data[i + 2]); }
    }
  }
  return { painted: painted, total: canvas.width * canvas.height, colours: colours.size };
}
"""


@pytest.fixture
def county_with_people(db):
    county = f.CountyFactory(name="示范县", code="330999")
    town = f.TownFactory(county=county, name="城关镇")
    communities = [
        f.CommunityFactory(town=town, name=name, address=address)
        for name, address in [("东风社区", "东风路18号"), ("西湖社区", "西湖街6号"), ("新华社区", "新华路99号")]
    ]
    for size, community in zip((4, 7, 2), communities, strict=True):
        household = f.SCOPED_FACTORIES["community.Household"](community)
        f.ResidentFactory.create_batch(size, household=household, low_income=size == 2)
    return county, town, communities


def _choose_autocomplete(page, field: str, typed: str, expected: str):
    """Pick ``expected`` in the admin's select2 autocomplete of ``field`` by typing ``typed``."""
    page.click(f".field-{field} .select2-selection")
    page.fill(".select2-container--open .select2-search__field", typed)
    option = page.locator(".select2-results__option", has_text=expected).first
    option.wait_for()
    option.click()


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_staff_add_household_and_resident_and_other_community_cannot_find_it(
    live_server, new_page, admin_login, screenshot, db
):
    town = f.TownFactory(county=f.CountyFactory(name="示范县", code="330999"), name="城关镇")
    community_a = f.CommunityFactory(town=town, name="东风社区")
    community_b = f.CommunityFactory(town=town, name="西湖社区")
    building = f.BuildingFactory(zone=f.ZoneFactory(community=community_a, name="一片区"), name="东风3号楼")
    f.BuildingFactory(zone=f.ZoneFactory(community=community_b, name="一片区"), name="西湖3号楼")
    staff_a, staff_b = f.staff_of(community_a), f.staff_of(community_b)
    id_number = make_id_number(region="110105", birth_date=dt.date(1956, 3, 14), sequence=321, male=False)
    masked = id_number[:6] + "********" + id_number[-4:]

    # --- staff of community A: log in, add a household, then a resident in it
    page_a = new_page(1366, 900)
    admin_login(page_a, staff_a)
    page_a.goto(f"{live_server.url}/admin/community/household/add/")
    page_a.click(".field-building .select2-selection")
    page_a.fill(".select2-container--open .select2-search__field", "3号楼")
    options = page_a.locator(".select2-results__option")
    options.first.wait_for()
    assert "西湖" not in " ".join(options.all_inner_texts())  # B's building is not even offered
    options.filter(has_text="东风3号楼").first.click()
    page_a.fill("#id_number", "2-301")
    page_a.fill("#id_phone", "13912345678")
    with page_a.expect_navigation():
        page_a.click("input[name=_save]")
    household = Household.objects.get(building=building, number="2-301")

    page_a.goto(f"{live_server.url}/admin/community/resident/add/")
    _choose_autocomplete(page_a, "household", "2-301", "2-301")
    page_a.fill("#id_name", "林秀英")
    page_a.fill("#id_id_number", id_number)
    page_a.fill("#id_phone", "13812341234")
    with page_a.expect_navigation():
        page_a.click("input[name=_save]")
    assert page_a.url.endswith("/admin/community/resident/"), page_a.url
    resident = Resident.objects.get(name="林秀英")
    assert resident.household == household and resident.id_number == id_number

    # the list shows the ID masked, never in full
    row = page_a.locator("#result_list tbody tr", has_text="林秀英")
    assert row.count() == 1
    assert masked in row.inner_text()
    assert "138****1234" in row.inner_text()
    assert id_number not in page_a.content()
    assert not page_a.console_errors, page_a.console_errors
    screenshot(page_a, "admin-resident-list")

    # --- staff of community B: the resident cannot be found, nor opened
    page_b = new_page(1366, 900)
    admin_login(page_b, staff_b)
    page_b.goto(f"{live_server.url}/admin/community/resident/?q=林秀英")
    assert page_b.locator("#changelist").count() == 1  # the list page itself works for B
    assert page_b.locator("#result_list tbody tr", has_text="林秀英").count() == 0
    content = page_b.content()
    assert masked not in content and id_number not in content
    response = page_b.goto(f"{live_server.url}/admin/community/resident/{resident.pk}/change/")
    assert f"/resident/{resident.pk}/change/" not in page_b.url  # refused: sent back to the admin index
    assert response.status in (200, 403, 404)
    assert "林秀英" not in page_b.content() and masked not in page_b.content()
    assert page_b.locator("#id_name").count() == 0
    response = page_b.goto(f"{live_server.url}/admin/community/household/{household.pk}/change/")
    assert f"/household/{household.pk}/change/" not in page_b.url
    api = page_b.request.get(f"{live_server.url}/api/v1/residents/{resident.pk}/")
    assert api.status == 404


def test_landing_on_a_phone(live_server, phone_page, screenshot, axe, county_with_people):
    _county, town, communities = county_with_people
    response = phone_page.goto(f"{live_server.url}/")
    assert response.status == 200
    assert phone_page.get_attribute("html", "lang") == "zh-Hans"
    assert phone_page.locator("h1").inner_text() == "社区服务，一点就到"
    for community in communities:
        assert phone_page.locator(f"[data-community='{community.code}']").is_visible()
    assert town.name in phone_page.locator("#main").inner_text()
    assert _no_horizontal_scroll(phone_page)
    assert axe(phone_page) == []
    screenshot(phone_page, "landing-phone")
    # keyboard: the first Tab reaches the skip link, which moves focus to the content
    phone_page.keyboard.press("Tab")
    assert phone_page.evaluate("() => document.activeElement.className") == "skip-link"
    assert phone_page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    phone_page.keyboard.press("Enter")
    assert phone_page.evaluate("() => document.activeElement.id") == "main"
    assert not phone_page.console_errors, phone_page.console_errors


def test_dashboard_draws_charts_on_the_wall_screen(
    live_server, wall_page, admin_login, screenshot, axe, county_with_people
):
    county, town, communities = county_with_people
    official = f.official_of(county)
    admin_login(wall_page, official, next_url="/dashboard/?wall=1")
    assert "/dashboard/" in wall_page.url and "wall=1" in wall_page.url
    assert "wall" in wall_page.get_attribute("body", "class")
    charts = wall_page.locator(".chart[data-rendered='1']")
    charts.first.wait_for()
    assert charts.count() >= 3
    pixels = charts.first.evaluate(CANVAS_PIXELS)
    assert pixels is not None, "no canvas inside the chart"
    assert pixels["painted"] > pixels["total"] * 0.01, pixels  # the transparent wall canvas is painted on
    assert pixels["colours"] >= 3, pixels
    # the accessible alternative: the numbers behind the residents chart
    residents_box = wall_page.locator(".chart-box", has=wall_page.locator("[data-chart='people-residents']"))
    residents_box.locator("summary").click()
    table = residents_box.locator("table")
    assert table.is_visible()
    assert "西湖社区" in table.inner_text() and "7" in table.inner_text()
    # each figure links to the admin list behind it
    link = wall_page.locator("#ind-people-residents a").get_attribute("href")
    assert link.startswith("/admin/community/resident/?unit=county-"), link  # the figure's own rows
    assert not wall_page.console_errors, wall_page.console_errors  # no CSP violation, no script error
    assert axe(wall_page) == []
    residents_box.locator("summary").click()
    screenshot(wall_page, "dashboard-wall", full_page=False)

    # drill down county → town → community, keeping the period and wall mode
    wall_page.locator(".drill a", has_text=town.name).click()
    wall_page.wait_for_load_state()
    assert "scope=town" in wall_page.url and "wall=1" in wall_page.url
    wall_page.locator(".drill a", has_text="东风社区").click()
    wall_page.wait_for_load_state()
    assert "scope=community" in wall_page.url
    assert wall_page.locator("h1").inner_text().startswith("东风社区")
    assert wall_page.locator("#ind-people-residents .figure-value").inner_text() == "4"


def test_dashboard_on_a_phone_with_a_period(live_server, phone_page, admin_login, screenshot, axe, county_with_people):
    county, _town, _communities = county_with_people
    admin_login(phone_page, f.official_of(county), next_url="/dashboard/")
    phone_page.select_option("#period-kind", "year")
    phone_page.fill("#period-value", "2025")
    with phone_page.expect_navigation():
        phone_page.click(".period-picker button[type=submit]")
    assert "period=year" in phone_page.url and "value=2025" in phone_page.url
    assert "2025" in phone_page.locator(".period-label").inner_text()
    phone_page.locator(".chart[data-rendered='1']").first.wait_for()
    assert _no_horizontal_scroll(phone_page)
    assert axe(phone_page) == []
    screenshot(phone_page, "dashboard-phone", full_page=False)

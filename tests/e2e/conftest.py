"""Browser fixtures shared by every end-to-end test (Playwright's sync API driving Debian's Chromium).

Use them from any ``tests/e2e/test_*.py``::

    pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

    def test_something(live_server, phone_page, admin_login, screenshot):
        admin_login(phone_page, user)                      # through the admin login form
        phone_page.goto(live_server.url + "/")
        screenshot(phone_page, "something-phone")          # docs/screenshots/something-phone.png

``new_page(width, height)`` makes a page of any size; ``phone_page`` is 390×844 (a common phone),
``desktop_page`` 1366×768, ``wall_page`` 1920×1080 (the dashboards' wall screen).
``page.console_errors`` lists the page's script errors, CSP refusals and failed requests.
``axe(page)`` runs axe-core in the page and returns its serious and critical violations.
The browser is skipped cleanly when ``/usr/bin/chromium`` is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM would otherwise refuse to run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # package.json pins it; `npm ci` installs it
PASSWORD = "Passw0rd!x"  # what tests.factories.make_user gives every user
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
WALL = {"width": 1920, "height": 1080}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """``new_page(width, height)``: a fresh context (own cookies) in Chinese, Asia/Shanghai."""
    contexts = []

    def make(width: int, height: int, **options):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            **options,
        )
        context.set_default_timeout(15_000)
        # Chromium asks every origin for /favicon.ico (the admin's pages name none): not the app's error
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        contexts.append(context)
        page = context.new_page()
        # what went wrong in the page: script errors, CSP refusals, and failed requests (with their URL)
        page.console_errors = []
        page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
        page.on("response", lambda r: page.console_errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def phone_page(new_page):
    return new_page(**PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


@pytest.fixture
def desktop_page(new_page):
    return new_page(**DESKTOP)


@pytest.fixture
def wall_page(new_page):
    return new_page(**WALL)


@pytest.fixture
def admin_login(live_server):
    """``admin_login(page, user, password=PASSWORD)``: sign in through the admin login form."""

    def login(page, user, password: str = PASSWORD, next_url: str = "/admin/"):
        page.goto(f"{live_server.url}/admin/login/?next={next_url}")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("input[type=submit], button[type=submit]")
        assert "/admin/login/" not in page.url, f"login of {user.username} failed: {page.url}"
        return page

    return login


@pytest.fixture
def screenshot():
    """``screenshot(page, name, full_page=True)`` → docs/screenshots/<name>.png (returns the path)."""

    def take(page, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 1000, f"{path} looks empty"
        return path

    return take


@pytest.fixture
def axe():
    """``axe(page) -> list``: axe-core's serious and critical violations (WCAG 2.1 A/AA) of the page."""
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing (npm ci)")
    source = AXE.read_text(encoding="utf-8")

    def run(page) -> list[dict]:
        page.evaluate(source)  # through the DevTools protocol: the page's CSP does not apply
        result = page.evaluate(
            "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
        )
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return run


# --- the residents' pages (issue 9) --------------------------------------------------------------

PHONE_320 = {"width": 320, "height": 640}
TRACKING_PHONE = "13912345678"


@pytest.fixture
def public_site(db):
    """A small county with something on every public page: two communities with buildings, two kinds
    of request (one with an optional question), a request already accepted with a public note,
    a shared facility and an event, a recruitment campaign in its publicity period, a published
    financial disclosure and the community work list.  Returns a namespace with the rows the tests use.
    """
    import datetime as dt
    from types import SimpleNamespace

    from django.utils import timezone

    from funding import actions as funding_actions
    from services import actions as services_actions
    from services.choices import Channel
    from tests import factories as f
    from tests.funding.factories import ensure_defaults, ensure_roles, make_fund, receive
    from tests.services import factories as sf
    from tests.staffing.conftest import Builder
    from tests.worklist import factories as wf
    from worklist.choices import CommunityRole

    county = f.CountyFactory(name="示范县", code="330999")
    town = f.TownFactory(county=county, name="城关镇")
    community = f.CommunityFactory(town=town, name="东风社区", address="东风路18号")
    other = f.CommunityFactory(town=town, name="西湖社区", address="西湖街6号")
    zone = f.ZoneFactory(community=community, name="一片区")
    building = f.BuildingFactory(zone=zone, name="3号楼")
    f.BuildingFactory(zone=zone, name="5号楼")
    f.BuildingFactory(zone=f.ZoneFactory(community=other, name="一片区"), name="西湖1号楼")
    staff = f.staff_of(community)

    repair = sf.category(
        code="repair",
        name="房屋设施报修",
        description="楼道灯、水管、门窗等公共设施坏了",
        resolve_within_days=5,
        questions=[{"code": "part", "label": "损坏部位", "type": "string", "required": False}],
    )
    sf.category(code="elderly_help", name="老年人上门帮助", description="独居老人、行动不便者的上门帮助")
    request = services_actions.request_submit(
        community=community,
        category=repair,
        description="3号楼2单元楼道灯坏了一周，晚上看不见台阶",
        contact_name="王先生",
        contact_phone=TRACKING_PHONE,
        building=building,
        door_number="2-301",
        channel=Channel.WEB,
    )
    services_actions.request_move(
        by=staff, request_id=request.pk, to="accepted", note="明天上午电工上门查看", public=True
    )
    sf.facility(community, name="实验小学操场", opening_hours="周末 8:00–18:00")
    sf.event(community, title="居民议事会：加装电梯", starts_at=timezone.now() + dt.timedelta(days=3))

    Builder(f.town_cadre_of(town), community, n=3).upto("publicise")

    ensure_defaults()
    ensure_roles()
    preparer, approver = f.staff_of(community), f.staff_of(community)
    fund = make_fund(community, name="县级社区工作经费")
    receive(fund, 5000, preparer=preparer, approver=approver, date=dt.date(2026, 3, 10))
    disclosure = funding_actions.disclosure_publish(by=preparer, community=community, year=2026, quarter=1)

    wf.work_item(county, role=CommunityRole.PERFORM, title="居委会换届选举")
    wf.work_item(county, role=CommunityRole.ASSIST, title="协助开展低保入户调查")

    request.refresh_from_db()
    return SimpleNamespace(
        county=county,
        town=town,
        community=community,
        other=other,
        building=building,
        staff=staff,
        repair=repair,
        request=request,
        phone=TRACKING_PHONE,
        disclosure=disclosure,
    )


@pytest.fixture
def phone_320(new_page):
    """The narrowest phone the pages are made for (320 px wide)."""
    return new_page(**PHONE_320, is_mobile=True, has_touch=True, device_scale_factor=2)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")

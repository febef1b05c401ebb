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

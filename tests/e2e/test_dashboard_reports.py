"""Issue 7 in a real browser: an official's county dashboard on a wall screen, drill-down, trend charts,
a report generated with its live progress bar and both files downloaded; another community's staff refused."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import subprocess

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from community import reporting
from community.dashboard import SECTIONS
from tests import factories as f
from tests.e2e.test_core_pages import CANVAS_PIXELS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county_with_history(db):
    county = f.CountyFactory(name="示范县", code="330999")
    town = f.TownFactory(county=county, name="城关镇")
    east = f.CommunityFactory(town=town, name="东风社区", address="东风路18号")
    west = f.CommunityFactory(town=town, name="西湖社区", address="西湖街6号")
    for size, community in ((4, east), (7, west)):
        household = f.SCOPED_FACTORIES["community.Household"](community)
        f.ResidentFactory.create_batch(size, household=household)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=28)
    reporting.snapshot_take(day=last_month)
    household = f.SCOPED_FACTORIES["community.Household"](east)
    f.ResidentFactory.create_batch(2, household=household)
    reporting.snapshot_take(day=today)
    return county, town, east, west


@contextlib.contextmanager
def report_worker(settings):
    """A real Celery worker in a thread when Redis is there; otherwise tasks run eagerly in the server."""
    from config.celery import app

    if not os.environ.get("REDIS_URL"):
        settings.CELERY_TASK_ALWAYS_EAGER = True
        before = app.conf.task_always_eager
        app.conf.task_always_eager = True
        try:
            yield
        finally:
            app.conf.task_always_eager = before
        return
    from celery.contrib.testing.worker import start_worker

    app.control.purge()
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=30):
            yield
    finally:
        app.conf.task_always_eager = eager


def _painted(page, key: str) -> dict:
    chart = page.locator(f".chart[data-chart='{key}'][data-rendered='1']")
    chart.wait_for()
    pixels = chart.evaluate(CANVAS_PIXELS)
    assert pixels is not None, f"no canvas in {key}"
    assert pixels["painted"] > pixels["total"] * 0.01 and pixels["colours"] >= 3, (key, pixels)
    return pixels


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")
def test_official_dashboard_drill_down_report_and_downloads(
    live_server, wall_page, new_page, admin_login, screenshot, axe, county_with_history, settings, tmp_path
):
    county, town, east, west = county_with_history
    official = f.official_of(county)
    admin_login(wall_page, official, next_url="/dashboard/?wall=1")
    assert "wall" in wall_page.get_attribute("body", "class")
    _painted(wall_page, "people-residents")
    _painted(wall_page, "trend-people")  # month over month from the snapshots
    trend_box = wall_page.locator(".chart-box", has=wall_page.locator("[data-chart='trend-people']"))
    trend_box.locator("summary").click()
    assert timezone.localdate().strftime("%Y-%m") in trend_box.locator("table").inner_text()
    assert "▲ +2" in wall_page.locator("#ind-people-residents").inner_text().replace("\n", " ")
    assert not wall_page.console_errors, wall_page.console_errors
    assert axe(wall_page) == []
    trend_box.locator("summary").click()
    wall_page.evaluate("() => window.scrollTo(0, 0)")
    screenshot(wall_page, "dashboard-county-wall", full_page=False)

    # drill down county → town → community
    wall_page.locator(".drill a", has_text=town.name).click()
    wall_page.wait_for_load_state()
    assert "scope=town" in wall_page.url
    wall_page.locator(".drill a", has_text=east.name).click()
    wall_page.wait_for_load_state()
    assert f"scope=community&id={east.pk}" in wall_page.url
    assert east.name in wall_page.locator("h1").inner_text()
    _painted(wall_page, "people-residents")

    # generate this month's report of the community from the dashboard and watch it finish
    with report_worker(settings):
        with wall_page.expect_navigation():
            wall_page.click("#generate-now")
        assert "/dashboard/reports/" in wall_page.url
        row = wall_page.locator("tr.report-run").first
        assert row.locator("progress.run-progress").count() == 1
        row.locator("a.file-xlsx").wait_for(timeout=90_000)  # drawn by the progress poller
        assert row.get_attribute("data-status") == "done"
        assert row.locator(".run-pct").inner_text() == "100%"
    screenshot(wall_page, "reports-done-wall", full_page=False)

    with wall_page.expect_download() as xlsx_download:
        row.locator("a.file-xlsx").click()
    with wall_page.expect_download() as pdf_download:
        row.locator("a.file-pdf").click()
    with translation.override("zh-hans"):
        headings = [str(SECTIONS[key].title) for key in ("people",)]
    book = load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes()))
    assert headings[0][:31] in book.sheetnames
    residents = [row for row in book[headings[0][:31]].iter_rows(values_only=True) if row[0] == "居民"]
    assert residents and residents[0][1] == 6  # a number, not text
    pdf = tmp_path / "report.pdf"
    pdf_download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert east.name in text and headings[0] in text
    assert not [e for e in wall_page.console_errors if "favicon" not in e], wall_page.console_errors

    # the other community's staff can open neither this dashboard nor this report
    run_file = row.locator("a.file-pdf").get_attribute("href")
    staff_b = f.staff_of(west)
    other = new_page(1366, 768)
    admin_login(other, staff_b)
    refused = other.goto(f"{live_server.url}/dashboard/?scope=community&id={east.pk}")
    assert refused.status == 403
    assert other.goto(f"{live_server.url}{run_file}").status == 404
    assert other.goto(f"{live_server.url}/dashboard/reports/?scope=community&id={east.pk}").status == 403
    own = other.goto(f"{live_server.url}/dashboard/")
    assert own.status == 200 and west.name in other.locator("h1").inner_text()

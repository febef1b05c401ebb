"""Dashboard: month-over-month trends from the snapshots, the precomputed county/town payload, report tools."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from community import reporting
from community.dashboard import Period, Target
from community.reporting_models import DashboardPayload, IndicatorSnapshot
from tests import factories as f
from tests.conftest import assert_flat

pytestmark = pytest.mark.django_db


def _residents(community, n):
    household = f.SCOPED_FACTORIES["community.Household"](community)
    f.ResidentFactory.create_batch(n, household=household)


def _snapshot(target, day, section, key, value):
    IndicatorSnapshot.objects.create(
        level=target.level, unit_id=target.obj.pk, day=day, section=section, key=key, value=value
    )


def test_trend_reads_the_last_snapshot_of_each_month_and_never_recomputes(county, community_a, count_queries):
    target = Target("county", county)
    # history that no longer matches the data: the trend must show what was stored, not recompute it
    _snapshot(target, dt.date(2026, 8, 31), "people", "residents", 40)
    _snapshot(target, dt.date(2026, 9, 1), "people", "residents", 41)
    _snapshot(target, dt.date(2026, 9, 30), "people", "residents", 45)  # the last of September wins
    _snapshot(target, dt.date(2026, 11, 3), "people", "residents", 52)
    _snapshot(target, dt.date(2026, 11, 3), "people", "households", 20)
    _snapshot(Target("community", community_a), dt.date(2026, 11, 3), "people", "residents", 999)  # not the county's
    _snapshot(target, dt.date(2026, 12, 1), "people", "residents", 70)  # after the period: not shown
    with count_queries() as queries:
        trend = reporting.trend_read(target=target, until=dt.date(2026, 11, 30))
    assert len(queries) == 1
    assert trend.months == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert trend.series("people", "residents") == [Decimal(40), Decimal(45), None, Decimal(52)]
    assert trend.series("people", "households") == [None, None, None, Decimal(20)]
    assert trend.change("people", "residents") is None  # October was not recorded: no made-up change
    october = dt.date(2026, 10, 15)
    _snapshot(target, october, "people", "residents", 50)
    trend = reporting.trend_read(target=target, until=dt.date(2026, 11, 30))
    assert trend.change("people", "residents") == Decimal(2)
    assert reporting.trend_read(target=target, until=dt.date(2026, 7, 31)).months == []


def test_dashboard_shows_trend_charts_with_tables_and_changes(client, official, county, community_a):
    _residents(community_a, 3)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=28)
    reporting.snapshot_take(day=last_month)
    _residents(community_a, 2)
    reporting.snapshot_take(day=today)
    client.force_login(official)
    response = client.get(reverse("dashboard:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-chart="trend-people"' in html
    charts = response.context["charts"]
    trend = charts["trend-people"]
    assert trend["xAxis"]["data"] == [f"{last_month:%Y-%m}", f"{today:%Y-%m}"]
    residents = next(s for s in trend["series"] if s["data"] == [3.0, 5.0])
    assert residents["type"] == "line"
    # the accessible table of the trend: one row per month
    assert f'<th scope="row">{today:%Y-%m}</th>' in html
    people = next(p for p in response.context["panels"] if p.section.key == "people")
    change = {fig.indicator.key: fig.change for fig in people.figures}
    assert change["residents"] == 2 and change["communities"] == 0
    assert '<span aria-hidden="true">▲</span> +2' in html
    body = client.get("/api/v1/dashboard/").json()
    values = {(v["section"], v["key"]): v["values"] for v in body["trend"]["values"]}
    assert [Decimal(v) for v in values[("people", "residents")]] == [3, 5]


def test_county_reads_its_precomputed_payload_with_its_time(client, official, county, community_a):
    _residents(community_a, 3)
    period = Period.parse("month", None)
    assert reporting.dashboard_refresh() == 2 * 4 * 2  # county + town, 4 periods, 2 languages
    payload = DashboardPayload.objects.get(
        level="county", unit_id=county.pk, period_kind="month", period_start=period.start, language="zh-hans"
    )
    _residents(community_a, 4)  # not in the payload until the next refresh
    client.force_login(official)
    body = client.get("/api/v1/dashboard/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    people = {i["key"]: i for s in body["sections"] if s["key"] == "people" for i in s["indicators"]}
    assert people["residents"]["value"] == 3 and people["residents"]["label"] == "居民"
    assert body["as_of"] is not None
    live = client.get("/api/v1/dashboard/", {"live": "1"}).json()
    assert live["as_of"] is None
    assert next(i["value"] for s in live["sections"] for i in s["indicators"] if i["key"] == "residents") == 7
    # the page says how old the figures are and offers to compute them now
    page = client.get(reverse("dashboard:index")).content.decode()
    as_of = timezone.localtime(payload.computed_at).strftime("%Y-%m-%d %H:%M")
    assert as_of in page and "live=1" in page
    # a community stays live
    own = client.get("/api/v1/dashboard/", {"scope": "community", "id": community_a.pk}).json()
    assert own["as_of"] is None
    # the payload and the live registry agree once refreshed
    reporting.dashboard_refresh()
    again = client.get("/api/v1/dashboard/").json()
    assert again["sections"] == live["sections"]


def test_payload_keeps_decimals_and_drops_periods_no_longer_kept(county, community_a):
    _residents(community_a, 2)
    target = Target("county", county)
    old = Period.parse("month", "2020-01")
    reporting.dashboard_payload_store(target=target, period=old, language="en")
    reporting.dashboard_refresh()
    assert not DashboardPayload.objects.filter(period_start=old.start).exists()
    period = Period.parse("year", None)
    live = reporting.dashboard_read(target=target, period=period, live=True).collected
    from django.utils import translation

    with translation.override("en"):
        stored = reporting.dashboard_read(target=target, period=period)
    assert stored.as_of is not None
    assert [(s.key, [(i.key, i.value) for i in inds]) for s, inds in stored.collected] == [
        (s.key, [(i.key, i.value) for i in inds]) for s, inds in live
    ]


def test_county_page_query_count_is_fixed_with_a_payload(client, official, county, community_a, count_queries):
    _residents(community_a, 2)
    reporting.dashboard_refresh()
    reporting.snapshot_take()
    client.force_login(official)
    client.get(reverse("dashboard:index"))
    with count_queries() as few:
        assert client.get(reverse("dashboard:index")).status_code == 200
    town = community_a.town
    for i in range(3):
        extra = f.CommunityFactory(town=town, name=f"新社区{i}")
        _residents(extra, 5)
    reporting.dashboard_refresh()
    reporting.snapshot_take()
    with count_queries() as many:
        assert client.get(reverse("dashboard:index")).status_code == 200
    assert_flat(few, many)
    assert len(many) < 12, many.dump()


def test_dashboard_links_to_reports_and_generates_now(client, official, county, community_a, monkeypatch):
    from community.reporting_models import ReportRun

    sent = []
    monkeypatch.setattr("community.tasks.report_build_task.delay", lambda run_id: sent.append(run_id))
    client.force_login(official)
    page = client.get(reverse("dashboard:index"), {"period": "month", "value": "2026-10"}).content.decode()
    reports_url = f"{reverse('dashboard:reports')}?scope=county&amp;id={county.pk}"
    assert reports_url in page
    assert 'name="month" value="2026-10"' in page and 'id="generate-now"' in page
    quarter = client.get(reverse("dashboard:index"), {"period": "quarter", "value": "2026-Q3"}).content.decode()
    assert 'name="month" value="2026-09"' in quarter  # the last month of a past quarter
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("dashboard:reports"), {"scope": "county", "id": county.pk, "month": "2026-10"})
    assert response.status_code == 302
    run = ReportRun.objects.get(level="county", unit_id=county.pk)
    assert run.period_start == dt.date(2026, 10, 1) and sent == [run.pk]
    listing = client.get(response["Location"]).content.decode()
    assert f'data-status-url="{reverse("dashboard:report-status", args=[run.pk])}"' in listing
    assert "<progress" in listing


def test_reports_page_says_when_the_job_service_is_down(client, official, county, monkeypatch):
    from utilities import health

    client.force_login(official)
    monkeypatch.setattr(health, "broker_status", lambda: "down")
    page = client.get(reverse("dashboard:reports"), {"scope": "county", "id": county.pk}).content.decode()
    assert 'id="broker-down"' in page
    monkeypatch.setattr(health, "broker_status", lambda: "ok")
    page = client.get(reverse("dashboard:reports"), {"scope": "county", "id": county.pk}).content.decode()
    assert 'id="broker-down"' not in page


def test_refresh_task_is_scheduled_in_beat():
    """The declared schedule, synced as migrate does (a transactional test elsewhere may have flushed it)."""
    from django_celery_beat.models import PeriodicTask

    from utilities import schedules

    schedules.sync()
    job = PeriodicTask.objects.get(task="community.tasks.dashboard_refresh_task")
    assert job.enabled and job.crontab.minute == "*/10"
    from config.celery import app

    app.loader.import_default_modules()
    assert job.task in app.tasks

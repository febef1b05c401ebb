"""The services rows of ``make bench`` on a small dataset, and the load runner's clients against a live server."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from community.models import ResidentUnit
from services.choices import Rating, Status
from services.models import FollowUp, ServiceRequest
from tests import factories as f
from tests.benchmarks import bench_services, harness, load
from tests.services import factories as sf


def _county_with_requests(code, n):
    county = f.CountyFactory(code=code, name=f"基准县{code}")
    community = f.CommunityFactory(town=f.TownFactory(county=county))
    building = f.BuildingFactory(zone=f.ZoneFactory(community=community))
    category = sf.category(department=f.DepartmentFactory(county=county))
    now = timezone.now()
    for i in range(n):
        req = sf.service_request(
            community,
            cat=category,
            building=building,
            status=[Status.SUBMITTED, Status.IN_PROGRESS, Status.CLOSED][i % 3],
            submitted_at=now - dt.timedelta(days=i % 40),
            overdue=i % 4 == 0,
            rating=Rating.SATISFIED if i % 3 == 2 else "",
        )
        if i % 3 == 2:
            ServiceRequest.objects.filter(pk=req.pk).update(resolved_at=req.submitted_at + dt.timedelta(hours=5))
            FollowUp.objects.create(request=req, by=f.staff_of(community), satisfaction=Rating.SATISFIED)
    ResidentUnit.objects.create(community=community, name="单位", kind="school")
    return county


BENCH_NAMES = [b.name for b in bench_services.BENCHES if not b.name.startswith(("load:", "public request form"))]


@pytest.mark.django_db
def test_services_bench_rows_are_flat_and_match_their_bare_sql():
    small_county, full_county = _county_with_requests("140123", 3), _county_with_requests("150122", 40)
    small = harness.BenchContext("small", small_county, harness.official_of(small_county, "bench_small"))
    full = harness.BenchContext("full", full_county, harness.official_of(full_county, "bench_full"))
    benches = [b for b in bench_services.BENCHES if b.name in BENCH_NAMES]
    assert len(benches) == 4
    for bench in benches:
        result = harness.measure(bench, full, small, runs=1)
        assert isinstance(result.queries_full, int) and result.queries_full > 0, result
        assert result.queries_small == result.queries_full, result
        assert result.rows == 40 and result.bare_ms > 0, result

    # the resident form's GET: its query count does not grow, and its CPU time is judged against its goal
    form = next(b for b in bench_services.BENCHES if b.name.startswith("public request form"))
    result = harness.measure(form, full, small, runs=2)
    assert isinstance(result.queries_full, int) and result.queries_small == result.queries_full, result
    assert result.met is not None and "CPU" in result.note and "ms CPU per GET" in result.goal, result

    # the bare SQL returns the API's first page and the changelist's first page
    api_ids = [r["id"] for r in full.get("/api/v1/services/requests/").json()["results"]]
    page = bench_services.TRIAGE_PAGE_SQL.format(where="", order="r.id DESC", limit=51)
    assert [row[0] for row in harness.run_sql(page, [full_county.pk])] == api_ids
    changelist = full.get("/admin/services/servicerequest/")
    ordered = bench_services.TRIAGE_PAGE_SQL.format(
        where=bench_services.OPEN_WHERE, order=bench_services.DUE_ORDER, limit=50
    )
    assert [row[0] for row in harness.run_sql(ordered, [full_county.pk])] == [
        r.pk for r in changelist.context["cl"].result_list
    ]
    overdue = bench_services.TRIAGE_PAGE_SQL.format(
        where=bench_services.OVERDUE_WHERE, order=bench_services.DUE_ORDER, limit=50
    )
    queue = full.get("/admin/services/servicerequest/", {"overdue": "yes"})
    assert sorted(row[0] for row in harness.run_sql(overdue, [full_county.pk])) == sorted(
        r.pk for r in queue.context["cl"].result_list
    )
    # and the requests section's figures
    sql, params = bench_services._figures_sql(full)
    figures = {(kind, key): value for kind, key, value in harness.run_sql(sql, params)}
    from community.dashboard import Target
    from services import selectors

    summary = selectors.request_summary(scope=Target("county", full_county).scope(), period=bench_services._year(full))
    this_year = ServiceRequest.objects.filter(
        community__town__county=full_county, submitted_at__year=timezone.localdate().year
    )
    assert summary.total == this_year.count() == sum(v for (k, _s), v in figures.items() if k == "status")
    assert summary.overdue == figures[("overdue", "")]
    assert summary.followed_up == figures[("followed_up", "")]


def test_server_runs_with_production_settings(monkeypatch):
    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("SECRET_KEY", "leaked")
    server = load.Server(workers=2)
    try:
        env = server.env()
    finally:
        server.stop()
    assert env["DEBUG"] == "0" and env["ALLOWED_HOSTS"] == "127.0.0.1"
    assert env["SECRET_KEY"] != "leaked" and len(env["SECRET_KEY"]) >= 50
    assert env["RATELIMIT_IP_META_KEY"] == "HTTP_X_REAL_IP"
    assert 1024 <= server.port < 65536
    assert not server.scratch.exists(), "stop() removes the scratch directory"


def test_report_percentiles_errors_and_memory():
    report = load.LoadReport("form", 10.0, 2, 2)
    report.samples = [load.Sample("form GET", True, float(ms), 200) for ms in range(1, 101)]
    report.samples.append(load.Sample("form POST", False, 500.0, 429))
    report.rss_start, report.rss_end = {1: 100_000, 2: 100_000}, {1: 102_048, 2: 100_512}
    assert report.requests == 101 and report.errors == 1 and report.rate == pytest.approx(10.1)
    assert report.p(50, "form GET") == 50 and report.p(95, "form GET") == 95
    assert report.error_statuses() == {429: 1}
    summary = report.summary()
    assert "10.1 req/s" in summary and "errors 1/101 {429: 1}" in summary and "+2.0 MB" in summary
    assert not report.restarted
    assert "form POST" in report.details()


class _LiveServer:
    """Stands in for the gunicorn Server: the test's live server, no workers to measure."""

    workers = 1

    def __init__(self, url):
        self.port = int(url.rsplit(":", 1)[1])

    def worker_rss_kb(self):
        return {}

    def worker_cpu_seconds(self):
        return {}


@pytest.mark.django_db(transaction=True)
def test_the_load_clients_submit_forms_and_read_the_api(live_server, settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    county = _county_with_requests("150123", 2)
    official = harness.official_of(county, "bench_load")
    sf.category(code="plain", name="其他")
    target = load.target_for(county, official)
    assert target.communities and target.categories and target.token
    before = ServiceRequest.objects.count()
    server = _LiveServer(live_server.url)
    config = load.LoadConfig(seconds=1.5, clients=2, workers=1)

    report = load.run_load(server, target, mix="form", config=config)
    assert report.requests > 0 and report.errors == 0, report.details()
    assert {s.kind for s in report.samples} == {"form GET", "form POST"}
    submitted = ServiceRequest.objects.filter(contact_name=load.LOAD_CONTACT)
    posts = sum(s.kind == "form POST" for s in report.samples)
    assert submitted.count() == posts + 2, "every post of the load and of the warm-up saved a request"

    mixed = load.run_load(server, target, mix="mixed", config=config)
    assert mixed.errors == 0, mixed.details()
    made = ServiceRequest.objects.count() - before
    assert made == submitted.count() > posts
    assert load.delete_load_requests(county) == made
    assert ServiceRequest.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_a_refused_post_counts_as_an_error(live_server, settings):
    """Without a per-resident address the per-IP limit answers 429, and the report says so."""
    settings.SERVICES_SUBMIT_RATE_IP = "1/h"
    county = _county_with_requests("150124", 1)
    target = load.target_for(county, harness.official_of(county, "bench_load2"))
    resident = load.Resident(_LiveServer(live_server.url).port, target, __import__("random").Random(1), 10)
    first, second = resident.submit(), resident.submit()
    assert all(s.ok for s in first)
    assert second[-1].status == 429 and not second[-1].ok

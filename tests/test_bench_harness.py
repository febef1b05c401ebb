"""``make bench``'s medians (tests/benchmarks/harness.py): a fast path is sampled more than ``--runs`` times."""

import re
import time

import pytest

from tests import factories as f
from tests.benchmarks import harness


def test_a_fast_path_is_sampled_until_the_time_asked_for_at_most_max_samples():
    calls = []
    assert harness.paired_median_ms(lambda: calls.append(1), None, runs=3, seconds=0.2)[0] >= 0
    assert len(calls) == harness.MAX_SAMPLES  # as many samples as allowed


def test_a_slow_path_keeps_its_runs_and_no_time_asked_for_keeps_them_too():
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.03)

    assert harness.paired_median_ms(slow, None, runs=2, seconds=0.01)[0] >= 30
    assert len(calls) == 2
    calls.clear()
    harness.paired_median_ms(lambda: calls.append(1), None, runs=3)
    assert len(calls) == 3


def test_a_path_and_its_bare_sql_are_sampled_in_turn():
    calls = []
    path_ms, sql_ms = harness.paired_median_ms(
        lambda: calls.append("path"), lambda: calls.append("sql"), runs=3, seconds=0.05
    )
    assert path_ms >= 0 and sql_ms >= 0
    assert calls == ["path", "sql"] * (len(calls) // 2) and 3 <= len(calls) // 2 <= harness.MAX_SAMPLES
    calls.clear()
    assert harness.paired_median_ms(lambda: calls.append("path"), None, runs=2)[1] is None and calls == ["path"] * 2


@pytest.mark.django_db
def test_finish_runs_once_after_the_timed_runs():
    events = []

    def run(ctx):
        assert "finish" not in events, "a run after finish: the load's server would be stopped already"
        events.append("run")
        if ctx == "broken" and events.count("run") == 3:  # the warm-up and the count passed, a timed run fails
            raise RuntimeError("the path failed")

    bench = harness.Bench(name="load", run=run, flat=False, finish=lambda ctx: events.append("finish"))
    result = harness.measure(bench, "full", None, runs=3)
    assert events[-1] == "finish" and events.count("finish") == 1 and events.count("run") >= 4
    assert result.bare_ms is None and result.queries_small == "-"
    events.clear()
    with pytest.raises(RuntimeError):
        harness.measure(bench, "broken", None, runs=3)
    assert events == ["run", "run", "run", "finish"]  # stopped all the same


# --- the lists' floors (tests/benchmarks/floor_lists.py): the same rows, built plainly ----------------------------


def _ids(client, url) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.django_db
@pytest.mark.urls("tests.benchmarks.floor_lists")
def test_each_list_floor_serves_the_rows_of_its_platform_path(
    client, official, community_a, community_b, make_in_community
):
    from community.models import Resident
    from partybuild.models import PartyMember

    for community in (community_a, community_b):
        for _ in range(2):
            make_in_community(Resident, community)
            make_in_community(PartyMember, community)
    other_county = f.CountyFactory(name="别县", code="340122")  # another county's rows are in neither list
    elsewhere = f.CommunityFactory(town=f.TownFactory(county=other_county, name="别镇"), name="别社区")
    make_in_community(Resident, elsewhere)
    make_in_community(PartyMember, elsewhere)
    client.force_login(official)

    for platform, floor in (
        ("/api/v1/residents/", "/floor/api/residents/"),
        ("/api/v1/partybuild/members/", "/floor/api/members/"),
    ):
        ids = _ids(client, platform)
        assert len(ids) >= 4 and ids == _ids(client, floor)

    applications = [f.SCOPED_FACTORIES["staffing.Application"](c) for c in (community_a, community_b, elsewhere)]
    page = client.get("/floor/admin/staffing/application/").content.decode()
    linked = {int(pk) for pk in re.findall(r'href="/floor/admin/staffing/application/(\d+)/change/', page)}
    assert linked == {application.pk for application in applications[:2]}

    page = client.get("/floor/admin/community/resident/").content.decode()
    linked = {int(pk) for pk in re.findall(r'href="/floor/admin/community/resident/(\d+)/change/', page)}
    shown = Resident.objects.filter(household__building__zone__community__in=[community_a, community_b])
    assert len(linked) >= 4 and linked == set(shown.values_list("pk", flat=True))


def test_every_floor_is_placed_after_its_path_and_measured_with_its_bare_sql():
    from tests.benchmarks import floor_lists
    from tests.benchmarks.harness import Bench

    paths = {name: Bench(name=name, run=lambda ctx: None, bare_sql=f"SELECT '{name}'") for name in floor_lists.FLOORS}
    paths["other"] = Bench(name="other", run=lambda ctx: None)
    floors = floor_lists.floor_benches(paths)
    assert set(floors) == set(floor_lists.FLOORS)
    for name, benches in floors.items():
        assert [bench.name for bench in benches] == [f"  {floor.name}" for floor in floor_lists.FLOORS[name]]
        assert [floor.kind for floor in floor_lists.FLOORS[name]] == ["same", "empty", "rows"]
        for floor in benches:
            assert floor.bare_sql == paths[name].bare_sql and floor.goal_ratio is None and floor.goal_ms is None
        # an admin changelist's empty floor is an admin changelist, an API list's an API list
        assert ("changelist" in name) == ("changelist" in benches[1].name)


@pytest.mark.django_db
@pytest.mark.urls("tests.benchmarks.floor_lists")
def test_the_empty_floors_show_no_row_and_run_no_query_of_their_own(client, official, community_a, make_in_community):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from community.models import Resident
    from partybuild.models import PartyMember

    make_in_community(Resident, community_a)
    make_in_community(PartyMember, community_a)
    client.force_login(official)
    for url in ("/floor/admin/community/town/", "/floor/api/empty/"):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert b'id="result_list"' not in response.content and b'"results":[{' not in response.content
        own = [q["sql"] for q in captured if "django_session" not in q["sql"] and "community_user" not in q["sql"]]
        assert own == [], own


def test_a_missed_ratio_says_when_the_empty_page_and_the_rows_are_over_it_already():
    from tests.benchmarks import floor_lists
    from tests.benchmarks.harness import Result
    from tests.benchmarks.run import below_the_framework

    name = "admin resident changelist (county official)"
    same, empty, rows = (f"  {floor.name}" for floor in floor_lists.FLOORS[name])
    path = Result(name, 1, 5, 5, 20.0, 1.6, goal="<= 5x bare SQL", met=False)
    measured = [
        path,
        Result(same, 1, 5, 5, 24.0, 1.6),
        Result(empty, 1, 2, 2, 6.0, 1.6),
        Result(rows, 1, 0, 0, 3.5, 1.6),
    ]
    words = below_the_framework(path, measured)
    assert "5x its bare SQL is 8.0 ms" in words and "(6.0 ms)" in words and "(3.5 ms) take 9.5 ms together" in words
    # the two within 5x: the goal may be within reach, nothing is said
    assert below_the_framework(path, [*measured[:3], Result(rows, 1, 0, 0, 1.5, 1.6)]) == ""
    # a floor that failed, or a path without floors: nothing is said
    assert below_the_framework(path, [*measured[:3], Result(rows, "-", "-", "-", None, None)]) == ""
    assert below_the_framework(Result("other", 1, 1, 1, 9.0, 1.0), measured) == ""


@pytest.mark.django_db
@pytest.mark.urls("tests.benchmarks.floor_lists")
def test_the_rows_floor_reads_the_rows_the_plain_page_shows(client, official, community_a, make_in_community):
    from community.models import Resident
    from tests.benchmarks import floor_lists

    for _ in range(3):
        make_in_community(Resident, community_a)
    client.force_login(official)
    ctx = harness.BenchContext("small", official.county, official)
    page = client.get("/floor/admin/community/resident/").content.decode()
    linked = {int(pk) for pk in re.findall(r'href="/floor/admin/community/resident/(\d+)/change/', page)}
    assert {row.pk for row in floor_lists.page_rows(ctx, "/floor/admin/community/resident/")} == linked
    assert [row.pk for row in floor_lists.page_rows(ctx, "/floor/api/residents/")] == _ids(
        client, "/floor/api/residents/"
    )


@pytest.mark.django_db
def test_the_walk_lists_every_changelist_and_api_list_and_walks_as_three_roles(county, town, community_a):
    from community.scoping import scope_of
    from tests.benchmarks import bench_sweep

    urls = bench_sweep._urls()
    assert {"/admin/community/resident/", "/admin/funding/journalentry/", "/api/v1/residents/"} <= set(urls)
    assert "/api/v1/partybuild/coverage/" not in urls  # judged by its own row
    ctx = harness.BenchContext("full", county, harness.official_of(county, "walk_official"))
    scopes = {who: scope_of(make(ctx)) for who, make in bench_sweep.WALKERS.items() if make is not None}
    assert {(s.level, s.town_id, s.community_id) for s in scopes.values()} == {
        ("town", town.pk, None),
        ("community", town.pk, community_a.pk),
    }
    assert [bench.name for bench in bench_sweep.BENCHES] == [
        *(f"every admin changelist and API list, first page ({who}): the slowest" for who in bench_sweep.WALKERS),
        "every admin changelist's filters (county official), 2 choices a filter: the slowest",
    ]
    # the filtered pages a list links to: the first choices of each filter, the last filter's too
    pages = bench_sweep._filter_links(ctx.client, "/admin/community/resident/")
    assert all(page.startswith("/admin/community/resident/?") for page in pages)
    assert {"residence_type__exact", "gender__exact", "vulnerable"} <= {p.split("?")[1].split("=")[0] for p in pages}
    assert all(ctx.client.get(page).status_code == 200 for page in pages)

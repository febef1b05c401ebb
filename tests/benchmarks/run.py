"""``make bench``: measure the platform's heavy paths at scale and print ONE table.

Usage (DATABASE_URL must point at PostgreSQL; the Makefile passes BENCH_ARGS)::

    DATABASE_URL=postgres://…/shequ_bench make bench BENCH_ARGS="--households 120000"
    .venv/bin/python tests/benchmarks/run.py [--households N] [--reuse] [--runs 5] [--only admin,api]

It migrates the database, (re)creates the benchmark county with ``generate_county`` (code
``--county-code``, default 330127; ``--reuse`` keeps it when it is already there) and a small
county of about 10 residents (code 340121), logs a county official of each into a test client,
then measures every path: the rows it reads, its SQL query count on the small county and at full
scale (for lists they must be equal: ``<< GREW`` marks a path whose count grew, and the exit
status is then 1), its median time over ``--runs`` runs (a path faster than ``--sample-seconds``, 0.5, over them runs
again, up to 31 times, and so does its bare SQL), the median time of the bare SQL that
returns the same page or numbers, and the ratio of the two.  ``generate_county`` rows appear as
the time it spent on each table against a plain ``COPY`` of the same rows into an empty copy of
the table (same indexes and constraints, no foreign keys).

Adding an app's paths: the bench protocol
-----------------------------------------
Create ``tests/benchmarks/bench_<app>.py`` exposing ``BENCHES``, a list whose items are either
``tests.benchmarks.harness.Bench`` objects or plain callables ``fn(ctx)``::

    from tests.benchmarks.harness import Bench

    def _members_page(ctx):                       # ctx: harness.BenchContext
        return ctx.get("/api/v1/party/members/")  # ctx.client is logged in as a county official

    BENCHES = [
        Bench(
            name="/api/v1/party/members/ first page",
            run=_members_page,                    # one run of the path; raise on a wrong answer
            bare_sql="SELECT … WHERE t.county_id = %s ORDER BY id DESC LIMIT 51",  # %s: the county id
            rows=lambda ctx: ...,                 # rows in the database the path reads (optional)
            setup=None,                           # ctx -> None, once per county before measuring
            flat=True,                            # query count equal on the small and the full county
        ),
    ]

``BenchContext`` gives ``label`` ("small" or "full"), ``county``, ``official``, ``client``,
``get(url, data, status=200)`` and ``data`` (a dict for what ``setup`` keeps).  ``bare_sql`` may
also be a callable ``ctx -> (sql, params)``.  A plain callable is named after the function and
has no bare SQL.  An app that needs scale rows adds them in ``<app>/generate.py`` (see
``community/demo/generate.py``), which ``generate_county`` calls for both counties.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FULL_CODE = "330127"  # 淳安县 (a region code valid for every birth year)
SMALL_CODE = "340121"  # 长丰县
BENCH_USERS = ("bench_official", "bench_official_small")
GENERATE_ROWS_PER_S = 50_000  # issue 22's goal for generate_county


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Measure the platform's heavy paths at scale (PostgreSQL).")
    parser.add_argument("--households", type=int, default=120_000, help="households of the bench county")
    parser.add_argument("--towns", type=int, default=10)
    parser.add_argument("--communities", type=int, default=100)
    parser.add_argument("--county-code", default=FULL_CODE)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the bench county when it is already there")
    parser.add_argument("--runs", type=int, default=5, help="runs per path (the median is printed)")
    parser.add_argument(
        "--sample-seconds",
        type=float,
        default=0.5,
        help="a path faster than this over --runs runs is run again, up to 31 times, before its median is taken",
    )
    parser.add_argument("--deep-page", type=int, default=3000, help="page number of the deep API page (50 a page)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a path misses its goal")
    parser.add_argument("--only", default="", help="comma-separated words: measure only paths whose name has one")
    return parser.parse_args(argv)


def setup_django() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        sys.exit(
            "make bench measures PostgreSQL: set DATABASE_URL=postgres://user@host:5432/shequ_bench "
            f"(it is {'unset' if not url else 'not PostgreSQL'})."
        )
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.template import Template
    from django.test.utils import setup_test_environment

    render = Template._render
    setup_test_environment()  # test client host, locmem mail
    # ...but templates render as in production: the test environment makes each render send a signal that the
    # test client answers by copying the template's context (a tenth of an admin changelist's time)
    Template._render = render
    settings.DEBUG = False  # time the paths as production runs them (no query log)
    # a signed-in session's idle end is moved once a minute (utilities.sessions): its write would land in a
    # path's counted request whenever that minute turns between the warm-up and the count, so the small and
    # the full county would differ by the write's queries; a path is counted without it
    settings.SESSION_REFRESH_SECONDS = 10**9
    import logging

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # a failing path is reported in the table


# --- the core's paths ----------------------------------------------------------------------------

RESIDENT_PAGE_SQL = """
SELECT r.id, r.name, r.id_number, r.gender, r.birth_date, r.phone, r.relation, r.residence_type,
       r.moved_in, r.moved_out, h.id, h.number, b.id, b.name, z.id, z.name, c.id, c.name
FROM community_resident r
JOIN community_household h ON h.id = r.household_id
JOIN community_building b ON b.id = h.building_id
JOIN community_zone z ON z.id = b.zone_id
JOIN community_community c ON c.id = z.community_id
JOIN community_town t ON t.id = c.town_id
WHERE t.county_id = %s {where}
ORDER BY r.id {direction}
LIMIT {limit}
"""

PEOPLE_SQL = """
WITH z AS (
    SELECT z.id, z.community_id FROM community_zone z
    JOIN community_community c ON c.id = z.community_id
    JOIN community_town t ON t.id = c.town_id
    WHERE t.county_id = %s
),
b AS (SELECT b.id, z.community_id FROM community_building b JOIN z ON z.id = b.zone_id),
h AS (SELECT h.id, b.community_id FROM community_household h JOIN b ON b.id = h.building_id),
r AS (
    SELECT r.household_id, h.community_id,
           (r.elderly_alone OR r.low_income OR r.disabled OR r.special_care OR r.left_behind_child) AS vulnerable
    FROM community_resident r JOIN h ON h.id = r.household_id
    WHERE r.moved_out IS NULL
)
SELECT 'zones', community_id, COUNT(*) FROM z GROUP BY community_id
UNION ALL SELECT 'buildings', community_id, COUNT(*) FROM b GROUP BY community_id
UNION ALL SELECT 'households', community_id, COUNT(*) FROM h GROUP BY community_id
UNION ALL SELECT 'residents', community_id, COUNT(*) FROM r GROUP BY community_id
UNION ALL SELECT 'vulnerable_residents', community_id, COUNT(*) FROM r WHERE vulnerable GROUP BY community_id
UNION ALL SELECT 'vulnerable_households', community_id, COUNT(DISTINCT household_id) FROM r WHERE vulnerable
    GROUP BY community_id
"""


def county_residents(ctx) -> int:
    from tests.benchmarks.harness import run_sql

    sql = """SELECT COUNT(*) FROM community_resident r
             JOIN community_household h ON h.id = r.household_id
             JOIN community_building b ON b.id = h.building_id
             JOIN community_zone z ON z.id = b.zone_id
             JOIN community_community c ON c.id = z.community_id
             JOIN community_town t ON t.id = c.town_id WHERE t.county_id = %s"""
    key = ("residents", ctx.county.pk)
    if key not in ctx.data:
        ctx.data[key] = run_sql(sql, [ctx.county.pk])[0][0]
    return ctx.data[key]


def deep_position(ctx, page: int) -> int:
    """The id after which the API's page ``page`` starts (ordering -id), or the middle when smaller."""
    from tests.benchmarks.harness import run_sql

    total = county_residents(ctx)
    offset = min((page - 1) * 50, max(0, total // 2))
    sql = RESIDENT_PAGE_SQL.format(where="", direction="DESC", limit="1 OFFSET %s")
    rows = run_sql(sql, [ctx.county.pk, max(0, offset - 1)])
    return rows[0][0] if rows else 0


def core_benches(deep_page: int):
    from tests.benchmarks.harness import LIST_MS, LIST_RATIO, Bench

    def admin_changelist(ctx):
        return ctx.get("/admin/community/resident/")

    def api_first(ctx):
        return ctx.get("/api/v1/residents/")

    def setup_deep(ctx):
        from tests.benchmarks.harness import cursor_for

        ctx.data["deep_position"] = deep_position(ctx, deep_page)
        ctx.data["deep_cursor"] = cursor_for(ctx.data["deep_position"] + 1)

    def api_deep(ctx):
        response = ctx.get("/api/v1/residents/", {"cursor": ctx.data["deep_cursor"]})
        if not response.json()["results"]:
            raise RuntimeError("the deep page is empty")
        return response

    def dashboard_setup(ctx):
        """The refresh job's work for this county (every period kept ready, both languages), timed once."""
        from community import reporting
        from community.dashboard import Target

        start = time.perf_counter()
        computed = reporting.dashboard_refresh_unit(target=Target("county", ctx.county))
        seconds = time.perf_counter() - start
        print(f"dashboard refresh of the {ctx.label} county: {computed} payloads in {seconds:.2f} s", file=sys.stderr)

    def dashboard(ctx):
        response = ctx.get("/api/v1/dashboard/", {"scope": "county", "id": ctx.county.pk})
        if response.json()["as_of"] is None:
            raise RuntimeError("the county dashboard was computed live, not read from its payload")
        return response

    def dashboard_live(ctx):
        return ctx.get("/api/v1/dashboard/", {"scope": "county", "id": ctx.county.pk, "live": "1"})

    def dashboard_page(ctx):
        return ctx.get("/dashboard/", {"scope": "county", "id": ctx.county.pk})

    def report_setup(ctx):
        from community.dashboard import Period

        ctx.data["report_period"] = Period.parse("month", None)

    def county_report(ctx):
        from community import reporting
        from community.reporting_models import ReportRun

        period = ctx.data["report_period"]
        run, _created = ReportRun.objects.update_or_create(
            kind=ReportRun.Kind.MONTHLY,
            level="county",
            unit_id=ctx.county.pk,
            period_start=period.start,
            defaults={"unit_name": ctx.county.name, "period_end": period.end, "status": ReportRun.Status.QUEUED},
        )
        run = reporting.report_build(run_id=run.pk)
        if run.status != ReportRun.Status.DONE:
            raise RuntimeError(f"the report failed: {run.error}")
        for field in (run.xlsx, run.pdf):  # keep MEDIA_ROOT clean between runs
            field.delete(save=False)
        run.delete()

    def deep_sql(ctx):
        sql = RESIDENT_PAGE_SQL.format(where="AND r.id <= %s", direction="DESC", limit=51)
        return sql, [ctx.county.pk, ctx.data["deep_position"]]

    return [
        Bench(
            name="admin resident changelist (county official)",
            run=admin_changelist,
            bare_sql=RESIDENT_PAGE_SQL.format(where="", direction="ASC", limit=50),
            rows=county_residents,
            goal_ms=LIST_MS,
            goal_ratio=LIST_RATIO,
        ),
        Bench(
            name="/api/v1/residents/ first page",
            run=api_first,
            bare_sql=RESIDENT_PAGE_SQL.format(where="", direction="DESC", limit=51),
            rows=county_residents,
            goal_ms=LIST_MS,
            goal_ratio=LIST_RATIO,
        ),
        Bench(
            name=f"/api/v1/residents/ deep page (~{deep_page})",
            run=api_deep,
            setup=setup_deep,
            bare_sql=deep_sql,
            rows=county_residents,
        ),
        Bench(
            name="/api/v1/dashboard/ (county, precomputed payload)",
            run=dashboard,
            setup=dashboard_setup,
            bare_sql=PEOPLE_SQL,
            rows=county_residents,
            note="bare SQL: the core's people numbers per community; the refresh job recomputes the payload",
        ),
        Bench(
            name="/api/v1/dashboard/ (county, live=1: every section computed now)",
            run=dashboard_live,
            bare_sql=PEOPLE_SQL,
            rows=county_residents,
            note="what the refresh job costs per period and language",
        ),
        Bench(
            name="/dashboard/ page (county, payload + trends)",
            run=dashboard_page,
            setup=dashboard_setup,
            rows=county_residents,
        ),
        Bench(
            name="monthly county report (dashboard registry → XLSX + PDF)",
            run=county_report,
            setup=report_setup,
            rows=county_residents,
            flat=False,
            note="wall time of report_build for the county, this month",
        ),
    ]


def app_benches():
    """``BENCHES`` of every ``tests/benchmarks/bench_<app>.py``."""
    from tests.benchmarks.harness import as_bench

    found = []
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name.startswith("bench_"):
            loaded = importlib.import_module(f"tests.benchmarks.{module.name}")
            found.extend(as_bench(item) for item in getattr(loaded, "BENCHES", []))
    return found


def with_floors(benches: list) -> list:
    """``benches`` with each list's floor (``floor_lists``) measured right after the path it is the floor of."""
    from tests.benchmarks.floor_lists import floor_benches

    floors = floor_benches({bench.name: bench for bench in benches})
    placed = []
    for bench in benches:
        placed.append(bench)
        placed.extend(floors.get(bench.name, []))
    return placed


def below_the_framework(missed, results) -> str:
    """Where ``missed`` has a ratio goal that its floors show no page of its framework could meet here, the words
    that say so.  A page of its kind costs at least the empty page of that kind and the ORM building its rows
    (``floor_lists.FLOORS``: both measured right after it, with its bare SQL); when those two together are over
    the goal's ratio, nothing the page does with its rows could bring it within the goal on this machine."""
    from tests.benchmarks.floor_lists import FLOORS
    from tests.benchmarks.harness import LIST_RATIO

    floors = FLOORS.get(missed.name)
    if not floors or not missed.bare_ms:
        return ""
    start = results.index(missed) + 1
    measured = {
        floor.kind: result
        for floor, result in zip(floors, results[start : start + len(floors)], strict=False)
        if result.name == f"  {floor.name}" and result.median_ms is not None
    }
    if "empty" not in measured or "rows" not in measured:
        return ""
    empty, rows = measured["empty"].median_ms, measured["rows"].median_ms
    goal = LIST_RATIO * missed.bare_ms
    if empty + rows <= goal:
        return ""
    return (
        f" (out of the framework's reach here: {LIST_RATIO:g}x its bare SQL is {goal:.1f} ms, and the empty page"
        f" ({empty:.1f} ms) and the ORM building its rows ({rows:.1f} ms) take {empty + rows:.1f} ms together)"
    )


# --- generation and the plain COPY it is compared with ------------------------------------------


def ensure_county(code: str, *, towns: int, communities: int, households: int, seed: int, reuse: bool):
    """The county ``code`` at the asked size: generated (replacing an old one) unless reused."""
    from community.demo import generate
    from community.models import County, Household, User

    county = County.objects.filter(code=code).first()
    if reuse and county is not None:
        have = Household.objects.filter(building__zone__community__town__county=county).count()
        if have == households:
            print(f"reusing county {county.name} ({code}): {have:,} households", file=sys.stderr)
            return county, None
        print(f"county {code} has {have:,} households, not {households:,}: generating again", file=sys.stderr)
    if county is not None:  # unscope (not delete: other apps' tables may point at them) the bench's users
        from tests.benchmarks.bench_sweep import SWEEP_USERS

        User.objects.filter(county=county, username__in=(*BENCH_USERS, *SWEEP_USERS)).update(
            scope_level="", county=None, town=None, community=None, department=None
        )
    plan = generate.Plan(
        towns=towns,
        communities=communities,
        households=households,
        seed=seed,
        county_code=code,
        county_name=f"基准县{code}",
        replace=True,
    )
    ctx = generate.generate_county(plan, out=lambda m: print(m, file=sys.stderr), progress=True)
    print(ctx.stats.summary(), file=sys.stderr)
    if county is not None:  # the county replaced leaves its rows dead in the tables and their key indexes
        from django.db import connection

        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # or a page ordered by key walks them (twice the time, bare SQL too)
        print(f"VACUUM ANALYZE after the replaced county: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return ctx.county, ctx


def plain_copy_ms(model, id_range: range | None, county_id: int) -> tuple[int, float]:
    """Rows and ms of a plain COPY of the generated rows of ``model`` into an empty LIKE-copy of its table."""
    import io

    from django.db import connection, transaction

    table = connection.ops.quote_name(model._meta.db_table)
    if id_range is not None:
        select = f"SELECT * FROM {table} WHERE id >= {id_range.start} AND id < {id_range.stop}"
    else:  # residences: no reserved range, reach them through the county
        select = (
            f"SELECT x.* FROM {table} x JOIN community_household h ON h.id = x.household_id "
            "JOIN community_building b ON b.id = h.building_id JOIN community_zone z ON z.id = b.zone_id "
            f"JOIN community_community c ON c.id = z.community_id JOIN community_town t ON t.id = c.town_id "
            f"WHERE t.county_id = {int(county_id)}"
        )
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY ({select}) TO STDOUT", buffer)
    rows = buffer.getvalue().count("\n")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE bench_plain_copy (LIKE {table} INCLUDING ALL) ON COMMIT DROP")
            buffer.seek(0)
            start = time.perf_counter()
            cursor.copy_expert("COPY bench_plain_copy FROM STDIN", buffer)
            elapsed = (time.perf_counter() - start) * 1000
            raise _Rollback
    except _Rollback:
        pass
    return rows, elapsed


class _Rollback(Exception):
    pass


def generation_results(gen_ctx, county) -> list:
    from community.models import Household, Residence, Resident
    from tests.benchmarks.harness import Result

    if gen_ctx is None:
        return [
            Result("generate_county (not run: --reuse)", "-", "-", "-", None, None, "run without --reuse to measure")
        ]
    results = []
    stats = gen_ctx.stats
    for model, ids in ((Household, gen_ctx.households), (Resident, gen_ctx.residents), (Residence, None)):
        table = stats.tables.get(model._meta.db_table)
        if table is None or not table.rows:
            continue
        rows, copy_ms = plain_copy_ms(model, ids, county.pk)
        gen_ms = table.seconds * 1000
        results.append(
            Result(
                name=f"generate_county {model._meta.db_table} vs plain COPY",
                rows=table.rows,
                queries_small="-",
                queries_full="-",
                median_ms=gen_ms,
                bare_ms=copy_ms,
                note=f"{table.rate:,.0f} rows/s vs plain COPY {rows / (copy_ms / 1000):,.0f} rows/s",
            )
        )
    total_rate = stats.rows / stats.seconds if stats.seconds else 0
    results.append(
        Result(
            name="generate_county total (generate + COPY + FK checks)",
            rows=stats.rows,
            queries_small="-",
            queries_full="-",
            median_ms=stats.seconds * 1000,
            bare_ms=None,
            note=f"{total_rate:,.0f} rows/s wall clock, one transaction",
            goal=f">= {GENERATE_ROWS_PER_S:,} rows/s",
            met=total_rate >= GENERATE_ROWS_PER_S,
        )
    )
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.urls import clear_url_caches

    from tests.benchmarks.harness import MAX_SAMPLES, BenchContext, Result, format_table, measure, official_of

    settings.ROOT_URLCONF = "tests.benchmarks.floor_lists"  # the platform's URLs and the lists' floors
    clear_url_caches()
    call_command("migrate", interactive=False, verbosity=0)
    county, gen_ctx = ensure_county(
        args.county_code,
        towns=args.towns,
        communities=min(args.communities, max(args.towns, args.households // 24 or 1)),
        households=args.households,
        seed=args.seed,
        reuse=args.reuse,
    )
    small_county, _ = ensure_county(SMALL_CODE, towns=1, communities=2, households=4, seed=3, reuse=True)
    full = BenchContext("full", county, official_of(county, BENCH_USERS[0]))
    small = BenchContext("small", small_county, official_of(small_county, BENCH_USERS[1]))
    benches = with_floors(core_benches(args.deep_page) + app_benches())
    if args.only:
        words = [w.strip() for w in args.only.split(",") if w.strip()]
        benches = [b for b in benches if any(w in b.name for w in words)]
    results, failed = [], []
    for bench in benches:
        print(f"measuring {bench.name} …", file=sys.stderr)
        try:
            results.append(
                measure(bench, full, small if bench.flat else None, runs=args.runs, seconds=args.sample_seconds)
            )
        except Exception as exc:  # one broken path must not hide the others' numbers
            failed.append(bench.name)
            results.append(Result(bench.name, "-", "-", "-", None, None, f"FAILED: {type(exc).__name__}: {exc}"[:160]))
    results.extend(generation_results(gen_ctx, county))
    print()
    print(
        f"make bench: county {county.name} ({county.code}), {county_residents(full):,} residents; "
        f"small county {county_residents(small)} residents; median of {args.runs} runs "
        f"(of up to {MAX_SAMPLES} for a path faster than {args.sample_seconds:g} s over them)"
    )
    print(format_table(results))
    grew = [r.name for r in results if not r.flat_ok]
    if grew:
        print("query count grew with the data on: " + "; ".join(grew))
    if failed:
        print("failed paths: " + "; ".join(failed))
    judged = [r for r in results if r.met is not None]
    missed = [r for r in judged if not r.met]
    print(f"goals met: {len(judged) - len(missed)} of {len(judged)}")
    for r in missed:
        print(f"  missed: {r.name}: {r.goal}{below_the_framework(r, results)}")
    return 1 if grew or failed or (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())

"""The pieces of ``make bench``: the Bench protocol, query counting, medians, bare SQL, the table.

Kept apart from ``run.py`` so that tests (``tests/community/test_generate.py``) and the apps'
``bench_<app>.py`` modules can import them without running the bench.
"""

from __future__ import annotations

import base64
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlparse

from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community.choices import Role, ScopeLevel
from community.models import County, User

# issue 22's goal for lists: every admin changelist and API first page at county scale, in ms and against bare SQL
LIST_MS, LIST_RATIO = 150.0, 5.0

BareSQL = str | Callable[["BenchContext"], tuple[str, list]] | None


@dataclass
class BenchContext:
    """One measured world: a county, a county official logged into a test client, and a label."""

    label: str
    county: County
    official: User
    client: Client = field(default_factory=Client)
    data: dict = field(default_factory=dict)  # what a bench's setup() wants to keep

    def __post_init__(self):
        self.client.force_login(self.official)

    def get(self, url: str, data: dict | None = None, status: int = 200):
        """GET ``url`` as the official; anything but ``status`` stops the bench with the body."""
        response = self.client.get(url, data or {})
        if response.status_code != status:
            body = getattr(response, "content", b"")[:500]
            raise RuntimeError(f"GET {url} {data or ''} answered {response.status_code}, not {status}: {body!r}")
        return response


@dataclass
class Bench:
    """One measured path.

    ``run(ctx)`` does the path once (e.g. ``ctx.get("/api/v1/…")``); ``bare_sql`` is the SQL that
    returns the same page or numbers (a string with one ``%s`` for the county id, or a callable
    ``ctx -> (sql, params)``), ``rows(ctx)`` the rows in the database the path reads, ``setup(ctx)``
    runs once per context before measuring.  ``flat``: the query count must be the same on the
    small county (about 10 rows) as at full scale.
    """

    name: str
    run: Callable[[BenchContext], object]
    bare_sql: BareSQL = None
    rows: Callable[[BenchContext], int] | None = None
    setup: Callable[[BenchContext], None] | None = None
    #: ``finish(ctx)`` runs once after the full county's timed runs (a load's server stopped, its rows removed)
    finish: Callable[[BenchContext], None] | None = None
    flat: bool = True
    note: str = ""
    #: issue 22's goals: the median at full scale within ``goal_ms``, and within ``goal_ratio`` times its bare SQL
    goal_ms: float | None = None
    goal_ratio: float | None = None
    #: or a goal of its own: ``check(result) -> (met, text)`` (None: nothing to judge)
    check: Callable[[Result], tuple[bool, str] | None] | None = None

    def judge(self, result: Result) -> tuple[bool, str] | None:
        """Whether ``result`` meets this path's goal, and the goal in words; None when it has none."""
        if self.check is not None:
            return self.check(result)
        if self.goal_ms is None and self.goal_ratio is None or result.median_ms is None:
            return None
        met, words = True, []
        if self.goal_ms is not None:
            met &= result.median_ms <= self.goal_ms
            words.append(f"<= {self.goal_ms:,.0f} ms")
        if self.goal_ratio is not None and result.ratio is not None:
            met &= result.ratio <= self.goal_ratio
            words.append(f"<= {self.goal_ratio:g}x bare SQL")
        return met, ", ".join(words)


@dataclass
class Result:
    name: str
    rows: int | str
    queries_small: int | str
    queries_full: int | str
    median_ms: float | None
    bare_ms: float | None
    note: str = ""
    goal: str = ""  # the goal in words ("<= 150 ms, <= 5x bare SQL"), empty without one
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.median_ms is None or not self.bare_ms:
            return None
        return self.median_ms / self.bare_ms

    @property
    def flat_ok(self) -> bool:
        return not isinstance(self.queries_small, int) or self.queries_small == self.queries_full


def as_bench(item) -> Bench:
    """A ``Bench``, or any callable ``ctx -> object`` (named after the function, no bare SQL)."""
    if isinstance(item, Bench):
        return item
    if callable(item):
        return Bench(name=getattr(item, "bench_name", item.__name__), run=item)
    raise TypeError(f"not a bench: {item!r}")


def count_queries(fn: Callable, *args, **kwargs) -> tuple[int, object]:
    """How many SQL queries ``fn(*args, **kwargs)`` runs, and what it returned."""
    with CaptureQueriesContext(connection) as captured:
        result = fn(*args, **kwargs)
    return len(captured.captured_queries), result


def captured_sql(fn: Callable, *args, **kwargs) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        fn(*args, **kwargs)
    return [q["sql"] for q in captured.captured_queries]


#: the most samples a fast path is measured with when ``seconds`` asks for more than ``runs``
MAX_SAMPLES = 31


def paired_median_ms(
    fn: Callable, other: Callable | None, *, runs: int = 5, seconds: float = 0.0
) -> tuple[float, float | None]:
    """The median wall times in milliseconds of ``fn`` and ``other`` (no arguments each; ``other`` may be None
    or the path's bare SQL) over ``runs`` rounds; a round faster than that is repeated until ``seconds`` have gone
    by (at most ``MAX_SAMPLES`` rounds): three samples of a 10 ms request move with whatever else the machine does
    in those 30 ms.  Each round calls ``fn`` then ``other``, so a ratio of the two compares them at the same
    moments, where one measured after the other met whatever else the machine was doing in between (the same
    bare SQL of a list's first page measured 1.2 ms after one floor and 3.2 ms after another, in one run)."""
    times: list[float] = []
    other_times: list[float] = []
    started = time.perf_counter()
    while len(times) < max(1, runs) or (len(times) < MAX_SAMPLES and time.perf_counter() - started < seconds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        if other is not None:
            start = time.perf_counter()
            other()
            other_times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), statistics.median(other_times) if other_times else None


def resolve_sql(bare: BareSQL, ctx: BenchContext) -> tuple[str, list] | None:
    if bare is None:
        return None
    if callable(bare):
        return bare(ctx)
    return bare, [ctx.county.pk]


def run_sql(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def measure(
    bench: Bench, full: BenchContext, small: BenchContext | None, runs: int = 5, seconds: float = 0.0
) -> Result:
    """Queries on the small and the full county, the median time and the bare SQL time at full scale (each over
    ``runs`` calls, or more for a fast one, the two sampled in turn: see ``paired_median_ms``)."""
    for ctx in (small, full):
        if ctx is not None and bench.setup is not None:
            bench.setup(ctx)
    if small is not None:
        bench.run(small)  # warm caches (content types, permissions, sessions)
        queries_small, _ = count_queries(bench.run, small)
    else:
        queries_small = "-"
    bench.run(full)
    queries_full, _ = count_queries(bench.run, full)
    rows = bench.rows(full) if bench.rows else "-"
    note = bench.note
    if small is not None and bench.rows:
        note = f"small county: {bench.rows(small)} rows" + (f"; {note}" if note else "")
    resolved = resolve_sql(bench.bare_sql, full)
    bare = None if resolved is None else lambda: run_sql(*resolved)
    if bare is not None:
        bare()  # warm, as the path was by its count
    try:
        path_ms, sql_ms = paired_median_ms(lambda: bench.run(full), bare, runs=runs, seconds=seconds)
    finally:
        if bench.finish is not None:
            bench.finish(full)
    result = Result(
        name=bench.name,
        rows=rows,
        queries_small=queries_small if bench.flat else "-",
        queries_full=queries_full,
        median_ms=path_ms,
        bare_ms=sql_ms,
        note=note,
    )
    judged = bench.judge(result)
    if judged is not None:
        result.met, result.goal = judged
    return result


def format_table(results: list[Result]) -> str:
    head = ["path", "rows in db", "queries @small", "queries @full", "median ms", "bare SQL ms", "ratio"]
    head += ["goal", "note"]
    body = []
    for r in results:
        body.append(
            [
                r.name,
                f"{r.rows:,}" if isinstance(r.rows, int) else str(r.rows),
                str(r.queries_small),
                str(r.queries_full) + ("" if r.flat_ok else "  << GREW"),
                "-" if r.median_ms is None else f"{r.median_ms:,.1f}",
                "-" if r.bare_ms is None else f"{r.bare_ms:,.1f}",
                "-" if r.ratio is None else f"{r.ratio:,.1f}x",
                "-" if r.met is None else f"{'met' if r.met else 'MISSED'}: {r.goal}",
                r.note,
            ]
        )
    widths = [max(len(head[i]), *(len(row[i]) for row in body)) if body else len(head[i]) for i in range(len(head))]
    right = {1, 2, 3, 4, 5, 6}

    def line(cells):
        return " | ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(head), rule, *(line(row) for row in body)])


def official_of(county: County, username: str) -> User:
    """A county official of ``county`` (made once, reused)."""
    return user_of(username, role=Role.COUNTY_OFFICIAL, level=ScopeLevel.COUNTY, county=county)


def user_of(username: str, *, role: str, level: str, county: County, town=None, community=None) -> User:
    """A staff user of ``role`` whose scope is ``level`` (the county, ``town`` or ``community``): made once, reused."""
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "is_staff": True,
            "scope_level": level,
            "county": county,
            "town": town,
            "community": community,
            "first_name": "基准测试",
        },
    )
    user.groups.set([Group.objects.get(name=role)])
    return user


def cursor_for(position: int) -> str:
    """The DRF CursorPagination cursor that starts after ``position`` (ordering ``-id``)."""
    return base64.b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")


def cursor_of(url: str) -> str | None:
    """The ``cursor`` parameter of a ``next``/``previous`` link."""
    if not url:
        return None
    values = parse_qs(urlparse(url).query).get("cursor")
    return values[0] if values else None

"""``make bench`` rows of the services app (see the docstring of tests/benchmarks/run.py).

* the staff's triage changelist at county scale (about 100,000 requests from services/generate/): the
  whole list and the overdue queue, each against the bare SQL of the same page;
* ``/api/v1/services/requests/`` first page (cursor pagination);
* the services dashboard sections (requests, 六进社区, facility sharing) for the county and the year,
  against the bare SQL of the requests figures;
* two load rows on gunicorn over loopback (tests/benchmarks/load.py): resident form submissions, and a
  mixed load of form posts, API lists and dashboard JSON.  ``--only load`` picks just those two.
"""

from __future__ import annotations

import statistics
import time

from django.db.models import Count
from django.utils import timezone

from tests.benchmarks.harness import LIST_MS, LIST_RATIO, Bench, run_sql
from tests.benchmarks.load import load_benches

TRIAGE_MS = 200.0  # issue 22: the triage queues within 200 ms at county scale

COUNTY_REQUESTS = """
SELECT {select}
FROM services_servicerequest r
JOIN community_community c ON c.id = r.community_id
JOIN community_town t ON t.id = c.town_id
WHERE t.county_id = %s
"""

TRIAGE_PAGE_SQL = """
SELECT r.id, r.tracking_code, r.submitted_at, r.status, r.accept_due, r.resolve_due, r.overdue, r.channel, r.rating,
       cat.id, cat.name, c.id, c.name, b.id, b.name, z.id, z.name, u.id, u.username, d.id, d.name
FROM services_servicerequest r
JOIN services_servicecategory cat ON cat.id = r.category_id
JOIN community_community c ON c.id = r.community_id
JOIN community_town t ON t.id = c.town_id
LEFT JOIN community_building b ON b.id = r.building_id
LEFT JOIN community_zone z ON z.id = b.zone_id
LEFT JOIN community_user u ON u.id = r.assigned_user_id
LEFT JOIN community_department d ON d.id = r.assigned_department_id
WHERE t.county_id = %s {where}
ORDER BY {order}
LIMIT {limit}
"""

OPEN = "('submitted', 'accepted', 'assigned', 'in_progress', 'reopened')"
OVERDUE_WHERE = (
    f"AND ((r.status = 'submitted' AND r.accept_due < now()) OR (r.status IN {OPEN} AND r.resolve_due < now()) "
    f"OR (r.overdue AND r.status IN {OPEN}))"
)

# the triage list opens on the open requests (``StateFilter``)
OPEN_WHERE = f"AND r.status IN {OPEN}"
# the triage queue's order (``ServiceRequestAdmin.get_ordering``): the most pressing deadline first, finished last
DUE_ORDER = (
    f"CASE WHEN r.status = 'submitted' THEN r.accept_due WHEN r.status IN {OPEN} THEN r.resolve_due END "
    "ASC NULLS LAST, r.submitted_at DESC, r.id DESC"
)

REQUEST_FIGURES_SQL = f"""
WITH r AS (
    SELECT r.id, r.status, r.category_id, r.overdue, r.accept_due, r.resolve_due, r.submitted_at, r.resolved_at,
           r.rating
    FROM services_servicerequest r
    JOIN community_community c ON c.id = r.community_id
    JOIN community_town t ON t.id = c.town_id
    WHERE t.county_id = %s AND r.submitted_at >= %s AND r.submitted_at < %s
)
SELECT 'status', status, COUNT(*)::float FROM r GROUP BY status
UNION ALL SELECT 'category', category_id::text, COUNT(*) FROM r GROUP BY category_id
UNION ALL SELECT 'overdue', '', COUNT(*) FROM r
    WHERE r.overdue OR (r.status IN {OPEN} AND r.resolve_due < now())
       OR (r.status = 'submitted' AND r.accept_due < now())
UNION ALL SELECT 'median_hours', '',
    EXTRACT(EPOCH FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY r.resolved_at - r.submitted_at)) / 3600
    FROM r WHERE r.resolved_at IS NOT NULL
UNION ALL SELECT 'rating', rating, COUNT(*) FROM r WHERE rating <> '' GROUP BY rating
UNION ALL SELECT 'followed_up', '', COUNT(*) FROM r WHERE r.status IN ('resolved', 'closed')
    AND EXISTS (SELECT 1 FROM services_followup f WHERE f.request_id = r.id)
"""


def county_requests(ctx) -> int:
    key = ("service_requests", ctx.county.pk)
    if key not in ctx.data:
        ctx.data[key] = run_sql(COUNTY_REQUESTS.format(select="COUNT(*)"), [ctx.county.pk])[0][0]
    return ctx.data[key]


def _triage(ctx):
    return ctx.get("/admin/services/servicerequest/")


def _triage_overdue(ctx):
    return ctx.get("/admin/services/servicerequest/", {"overdue": "yes"})


def _api_first(ctx):
    response = ctx.get("/api/v1/services/requests/")
    if county_requests(ctx) and not response.json()["results"]:
        raise RuntimeError("the services API list is empty although the county has requests")
    return response


def _year(ctx):
    from community.dashboard import Period

    return Period.parse("year", str(timezone.localdate().year))


def _dashboard(ctx):
    """The services sections of the registry, computed for the county and this year (as the live dashboard does)."""
    from community import dashboard
    from community.dashboard import Target

    dashboard.autodiscover()
    scope, period = Target("county", ctx.county).scope(), _year(ctx)
    figures = [dashboard.SECTIONS[key].fn(scope, period) for key in ("requests", "six_into", "sharing")]
    if not all(figures):
        raise RuntimeError("a services dashboard section returned no indicators")
    return figures


def _figures_sql(ctx):
    from services.selectors import _period_bounds

    start, end = _period_bounds(_year(ctx))
    return REQUEST_FIGURES_SQL, [ctx.county.pk, start, end]


FORM_CPU_MS = 10.0  # issue 22: the public form's GET within 10 ms of CPU
_form_cpu_ms: list[float] = []
_handler: list = []  # one WSGI handler, its middleware loaded once as a worker's is


def _form_url(ctx) -> str:
    from community.models import Community
    from services.models import ServiceCategory

    key = ("form_url", ctx.county.pk)
    if key not in ctx.data:
        # the county's community with the most buildings: the longest building list the form renders
        community = (
            Community.objects.filter(town__county=ctx.county)
            .annotate(buildings=Count("zones__buildings"))
            .order_by("-buildings", "id")
            .first()
        )
        category = ServiceCategory.objects.active().order_by("order", "code").first()
        ctx.data[key] = f"/services/new/?community={community.pk}&category={category.pk}"
    return ctx.data[key]


def _form_get(ctx):
    """One anonymous GET of the resident form through the test client's handler, not the client itself (the
    client keeps a copy of every template context it renders); the CPU time it took is kept for the goal."""
    from django.test import RequestFactory
    from django.test.client import ClientHandler

    if not _handler:
        _handler.append(ClientHandler())  # a WSGI handler that leaves the bench's connection open
    environ = RequestFactory().get(_form_url(ctx), secure=True).environ
    start = time.process_time()
    response = _handler[0](environ)
    body = response.content
    _form_cpu_ms.append((time.process_time() - start) * 1000)
    if response.status_code != 200 or b"csrfmiddlewaretoken" not in body:
        raise RuntimeError(f"the resident form answered {response.status_code}")
    return response


def _form_cpu_goal(result):
    cpu = statistics.median(_form_cpu_ms[-5:]) if _form_cpu_ms else None
    if cpu is None:
        return None
    result.note = f"CPU {cpu:,.1f} ms per GET (median of the last runs); {result.note}".rstrip("; ")
    return cpu <= FORM_CPU_MS, f"<= {FORM_CPU_MS:.0f} ms CPU per GET"


BENCHES = [
    Bench(
        name="public request form GET (the community with the most buildings)",
        run=_form_get,
        check=_form_cpu_goal,
    ),
    Bench(
        name="admin service-request triage changelist (county official)",
        run=_triage,
        bare_sql=TRIAGE_PAGE_SQL.format(where=OPEN_WHERE, order=DUE_ORDER, limit=50),
        rows=county_requests,
        goal_ms=TRIAGE_MS,
    ),
    Bench(
        name="admin triage queue: overdue requests (county official)",
        run=_triage_overdue,
        bare_sql=TRIAGE_PAGE_SQL.format(where=OVERDUE_WHERE, order=DUE_ORDER, limit=50),
        rows=county_requests,
        goal_ms=TRIAGE_MS,
    ),
    Bench(
        name="/api/v1/services/requests/ first page",
        run=_api_first,
        bare_sql=TRIAGE_PAGE_SQL.format(where="", order="r.id DESC", limit=51),
        rows=county_requests,
        goal_ms=LIST_MS,
        goal_ratio=LIST_RATIO,
    ),
    Bench(
        name="services dashboard sections (county, this year)",
        run=_dashboard,
        bare_sql=_figures_sql,
        rows=county_requests,
        note="bare SQL: the requests section's figures only",
    ),
    *load_benches(),
]

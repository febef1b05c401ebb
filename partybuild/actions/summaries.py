"""The coverage summary rows: recomputed from the records, in set-based SQL, for the communities a write touched.

``CommunityCoverageSummary`` (one row per community), ``MemberLoadSummary`` (one per active member) and
``VisitDaySummary`` (one per community and day with visits) hold what the county and town coverage
indicators show, as of today.  Every action that changes coverage calls :func:`rebuild_coverage_summaries`
for the communities it touched, in its own transaction; the core's hierarchy writes reach it through
``partybuild.signals``; bulk loads (``generate``, ``reference``) end with a rebuild of their communities,
and a nightly job rebuilds the rows whose dated records took effect (or that were never made).

A rebuild runs at most eight statements whatever the number of communities: the community rows are
upserted first (which locks them, so two writers of one community take turns and the second counts what
the first committed), then recomputed from the records of those communities alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F, Subquery
from django.utils import timezone

from community.models import Building, Community, Household, Zone

from ..models import (
    Assignment,
    CommunityCoverageSummary,
    MemberLoadSummary,
    PartyMember,
    PartyOrganisation,
    Visit,
    VisitDaySummary,
)
from .common import today


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    models = {
        "community": Community,
        "zone": Zone,
        "building": Building,
        "household": Household,
        "assignment": Assignment,
        "member": PartyMember,
        "org": PartyOrganisation,
        "visit": Visit,
        "summary": CommunityCoverageSummary,
        "loads": MemberLoadSummary,
        "days": VisitDaySummary,
    }
    return {name: quote(model._meta.db_table) for name, model in models.items()}


# an assignment in force today (``selectors.active_q(today)``), on alias ``a``
_ACTIVE = 'a.start <= %(today)s AND (a."end" IS NULL OR a."end" > %(today)s)'
# the first later day a dated row of alias ``a`` takes effect (its start, else its end)
_DATED = 'CASE WHEN a.start > %(today)s THEN a.start ELSE a."end" END'
_DATED_WHERE = '(a.start > %(today)s OR a."end" > %(today)s)'

# the places of the communities rebuilt: zones, buildings and households with their community
_PLACES = """
z AS (SELECT z.id, z.community_id FROM {zone} z WHERE z.community_id = ANY(%(ids)s)),
b AS (SELECT b.id, z.community_id FROM {building} b JOIN z ON z.id = b.zone_id),
h AS (SELECT h.id, b.community_id FROM {household} h JOIN b ON b.id = h.building_id)
"""

# ensure a row per community (locking it: a conflicting upsert waits for the other writer's commit)
_LOCK_ALL = """
INSERT INTO {summary} (community_id, as_of, households, covered, zones, zones_uncovered, buildings,
                       buildings_uncovered, point_covered, ended_without_successor, refreshed_at)
SELECT c.id, %(today)s, 0, 0, 0, 0, 0, 0, false, 0, %(now)s FROM {community} c
WHERE c.id = ANY(%(ids)s) ORDER BY c.id
ON CONFLICT (community_id) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at
RETURNING community_id, xmax = 0
"""  # xmax = 0: the row was inserted now, not updated (PostgreSQL)
# lock only the rows there are (a write of the core's hierarchy refreshes the summaries kept, makes none)
_LOCK_KEPT = """
UPDATE {summary} SET refreshed_at = %(now)s
WHERE community_id IN (SELECT community_id FROM {summary} WHERE community_id = ANY(%(ids)s)
                       ORDER BY community_id FOR UPDATE)
RETURNING community_id, false
"""

# the later one covering the same target as ``x`` by ``today`` (``selectors.ended_without_successor_qs``)
_LATER = 'y.role = x.role AND y.id <> x.id AND y.start >= x."end" AND y.start <= %(today)s'

# Every figure of a household is asked of that household's own rows on their index (a correlated subquery,
# run once per household): a join would let the planner hash the whole county's assignments or visits to
# find the thousand or so of the one community a write touched.
_FIGURES = f"""
WITH {_PLACES},
hh AS (
    SELECT h.community_id, COUNT(*) AS n,
           COUNT(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM {{assignment}} a WHERE a.household_id = h.id AND a.role = 'household' AND {_ACTIVE}
           )) AS covered
    FROM h GROUP BY h.community_id
),
zz AS (
    SELECT z.community_id, COUNT(*) AS n,
           COUNT(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM {{assignment}} a WHERE a.zone_id = z.id AND a.role = 'zone' AND {_ACTIVE}
           )) AS covered
    FROM z GROUP BY z.community_id
),
bb AS (
    SELECT b.community_id, COUNT(*) AS n,
           COUNT(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM {{assignment}} a WHERE a.building_id = b.id AND a.role = 'building' AND {_ACTIVE}
           )) AS covered
    FROM b GROUP BY b.community_id
),
pc AS (
    SELECT DISTINCT a.community_id FROM {{assignment}} a
    WHERE a.community_id = ANY(%(ids)s) AND a.role = 'point' AND {_ACTIVE}
),
ew AS (
    SELECT x.community_id, COUNT(*) AS n FROM {{assignment}} x
    WHERE x.community_id = ANY(%(ids)s) AND x."end" <= %(today)s
      AND NOT CASE x.role
        WHEN 'household' THEN EXISTS (
            SELECT 1 FROM {{assignment}} y WHERE y.household_id = x.household_id AND {_LATER})
        WHEN 'building' THEN EXISTS (
            SELECT 1 FROM {{assignment}} y WHERE y.building_id = x.building_id AND {_LATER})
        WHEN 'zone' THEN EXISTS (SELECT 1 FROM {{assignment}} y WHERE y.zone_id = x.zone_id AND {_LATER})
        ELSE EXISTS (SELECT 1 FROM {{assignment}} y WHERE y.community_id = x.community_id AND {_LATER})
      END
    GROUP BY x.community_id
),
dated AS (
    SELECT d.community_id, d.d FROM (
        SELECT {_DATED} AS d, a.community_id, hz.community_id AS household_in, bz.community_id AS building_in,
               z.community_id AS zone_in
        FROM {{assignment}} a
        LEFT JOIN {{household}} ah ON ah.id = a.household_id
        LEFT JOIN {{building}} hb ON hb.id = ah.building_id
        LEFT JOIN {{zone}} hz ON hz.id = hb.zone_id
        LEFT JOIN {{building}} ab ON ab.id = a.building_id
        LEFT JOIN {{zone}} bz ON bz.id = ab.zone_id
        LEFT JOIN {{zone}} z ON z.id = a.zone_id
        WHERE {_DATED_WHERE}
    ) x CROSS JOIN LATERAL (
        VALUES (x.community_id, x.d), (x.household_in, x.d), (x.building_in, x.d), (x.zone_in, x.d)
    ) d (community_id, d)
    WHERE d.community_id = ANY(%(ids)s)
    UNION ALL
    SELECT o.community_id, CASE WHEN m.registered > %(today)s THEN m.registered ELSE m."left" END
    FROM {{member}} m JOIN {{org}} o ON o.id = m.organisation_id
    WHERE o.community_id = ANY(%(ids)s) AND (m.registered > %(today)s OR m."left" > %(today)s)
    UNION ALL
    SELECT z.community_id, v.date FROM {{visit}} v
    JOIN {{household}} vh ON vh.id = v.household_id JOIN {{building}} vb ON vb.id = vh.building_id
    JOIN {{zone}} z ON z.id = vb.zone_id
    WHERE v.date > %(today)s AND z.community_id = ANY(%(ids)s)
),
ch AS (SELECT community_id, MIN(d) AS d FROM dated GROUP BY community_id)
UPDATE {{summary}} s SET
    as_of = %(today)s,
    changes_on = ch.d,
    households = COALESCE(hh.n, 0),
    covered = COALESCE(hh.covered, 0),
    zones = COALESCE(zz.n, 0),
    zones_uncovered = COALESCE(zz.n - zz.covered, 0),
    buildings = COALESCE(bb.n, 0),
    buildings_uncovered = COALESCE(bb.n - bb.covered, 0),
    point_covered = pc.community_id IS NOT NULL,
    ended_without_successor = COALESCE(ew.n, 0)
FROM {{community}} c
LEFT JOIN hh ON hh.community_id = c.id
LEFT JOIN zz ON zz.community_id = c.id
LEFT JOIN bb ON bb.community_id = c.id
LEFT JOIN pc ON pc.community_id = c.id
LEFT JOIN ew ON ew.community_id = c.id
LEFT JOIN ch ON ch.community_id = c.id
WHERE c.id = ANY(%(ids)s) AND s.community_id = c.id
"""

# the active members of the communities (``selectors.active_member_q``) and their household load today
_LOADS = f"""
INSERT INTO {{loads}} (member_id, community_id, load)
SELECT m.id, o.community_id, COUNT(a.id)
FROM {{member}} m JOIN {{org}} o ON o.id = m.organisation_id
LEFT JOIN {{assignment}} a ON a.member_id = m.id AND a.role = 'household' AND {_ACTIVE}
WHERE o.community_id = ANY(%(ids)s) AND m.registered <= %(today)s AND (m."left" IS NULL OR m."left" > %(today)s)
GROUP BY m.id, o.community_id
ON CONFLICT (member_id) DO UPDATE SET community_id = EXCLUDED.community_id, load = EXCLUDED.load
"""

# visits a day, and the households whose last visit (by today) was that day; each household's visits read
# on the (household, date) index, as above
_DAYS = f"""
WITH {_PLACES},
per_day AS (
    SELECT h.community_id, v.date, SUM(v.n) AS visits
    FROM h CROSS JOIN LATERAL (
        SELECT v.date, COUNT(*) AS n FROM {{visit}} v WHERE v.household_id = h.id GROUP BY v.date
    ) v
    GROUP BY h.community_id, v.date
),
last_visit AS (
    SELECT h.community_id, v.date FROM h CROSS JOIN LATERAL (
        SELECT MAX(v.date) AS date FROM {{visit}} v WHERE v.household_id = h.id AND v.date <= %(today)s
    ) v
),
per_last AS (
    SELECT community_id, date, COUNT(*) AS n FROM last_visit WHERE date IS NOT NULL GROUP BY community_id, date
)
INSERT INTO {{days}} (community_id, date, visits, last_visits)
SELECT COALESCE(d.community_id, l.community_id), COALESCE(d.date, l.date), COALESCE(d.visits, 0), COALESCE(l.n, 0)
FROM per_day d FULL JOIN per_last l ON l.community_id = d.community_id AND l.date = d.date
"""


def _ids(communities) -> list[int]:
    return sorted({c if isinstance(c, int) else c.pk for c in communities if c is not None})


def rebuild_coverage_summaries(
    *, communities: Iterable | None = None, kept_only: bool = False, visits: bool = True, bulk: bool = False
) -> int:
    """Recompute the coverage summaries of ``communities`` (Community rows or ids; None: every community).

    ``kept_only`` recomputes only those that have a summary already (what the core's writes do: they make
    none).  ``visits=False`` leaves the visit-day rows of communities already summarised as they are (a
    write of coverage or members changes no visit; the nightly rebuild redoes them all).  ``bulk`` (implied
    by None) is for after a bulk load or removal: the rows of communities that no longer exist are dropped
    and the planner's statistics of the summary tables refreshed.  Returns the communities done."""
    if communities is None:
        ids = list(Community.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = _ids(communities)
    if not ids:
        return 0
    tables = _tables()
    params = {"ids": ids, "today": today(), "now": timezone.now()}
    with transaction.atomic(), connection.cursor() as cursor:
        # these statements are costed high enough for PostgreSQL to compile them (JIT), which takes seconds
        # where running them takes a fraction of one: off for the rest of this transaction
        cursor.execute("SET LOCAL jit = off")
        cursor.execute((_LOCK_KEPT if kept_only else _LOCK_ALL).format(**tables), params)
        locked = cursor.fetchall()  # (community, whether its summary was made just now)
        ids = sorted(pk for pk, _made in locked)
        if not ids:
            return 0
        params["ids"] = ids
        cursor.execute(_FIGURES.format(**tables), params)
        MemberLoadSummary.objects.filter(community_id__in=ids).delete()
        cursor.execute(_LOADS.format(**tables), params)
        days = ids if visits else sorted(pk for pk, made in locked if made)
        if days:
            VisitDaySummary.objects.filter(community_id__in=days).delete()
            cursor.execute(_DAYS.format(**tables), {**params, "ids": days})
        if bulk or communities is None:
            for model in (CommunityCoverageSummary, MemberLoadSummary, VisitDaySummary):
                model.objects.exclude(community_id__in=Community.objects.values("pk")).delete()
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return len(ids)


def communities_of_assignments(assignment_ids) -> set[int]:
    """Every community whose figures the assignments count in: the assignment's own, where its target
    lies now (a household, building or zone may have moved since) and its member's (one query)."""
    ids = [pk for pk in assignment_ids if pk is not None]
    if not ids:
        return set()
    rows = Assignment.objects.filter(pk__in=ids).values_list(
        "community_id",
        "household__building__zone__community_id",
        "building__zone__community_id",
        "zone__community_id",
        "member__organisation__community_id",
    )
    return {cid for row in rows for cid in row if cid is not None}


def coverage_summaries_added(*, place) -> int:
    """A zone, building or household just made: nobody covers it yet, so the summary of its community, if one
    is kept, counts one more of them and one more nobody covers (one UPDATE).  Returns the rows changed."""
    if isinstance(place, Household):
        community = Subquery(Building.objects.filter(pk=place.building_id).values("zone__community_id")[:1])
        changes = {"households": F("households") + 1}
    elif isinstance(place, Building):
        community = Subquery(Zone.objects.filter(pk=place.zone_id).values("community_id")[:1])
        changes = {"buildings": F("buildings") + 1, "buildings_uncovered": F("buildings_uncovered") + 1}
    elif isinstance(place, Zone):
        community = place.community_id
        changes = {"zones": F("zones") + 1, "zones_uncovered": F("zones_uncovered") + 1}
    else:
        raise TypeError(f"not a zone, building or household: {place!r}")
    return CommunityCoverageSummary.objects.filter(community_id=community).update(**changes)


def communities_of_places(*, zone_ids=(), building_ids=(), household_ids=()) -> set[int]:
    """The communities the zones, buildings and households lie in now (one query)."""
    asked = []
    if zone_ids:
        asked.append(Zone.objects.filter(pk__in=list(zone_ids)).values_list("community_id"))
    if building_ids:
        asked.append(Building.objects.filter(pk__in=list(building_ids)).values_list("zone__community_id"))
    if household_ids:
        asked.append(Household.objects.filter(pk__in=list(household_ids)).values_list("building__zone__community_id"))
    if not asked:
        return set()
    rows = asked[0].union(*asked[1:], all=True) if len(asked) > 1 else asked[0]
    return {cid for (cid,) in rows if cid is not None}

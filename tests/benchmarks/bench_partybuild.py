"""``make bench`` rows of the party liaison network: the county coverage indicators at scale.

The selector (``coverage_summary``), the dashboard section built on it, the coverage API and the
coverage page read the coverage summaries the actions keep (``partybuild.actions.summaries``): each is
set against the bare SQL that reads the same numbers from those rows (or the same page).  The writes'
side: rebuilding the county's summaries against the bare SQL that recomputes the same numbers from the
records in one statement, and rebuilding one community's (what every coverage write adds).  Plus the
two big API lists (members with their load, visits).  Scale rows come from ``partybuild/generate.py``
(about 10,000 members and 200,000 visits at 120,000 households), which ends with the rebuild.
"""

from __future__ import annotations

from tests.benchmarks.harness import LIST_MS, LIST_RATIO, Bench, run_sql

_COUNTY_COMMUNITIES = """
SELECT c.id FROM community_community c JOIN community_town t ON t.id = c.town_id WHERE t.county_id = %(county)s
"""

# the numbers of partybuild.selectors.coverage_summary, per community, in one statement
COVERAGE_SQL = f"""
WITH c AS ({_COUNTY_COMMUNITIES}),
z AS (SELECT z.id, z.community_id FROM community_zone z WHERE z.community_id IN (SELECT id FROM c)),
b AS (SELECT b.id, z.community_id FROM community_building b JOIN z ON z.id = b.zone_id),
h AS (SELECT h.id, b.community_id FROM community_household h JOIN b ON b.id = h.building_id),
a AS (SELECT * FROM partybuild_assignment WHERE "end" IS NULL AND community_id IN (SELECT id FROM c)),
m AS (
    SELECT pm.id, o.community_id, COUNT(a.id) AS load
    FROM partybuild_partymember pm JOIN partybuild_partyorganisation o ON o.id = pm.organisation_id
    LEFT JOIN a ON a.member_id = pm.id AND a.role = 'household'
    WHERE o.community_id IN (SELECT id FROM c) AND pm."left" IS NULL
    GROUP BY pm.id, o.community_id
),
v AS (
    SELECT v.household_id, v.date, h.community_id FROM partybuild_visit v JOIN h ON h.id = v.household_id
    WHERE v.date > CURRENT_DATE - 90 AND v.date <= CURRENT_DATE
),
e AS (
    SELECT x.community_id FROM partybuild_assignment x
    WHERE x."end" IS NOT NULL AND x."end" <= CURRENT_DATE AND x.community_id IN (SELECT id FROM c)
      AND NOT EXISTS (SELECT 1 FROM partybuild_assignment y WHERE y.household_id = x.household_id
                      AND y.role = x.role AND y.id <> x.id AND y.start >= x."end" AND y.start <= CURRENT_DATE)
      AND NOT EXISTS (SELECT 1 FROM partybuild_assignment y WHERE y.building_id = x.building_id
                      AND y.role = x.role AND y.id <> x.id AND y.start >= x."end" AND y.start <= CURRENT_DATE)
      AND NOT EXISTS (SELECT 1 FROM partybuild_assignment y WHERE y.zone_id = x.zone_id
                      AND y.role = x.role AND y.id <> x.id AND y.start >= x."end" AND y.start <= CURRENT_DATE)
      AND NOT EXISTS (SELECT 1 FROM partybuild_assignment y WHERE x.role = 'point' AND y.community_id = x.community_id
                      AND y.role = x.role AND y.id <> x.id AND y.start >= x."end" AND y.start <= CURRENT_DATE)
)
SELECT 'households', community_id, COUNT(*) FROM h GROUP BY community_id
UNION ALL SELECT 'uncovered', community_id, COUNT(*) FROM h
    WHERE NOT EXISTS (SELECT 1 FROM a WHERE a.household_id = h.id AND a.role = 'household') GROUP BY community_id
UNION ALL SELECT 'zones_uncovered', community_id, COUNT(*) FROM z
    WHERE NOT EXISTS (SELECT 1 FROM a WHERE a.zone_id = z.id) GROUP BY community_id
UNION ALL SELECT 'buildings_uncovered', community_id, COUNT(*) FROM b
    WHERE NOT EXISTS (SELECT 1 FROM a WHERE a.building_id = b.id) GROUP BY community_id
UNION ALL SELECT 'point_covered', community_id, COUNT(*) FROM a WHERE role = 'point' GROUP BY community_id
UNION ALL SELECT 'members', community_id, COUNT(*) FROM m GROUP BY community_id
UNION ALL SELECT 'outside_band', community_id, COUNT(*) FROM m WHERE load < 5 OR load > 10 GROUP BY community_id
UNION ALL SELECT 'visited_90', community_id, COUNT(DISTINCT household_id) FROM v GROUP BY community_id
UNION ALL SELECT 'visited_30', community_id, COUNT(DISTINCT household_id) FROM v
    WHERE date > CURRENT_DATE - 30 GROUP BY community_id
UNION ALL SELECT 'visits', community_id, COUNT(*) FROM v
    WHERE date >= date_trunc('month', CURRENT_DATE) GROUP BY community_id
UNION ALL SELECT 'ended_without_successor', community_id, COUNT(*) FROM e GROUP BY community_id
""".replace("%(county)s", "%s")

# the numbers of coverage_summary as read from the summary rows: per community, its members' loads (with
# their names), and the households last visited in the 30 and 90 days and the visits of the month
SUMMARY_SQL = f"""
WITH c AS ({_COUNTY_COMMUNITIES}),
s AS (
    SELECT * FROM partybuild_communitycoveragesummary
    WHERE community_id IN (SELECT id FROM c) AND as_of <= CURRENT_DATE
      AND (changes_on IS NULL OR changes_on > CURRENT_DATE)
)
SELECT 'community', s.community_id, s.households, s.covered, s.zones, s.zones_uncovered, s.buildings,
       s.buildings_uncovered, s.ended_without_successor, s.point_covered::int, NULL FROM s
UNION ALL
SELECT 'member', l.community_id, l.member_id, l.load, 0, 0, 0, 0, 0, 0, pm.name
FROM partybuild_memberloadsummary l JOIN partybuild_partymember pm ON pm.id = l.member_id
WHERE l.community_id IN (SELECT community_id FROM s)
UNION ALL
SELECT 'visits', d.community_id,
       SUM(d.last_visits) FILTER (WHERE d.date > CURRENT_DATE - 30 AND d.date <= CURRENT_DATE),
       SUM(d.last_visits) FILTER (WHERE d.date > CURRENT_DATE - 90 AND d.date <= CURRENT_DATE),
       SUM(d.visits) FILTER (WHERE d.date >= date_trunc('month', CURRENT_DATE) AND d.date <= CURRENT_DATE),
       0, 0, 0, 0, 0, NULL
FROM partybuild_visitdaysummary d
WHERE d.community_id IN (SELECT community_id FROM s)
  AND (d.date > CURRENT_DATE - 90 OR d.date >= date_trunc('month', CURRENT_DATE)) AND d.date <= CURRENT_DATE
GROUP BY d.community_id
""".replace("%(county)s", "%s")

# the first page of the coverage page: uncovered households of the county, in the page's order
UNCOVERED_PAGE_SQL = f"""
SELECT h.id, h.number, b.id, b.name, z.id, z.name, c.id, c.name
FROM community_household h
JOIN community_building b ON b.id = h.building_id
JOIN community_zone z ON z.id = b.zone_id
JOIN community_community c ON c.id = z.community_id
WHERE c.id IN ({_COUNTY_COMMUNITIES})
  AND NOT EXISTS (
    SELECT 1 FROM partybuild_assignment a WHERE a.household_id = h.id AND a.role = 'household'
    AND a.start <= CURRENT_DATE AND (a."end" IS NULL OR a."end" > CURRENT_DATE)
  )
ORDER BY c.code, z.name, b.name, h.number, h.id
LIMIT 25
""".replace("%(county)s", "%s")

# the page's columns: every member's and its organisation's (the API shows the member, and the organisation's
# community), and the load
MEMBERS_PAGE_SQL = f"""
SELECT pm.*, o.*,
       (SELECT COUNT(*) FROM partybuild_assignment a
        WHERE a.member_id = pm.id AND a.role = 'household' AND a."end" IS NULL) AS load
FROM partybuild_partymember pm JOIN partybuild_partyorganisation o ON o.id = pm.organisation_id
WHERE o.community_id IN ({_COUNTY_COMMUNITIES})
ORDER BY pm.id DESC LIMIT 51
""".replace("%(county)s", "%s")

VISITS_PAGE_SQL = f"""
SELECT v.id, v.date, v.way, v.by_coverer, pm.id, pm.name
FROM partybuild_visit v
JOIN partybuild_partymember pm ON pm.id = v.member_id
JOIN community_household h ON h.id = v.household_id
JOIN community_building b ON b.id = h.building_id
JOIN community_zone z ON z.id = b.zone_id
WHERE z.community_id IN ({_COUNTY_COMMUNITIES})
ORDER BY v.id DESC LIMIT 51
""".replace("%(county)s", "%s")


def _count(ctx, key: str, sql: str) -> int:
    if key not in ctx.data:
        ctx.data[key] = run_sql(sql, [ctx.county.pk])[0][0]
    return ctx.data[key]


def households(ctx) -> int:
    return _count(
        ctx,
        "pb_households",
        f"""SELECT COUNT(*) FROM community_household h JOIN community_building b ON b.id = h.building_id
            JOIN community_zone z ON z.id = b.zone_id WHERE z.community_id IN ({_COUNTY_COMMUNITIES})""".replace(
            "%(county)s", "%s"
        ),
    )


def members(ctx) -> int:
    return _count(
        ctx,
        "pb_members",
        """SELECT COUNT(*) FROM partybuild_partymember pm
           JOIN partybuild_partyorganisation o ON o.id = pm.organisation_id
           JOIN community_town t ON t.id = o.town_id WHERE t.county_id = %s""",
    )


def visits(ctx) -> int:
    return _count(
        ctx,
        "pb_visits",
        """SELECT COUNT(*) FROM partybuild_visit v JOIN partybuild_partymember pm ON pm.id = v.member_id
           JOIN partybuild_partyorganisation o ON o.id = pm.organisation_id
           JOIN community_town t ON t.id = o.town_id WHERE t.county_id = %s""",
    )


def _scope(ctx):
    from community.scoping import scope_of

    return scope_of(ctx.official)


def _summary(ctx):
    from partybuild import selectors

    summary = selectors.coverage_summary(scope=_scope(ctx))
    if summary.households != households(ctx):
        raise RuntimeError(f"coverage_summary counted {summary.households} households, not {households(ctx)}")
    return summary


def _section(ctx):
    from community.dashboard import SECTIONS, Period

    indicators = SECTIONS["partybuild"].fn(_scope(ctx), Period.parse(None, None))
    if not indicators:
        raise RuntimeError("the partybuild dashboard section is empty")
    return indicators


def _coverage_api(ctx):
    body = ctx.get("/api/v1/partybuild/coverage/").json()
    if body["level"] != "county" or sum(c["households"] for c in body["communities"]) != households(ctx):
        raise RuntimeError(f"unexpected coverage answer: {str(body)[:200]}")
    return body


def _coverage_page(ctx):
    response = ctx.get("/partybuild/coverage/")
    if response.context is not None and response.context["level"] != "county":
        raise RuntimeError("the coverage page is not about the county")
    return response


def _communities(ctx) -> list[int]:
    if "pb_communities" not in ctx.data:
        ctx.data["pb_communities"] = [
            row[0] for row in run_sql(_COUNTY_COMMUNITIES.replace("%(county)s", "%s"), [ctx.county.pk])
        ]
    return ctx.data["pb_communities"]


def _rebuild_county(ctx):
    from partybuild.actions import rebuild_coverage_summaries

    return rebuild_coverage_summaries(communities=_communities(ctx))


def _rebuild_one(ctx):
    from partybuild.actions import rebuild_coverage_summaries

    return rebuild_coverage_summaries(communities=_communities(ctx)[:1], visits=False)


def _one_community_households(ctx) -> int:
    return _count(
        ctx,
        "pb_households_one",
        f"""SELECT COUNT(*) FROM community_household h JOIN community_building b ON b.id = h.building_id
            JOIN community_zone z ON z.id = b.zone_id
            WHERE z.community_id = (SELECT MIN(id) FROM ({_COUNTY_COMMUNITIES}) c)""".replace("%(county)s", "%s"),
    )


def _members_page(ctx):
    return ctx.get("/api/v1/partybuild/members/")


def _visits_page(ctx):
    return ctx.get("/api/v1/partybuild/visits/")


def _rows_note(ctx) -> str:
    return f"{members(ctx):,} party members, {visits(ctx):,} visits"


BENCHES = [
    Bench(
        name="partybuild coverage_summary (county indicators, selector)",
        run=_summary,
        bare_sql=SUMMARY_SQL,
        rows=households,
        note="reads the summary rows; bare SQL: the same rows in one statement",
    ),
    Bench(
        name="partybuild dashboard section (county, this month)",
        run=_section,
        bare_sql=SUMMARY_SQL,
        rows=households,
        note="section = coverage_summary + visits by month",
    ),
    Bench(
        name="/api/v1/partybuild/coverage/ (county: communities, members' loads, drill-down)",
        run=_coverage_api,
        bare_sql=SUMMARY_SQL,
        rows=households,
        note="answer lists every member's load",
        goal_ms=300,
    ),
    Bench(
        name="/partybuild/coverage/ page (county: uncovered households, suggestions)",
        run=_coverage_page,
        bare_sql=UNCOVERED_PAGE_SQL,
        rows=households,
        goal_ms=300,
    ),
    Bench(
        name="partybuild rebuild_coverage_summaries (the county)",
        run=_rebuild_county,
        bare_sql=COVERAGE_SQL,
        rows=households,
        note="bulk loads and the repair; bare SQL: the same numbers from the records in one statement",
    ),
    Bench(
        name="partybuild rebuild_coverage_summaries (one community: what a coverage write adds)",
        run=_rebuild_one,
        rows=_one_community_households,
    ),
    Bench(
        name="/api/v1/partybuild/members/ first page (with load)",
        run=_members_page,
        bare_sql=MEMBERS_PAGE_SQL,
        rows=members,
        goal_ms=LIST_MS,
        goal_ratio=LIST_RATIO,
    ),
    Bench(
        name="/api/v1/partybuild/visits/ first page",
        run=_visits_page,
        bare_sql=VISITS_PAGE_SQL,
        rows=visits,
        goal_ms=LIST_MS,
        goal_ratio=LIST_RATIO,
    ),
]

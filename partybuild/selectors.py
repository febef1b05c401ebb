"""Reads of the party liaison network for dashboards, pages, API, jobs and other apps.

Every function here runs a fixed number of queries whatever the number of households or members
(they are benchmarked at county scale), and takes plain ids or a scope rather than model instances.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from community.models import Building, Community, Household, Town, Zone
from community.scoping import Scope

from .choices import CoverageRole, OrgKind, PositionRole
from .models import (
    Assignment,
    CommunityCoverageSummary,
    MemberLoadSummary,
    PartyMember,
    PartyOrganisation,
    Position,
    Visit,
    VisitDaySummary,
)

# --- configuration ----------------------------------------------------------------------


def load_band() -> tuple[int, int]:
    """The healthy number of households per member (``PARTYBUILD_LOAD_BAND``, default 5–10)."""
    low, high = getattr(settings, "PARTYBUILD_LOAD_BAND", (5, 10))
    return int(low), int(high)


def visit_due_days() -> int:
    """A household not visited for this many days is due a visit (``PARTYBUILD_VISIT_DUE_DAYS``, default 90)."""
    return int(getattr(settings, "PARTYBUILD_VISIT_DUE_DAYS", 90))


# --- active coverage --------------------------------------------------------------------


def active_q(on: dt.date | None = None, prefix: str = "") -> Q:
    """Assignments in force: open ones, or (on a date) those started by then and not yet ended."""
    if on is None:
        return Q(**{f"{prefix}end__isnull": True})
    return Q(**{f"{prefix}start__lte": on}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": on}))


def active_member_q(on: dt.date) -> Q:
    """Members registered by ``on`` who had not left by then: the dashboard's active members and their list."""
    return Q(registered__lte=on) & (Q(left__isnull=True) | Q(left__gt=on))


def _household_cover(on=None):
    return Assignment.objects.filter(active_q(on), role=CoverageRole.HOUSEHOLD, household=OuterRef("pk"))


def uncovered_households_qs(queryset, on: dt.date | None = None):
    """Narrow a Household queryset to those no party member covers (包户)."""
    return queryset.filter(~Exists(_household_cover(on)))


def coverer_of_household(*, household_id: int, on: dt.date | None = None) -> PartyMember | None:
    """The party member covering a household (now, or on a date), or None.  One query."""
    assignment = (
        Assignment.objects.filter(active_q(on), role=CoverageRole.HOUSEHOLD, household_id=household_id)
        .select_related("member__organisation")
        .order_by("-start", "-pk")
        .first()
    )
    return assignment.member if assignment else None


def coverers_for_households(*, household_ids, on: dt.date | None = None) -> dict[int, PartyMember]:
    """household id -> covering member, for a list (one query); uncovered households are absent."""
    ids = list(household_ids)
    if not ids:
        return {}
    rows = (
        Assignment.objects.filter(active_q(on), role=CoverageRole.HOUSEHOLD, household_id__in=ids)
        .select_related("member__organisation")
        .order_by("start", "pk")
    )
    return {a.household_id: a.member for a in rows}


def member_loads(*, member_ids) -> dict[int, int]:
    """member id -> households covered now (one query)."""
    rows = (
        Assignment.objects.filter(role=CoverageRole.HOUSEHOLD, end__isnull=True, member_id__in=list(member_ids))
        .values("member_id")
        .annotate(n=Count("id"))
    )
    return {r["member_id"]: r["n"] for r in rows}


def household_load():
    """An annotation: the households a member covers now (a correlated count on the active-assignment index)."""
    counted = (
        Assignment.objects.filter(member=OuterRef("pk"), role=CoverageRole.HOUSEHOLD, end__isnull=True)
        .order_by()
        .values("member")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass
class Affinity:
    buildings: set = field(default_factory=set)
    zones: set = field(default_factory=set)


def member_affinity(*, member_ids) -> dict[int, Affinity]:
    """Where each member lives or already covers: their buildings and zones (three queries).

    The households are read apart, by id: joined to the assignments, the planner hashes every household
    of the county to find the thousand or so a community's members cover."""
    ids = list(member_ids)
    result = {pk: Affinity() for pk in ids}
    homes = PartyMember.objects.filter(pk__in=ids, resident__isnull=False).values_list("pk", "resident__household_id")
    covered = Assignment.objects.filter(role=CoverageRole.HOUSEHOLD, end__isnull=True, member_id__in=ids).values_list(
        "member_id", "household_id"
    )
    pairs = [*homes, *covered]
    places = {
        pk: (building_id, zone_id)
        for pk, building_id, zone_id in Household.objects.filter(pk__in={h for _m, h in pairs})
        .order_by()
        .values_list("pk", "building_id", "building__zone_id")
    }
    for pk, household_id in pairs:
        building_id, zone_id = places[household_id]
        result[pk].buildings.add(building_id)
        result[pk].zones.add(zone_id)
    return result


def affinity_rank(affinity: dict[int, Affinity], member_id: int, building) -> int:
    """0: same building, 1: same zone, 2: elsewhere in the community."""
    near = affinity.get(member_id) or Affinity()
    if building.pk in near.buildings:
        return 0
    if building.zone_id in near.zones:
        return 1
    return 2


@dataclass(frozen=True)
class Suggestion:
    member: PartyMember
    load: int
    why: str  # building | zone | community


def community_members(*, community_ids):
    """Active members registered with the branches and groups of these communities, with their load."""
    return (
        PartyMember.objects.active()
        .filter(organisation__community_id__in=list(community_ids))
        .select_related("organisation")
        .annotate(
            load=Count("assignments", filter=Q(assignments__role=CoverageRole.HOUSEHOLD, assignments__end__isnull=True))
        )
        .order_by("name", "pk")
    )


def suggest_coverers(*, households, members=None) -> dict[int, Suggestion]:
    """A suggested coverer for each uncovered household: a member of its community below the band's top
    first, then one living in or covering the same building, then the same zone, lightest load first.

    Suggestions for a list are planned together (each one adds to that member's load), so one page of
    households is spread over the members rather than all given to the lightest.  Five queries.
    ``households`` must have ``building__zone`` loaded; ``members`` (the communities' ``community_members``)
    may be passed when the caller has them already.
    """
    households = list(households)
    if not households:
        return {}
    community_ids = {h.building.zone.community_id for h in households}
    if members is None:
        members = list(community_members(community_ids=community_ids))
    loads = {m.pk: m.load for m in members}
    affinity = member_affinity(member_ids=loads)
    _low, high = load_band()
    by_community: dict[int, list[PartyMember]] = {}
    for member in members:
        by_community.setdefault(member.organisation.community_id, []).append(member)
    result = {}
    for household in households:
        candidates = by_community.get(household.building.zone.community_id)
        if not candidates:
            continue
        best = min(
            candidates,
            key=lambda m: (
                loads[m.pk] >= high,
                affinity_rank(affinity, m.pk, household.building),
                loads[m.pk],
                m.pk,
            ),
        )
        rank = affinity_rank(affinity, best.pk, household.building)
        result[household.pk] = Suggestion(best, loads[best.pk], ("building", "zone", "community")[rank])
        loads[best.pk] += 1
    return result


def coverer_choices(*, members, suggestion: Suggestion | None, limit: int = 12) -> list[PartyMember]:
    """The members offered for one household: the suggested one first, then the lightest loads (a phone
    cannot scroll through a whole community's members, nor a page of households render them all)."""
    chosen = [suggestion.member] if suggestion else []
    lightest = sorted(members, key=lambda m: (m.load, m.pk))
    chosen += [m for m in lightest if not suggestion or m.pk != suggestion.member.pk][: limit - len(chosen)]
    return chosen


def branch_secretary(*, branch_id: int) -> PartyMember | None:
    position = (
        Position.objects.filter(organisation_id=branch_id, role=PositionRole.BRANCH_SECRETARY, end__isnull=True)
        .select_related("member__user")
        .first()
    )
    return position.member if position else None


@dataclass(frozen=True)
class DueRow:
    household: Household
    last_visit: dt.date | None
    coverer: PartyMember | None


def visits_due(*, community_id: int, days: int, on: dt.date) -> list[DueRow]:
    """Households of a community not visited in the ``days`` before ``on`` (two queries)."""
    since = on - dt.timedelta(days=days)
    households = list(
        Household.objects.filter(building__zone__community_id=community_id)
        .select_related("building__zone__community")
        .annotate(last_visit=Max("party_visits__date", filter=Q(party_visits__date__lte=on)))
        .filter(Q(last_visit__isnull=True) | Q(last_visit__lte=since))
        .order_by("building__zone__name", "building__name", "number", "pk")
    )
    coverers = coverers_for_households(household_ids=[h.pk for h in households], on=on)
    return [DueRow(h, h.last_visit, coverers.get(h.pk)) for h in households]


# --- indicators ----------------------------------------------------------------------------


@dataclass
class CommunityCoverage:
    id: int
    name: str
    town_id: int
    households: int = 0
    uncovered: int = 0
    zones: int = 0
    zones_uncovered: int = 0
    buildings: int = 0
    buildings_uncovered: int = 0
    point_covered: bool = False
    members: int = 0
    members_outside_band: int = 0
    visited_30: int = 0
    visited_90: int = 0
    visits: int = 0
    ended_without_successor: int = 0

    @property
    def covered(self) -> int:
        return self.households - self.uncovered


@dataclass(frozen=True)
class MemberLoad:
    id: int
    name: str
    community_id: int
    load: int
    flag: str  # "" | "low" | "high"


@dataclass
class CoverageSummary:
    on: dt.date
    band: tuple[int, int]
    rows: list[CommunityCoverage]
    members: list[MemberLoad]

    def total(self, name: str) -> int:
        return sum(getattr(r, name) for r in self.rows)

    @property
    def households(self) -> int:
        return self.total("households")

    @property
    def uncovered(self) -> int:
        return self.total("uncovered")

    @property
    def coverage_rate(self) -> float:
        return round(100.0 * (self.households - self.uncovered) / self.households, 1) if self.households else 0.0

    def share(self, name: str) -> float:
        return round(100.0 * self.total(name) / self.households, 1) if self.households else 0.0

    @property
    def communities_uncovered(self) -> int:
        return sum(1 for r in self.rows if not r.point_covered)


def _by_community(queryset, path: str, **aggregates) -> dict[int, dict]:
    rows = queryset.values(cid=F(path)).annotate(**aggregates)
    return {row["cid"]: row for row in rows}


def ended_without_successor_qs(on: dt.date, assignments=None):
    """Assignments ended by ``on`` whose target nobody took over afterwards; of ``assignments`` (a list's queryset,
    filtered in place: ``pk__in`` a subquery made the planner join every assignment of the county before it),
    all of them by default.

    One NOT EXISTS per duty, each on the target's own index (an OR across the four targets in one
    subquery cannot use any index and costs a scan per ended assignment at county scale).
    """
    later = Assignment.objects.filter(role=OuterRef("role"), start__gte=OuterRef("end"), start__lte=on).exclude(
        pk=OuterRef("pk")
    )
    target = {
        CoverageRole.POINT: "community",
        CoverageRole.ZONE: "zone",
        CoverageRole.BUILDING: "building",
        CoverageRole.HOUSEHOLD: "household",
    }
    nobody = Q()
    for role, name in target.items():
        nobody |= Q(role=role) & ~Exists(later.filter(**{name: OuterRef(name)}))
    base = Assignment.objects.all() if assignments is None else assignments
    return base.filter(end__isnull=False, end__lte=on).filter(nobody)


def coverage_summary(
    *,
    scope: Scope | None = None,
    community_ids=None,
    on: dt.date | None = None,
    visits_from: dt.date | None = None,
    visits_to: dt.date | None = None,
    live: bool = False,
) -> CoverageSummary:
    """Coverage per community in a scope (or a list of communities), whatever the size: four queries.

    Today's figures are read from the summary rows the actions keep (``CommunityCoverageSummary`` and its
    member and visit-day rows); a community without a row that holds today, any day but today, or
    ``live=True`` is counted from the records (ten more queries, see :func:`_count_live`)."""
    on = on or timezone.localdate()
    visits_from, visits_to = visits_from or on.replace(day=1), visits_to or on
    band = load_band()
    communities = Community.objects.all() if scope is None else Community.objects.for_scope(scope)
    if community_ids is not None:
        communities = communities.filter(pk__in=list(community_ids))
    rows = {c.pk: CommunityCoverage(c.pk, c.name, c.town_id) for c in communities.order_by("code")}
    stored = {}
    if rows and not live and on == timezone.localdate():
        stored = {s.pk: s for s in CommunityCoverageSummary.objects.filter(community_id__in=list(rows)).fresh(on)}
    members = _read_stored(rows, stored, on=on, visits=(visits_from, visits_to), band=band) if stored else []
    counted = [cid for cid in rows if cid not in stored]
    if counted:
        members += _count_live(rows, counted, on=on, visits=(visits_from, visits_to), band=band)
        members.sort(key=lambda m: m.community_id)  # stable: each community's members stay in name order
    return CoverageSummary(on=on, band=band, rows=list(rows.values()), members=members)


def _member_load(pk: int, name: str, cid: int, load: int, band: tuple[int, int]) -> MemberLoad:
    low, high = band
    return MemberLoad(pk, name, cid, load, "low" if load < low else "high" if load > high else "")


def _visit_windows(days, on: dt.date, visits: tuple[dt.date, dt.date] | None = None):
    """Per community of a ``VisitDaySummary`` queryset: households last visited in the 30 and 90 days to ``on``
    and, given a period, its visits (one query on the (community, date) index)."""
    v30, v90 = on - dt.timedelta(days=30), on - dt.timedelta(days=90)
    dates = Q(date__gt=v90, date__lte=on)
    sums = {
        "v30": Sum("last_visits", filter=Q(date__gt=v30, date__lte=on), default=0),
        "v90": Sum("last_visits", filter=Q(date__gt=v90, date__lte=on), default=0),
    }
    if visits is not None:
        dates |= Q(date__gte=visits[0], date__lte=visits[1])
        sums["n"] = Sum("visits", filter=Q(date__gte=visits[0], date__lte=visits[1]), default=0)
    return days.filter(dates).values("community_id").annotate(**sums).order_by()


def _read_stored(rows: dict, stored: dict, *, on, visits, band) -> list[MemberLoad]:
    """Fill ``rows`` from the summaries that hold on ``on`` (two queries); returns the members' loads."""
    for cid, summary in stored.items():
        row = rows[cid]
        row.households, row.uncovered = summary.households, summary.uncovered
        row.zones, row.zones_uncovered = summary.zones, summary.zones_uncovered
        row.buildings, row.buildings_uncovered = summary.buildings, summary.buildings_uncovered
        row.point_covered, row.ended_without_successor = summary.point_covered, summary.ended_without_successor
    ids = list(stored)
    members = []
    for pk, name, cid, load in (
        MemberLoadSummary.objects.filter(community_id__in=ids)
        .values_list("member_id", "member__name", "community_id", "load")
        .order_by("community_id", "member__name", "member_id")
    ):
        member = _member_load(pk, name, cid, load, band)
        members.append(member)
        rows[cid].members += 1
        rows[cid].members_outside_band += bool(member.flag)
    for window in _visit_windows(VisitDaySummary.objects.filter(community_id__in=ids), on, visits):
        row = rows[window["community_id"]]
        row.visited_30, row.visited_90, row.visits = window["v30"], window["v90"], window["n"]
    return members


def _count_live(rows: dict, ids: list[int], *, on, visits, band) -> list[MemberLoad]:
    """Fill the ``rows`` of ``ids`` from the records (ten queries); returns the members' loads.

    Uncovered households are counted apart with WHERE NOT EXISTS (a hashed anti-join): a NOT EXISTS inside
    a COUNT FILTER would probe the index once per household, several times slower at county scale."""
    households = Household.objects.filter(building__zone__community_id__in=ids)
    count = Count("id")
    for cid, row in _by_community(households, "building__zone__community_id", n=count).items():
        rows[cid].households = row["n"]
    for cid, row in _by_community(
        uncovered_households_qs(households, on), "building__zone__community_id", n=count
    ).items():
        rows[cid].uncovered = row["n"]
    zone_cover = Assignment.objects.filter(active_q(on), role=CoverageRole.ZONE, zone=OuterRef("pk"))
    zones = Zone.objects.filter(community_id__in=ids).annotate(covered=Exists(zone_cover))
    for cid, row in _by_community(
        zones, "community_id", n=count, covered_n=Count("id", filter=Q(covered=True))
    ).items():
        rows[cid].zones, rows[cid].zones_uncovered = row["n"], row["n"] - row["covered_n"]
    building_cover = Assignment.objects.filter(active_q(on), role=CoverageRole.BUILDING, building=OuterRef("pk"))
    buildings = Building.objects.filter(zone__community_id__in=ids).annotate(covered=Exists(building_cover))
    for cid, row in _by_community(
        buildings, "zone__community_id", n=count, covered_n=Count("id", filter=Q(covered=True))
    ).items():
        rows[cid].buildings, rows[cid].buildings_uncovered = row["n"], row["n"] - row["covered_n"]
    for cid in Assignment.objects.filter(active_q(on), role=CoverageRole.POINT, community_id__in=ids).values_list(
        "community_id", flat=True
    ):
        rows[cid].point_covered = True
    member_rows = (
        PartyMember.objects.filter(active_member_q(on), organisation__community_id__in=ids)
        .annotate(
            load=Count(
                "assignments",
                filter=Q(assignments__role=CoverageRole.HOUSEHOLD) & active_q(on, "assignments__"),
            )
        )
        .values_list("pk", "name", "organisation__community_id", "load")
        .order_by("organisation__community_id", "name", "pk")
    )
    members = []
    for pk, name, cid, load in member_rows:
        member = _member_load(pk, name, cid, load, band)
        members.append(member)
        rows[cid].members += 1
        rows[cid].members_outside_band += bool(member.flag)
    # the visits' own community (their unit column, community.unit_columns): no join to the households
    recent = Visit.objects.in_communities(ids).filter(date__lte=on, date__gt=on - dt.timedelta(days=90))
    for cid, row in _by_community(
        recent,
        "community_id",
        v90=Count("household", distinct=True),
        v30=Count("household", distinct=True, filter=Q(date__gt=on - dt.timedelta(days=30))),
    ).items():
        rows[cid].visited_90, rows[cid].visited_30 = row["v90"], row["v30"]
    period_visits = Visit.objects.in_communities(ids).filter(date__gte=visits[0], date__lte=visits[1])
    for cid, row in _by_community(period_visits, "community_id", n=count).items():
        rows[cid].visits = row["n"]
    for cid, row in _by_community(
        ended_without_successor_qs(on).filter(community_id__in=ids), "community_id", n=count
    ).items():
        rows[cid].ended_without_successor = row["n"]
    return members


def summaries_due(*, on: dt.date) -> list[int]:
    """The communities whose coverage summary does not hold on ``on``, or that have none (one query)."""
    holding = CommunityCoverageSummary.objects.fresh(on).values("community_id")
    return list(Community.objects.exclude(pk__in=holding).order_by("pk").values_list("pk", flat=True))


def visits_by_month(*, scope: Scope | None, months: int = 6, on: dt.date | None = None) -> list[tuple[str, int]]:
    """Visits per month over the last ``months`` months (two queries): added up from the visit-day summaries
    when every community of the scope has its summary, else counted from the visits."""
    on = on or timezone.localdate()
    first = on.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    communities = Community.objects.all() if scope is None else Community.objects.for_scope(scope)
    if communities.exclude(pk__in=CommunityCoverageSummary.objects.values("community_id")).exists():
        visits, counted_as = (Visit.objects.all() if scope is None else Visit.objects.for_scope(scope)), Count("id")
    else:
        days = VisitDaySummary.objects
        visits, counted_as = (days.all() if scope is None else days.for_scope(scope)), Sum("visits")
    counted = {
        row["m"].strftime("%Y-%m"): row["n"]
        for row in visits.filter(date__gte=first, date__lte=on)
        .annotate(m=TruncMonth("date"))
        .values("m")
        .annotate(n=counted_as)
        .order_by()
    }
    labels = []
    cursor = first
    while cursor <= on:
        labels.append(cursor.strftime("%Y-%m"))
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    return [(label, counted.get(label, 0)) for label in labels]


# --- the coverage page: drill-down ------------------------------------------------------

LEVELS = ["county", "town", "community", "zone", "building"]
_HOUSEHOLD_PATH = {
    "county": "building__zone__community__town__county_id",
    "town": "building__zone__community__town_id",
    "community": "building__zone__community_id",
    "zone": "building__zone_id",
    "building": "building_id",
}


def uncovered_in(*, user, level: str, unit_id: int):
    """The households of a unit the user may see that nobody covers today, in a stable order for paging."""
    households = Household.objects.for_user(user).filter(**{_HOUSEHOLD_PATH[level]: unit_id})
    return (
        uncovered_households_qs(households, timezone.localdate())
        .select_related("building__zone__community")
        .order_by("building__zone__community__code", "building__zone__name", "building__name", "number", "pk")
    )


_COMMUNITY_PATH = {"county": "town__county_id", "town": "town_id", "community": "pk"}


def summarised_communities(*, user, level: str, unit_id: int) -> list[CommunityCoverageSummary] | None:
    """The summaries of the communities of a county, town or community whose households ``user`` may see,
    in the communities' order, when each of them has one that holds today (two queries); else None: count
    live.  (The communities are those ``Household.objects.for_user`` reaches, the one scope rule.)"""
    if level not in _COMMUNITY_PATH:
        return None
    visible = Household.objects.for_user(user).filter(building__zone__community=OuterRef("pk"))
    ids = list(
        Community.objects.filter(**{_COMMUNITY_PATH[level]: unit_id})
        .filter(Exists(visible))
        .values_list("pk", flat=True)
    )
    summaries = list(
        CommunityCoverageSummary.objects.filter(community_id__in=ids)
        .fresh(timezone.localdate())
        .select_related("community")
        .order_by("community__code", "community_id")
    )
    return summaries if len(summaries) == len(ids) else None


def uncovered_count(*, user, level: str, unit_id: int, summaries=None) -> int:
    """How many households :func:`uncovered_in` lists: added up from the summaries of a county, town or
    community (pass them when already read), else counted."""
    if summaries is None:
        summaries = summarised_communities(user=user, level=level, unit_id=unit_id)
    if summaries is not None:
        return sum(s.uncovered for s in summaries)
    return uncovered_in(user=user, level=level, unit_id=unit_id).count()


class Child(NamedTuple):
    """One unit one level down in the drill-down, with its coverage figures."""

    level: str
    id: int
    name: str
    households: int
    uncovered: int
    visited_30: int = 0
    visited_90: int = 0
    coverer: str | None = None  # who holds the unit's own duty (包点/包片/包楼); None: nobody, or a town


_UNIT_DUTY = {"community": CoverageRole.POINT, "zone": CoverageRole.ZONE, "building": CoverageRole.BUILDING}


def _children_from_summaries(summaries, *, level: str, unit_id: int, on: dt.date) -> list[Child]:
    """The towns of a county, or the communities of a town, added up from their communities' summaries."""
    ids = [s.pk for s in summaries]
    windows = {w["community_id"]: w for w in _visit_windows(VisitDaySummary.objects.filter(community_id__in=ids), on)}
    if level == "town":
        coverers = dict(
            Assignment.objects.filter(active_q(on), role=CoverageRole.POINT, community_id__in=ids).values_list(
                "community_id", "member__name"
            )
        )
        return [
            Child(
                "community",
                s.pk,
                s.community.name,
                s.households,
                s.uncovered,
                windows.get(s.pk, {}).get("v30", 0),
                windows.get(s.pk, {}).get("v90", 0),
                coverers.get(s.pk),
            )
            for s in summaries
            if s.households
        ]
    totals: dict[int, list[int]] = {}
    for s in summaries:
        total = totals.setdefault(s.community.town_id, [0, 0, 0, 0])
        window = windows.get(s.pk, {})
        for i, n in enumerate((s.households, s.uncovered, window.get("v30", 0), window.get("v90", 0))):
            total[i] += n
    towns = Town.objects.filter(county_id=unit_id, pk__in=[pk for pk, t in totals.items() if t[0]]).order_by("code")
    return [Child("town", town.pk, town.name, *totals[town.pk]) for town in towns]


def uncovered_children(*, user, level: str, unit_id: int, on: dt.date | None = None, summaries=None) -> list[Child]:
    """The units one level down, for the drill-down: households, uncovered, visited in the last 30 and
    90 days, and who covers the unit itself.  The towns of a county and the communities of a town are read
    from the summaries when each holds today (four queries; pass ``summaries`` when already read); below,
    or otherwise, counted (five queries whatever the size: plain aggregates and a hashed anti-join rather
    than a subquery per household)."""
    if level == "building":
        return []
    on = on or timezone.localdate()
    if level in ("county", "town") and on == timezone.localdate():
        if summaries is None:
            summaries = summarised_communities(user=user, level=level, unit_id=unit_id)
        if summaries is not None:
            return _children_from_summaries(summaries, level=level, unit_id=unit_id, on=on)
    child = LEVELS[LEVELS.index(level) + 1]
    households = Household.objects.for_user(user).filter(**{_HOUSEHOLD_PATH[level]: unit_id})
    key = _HOUSEHOLD_PATH[child]

    uncovered = dict(uncovered_households_qs(households, on).values_list(key).annotate(n=Count("id")))
    visits = Visit.objects.filter(
        household__in=households.values("pk"), date__lte=on, date__gt=on - dt.timedelta(days=90)
    )
    visited = {
        row["k"]: row
        for row in visits.values(k=F(f"household__{key}")).annotate(
            n30=Count("household", distinct=True, filter=Q(date__gt=on - dt.timedelta(days=30))),
            n90=Count("household", distinct=True),
        )
    }
    counts = {
        row["k"]: {"n": row["n"], "u": uncovered.get(row["k"], 0), **visited.get(row["k"], {})}
        for row in households.values(k=F(key)).annotate(n=Count("id"))
    }

    model = {"town": Town, "community": Community, "zone": Zone, "building": Building}[child]
    parent_field = {"town": "county_id", "community": "town_id", "zone": "community_id", "building": "zone_id"}[child]
    units = list(
        model.objects.filter(**{parent_field: unit_id}, pk__in=list(counts)).order_by(
            *(["code"] if child in ("town", "community") else ["name"])
        )
    )
    coverers = {}
    if child in _UNIT_DUTY:
        target = "community" if child == "community" else child
        coverers = dict(
            Assignment.objects.filter(
                active_q(on), role=_UNIT_DUTY[child], **{f"{target}_id__in": [u.pk for u in units]}
            ).values_list(f"{target}_id", "member__name")
        )
    result = []
    for unit in units:
        row = counts.get(unit.pk, {})
        result.append(
            Child(
                child,
                unit.pk,
                unit.name,
                row.get("n", 0),
                row.get("u", 0),
                row.get("n30", 0),
                row.get("n90", 0),
                coverers.get(unit.pk),
            )
        )
    return result


def branch_organisations():
    """Every community branch with its community (for the weekly job)."""

    return PartyOrganisation.objects.filter(kind=OrgKind.BRANCH).select_related("community").order_by("pk")


def assignment_history(*, assignment_id: int):
    """The recorded versions of an assignment, oldest first, with who made each change (one query)."""
    return (
        Assignment.history.filter(id=assignment_id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )


# --- what the workbench counts (<app>/workbench.py) ------------------------------------------------------


def visits_due_qs(queryset, on: dt.date):
    """Households (of ``queryset``) not visited in the ``visit_due_days()`` before ``on``: due a visit."""
    since = on - dt.timedelta(days=visit_due_days())
    return queryset.annotate(last_party_visit=Max("party_visits__date", filter=Q(party_visits__date__lte=on))).filter(
        Q(last_party_visit__isnull=True) | Q(last_party_visit__lte=since)
    )

"""Scale data of the party liaison network (四联四包) for ``generate_county`` (see ``community/demo/generate.py``).

For each town: its party committee (a secretary and committee members, each covering communities,
包点, and liaising with branch secretaries); for each community: a branch, one party group per zone,
party members in proportion to its households (``--extra members=N`` in all, default one per twelve
households: about 10,000 at 120,000 households), the branch secretary (包片 of every zone), branch
committee members (包楼) and group leaders, and every member covering households (包户) near home,
5–15 each.  About 1–2% of households stay uncovered: never covered, or left behind by a member who
transferred out in the last months without a successor; a few per cent were handed over (rebalanced)
during the year, so the history has predecessors.  The three organisational links of 四联 are
recorded (committee ↔ branch, committee member ↔ branch secretary, branch ↔ member), and about a year
of visits (``--extra visits=N``, default five for every three households: about 200,000), nearly all
by the covering member of the day, the rest flagged (``by_coverer`` false).

Everything is written with COPY (``ctx.copy_rows``), the assignments and visits inside
``ctx.bulk_load``; ``clear(county)`` removes it with set-based DELETEs.  The rows obey every
database constraint and the rules of ``partybuild.actions``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections
from faker.providers.person.zh_CN import Provider

from community.demo.bulk import deleting
from community.models import Building, Community, Household, Resident, Town, Zone

from .actions import rebuild_coverage_summaries
from .choices import (
    CoverageRole,
    EndReason,
    LeaveReason,
    LiaisonKind,
    MemberKind,
    MemberStatus,
    OrgKind,
    PositionRole,
    VisitWay,
)
from .models import (
    Assignment,
    CoverageReport,
    Liaison,
    PartyMember,
    PartyOrganisation,
    Position,
    Visit,
    VisitsDueNotice,
)

HOUSEHOLDS_PER_MEMBER = 12
_END_OF_LEAVING = {
    LeaveReason.TRANSFERRED_OUT: (EndReason.TRANSFERRED_OUT, "组织关系转出"),
    LeaveReason.MOVED: (EndReason.MOVED, "搬离本社区"),
}
VISITS_PER_HOUSEHOLD = 5 / 3  # about a year of visits
COMMITTEE_SIZE = 7  # the town party committee: a secretary and six members
NEVER_COVERED = 0.012
LEAVERS = 0.02  # members who transferred out or moved away in the last months
SUCCESSOR_TAKES_OVER = 0.5  # of a leaver's households, the share somebody took over
REBALANCED = 0.03  # covered households handed over during the year
UNIT_UNCOVERED = 0.02  # zones and buildings (and communities) nobody covers
NON_COVERER_VISITS = 0.04
RAISED = [
    "楼道灯坏了，希望尽快修好",
    "咨询低保申请条件",
    "希望社区多组织老年人文体活动",
    "小区停车难，电动车乱停放",
    "独居老人，希望定期上门看看",
    "下水道堵塞，需要疏通",
    "咨询城乡居民医保缴费",
    "希望小区增设健身器材",
    "反映楼上噪音扰民",
    "孩子入学政策咨询",
]
WORKPLACES = ["县人民医院", "县第一中学", "县税务局", "县供电公司", "县农商银行", "县自然资源局", "县城投集团"]
DESTINATIONS = ["杭州市西湖区", "宁波市鄞州区", "上海市浦东新区", "县外", "温州市鹿城区"]


@dataclass
class Member:
    id: int
    name: str
    org: int
    community: int | None
    town: int
    resident: int | None = None
    home: int | None = None  # household id, for placing coverage near home
    kind: str = MemberKind.RESIDENT
    registered: dt.date | None = None
    left: dt.date | None = None
    left_reason: str = ""
    roles: list = field(default_factory=list)  # (role, organisation id)


def _day(ctx, low: int, high: int) -> dt.date:
    """A date between ``high`` and ``low`` days before today."""
    return ctx.today - dt.timedelta(days=ctx.rng.randint(low, high))


def generate(ctx) -> None:

    rng, today, now = ctx.rng, ctx.today, ctx.now
    surnames = list(Provider.last_names.keys())
    given = list(Provider.first_names_male) + list(Provider.first_names_female)

    def made_up_name() -> str:
        return rng.choice(surnames[:60]) + rng.choice(given)

    community_ids = [c.pk for c in ctx.communities]
    town_of = {c.pk: c.town_id for c in ctx.communities}
    households_total = sum(len(r) for r in ctx.community_households.values())
    if not community_ids or not households_total:
        return
    wanted = int(ctx.args.get("members") or max(1, round(households_total / HOUSEHOLDS_PER_MEMBER)))
    visits_wanted = int(ctx.args.get("visits", round(households_total * VISITS_PER_HOUSEHOLD)))
    ctx.say(f"partybuild: about {wanted:,} party members, {visits_wanted:,} visits")

    # --- what the core wrote: zones, buildings, households, adult residents (four queries)
    zones_of: dict[int, list[int]] = defaultdict(list)
    for zone_id, cid in (
        Zone.objects.using(ctx.using).filter(community_id__in=community_ids).values_list("id", "community_id")
    ):
        zones_of[cid].append(zone_id)
    buildings_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for building_id, zone_id, cid in (
        Building.objects.using(ctx.using)
        .filter(zone__community_id__in=community_ids)
        .values_list("id", "zone_id", "zone__community_id")
    ):
        buildings_of[cid].append((building_id, zone_id))
    zone_of_building = {b: z for rows in buildings_of.values() for b, z in rows}
    building_of: dict[int, int] = {}
    for household_id, building_id in (
        Household.objects.using(ctx.using)
        .filter(community_id__in=community_ids)  # its unit column: no join
        .values_list("id", "building_id")
    ):
        building_of[household_id] = building_id
    adults_of: dict[int, list[tuple[int, int, str]]] = defaultdict(list)  # community -> (resident, household, name)
    community_of_household = {h: cid for cid, r in ctx.community_households.items() for h in r}
    adult_born = today - dt.timedelta(days=20 * 365 + 5)
    for resident_id, household_id, name in (
        Resident.objects.using(ctx.using)
        .filter(
            community_id__in=community_ids,
            moved_out__isnull=True,
            birth_date__lte=adult_born,
        )
        .values_list("id", "household_id", "name")
        .iterator(chunk_size=20_000)
    ):
        cid = community_of_household.get(household_id)
        if cid is not None:
            adults_of[cid].append((resident_id, household_id, name))

    # --- organisations: a committee per town, a branch per community, a group per zone
    towns = ctx.towns
    communities_of_town: dict[int, list] = defaultdict(list)
    for community in ctx.communities:
        communities_of_town[community.town_id].append(community)
    group_count = {cid: max(1, len(zones_of[cid])) for cid in community_ids}
    org_ids = iter(ctx.reserve_ids(PartyOrganisation, len(towns) + len(community_ids) + sum(group_count.values())))
    orgs = []  # (id, kind, name, parent, town, community, established)
    committee_of, branch_of, groups_of = {}, {}, {}
    for town in towns:
        committee_of[town.pk] = next(org_ids)
        orgs.append(
            (
                committee_of[town.pk],
                OrgKind.COMMITTEE,
                f"中共{town.name}委员会",
                None,
                town.pk,
                None,
                dt.date(1990, 7, 1),
            )
        )
    for community in ctx.communities:
        cid = community.pk
        branch_of[cid] = next(org_ids)
        established = community.established or dt.date(2000, 1, 1)
        orgs.append(
            (
                branch_of[cid],
                OrgKind.BRANCH,
                f"中共{community.name}支部委员会",
                committee_of[community.town_id],
                community.town_id,
                cid,
                established,
            )
        )
        groups_of[cid] = []
        for n in range(group_count[cid]):
            group_id = next(org_ids)
            groups_of[cid].append(group_id)
            orgs.append(
                (
                    group_id,
                    OrgKind.GROUP,
                    f"{community.name}第{n + 1}党小组",
                    branch_of[cid],
                    community.town_id,
                    cid,
                    established,
                )
            )
    org_columns = ["id", "kind", "name", "parent", "town", "community", "established", "created_at", "updated_at"]
    ctx.copy_rows(PartyOrganisation, org_columns, ((*row, now, now) for row in orgs))

    # --- members: the town committees first, then the communities in proportion to their households
    committee_size = {t.pk: min(COMMITTEE_SIZE, max(1, len(communities_of_town[t.pk]))) for t in towns}
    in_communities = max(len(community_ids), wanted - sum(committee_size.values()))
    weights = [len(ctx.community_households.get(cid, ())) for cid in community_ids]
    share = _apportion(in_communities, weights)
    member_ids = iter(ctx.reserve_ids(PartyMember, sum(committee_size.values()) + sum(share)))
    members: list[Member] = []
    officers_of_town: dict[int, list[Member]] = defaultdict(list)
    for town in towns:
        for n in range(committee_size[town.pk]):
            role = PositionRole.COMMITTEE_SECRETARY if n == 0 else PositionRole.COMMITTEE_MEMBER
            member = Member(
                next(member_ids),
                made_up_name(),
                committee_of[town.pk],
                None,
                town.pk,
                registered=_day(ctx, 900, 3650),
                roles=[(role, committee_of[town.pk])],
            )
            members.append(member)
            officers_of_town[town.pk].append(member)
    members_of: dict[int, list[Member]] = defaultdict(list)
    for community, n_members in zip(ctx.communities, share, strict=True):
        cid = community.pk
        adults = adults_of.get(cid, [])
        chosen = rng.sample(adults, min(len(adults), n_members))
        households = ctx.community_households.get(cid) or range(0)
        for n in range(n_members):
            kind = rng.choices([MemberKind.RESIDENT, MemberKind.SERVING, MemberKind.MOBILE], weights=[75, 20, 5])[0]
            if n < len(chosen) and kind != MemberKind.MOBILE:
                resident, home, name = chosen[n]
                if kind == MemberKind.SERVING and rng.random() < 0.5:
                    resident, home, name = None, None, made_up_name()
            else:
                resident, home, name = None, None, made_up_name()
            if home is None and households:
                home = rng.choice(households)  # where they are placed for coverage
            member = Member(
                next(member_ids), name, 0, cid, community.town_id, resident, home, kind, _day(ctx, 500, 5000)
            )
            members_of[cid].append(member)
        _give_positions(
            rng,
            members_of[cid],
            branch_of[cid],
            groups_of[cid],
            zones_of[cid],
            lambda h: zone_of_building.get(building_of.get(h)),
        )
        members.extend(members_of[cid])

    # leavers: ordinary members only (no position), transferred out or moved away in the last months
    for cid in community_ids:
        for member in members_of[cid]:
            if not member.roles and rng.random() < LEAVERS:
                member.left = _day(ctx, 10, 250)
                member.left_reason = rng.choice(
                    [LeaveReason.TRANSFERRED_OUT, LeaveReason.TRANSFERRED_OUT, LeaveReason.MOVED]
                )

    member_columns = [
        "id",
        "name",
        "organisation",
        "resident",
        "status",
        "kind",
        "workplace",
        "joined_party",
        "registered",
        "is_committee_staff",
        "email",
        "left",
        "left_reason",
        "left_to",
        "created_at",
        "updated_at",
    ]

    def member_rows():
        for m in members:
            reason = m.left_reason
            destination = rng.choice(DESTINATIONS) + "党组织" if reason == LeaveReason.TRANSFERRED_OUT else ""
            officer = any(
                r in (PositionRole.BRANCH_SECRETARY, PositionRole.BRANCH_COMMITTEE_MEMBER) for r, _o in m.roles
            )
            workplace = ""
            if m.community is None:
                workplace = "镇人民政府"
            elif m.kind == MemberKind.SERVING:
                workplace = rng.choice(WORKPLACES)
            yield (
                m.id,
                m.name,
                m.org,
                m.resident,
                MemberStatus.PROBATIONARY if rng.random() < 0.04 else MemberStatus.FULL,
                m.kind,
                workplace,
                m.registered - dt.timedelta(days=rng.randint(0, 12_000)),
                m.registered,
                officer and rng.random() < 0.6,
                "",
                m.left,
                reason,
                destination,
                now,
                now,
            )

    ctx.copy_rows(PartyMember, member_columns, member_rows())

    # --- positions
    positions = []
    for m in members:
        for role, organisation in m.roles:
            positions.append((m.id, organisation, role, m.registered, None, now, now))
    ctx.copy_rows(Position, ["member", "organisation", "role", "start", "end", "created_at", "updated_at"], positions)

    # --- coverage (四包)
    rows = []  # assignment tuples without id; ids given below
    segments: dict[int, list[tuple[int, dt.date, dt.date | None]]] = {}  # household -> (member, start, end)
    for town in towns:
        officers = officers_of_town[town.pk]
        for n, community in enumerate(communities_of_town[town.pk]):
            if rng.random() < UNIT_UNCOVERED:
                continue
            officer = officers[n % len(officers)]
            rows.append(_row(officer.id, CoverageRole.POINT, community.pk, start=officer.registered))
    for cid in community_ids:
        people = members_of[cid]
        secretary = next(m for m in people if (PositionRole.BRANCH_SECRETARY, branch_of[cid]) in m.roles)
        builders = [
            m
            for m in people
            if any(r in (PositionRole.BRANCH_SECRETARY, PositionRole.BRANCH_COMMITTEE_MEMBER) for r, _o in m.roles)
        ]
        for zone_id in zones_of[cid]:
            if rng.random() >= UNIT_UNCOVERED:
                rows.append(_row(secretary.id, CoverageRole.ZONE, cid, zone=zone_id, start=secretary.registered))
        for n, (building_id, _zone_id) in enumerate(sorted(buildings_of[cid])):
            if rng.random() >= UNIT_UNCOVERED:
                builder = builders[n % len(builders)]
                rows.append(
                    _row(builder.id, CoverageRole.BUILDING, cid, building=building_id, start=builder.registered)
                )
        _plan_households(ctx, people, list(ctx.community_households.get(cid) or ()), segments)
    if len(segments) == len(community_of_household) and all(c[-1][2] is None for c in segments.values()):
        # a county small enough to have every household covered by chance: leave one for the pages to show
        segments.pop(max(segments))
    assignment_ids = iter(ctx.reserve_ids(Assignment, len(rows) + sum(len(s) for s in segments.values())))
    member_by_id = {m.id: m for m in members}
    assignment_columns = [
        "id",
        "member",
        "role",
        "community",
        "zone",
        "building",
        "household",
        "start",
        "end",
        "end_reason",
        "end_note",
        "replaces",
        "created_at",
        "updated_at",
    ]

    def assignment_rows():
        for row in rows:
            yield (next(assignment_ids), *row, None, now, now)
        for household, chain in segments.items():
            cid = community_of_household[household]
            previous = None
            for member_id, start, end in chain:
                pk = next(assignment_ids)
                reason, note = "", ""
                if end is not None:
                    leaver = member_by_id[member_id]
                    if leaver.left is not None and leaver.left == end:
                        reason, note = _END_OF_LEAVING[leaver.left_reason]
                    else:
                        reason, note = EndReason.REBALANCED, "包户调整"
                yield (
                    pk,
                    member_id,
                    CoverageRole.HOUSEHOLD,
                    cid,
                    None,
                    None,
                    household,
                    start,
                    end,
                    reason,
                    note,
                    previous,
                    now,
                    now,
                )
                previous = pk

    with ctx.bulk_load(Assignment):
        ctx.copy_rows(Assignment, assignment_columns, assignment_rows())

    # --- 四联: committee ↔ branch, committee member ↔ branch secretary, branch ↔ member
    liaisons = []
    for town in towns:
        officers = officers_of_town[town.pk]
        for n, community in enumerate(communities_of_town[town.pk]):
            cid = community.pk
            branch_start = max(community.established or dt.date(2000, 1, 1), dt.date(2015, 1, 1))
            liaisons.append(
                (
                    LiaisonKind.COMMITTEE_BRANCH,
                    cid,
                    committee_of[town.pk],
                    None,
                    branch_of[cid],
                    None,
                    branch_start,
                    None,
                    "",
                )
            )
            secretary = next(m for m in members_of[cid] if (PositionRole.BRANCH_SECRETARY, branch_of[cid]) in m.roles)
            officer = officers[n % len(officers)]
            start = max(officer.registered, secretary.registered)
            liaisons.append((LiaisonKind.MEMBER_SECRETARY, cid, None, officer.id, None, secretary.id, start, None, ""))
    for cid in community_ids:
        for m in members_of[cid]:
            end_reason = _END_OF_LEAVING[m.left_reason][0] if m.left else ""
            liaisons.append(
                (LiaisonKind.BRANCH_MEMBER, cid, branch_of[cid], None, None, m.id, m.registered, m.left, end_reason)
            )
    liaison_columns = [
        "kind",
        "community",
        "from_org",
        "from_member",
        "to_org",
        "to_member",
        "start",
        "end",
        "end_reason",
        "note",
        "created_at",
        "updated_at",
    ]
    ctx.copy_rows(Liaison, liaison_columns, ((*row, "", now, now) for row in liaisons))

    # --- 走访: about a year of visits, by the covering member of the day (a few flagged)
    covered = list(segments)
    active_of: dict[int, list[Member]] = {cid: members_of[cid] for cid in community_ids}
    all_households = list(community_of_household)
    ways = [VisitWay.DOOR, VisitWay.PHONE, VisitWay.WECHAT]

    def coverer_on(household: int, day: dt.date) -> int | None:
        for member_id, start, end in segments.get(household, ()):
            if start <= day and (end is None or end > day):
                return member_id
        return None

    def visit_rows():
        made = 0
        attempts = 0
        while made < visits_wanted and attempts < visits_wanted * 3:
            attempts += 1
            day = _day(ctx, 0, 364)
            if covered and rng.random() >= NON_COVERER_VISITS:
                household = rng.choice(covered)
                member_id = coverer_on(household, day)
                if member_id is None:
                    continue
                by_coverer = True
            else:
                household = rng.choice(all_households)
                cid = community_of_household[household]
                candidates = active_of[cid]
                member = rng.choice(candidates)
                if member.registered > day or (member.left is not None and member.left < day):
                    continue
                member_id = member.id
                by_coverer = coverer_on(household, day) == member_id
            raised = rng.choice(RAISED) if rng.random() < 0.1 else ""
            made += 1
            cid = community_of_household[household]
            yield (
                member_id,
                household,
                day,
                rng.choices(ways, weights=[60, 25, 15])[0],
                raised,
                bool(raised),
                by_coverer,
                now,
                now,
                cid,
                town_of[cid],
            )

    visit_columns = [
        "member",
        "household",
        "date",
        "way",
        "raised",
        "needs_follow_up",
        "by_coverer",
        "created_at",
        "updated_at",
        "community",  # the unit columns (community.unit_columns), checked by the bulk load
        "town",
    ]
    with ctx.bulk_load(Visit):
        made = ctx.copy_rows(Visit, visit_columns, visit_rows())
    uncovered = len(all_households) - sum(1 for chain in segments.values() if chain[-1][2] is None)
    ctx.say(
        f"partybuild: {len(members):,} members, {len(rows) + sum(len(s) for s in segments.values()):,} assignments, "
        f"{uncovered:,} households uncovered, {made:,} visits"
    )
    connection = connections[ctx.using]
    with connection.cursor() as cursor:  # fresh statistics, or the planner guesses on empty tables
        for model in (PartyOrganisation, PartyMember, Position, Liaison):  # assignments, visits: by bulk_load
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    rebuild_coverage_summaries(communities=community_ids, bulk=True)  # the summaries of the rows copied in


def _apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder), at least one each when it can."""
    if not weights:
        return []
    whole = sum(weights) or len(weights)
    exact = [total * (w or 0) / whole for w in weights] if sum(weights) else [total / len(weights)] * len(weights)
    floor = 1 if total >= len(weights) else 0
    parts = [max(floor, int(x)) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    i = 0
    while sum(parts) < total:
        parts[order[i % len(order)]] += 1
        i += 1
    i = 0
    while sum(parts) > total:
        j = order[-1 - i % len(order)]
        if parts[j] > floor:
            parts[j] -= 1
        i += 1
    return parts


def _give_positions(rng, people: list[Member], branch: int, groups: list[int], zones: list[int], zone_of_home) -> None:
    """Registration (the branch for its officers, the group of the home zone for the rest) and positions."""
    if not people:
        return
    committee = min(4, max(1, (len(people) - 1) // 20)) if len(people) > 1 else 0
    group_of_zone = dict(zip(zones, groups, strict=False))
    for n, member in enumerate(people):
        if n == 0:
            member.org = branch
            member.roles.append((PositionRole.BRANCH_SECRETARY, branch))
        elif n <= committee:
            member.org = branch
            member.roles.append((PositionRole.BRANCH_COMMITTEE_MEMBER, branch))
        else:
            member.org = group_of_zone.get(zone_of_home(member.home)) or rng.choice(groups)
    led = set()
    for member in people:
        if member.org in groups and member.org not in led and not member.roles:
            member.roles.append((PositionRole.GROUP_LEADER, member.org))
            led.add(member.org)


def _row(member: int, role: str, community: int, *, zone=None, building=None, household=None, start=None) -> tuple:
    return (member, role, community, zone, building, household, start, None, "", "")


def _plan_households(ctx, people: list[Member], households: list[int], segments: dict) -> None:
    """包户: every household but a few given to a member near home, 5–15 each; leavers and handovers."""
    rng, today = ctx.rng, ctx.today
    if not people or not households:
        return
    covered = [h for h in households if rng.random() >= NEVER_COVERED]
    by_home = sorted(people, key=lambda m: (m.home or 0, m.id))
    weights = [(0.5 if m.roles else 1.0) * rng.triangular(0.7, 1.2, 1.0) for m in by_home]
    loads = (
        _apportion(len(covered), weights)
        if len(covered) >= len(by_home)
        else [1] * len(covered) + [0] * (len(by_home) - len(covered))
    )
    stayers = [m for m in people if m.left is None]
    latest_start = today - dt.timedelta(days=400)
    cursor = 0
    for member, load in zip(by_home, loads, strict=True):
        for household in covered[cursor : cursor + load]:
            start = _between(rng, member.registered, latest_start)
            if member.left is not None:
                chain = [(member.id, start, member.left)]
                if stayers and rng.random() < SUCCESSOR_TAKES_OVER:
                    heir = rng.choice(stayers)
                    chain.append((heir.id, min(today, member.left + dt.timedelta(days=rng.randint(1, 20))), None))
                segments[household] = chain
            elif len(stayers) > 1 and rng.random() < REBALANCED:
                before = rng.choice(stayers)
                if before is member:
                    before = stayers[(stayers.index(member) + 1) % len(stayers)]
                handed = _day(ctx, 20, 330)
                first = _between(rng, before.registered, latest_start)
                segments[household] = [(before.id, first, handed), (member.id, handed, None)]
            else:
                segments[household] = [(member.id, start, None)]
        cursor += load


def _between(rng, low: dt.date, high: dt.date) -> dt.date:
    if high <= low:
        return low
    return low + dt.timedelta(days=rng.randint(0, (high - low).days))


def clear(county) -> None:
    """Remove the party network of ``county`` (before ``generate_county --replace`` deletes the county)."""

    connection = connections["default"]
    quote = connection.ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    towns = f"SELECT id FROM {table(Town)} WHERE county_id = %s"
    orgs = f"SELECT id FROM {table(PartyOrganisation)} WHERE town_id IN ({towns})"
    members = f"SELECT id FROM {table(PartyMember)} WHERE organisation_id IN ({orgs})"
    communities = f"SELECT id FROM {table(Community)} WHERE town_id IN ({towns})"
    households = (
        f"SELECT h.id FROM {table(Household)} h JOIN {table(Building)} b ON b.id = h.building_id "
        f"JOIN {table(Zone)} z ON z.id = b.zone_id WHERE z.community_id IN ({communities})"
    )
    statements = [
        f"DELETE FROM {table(Visit)} WHERE member_id IN ({members})",
        f"DELETE FROM {table(Visit)} WHERE household_id IN ({households})",
        f"DELETE FROM {table(VisitsDueNotice)} WHERE branch_id IN ({orgs})",
        f"DELETE FROM {table(CoverageReport)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(Assignment)} WHERE member_id IN ({members})",
        f"DELETE FROM {table(Assignment)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(Liaison)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(Liaison)} WHERE from_member_id IN ({members}) OR to_member_id IN ({members})",
        f"DELETE FROM {table(Position)} WHERE organisation_id IN ({orgs}) OR member_id IN ({members})",
        f"DELETE FROM {table(PartyMember)} WHERE organisation_id IN ({orgs})",
        f"DELETE FROM {table(PartyOrganisation)} WHERE town_id IN ({towns})",
    ]
    with deleting(Assignment, PartyMember), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, [county.pk] * sql.count("%s"))

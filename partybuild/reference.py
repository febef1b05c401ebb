"""The reference scenario's party network (DOMAIN.md §1): the town party committee, one branch per
community, the 15 party members among the 30 committee staff plus resident members, full coverage
except seven deliberately uncovered households, and visits over the last months.

Idempotent: every row is looked up by its natural key first, and the coverage and visits of a
community are made only when it has none, so loading twice leaves the same data.  Written in bulk, so it
ends by rebuilding the communities' coverage summaries.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from community.models import Household, Resident

from .actions import rebuild_coverage_summaries
from .choices import CoverageRole, LiaisonKind, MemberKind, MemberStatus, OrgKind, PositionRole, VisitWay
from .models import Assignment, Liaison, PartyMember, PartyOrganisation, Position, Visit

SINCE = dt.date(2025, 1, 1)
COMMITTEE_OFFICERS = [
    ("周建国", PositionRole.COMMITTEE_SECRETARY),
    ("吴丽华", PositionRole.COMMITTEE_MEMBER),
    ("郑志勇", PositionRole.COMMITTEE_MEMBER),
    ("孙秀兰", PositionRole.COMMITTEE_MEMBER),
    ("钱海燕", PositionRole.COMMITTEE_MEMBER),
]
# three of each community's six committee staff are party members: 3 × 5 = 15 of the 30
STAFF_MEMBERS = [
    ["王建华", "李秀英", "张海涛"],
    ["刘桂英", "陈志强", "杨晓东"],
    ["黄春梅", "赵俊峰", "吴雪梅"],
    ["徐文辉", "孙丽娟", "马建军"],
    ["朱玉兰", "胡明杰", "郭丹丹"],
]
STAFF_ROLES = [
    PositionRole.BRANCH_SECRETARY,
    PositionRole.BRANCH_COMMITTEE_MEMBER,
    PositionRole.BRANCH_COMMITTEE_MEMBER,
]
RESIDENT_MEMBERS_PER_COMMUNITY = 5
UNCOVERED = [2, 2, 1, 1, 1]  # seven households nobody covers, for the dashboard to show
RAISED = [
    "",
    "",
    "",
    "楼道灯坏了，希望尽快修好",
    "咨询低保申请条件",
    "希望社区多组织老年人文体活动",
    "小区停车难，电动车乱停放",
    "独居老人，希望定期上门看看",
]


@transaction.atomic
def load(ctx) -> None:
    rng = random.Random(4_2026)
    today = timezone.localdate()
    committee, _ = PartyOrganisation.objects.get_or_create(
        town=ctx.town,
        kind=OrgKind.COMMITTEE,
        defaults={"name": f"中共{ctx.town.name}委员会", "established": dt.date(1984, 7, 1)},
    )
    officers = []
    for name, role in COMMITTEE_OFFICERS:
        officer, _ = PartyMember.objects.get_or_create(
            organisation=committee,
            name=name,
            defaults={"registered": SINCE, "joined_party": dt.date(1990, 7, 1), "workplace": f"{ctx.town.name}党委"},
        )
        Position.objects.get_or_create(
            member=officer, organisation=committee, role=role, end=None, defaults={"start": SINCE}
        )
        officers.append(officer)
    for index, community in enumerate(ctx.communities):
        _load_community(ctx, community, index, committee, officers[index % len(officers)], rng, today)
    rebuild_coverage_summaries(communities=ctx.communities)  # the rows above were written in bulk
    members = PartyMember.objects.filter(organisation__town=ctx.town).count()
    uncovered = sum(UNCOVERED[: len(ctx.communities)])
    ctx.say(f"partybuild: {members} party members, {uncovered} households left uncovered\n")


def _load_community(ctx, community, index, committee, officer, rng, today) -> None:
    branch, _ = PartyOrganisation.objects.get_or_create(
        town=ctx.town,
        name=f"中共{community.name}支部委员会",
        defaults={"kind": OrgKind.BRANCH, "parent": committee, "community": community, "established": SINCE},
    )
    if not Liaison.objects.filter(kind=LiaisonKind.COMMITTEE_BRANCH, to_org=branch, end__isnull=True).exists():
        Liaison.objects.create(
            kind=LiaisonKind.COMMITTEE_BRANCH, community=community, from_org=committee, to_org=branch, start=SINCE
        )
    staff = []
    for position, (name, role) in enumerate(zip(STAFF_MEMBERS[index % len(STAFF_MEMBERS)], STAFF_ROLES, strict=True)):
        member, _ = PartyMember.objects.get_or_create(
            organisation=branch,
            name=name,
            defaults={
                "is_committee_staff": True,
                "workplace": f"{community.name}居委会",
                "registered": SINCE,
                "joined_party": dt.date(1995 + position * 3, 7, 1),
                "email": f"party.{community.code}.{position + 1}@example.org",
            },
        )
        Position.objects.get_or_create(
            member=member, organisation=branch, role=role, end=None, defaults={"start": SINCE}
        )
        staff.append(member)
    secretary = staff[0]
    if not Liaison.objects.filter(
        kind=LiaisonKind.MEMBER_SECRETARY, from_member=officer, to_member=secretary, end__isnull=True
    ).exists():
        Liaison.objects.create(
            kind=LiaisonKind.MEMBER_SECRETARY,
            community=community,
            from_member=officer,
            to_member=secretary,
            start=SINCE,
        )
    households = list(
        Household.objects.filter(building__zone__community=community)
        .select_related("building__zone")
        .order_by("building__zone__name", "building__name", "number", "pk")
    )
    buildings = list(dict.fromkeys(h.building for h in households))
    residents = []
    for building in buildings[:RESIDENT_MEMBERS_PER_COMMUNITY]:
        head = (
            Resident.objects.filter(household__building=building, relation="head", moved_out__isnull=True)
            .order_by("pk")
            .first()
        )
        if head is None:
            continue
        serial = len(residents)
        member, _ = PartyMember.objects.get_or_create(
            organisation=branch,
            resident=head,
            defaults={
                "name": head.name,
                "registered": SINCE,
                "joined_party": dt.date(1980 + serial * 5, 7, 1),
                "status": MemberStatus.PROBATIONARY if serial == 3 else MemberStatus.FULL,
                "kind": MemberKind.SERVING if serial == 4 else MemberKind.RESIDENT,
                "workplace": "县人民医院" if serial == 4 else "",
            },
        )
        residents.append(member)
    members = [*staff, *residents]
    for member in members:
        if not Liaison.objects.filter(kind=LiaisonKind.BRANCH_MEMBER, to_member=member, end__isnull=True).exists():
            Liaison.objects.create(
                kind=LiaisonKind.BRANCH_MEMBER, community=community, from_org=branch, to_member=member, start=SINCE
            )
    if Assignment.objects.filter(community=community).exists():
        return
    start = dt.date(2025, 3, 1)
    rows = [Assignment(member=officer, role=CoverageRole.POINT, community=community, start=start)]
    zones = list(dict.fromkeys(b.zone for b in buildings))
    rows += [
        Assignment(member=secretary, role=CoverageRole.ZONE, community=community, zone=z, start=start) for z in zones
    ]
    half = (len(buildings) + 1) // 2
    rows += [
        Assignment(
            member=staff[1] if n < half else staff[2],
            role=CoverageRole.BUILDING,
            community=community,
            building=b,
            start=start,
        )
        for n, b in enumerate(buildings)
    ]
    # members ordered so that each covers the stretch of doors where they live
    order = []
    for n, resident_member in enumerate(residents):
        order.append(resident_member)
        if n < len(staff):
            order.append(staff[n])
    order += [m for m in staff if m not in order]
    uncovered = UNCOVERED[index % len(UNCOVERED)]
    covered = households[: len(households) - uncovered]
    per = -(-len(covered) // len(order)) if order else 0
    pairs = [(order[n // per], h) for n, h in enumerate(covered)] if per else []
    rows += [
        Assignment(member=m, role=CoverageRole.HOUSEHOLD, community=community, household=h, start=start)
        for m, h in pairs
    ]
    Assignment.objects.bulk_create(rows)
    visits = []
    for member, household in pairs:
        for _n in range(rng.choice([0, 1, 1, 2, 2, 3])):
            visits.append(
                Visit(
                    member=member,
                    household=household,
                    date=today - dt.timedelta(days=rng.randint(1, 150)),
                    way=rng.choice([VisitWay.DOOR, VisitWay.DOOR, VisitWay.PHONE, VisitWay.WECHAT]),
                    raised=rng.choice(RAISED),
                    by_coverer=True,
                )
            )
    for visit in visits:
        visit.needs_follow_up = bool(visit.raised)
    Visit.objects.bulk_create(visits)

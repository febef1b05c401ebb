"""Factories of the party network, and its rows in the scoped-factory registry (isolation matrix)."""

from __future__ import annotations

import datetime as dt
import itertools

from partybuild.actions import rebuild_coverage_summaries
from partybuild.choices import CoverageRole, LiaisonKind, OrgKind, PositionRole
from partybuild.models import (
    Assignment,
    CommunityCoverageSummary,
    CoverageReport,
    Liaison,
    MemberLoadSummary,
    PartyMember,
    PartyOrganisation,
    Position,
    Visit,
    VisitDaySummary,
    VisitsDueNotice,
)
from tests import factories as f

_n = itertools.count(1)
SINCE = dt.date(2024, 1, 1)


def committee_of(town) -> PartyOrganisation:
    org, _ = PartyOrganisation.objects.get_or_create(
        town=town, kind=OrgKind.COMMITTEE, defaults={"name": f"中共{town.name}委员会"}
    )
    return org


def branch_of(community) -> PartyOrganisation:
    org, _ = PartyOrganisation.objects.get_or_create(
        town=community.town,
        name=f"中共{community.name}支部",
        defaults={"kind": OrgKind.BRANCH, "parent": committee_of(community.town), "community": community},
    )
    return org


def member_of(community=None, *, organisation=None, name=None, **extra) -> PartyMember:
    organisation = organisation or branch_of(community)
    return PartyMember.objects.create(
        organisation=organisation, name=name or f"党员{next(_n)}", registered=extra.pop("registered", SINCE), **extra
    )


def officer_of(town, role=PositionRole.COMMITTEE_MEMBER, **extra) -> PartyMember:
    committee = committee_of(town)
    member = member_of(organisation=committee, **extra)
    Position.objects.create(member=member, organisation=committee, role=role, start=SINCE)
    return member


def holder(community, role, **extra) -> PartyMember:
    """A member of the community's branch holding a branch position."""
    member = member_of(community, **extra)
    Position.objects.create(member=member, organisation=branch_of(community), role=role, start=SINCE)
    return member


def household_in(community, building=None):
    if building is None:
        return f.SCOPED_FACTORIES["community.Household"](community)
    return f.HouseholdFactory(building=building)


def cover(member, household, start=SINCE) -> Assignment:
    return Assignment.objects.create(
        member=member,
        role=CoverageRole.HOUSEHOLD,
        community=household.building.zone.community,
        household=household,
        start=start,
    )


def _group(community):
    branch = branch_of(community)
    return PartyOrganisation.objects.create(
        kind=OrgKind.GROUP, name=f"党小组{next(_n)}", parent=branch, town=community.town, community=community
    )


def _position(community):
    return Position.objects.create(
        member=member_of(community),
        organisation=branch_of(community),
        role=PositionRole.BRANCH_COMMITTEE_MEMBER,
        start=SINCE,
    )


def _liaison(community):
    return Liaison.objects.create(
        kind=LiaisonKind.BRANCH_MEMBER,
        community=community,
        from_org=branch_of(community),
        to_member=member_of(community),
        start=SINCE,
    )


def _visit(community):
    household = household_in(community)
    return Visit.objects.create(member=member_of(community), household=household, date=dt.date(2025, 5, 1))


def _notice(community):
    return VisitsDueNotice.objects.create(
        branch=branch_of(community),
        week=dt.date(2024, 1, 1) + dt.timedelta(weeks=next(_n)),
        due_days=90,
        household_count=0,
        body="-",
    )


def _report(community):
    n = next(_n)
    month = dt.date(2000 + n // 12, n % 12 + 1, 1)
    return CoverageReport.objects.create(
        community=community,
        month=month,
        households=0,
        covered=0,
        visited_30=0,
        visited_90=0,
        visits=0,
        members=0,
        members_outside_band=0,
        zones_uncovered=0,
        buildings_uncovered=0,
        ended_without_successor=0,
    )


def _summary(community):
    rebuild_coverage_summaries(communities=[community])
    return CommunityCoverageSummary.objects.get(community=community)


def _load(community):
    member = member_of(community)
    cover(member, household_in(community))
    rebuild_coverage_summaries(communities=[community])
    return MemberLoadSummary.objects.get(member=member)


def _visit_day(community):
    visit = _visit(community)
    rebuild_coverage_summaries(communities=[community])
    return VisitDaySummary.objects.get(community=community, date=visit.date)


f.SCOPED_FACTORIES.update(
    {
        "partybuild.PartyOrganisation": _group,
        "partybuild.PartyMember": lambda community: member_of(community),
        "partybuild.Position": _position,
        "partybuild.Liaison": _liaison,
        "partybuild.Assignment": lambda community: cover(member_of(community), household_in(community)),
        "partybuild.Visit": _visit,
        "partybuild.VisitsDueNotice": _notice,
        "partybuild.CoverageReport": _report,
        "partybuild.CommunityCoverageSummary": _summary,
        "partybuild.MemberLoadSummary": _load,
        "partybuild.VisitDaySummary": _visit_day,
    }
)

"""Coverage reads: right answers, and query counts that do not grow with the number of rows."""

import datetime as dt

import pytest

from community.models import Household
from partybuild import selectors
from partybuild.choices import CoverageRole, EndReason, PositionRole
from partybuild.models import Assignment, PartyMember, Visit
from tests import factories as f
from tests.conftest import assert_flat
from tests.partybuild import factories as pf

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)


def test_coverer_lookups(community_a):
    covered, bare = pf.household_in(community_a), pf.household_in(community_a)
    member = pf.member_of(community_a)
    pf.cover(member, covered)
    assert selectors.coverer_of_household(household_id=covered.pk) == member
    assert selectors.coverer_of_household(household_id=bare.pk) is None
    assert selectors.coverer_of_household(household_id=covered.pk, on=dt.date(2023, 1, 1)) is None
    assert selectors.coverers_for_households(household_ids=[covered.pk, bare.pk]) == {covered.pk: member}


def test_coverers_for_households_is_one_query(community_a, count_queries):
    households = [pf.household_in(community_a) for _ in range(6)]
    for household in households:
        pf.cover(pf.member_of(community_a), household)
    with count_queries() as counted:
        result = selectors.coverers_for_households(household_ids=[h.pk for h in households])
        assert {m.organisation.community_id for m in result.values()} == {community_a.pk}
    assert len(counted) == 1


def test_suggestions_prefer_the_same_building_then_the_lightest(community_a):
    home = pf.household_in(community_a)
    neighbour = pf.household_in(community_a, home.building)
    resident = f.ResidentFactory(household=home)
    near = pf.member_of(community_a, name="邻居", resident=resident)
    light = pf.member_of(community_a, name="空闲")
    for _ in range(4):
        pf.cover(near, pf.household_in(community_a))
    far = pf.household_in(community_a)
    suggested = selectors.suggest_coverers(
        households=Household.objects.filter(pk__in=[neighbour.pk, far.pk]).select_related("building__zone")
    )
    assert suggested[neighbour.pk].member == near and suggested[neighbour.pk].why == "building"
    assert suggested[far.pk].member == light and suggested[far.pk].why == "community"


def test_suggestions_skip_members_at_the_top_of_the_band(community_a, settings):
    settings.PARTYBUILD_LOAD_BAND = (1, 2)
    home = pf.household_in(community_a)
    near = pf.member_of(community_a, resident=f.ResidentFactory(household=home))
    light = pf.member_of(community_a)
    for _ in range(2):
        pf.cover(near, pf.household_in(community_a, home.building))
    pf.cover(light, pf.household_in(community_a))
    neighbour = pf.household_in(community_a, home.building)
    suggested = selectors.suggest_coverers(
        households=Household.objects.filter(pk=neighbour.pk).select_related("building__zone")
    )
    assert suggested[neighbour.pk].member == light


def _town_with_network(town, community_a, community_b, extra: int):
    """Covered and uncovered households, members, visits, an ended assignment: ``extra`` scales it."""
    for community in (community_a, community_b):
        secretary = PartyMember.objects.filter(
            positions__role=PositionRole.BRANCH_SECRETARY, organisation__community=community
        ).first() or pf.holder(community, PositionRole.BRANCH_SECRETARY)
        members = [secretary, *(pf.member_of(community) for _ in range(1 + extra))]
        for n in range(3 + extra * 4):
            household = pf.household_in(community)
            if n % 3:
                member = members[n % len(members)]
                pf.cover(member, household)
                Visit.objects.create(member=member, household=household, date=TODAY - dt.timedelta(days=10 * n))
        zone = household.building.zone
        Assignment.objects.create(
            member=secretary, role=CoverageRole.ZONE, community=community, zone=zone, start=pf.SINCE
        )


def test_coverage_summary_values(town, community_a, community_b):
    pf.officer_of(town)
    _town_with_network(town, community_a, community_b, 0)
    gone = pf.member_of(community_a)
    ended = pf.cover(gone, pf.household_in(community_a))
    Assignment.objects.filter(pk=ended.pk).update(end=dt.date(2025, 1, 1), end_reason=EndReason.MOVED)
    summary = selectors.coverage_summary(community_ids=[community_a.pk, community_b.pk], on=TODAY)
    a = next(r for r in summary.rows if r.id == community_a.pk)
    assert (a.households, a.uncovered) == (4, 2)
    assert (a.zones, a.zones_uncovered, a.buildings, a.buildings_uncovered) == (4, 3, 4, 4)
    assert not a.point_covered
    assert a.members == 3 and a.members_outside_band == 3  # loads 1, 1 and 0: all below five
    assert (a.visited_30, a.visited_90) == (2, 2)
    assert a.ended_without_successor == 1
    assert summary.households == 7 and summary.uncovered == 3 and summary.coverage_rate == 57.1
    assert summary.share("visited_30") == 57.1


def test_coverage_summary_query_count_is_flat(town, community_a, community_b, count_queries):
    _town_with_network(town, community_a, community_b, 0)
    with count_queries() as few:
        selectors.coverage_summary(community_ids=[community_a.pk, community_b.pk], on=TODAY)
    _town_with_network(town, community_a, community_b, 5)
    with count_queries() as many:
        summary = selectors.coverage_summary(community_ids=[community_a.pk, community_b.pk], on=TODAY)
    assert summary.households > 40
    assert_flat(few, many)


def test_suggestions_query_count_is_flat(town, community_a, community_b, count_queries):
    _town_with_network(town, community_a, community_b, 0)
    bare = Household.objects.filter(party_assignments__isnull=True).select_related("building__zone")
    with count_queries() as few:
        selectors.suggest_coverers(households=bare)
    _town_with_network(town, community_a, community_b, 5)
    with count_queries() as many:
        suggested = selectors.suggest_coverers(households=bare.all())
    assert len(suggested) > 10
    assert_flat(few, many)


def test_visits_due(community_a):
    member = pf.member_of(community_a)
    recent, stale, never = (pf.household_in(community_a) for _ in range(3))
    for household in (recent, stale):
        pf.cover(member, household)
    Visit.objects.create(member=member, household=recent, date=TODAY - dt.timedelta(days=5))
    Visit.objects.create(member=member, household=stale, date=TODAY - dt.timedelta(days=200))
    due = selectors.visits_due(community_id=community_a.pk, days=90, on=TODAY)
    assert {row.household.pk: (row.last_visit, row.coverer) for row in due} == {
        stale.pk: (TODAY - dt.timedelta(days=200), member),
        never.pk: (None, None),
    }

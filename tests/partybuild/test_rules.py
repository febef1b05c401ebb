"""The rules of 四联四包, proved on the actions (and the database constraints behind them)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from community.models import Household
from partybuild import actions, selectors
from partybuild.choices import CoverageRole, EndReason, LeaveReason, LiaisonKind, OrgKind, PositionRole
from partybuild.models import Assignment, Liaison, PartyMember, PartyOrganisation, Position, Visit
from tests.partybuild import factories as pf

pytestmark = pytest.mark.django_db
HH = CoverageRole.HOUSEHOLD


@pytest.fixture(autouse=True)
def english():
    """The rules' messages are matched in English here (their zh_Hans catalogue is checked elsewhere)."""
    with translation.override("en"):
        yield


def assign(by, member, target, role=HH, **kw):
    return actions.assignment_create(by=by, member_id=member.pk, role=role, target_id=target.pk, **kw)


def test_member_covers_a_household_of_their_community(staff_a, community_a):
    member, household = pf.member_of(community_a), pf.household_in(community_a)
    assignment = assign(staff_a, member, household)
    assert assignment.community == community_a and assignment.created_by == staff_a
    assert selectors.coverer_of_household(household_id=household.pk) == member


def test_second_active_coverer_is_refused_with_a_message(staff_a, community_a):
    household = pf.household_in(community_a)
    first, second = pf.member_of(community_a, name="甲"), pf.member_of(community_a, name="乙")
    assign(staff_a, first, household)
    with pytest.raises(ValidationError, match="already covered"):
        assign(staff_a, second, household)
    assert Assignment.objects.filter(household=household).count() == 1


def test_one_active_coverer_is_a_database_constraint(community_a):
    household = pf.household_in(community_a)
    pf.cover(pf.member_of(community_a), household)
    with pytest.raises(IntegrityError), transaction.atomic():
        pf.cover(pf.member_of(community_a), household)
    # an ended assignment does not block a new one
    Assignment.objects.filter(household=household).update(end=dt.date(2025, 1, 1), end_reason=EndReason.OTHER)
    pf.cover(pf.member_of(community_a), household)


def test_covering_a_household_of_another_community_is_refused(town_cadre, community_a, community_b):
    member, foreign = pf.member_of(community_a), pf.household_in(community_b)
    with pytest.raises(ValidationError, match="another community"):
        assign(town_cadre, member, foreign)
    assert not Assignment.objects.exists()


def test_staff_cannot_assign_outside_their_scope(staff_a, community_b):
    with pytest.raises(PermissionDenied):
        assign(staff_a, pf.member_of(community_b), pf.household_in(community_b))
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    "position,role,ok",
    [
        (None, CoverageRole.BUILDING, False),
        (None, CoverageRole.ZONE, False),
        (PositionRole.BRANCH_COMMITTEE_MEMBER, CoverageRole.BUILDING, True),
        (PositionRole.BRANCH_COMMITTEE_MEMBER, CoverageRole.ZONE, False),
        (PositionRole.BRANCH_SECRETARY, CoverageRole.ZONE, True),
        (PositionRole.BRANCH_SECRETARY, CoverageRole.POINT, False),
    ],
)
def test_the_duty_must_match_the_level(position, role, ok, town_cadre, community_a):
    member = pf.holder(community_a, position) if position else pf.member_of(community_a)
    household = pf.household_in(community_a)
    target = {
        CoverageRole.POINT: community_a,
        CoverageRole.ZONE: household.building.zone,
        CoverageRole.BUILDING: household.building,
    }[role]
    if ok:
        assert assign(town_cadre, member, target, role=role).target == target
    else:
        with pytest.raises(ValidationError, match="holds no such position"):
            assign(town_cadre, member, target, role=role)
        assert not Assignment.objects.exists()


def test_committee_members_cover_points_but_not_households(town, town_cadre, community_a):
    officer = pf.officer_of(town)
    assert assign(town_cadre, officer, community_a, role=CoverageRole.POINT).community == community_a
    with pytest.raises(ValidationError, match="another community"):
        assign(town_cadre, officer, pf.household_in(community_a))


def test_a_member_who_left_covers_nothing(staff_a, community_a):
    member = pf.member_of(community_a)
    actions.member_transfer_out(by=staff_a, member_id=member.pk, destination="市直机关党委")
    with pytest.raises(ValidationError, match="has left"):
        assign(staff_a, member, pf.household_in(community_a))


def test_transfer_out_ends_every_duty_with_the_reason(staff_a, community_a):
    member = pf.holder(community_a, PositionRole.BRANCH_COMMITTEE_MEMBER)
    households = [pf.household_in(community_a) for _ in range(3)]
    for household in households:
        assign(staff_a, member, household)
    building = assign(staff_a, member, households[0].building, role=CoverageRole.BUILDING)
    liaison = actions.liaison_create(
        by=staff_a, kind=LiaisonKind.BRANCH_MEMBER, from_org_id=pf.branch_of(community_a).pk, to_member_id=member.pk
    )
    with pytest.raises(ValidationError, match="Name the organisation"):
        actions.member_transfer_out(by=staff_a, member_id=member.pk)
    assert Assignment.objects.filter(member=member, end__isnull=True).count() == 4  # nothing half-done

    member, ended = actions.member_transfer_out(by=staff_a, member_id=member.pk, destination="县教育局党委")
    assert ended == 4
    assert member.left and member.left_reason == LeaveReason.TRANSFERRED_OUT and member.left_to == "县教育局党委"
    rows = Assignment.objects.filter(member=member)
    assert set(rows.values_list("end_reason", flat=True)) == {EndReason.TRANSFERRED_OUT}
    assert not rows.filter(end__isnull=True).exists()
    assert rows.get(pk=building.pk).ended_by == staff_a
    assert not Position.objects.filter(member=member, end__isnull=True).exists()
    liaison.refresh_from_db()
    assert liaison.end and liaison.end_reason == EndReason.TRANSFERRED_OUT
    ended_without = selectors.ended_without_successor_qs(dt.date.today()).filter(member=member)
    assert ended_without.count() == 4
    mine = Household.objects.filter(pk__in=[h.pk for h in households])
    assert selectors.uncovered_households_qs(mine).count() == 3


def test_handover_records_the_successor(staff_a, community_a):
    giver, taker = pf.member_of(community_a, name="甲"), pf.member_of(community_a, name="乙")
    household = pf.household_in(community_a)
    old = assign(staff_a, giver, household, start=dt.date(2025, 1, 1))
    new = actions.assignment_handover(by=staff_a, assignment_id=old.pk, to_member_id=taker.pk)
    old.refresh_from_db()
    assert old.end_reason == EndReason.REBALANCED and new.replaces == old and new.member == taker
    assert selectors.coverer_of_household(household_id=household.pk) == taker
    assert selectors.coverer_of_household(household_id=household.pk, on=dt.date(2025, 6, 1)) == giver
    assert not selectors.ended_without_successor_qs(dt.date.today()).exists()


def test_handover_to_a_foreign_member_changes_nothing(staff_a, town_cadre, community_a, community_b):
    old = assign(staff_a, pf.member_of(community_a), pf.household_in(community_a))
    with pytest.raises(ValidationError):
        actions.assignment_handover(by=town_cadre, assignment_id=old.pk, to_member_id=pf.member_of(community_b).pk)
    old.refresh_from_db()
    assert old.end is None


def test_bulk_assign_shares_a_building_lightest_first(staff_a, community_a):
    first = pf.household_in(community_a)
    building = first.building
    for _ in range(5):
        pf.household_in(community_a, building)
    busy, idle = pf.member_of(community_a, name="忙"), pf.member_of(community_a, name="闲")
    for _ in range(3):
        pf.cover(busy, pf.household_in(community_a))
    created = actions.coverage_bulk_assign_building(by=staff_a, building_id=building.pk, member_ids=[busy.pk, idle.pk])
    assert len(created) == 6
    loads = selectors.member_loads(member_ids=[busy.pk, idle.pk])
    assert loads[busy.pk] + loads[idle.pk] == 9 and abs(loads[busy.pk] - loads[idle.pk]) <= 1
    assert [a.member for a in created[:3]] == [idle] * 3  # the idle member first
    with pytest.raises(ValidationError, match="already covered"):
        actions.coverage_bulk_assign_building(by=staff_a, building_id=building.pk, member_ids=[idle.pk])


def test_bulk_assign_is_all_or_nothing(town_cadre, community_a, community_b):
    household = pf.household_in(community_a)
    pf.household_in(community_a, household.building)
    ok, foreign = pf.member_of(community_a), pf.member_of(community_b)
    with pytest.raises(ValidationError):
        actions.coverage_bulk_assign_building(
            by=town_cadre, building_id=household.building_id, member_ids=[ok.pk, foreign.pk]
        )
    assert not Assignment.objects.exists()


def test_rebalance_brings_loads_into_the_band(staff_a, community_a):
    heavy, light = pf.member_of(community_a, name="重"), pf.member_of(community_a, name="轻")
    for _ in range(13):
        pf.cover(heavy, pf.household_in(community_a))
    pf.cover(light, pf.household_in(community_a))
    moved = actions.coverage_rebalance(by=staff_a, community_id=community_a.pk)
    assert len(moved) == 3 and all(a.replaces.end_reason == EndReason.REBALANCED for a in moved)
    assert selectors.member_loads(member_ids=[heavy.pk, light.pk]) == {heavy.pk: 10, light.pk: 4}


def test_visit_by_a_non_coverer_is_kept_but_flagged(staff_a, community_a):
    household = pf.household_in(community_a)
    coverer, other = pf.member_of(community_a, name="甲"), pf.member_of(community_a, name="乙")
    assign(staff_a, coverer, household, start=dt.date(2025, 1, 1))
    good = actions.visit_record(by=staff_a, member_id=coverer.pk, household_id=household.pk, date=dt.date(2025, 2, 1))
    flagged = actions.visit_record(
        by=staff_a, member_id=other.pk, household_id=household.pk, date=dt.date(2025, 2, 1), raised="楼道灯坏了"
    )
    early = actions.visit_record(by=staff_a, member_id=coverer.pk, household_id=household.pk, date=dt.date(2024, 12, 1))
    assert good.by_coverer and not flagged.by_coverer and not early.by_coverer
    assert flagged.needs_follow_up


@pytest.mark.parametrize(
    "change,message",
    [
        ({"date": dt.date.today() + dt.timedelta(days=1)}, "future"),
        ({"way": "pigeon"}, "how the visit"),
    ],
)
def test_bad_visits_are_refused(change, message, staff_a, community_a):
    kwargs = {
        "by": staff_a,
        "member_id": pf.member_of(community_a).pk,
        "household_id": pf.household_in(community_a).pk,
        "date": dt.date(2025, 2, 1),
        **change,
    }
    with pytest.raises(ValidationError, match=message):
        actions.visit_record(**kwargs)
    assert not Visit.objects.exists()


def test_visit_of_another_community_is_refused(staff_a, community_a, community_b):
    with pytest.raises(PermissionDenied):
        actions.visit_record(
            by=staff_a,
            member_id=pf.member_of(community_a).pk,
            household_id=pf.household_in(community_b).pk,
            date=dt.date(2025, 2, 1),
        )


def test_visit_links_to_a_service_request_once(staff_a, community_a):
    visit = actions.visit_record(
        by=staff_a,
        member_id=pf.member_of(community_a).pk,
        household_id=pf.household_in(community_a).pk,
        date=dt.date(2025, 2, 1),
        raised="路灯不亮",
    )
    linked = actions.visit_link_request(by=staff_a, visit_id=visit.pk, request_code=" SR-2025-0001 ")
    assert linked.service_request_code == "SR-2025-0001"
    assert actions.visit_link_request(by=staff_a, visit_id=visit.pk, request_code="SR-2025-0001") == linked
    with pytest.raises(ValidationError, match="already linked"):
        actions.visit_link_request(by=staff_a, visit_id=visit.pk, request_code="SR-2025-0002")
    with pytest.raises(ValidationError, match="tracking code"):
        actions.visit_link_request(by=staff_a, visit_id=visit.pk, request_code="  ")


def test_liaison_level_rules(town, town_cadre, community_a, community_b):
    committee, branch_a = pf.committee_of(town), pf.branch_of(community_a)
    officer = pf.officer_of(town)
    secretary = pf.holder(community_a, PositionRole.BRANCH_SECRETARY)
    plain = pf.member_of(community_a)
    link = actions.liaison_create(
        by=town_cadre, kind=LiaisonKind.COMMITTEE_BRANCH, from_org_id=committee.pk, to_org_id=branch_a.pk
    )
    assert link.community == community_a
    with pytest.raises(ValidationError, match="already recorded"):
        actions.liaison_create(
            by=town_cadre, kind=LiaisonKind.COMMITTEE_BRANCH, from_org_id=committee.pk, to_org_id=branch_a.pk
        )
    assert (
        actions.liaison_create(
            by=town_cadre, kind=LiaisonKind.MEMBER_SECRETARY, from_member_id=officer.pk, to_member_id=secretary.pk
        ).community
        == community_a
    )
    with pytest.raises(ValidationError, match="not with other members"):
        actions.liaison_create(
            by=town_cadre, kind=LiaisonKind.MEMBER_SECRETARY, from_member_id=officer.pk, to_member_id=plain.pk
        )
    with pytest.raises(ValidationError, match="Only a member of the town party committee"):
        actions.liaison_create(
            by=town_cadre, kind=LiaisonKind.MEMBER_SECRETARY, from_member_id=plain.pk, to_member_id=secretary.pk
        )
    with pytest.raises(ValidationError, match="its own members"):
        actions.liaison_create(
            by=town_cadre,
            kind=LiaisonKind.BRANCH_MEMBER,
            from_org_id=branch_a.pk,
            to_member_id=pf.member_of(community_b).pk,
        )
    assert Liaison.objects.count() == 2


def test_position_rules(town, town_cadre, community_a):
    branch = pf.branch_of(community_a)
    first = pf.member_of(community_a)
    wrong_level = Position(member=first, organisation=pf.committee_of(town), role=PositionRole.BRANCH_SECRETARY)
    with pytest.raises(ValidationError, match="is held in a"):
        actions.position_save(by=town_cadre, instance=wrong_level)
    actions.position_save(
        by=town_cadre, instance=Position(member=first, organisation=branch, role=PositionRole.BRANCH_SECRETARY)
    )
    second = Position(member=pf.member_of(community_a), organisation=branch, role=PositionRole.BRANCH_SECRETARY)
    with pytest.raises(ValidationError, match="already has a"):
        actions.position_save(by=town_cadre, instance=second)
    assert Position.objects.count() == 1


def test_ending_a_position_ends_the_duties_it_carried(town_cadre, community_a):
    secretary = pf.holder(community_a, PositionRole.BRANCH_SECRETARY)
    household = pf.household_in(community_a)
    zone = assign(town_cadre, secretary, household.building.zone, role=CoverageRole.ZONE)
    own = assign(town_cadre, secretary, household)
    actions.position_end(by=town_cadre, position_id=secretary.positions.get().pk)
    zone.refresh_from_db()
    own.refresh_from_db()
    assert zone.end_reason == EndReason.POSITION_ENDED
    assert own.end is None  # covering a household needs no position


def test_organisation_tree_rules(town, town_cadre, staff_a, community_a):
    committee = pf.committee_of(town)
    with pytest.raises(ValidationError, match="directly under"):
        actions.organisation_save(
            by=town_cadre,
            instance=PartyOrganisation(kind=OrgKind.GROUP, name="第一党小组", parent=committee, community=community_a),
        )
    group = actions.organisation_save(
        by=town_cadre,
        instance=PartyOrganisation(
            kind=OrgKind.GROUP, name="第一党小组", parent=pf.branch_of(community_a), community=community_a
        ),
    )
    assert group.town == town
    with pytest.raises(PermissionDenied):
        committee.name = "改名"
        actions.organisation_save(by=staff_a, instance=committee)


def test_changing_a_members_organisation_hands_back_their_duties(town_cadre, community_a, community_b):
    member = pf.member_of(community_a)
    assignment = assign(town_cadre, member, pf.household_in(community_a))
    member.organisation = pf.branch_of(community_b)
    actions.member_save(by=town_cadre, instance=member)
    assignment.refresh_from_db()
    assert assignment.end_reason == EndReason.TRANSFERRED_OUT
    assert Liaison.objects.get(to_member=member, end__isnull=True).from_org == pf.branch_of(community_b)
    assert PartyMember.objects.get(pk=member.pk).organisation.community == community_b

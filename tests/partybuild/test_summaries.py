"""The coverage summaries kept on write: after any sequence of writes they agree with a recount from the
records, the reads that use them cost a fixed number of queries, and they are scoped like every other row."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import asdict

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community import actions as core_actions
from community.models import Building, Household, Zone
from community.scoping import scope_of
from partybuild import actions, selectors, tasks
from partybuild.choices import CoverageRole, EndReason, LeaveReason, PositionRole
from partybuild.models import (
    Assignment,
    CommunityCoverageSummary,
    MemberLoadSummary,
    PartyMember,
    Position,
    Visit,
    VisitDaySummary,
)
from tests import factories as f
from tests.conftest import assert_flat
from tests.partybuild import factories as pf

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def _today() -> dt.date:
    return timezone.localdate()


def _agree(community_ids, *, user=None, town=None) -> None:
    """The summaries hold today, and what is read from them is what a recount from the records finds."""
    ids = list(community_ids)
    assert CommunityCoverageSummary.objects.filter(community_id__in=ids).fresh(_today()).count() == len(ids)
    stored = selectors.coverage_summary(community_ids=ids)
    counted = selectors.coverage_summary(community_ids=ids, live=True)
    assert [asdict(r) for r in stored.rows] == [asdict(r) for r in counted.rows]
    assert stored.members == counted.members
    if user is not None:
        summaries = selectors.summarised_communities(user=user, level="town", unit_id=town.pk)
        assert summaries is not None
        read = selectors.uncovered_children(user=user, level="town", unit_id=town.pk, summaries=summaries)
        assert read == _children_counted(user, town)
        assert selectors.uncovered_count(user=user, level="town", unit_id=town.pk, summaries=summaries) == (
            selectors.uncovered_in(user=user, level="town", unit_id=town.pk).count()
        )


def _children_counted(user, town):
    """The drill-down's towns or communities counted from the records (no summaries)."""
    original = selectors.summarised_communities
    selectors.summarised_communities = lambda **kwargs: None
    try:
        return selectors.uncovered_children(user=user, level="town", unit_id=town.pk)
    finally:
        selectors.summarised_communities = original


# --- a small network, and random writes on it ---------------------------------------------------------


@pytest.fixture
def network(town, community_a, community_b):
    """Two communities, each with two zones of two buildings of three households, a branch secretary, a
    branch committee member and three members; a town committee member covering communities (包点)."""
    cadre = f.town_cadre_of(town)
    officer = pf.officer_of(town)
    places = {"households": [], "buildings": [], "zones": [], "members": [], "holders": []}
    for community in (community_a, community_b):
        for _z in range(2):
            zone = f.ZoneFactory(community=community)
            places["zones"].append(zone)
            for _b in range(2):
                building = f.BuildingFactory(zone=zone)
                places["buildings"].append(building)
                places["households"] += [f.HouseholdFactory(building=building) for _ in range(3)]
        places["holders"] += [
            pf.holder(community, PositionRole.BRANCH_SECRETARY),
            pf.holder(community, PositionRole.BRANCH_COMMITTEE_MEMBER),
        ]
        places["members"] += [pf.member_of(community) for _ in range(3)]
    places["members"] += places["holders"]
    actions.rebuild_coverage_summaries(communities=[community_a, community_b])
    return {"cadre": cadre, "officer": officer, "communities": [community_a, community_b], **places}


def _community_of(household) -> int:
    return Household.objects.filter(pk=household.pk).values_list("building__zone__community_id", flat=True).first()


def _pick(rows, index):
    rows = list(rows)
    return rows[index % len(rows)] if rows else None


def _apply(net, op) -> None:
    """One write through the actions (or, for places, through the core's ``record_save``); a write the rules
    refuse changes nothing."""
    kind, i, j, days = op
    by, today = net["cadre"], _today()
    on = today + dt.timedelta(days=days)
    open_ = Assignment.objects.filter(end__isnull=True, community__in=net["communities"]).order_by("pk")
    if kind == "assign":  # mostly a member of the household's community (else refused)
        household = _pick(net["households"], j)
        member = _pick([m for m in net["members"] if m.organisation.community_id == _community_of(household)], i)
        actions.assignment_create(
            by=by, member_id=member.pk, role=CoverageRole.HOUSEHOLD, target_id=household.pk, start=on
        )
    elif kind == "assign_unit":
        holder = _pick(net["holders"], i)
        role, targets = _pick([(CoverageRole.ZONE, net["zones"]), (CoverageRole.BUILDING, net["buildings"])], j // 7)
        actions.assignment_create(by=by, member_id=holder.pk, role=role, target_id=_pick(targets, j).pk, start=on)
    elif kind == "assign_point":
        community = _pick(net["communities"], i)
        actions.assignment_create(
            by=by, member_id=net["officer"].pk, role=CoverageRole.POINT, target_id=community.pk, start=on
        )
    elif kind == "end":
        assignment = _pick(open_, i)
        if assignment is not None:
            actions.assignment_end(by=by, assignment_id=assignment.pk, reason=EndReason.OTHER, on=on)
    elif kind == "handover":
        assignment = _pick(open_.filter(role=CoverageRole.HOUSEHOLD), i)
        if assignment is not None:
            members = [m for m in net["members"] if m.organisation.community_id == assignment.community_id]
            actions.assignment_handover(by=by, assignment_id=assignment.pk, to_member_id=_pick(members, j).pk)
    elif kind == "visit":
        actions.visit_record(
            by=by,
            member_id=_pick(net["members"], i).pk,
            household_id=_pick(net["households"], j).pk,
            date=today - dt.timedelta(days=abs(days) * 9),
        )
    elif kind == "transfer":
        member = _pick(PartyMember.objects.filter(pk__in=[m.pk for m in net["members"]], left__isnull=True), i)
        if member is not None:
            actions.member_transfer_out(by=by, member_id=member.pk, on=max(on, today), reason=LeaveReason.MOVED)
    elif kind == "bulk":
        building = _pick(net["buildings"], i)
        members = [m for m in net["members"] if m.organisation.community_id == building.zone.community_id]
        actions.coverage_bulk_assign_building(
            by=by, building_id=building.pk, member_ids=[_pick(members, j).pk, _pick(members, j + 1).pk]
        )
    elif kind == "rebalance":
        actions.coverage_rebalance(by=by, community_id=_pick(net["communities"], i).pk, band=(0, 1))
    elif kind == "end_position":
        position = _pick(Position.objects.filter(member__in=net["holders"], end__isnull=True).order_by("pk"), i)
        if position is not None:
            actions.position_end(by=by, position_id=position.pk)
    elif kind == "new_member":
        community = _pick(net["communities"], i)
        member = PartyMember(organisation=pf.branch_of(community), name=f"新党员{next(_numbers)}", registered=on)
        net["members"].append(actions.member_save(by=by, instance=member))
    elif kind == "new_household":
        household = Household(building=_pick(net["buildings"], i), number=f"9-{next(_numbers)}")
        net["households"].append(core_actions.record_save(by=by, instance=household))
    elif kind == "new_building":
        building = Building(zone=_pick(net["zones"], i), name=f"新楼{next(_numbers)}")
        net["buildings"].append(core_actions.record_save(by=by, instance=building))
    elif kind == "new_zone":
        zone = Zone(community=_pick(net["communities"], i), name=f"新片区{next(_numbers)}")
        net["zones"].append(core_actions.record_save(by=by, instance=zone))
    elif kind == "move_household":
        household = Household.objects.get(pk=_pick(net["households"], i).pk)
        household.building = _pick(net["buildings"], j)
        core_actions.record_save(by=by, instance=household)
    elif kind == "move_building":
        building = Building.objects.get(pk=_pick(net["buildings"], i).pk)
        building.zone = _pick(net["zones"], j)
        core_actions.record_save(by=by, instance=building)
    elif kind == "delete_household":
        household = _pick(net["households"], i)
        try:
            with transaction.atomic():
                Household.objects.get(pk=household.pk).delete()
        except (ProtectedError, Household.DoesNotExist):
            return
        net["households"].remove(household)


KINDS = [
    "assign",
    "assign",
    "assign",
    "assign_unit",
    "assign_point",
    "end",
    "end",
    "handover",
    "visit",
    "visit",
    "transfer",
    "bulk",
    "rebalance",
    "end_position",
    "new_member",
    "new_household",
    "new_building",
    "new_zone",
    "move_household",
    "move_building",
    "delete_household",
]
# (kind, index, index, days from today: most writes today, some dated before or after)
operations = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(0, 30),
        st.integers(0, 30),
        st.sampled_from([0, 0, 0, -20, -3, 2, 10]),
    ),
    min_size=3,
    max_size=30,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_summaries_agree_with_a_recount_after_any_sequence_of_writes(network, town, ops):
    network = {key: list(value) if isinstance(value, list) else value for key, value in network.items()}
    with transaction.atomic():  # each example from the same start (the lists above are this example's)
        for op in ops:
            try:
                with transaction.atomic():
                    _apply(network, op)
            except (ValidationError, PermissionDenied):
                pass  # refused by the rules: nothing written
        _agree([c.pk for c in network["communities"]], user=network["cadre"], town=town)
        transaction.set_rollback(True)


def test_every_kind_of_write_keeps_them_in_step(network, town):
    """The same check, deterministically: each kind of write once, in an order where each one applies."""
    cadre, (a, _b) = network["cadre"], network["communities"]
    household = network["households"][0]
    member = next(m for m in network["members"] if m.organisation.community_id == a.pk)
    ids = [c.pk for c in network["communities"]]
    created = actions.assignment_create(
        by=cadre, member_id=member.pk, role=CoverageRole.HOUSEHOLD, target_id=household.pk
    )
    _agree(ids, user=cadre, town=town)
    actions.visit_record(by=cadre, member_id=member.pk, household_id=household.pk, date=_today())
    _agree(ids)
    other = next(m for m in network["members"] if m.organisation.community_id == a.pk and m.pk != member.pk)
    actions.assignment_handover(by=cadre, assignment_id=created.pk, to_member_id=other.pk)
    _agree(ids)
    for kind in ["assign_point", "assign_unit", "bulk", "rebalance", "new_household", "new_zone", "new_building"]:
        _apply(network, (kind, 0, 1, 0))
        _agree(ids, user=cadre, town=town)
    _apply(network, ("move_household", 1, 5, 0))  # a household of A moves into a building of B
    _agree(ids, user=cadre, town=town)
    _apply(network, ("end_position", 0, 0, 0))
    _apply(network, ("transfer", 0, 0, 0))
    _apply(network, ("new_member", 1, 0, 0))
    _agree(ids, user=cadre, town=town)
    summary = CommunityCoverageSummary.objects.get(community=a)
    assert summary.households == Household.objects.filter(building__zone__community=a).count()


def test_a_dated_write_is_counted_live_from_its_day_until_the_nightly_rebuild(network, monkeypatch):
    cadre, (a, b) = network["cadre"], network["communities"]
    member = next(m for m in network["members"] if m.organisation.community_id == a.pk)
    later = _today() + dt.timedelta(days=5)
    actions.assignment_create(
        by=cadre,
        member_id=member.pk,
        role=CoverageRole.HOUSEHOLD,
        target_id=network["households"][0].pk,
        start=later,
    )
    summary = CommunityCoverageSummary.objects.get(community=a)
    assert summary.changes_on == later and summary.covered == 0  # not covered yet today
    _agree([a.pk, b.pk])
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    assert selectors.summaries_due(on=later) == [a.pk]
    counted = selectors.coverage_summary(community_ids=[a.pk], live=True).rows[0]
    assert counted.uncovered == summary.uncovered - 1
    assert selectors.coverage_summary(community_ids=[a.pk]).rows[0] == counted  # counted live meanwhile
    assert tasks.coverage_summaries_nightly.run() == 1
    _agree([a.pk, b.pk])


def test_a_write_that_fails_leaves_the_summaries_as_they_were(network):
    cadre, a = network["cadre"], network["communities"][0]
    before = CommunityCoverageSummary.objects.get(community=a).refreshed_at
    outsider = pf.member_of(network["communities"][1])
    with pytest.raises(ValidationError):
        actions.assignment_create(
            by=cadre, member_id=outsider.pk, role=CoverageRole.HOUSEHOLD, target_id=network["households"][0].pk
        )
    assert CommunityCoverageSummary.objects.get(community=a).refreshed_at == before


def test_a_community_without_a_summary_is_counted_live(network):
    a, b = network["communities"]
    CommunityCoverageSummary.objects.filter(community=b).delete()
    summary = selectors.coverage_summary(community_ids=[a.pk, b.pk])
    counted = selectors.coverage_summary(community_ids=[a.pk, b.pk], live=True)
    assert [asdict(r) for r in summary.rows] == [asdict(r) for r in counted.rows]
    assert summary.members == counted.members
    assert selectors.summaries_due(on=_today()) == [b.pk]
    household = Household(building=network["buildings"][-1], number="新-1")
    core_actions.record_save(by=network["cadre"], instance=household)  # the core's writes make no summary
    assert not CommunityCoverageSummary.objects.filter(community=b).exists()
    member = next(m for m in network["members"] if m.organisation.community_id == b.pk)
    Visit.objects.create(member=member, household=household, date=_today() - dt.timedelta(days=2))
    actions.assignment_create(  # the first action there makes it whole, visit days included
        by=network["cadre"], member_id=member.pk, role=CoverageRole.HOUSEHOLD, target_id=household.pk
    )
    _agree([a.pk, b.pk])
    assert VisitDaySummary.objects.filter(community=b).exists()


def test_the_full_rebuild_drops_the_rows_of_communities_gone(network):
    a, b = network["communities"]
    CommunityCoverageSummary.objects.create(community_id=b.pk + 10_000, as_of=_today(), refreshed_at=timezone.now())
    assert actions.rebuild_coverage_summaries() == 2
    assert set(CommunityCoverageSummary.objects.values_list("community_id", flat=True)) == {a.pk, b.pk}
    assert set(MemberLoadSummary.objects.values_list("community_id", flat=True)) <= {a.pk, b.pk}


# --- query counts: fixed whatever the number of rows ---------------------------------------------------


def _grow(community, n: int) -> None:
    """``n`` covered and visited households, ``n`` nobody covers; the first time, a zone covered (包片)."""
    secretary = pf.holder(community, PositionRole.BRANCH_SECRETARY) if n == 1 else None
    for _ in range(n):
        household = pf.household_in(community)
        member = pf.member_of(community)
        pf.cover(member, household)
        Visit.objects.create(member=member, household=household, date=_today() - dt.timedelta(days=3))
        pf.household_in(community)
        if secretary is not None:
            Assignment.objects.create(
                member=secretary,
                role=CoverageRole.ZONE,
                community=community,
                zone=household.building.zone,
                start=pf.SINCE,
            )
    actions.rebuild_coverage_summaries(communities=[community])


def test_reads_from_the_summaries_cost_a_fixed_number_of_queries(
    client, town, community_a, community_b, official, count_queries
):
    client.force_login(official)
    ids = [community_a.pk, community_b.pk]
    for community in (community_a, community_b):
        _grow(community, 1)
    client.get("/partybuild/coverage/")  # warm the per-process caches
    with count_queries() as few:
        selectors.coverage_summary(community_ids=ids)
        client.get("/api/v1/partybuild/coverage/")
        client.get("/partybuild/coverage/")
        client.get("/api/v1/partybuild/coverage/", {"level": "town", "id": town.pk})
    for community in (community_a, community_b):
        _grow(community, 8)
    with count_queries() as many:
        summary = selectors.coverage_summary(community_ids=ids)
        body = client.get("/api/v1/partybuild/coverage/").json()
        page = client.get("/partybuild/coverage/")
        client.get("/api/v1/partybuild/coverage/", {"level": "town", "id": town.pk})
    assert (summary.households, summary.uncovered, len(body["members"])) == (36, 18, 20)
    assert page.context["page"].paginator.count == 18 and len(page.context["rows"]) == 18
    assert_flat(few, many)
    with count_queries() as alone:
        selectors.coverage_summary(community_ids=ids)
    assert len(alone) == 4  # communities, their summaries, members' loads, visit days


def test_a_write_rebuilds_with_a_fixed_number_of_statements(network, count_queries):
    a = network["communities"][0]
    with count_queries() as few:
        actions.rebuild_coverage_summaries(communities=[a])
    for _ in range(10):
        pf.household_in(a)
    with count_queries() as many:
        actions.rebuild_coverage_summaries(communities=[a])
    assert_flat(few, many)
    with count_queries() as added:
        pf.household_in(a, network["buildings"][0])
    summary_sql = [q for q in added.ctx.captured_queries if CommunityCoverageSummary._meta.db_table in q["sql"]]
    assert len(summary_sql) == 1 and summary_sql[0]["sql"].startswith("UPDATE")  # one more, no rebuild


# --- scope: the summaries are read through the one rule -------------------------------------------------


def test_the_summaries_are_scoped_like_every_community_row(network, staff_a, staff_b):
    a, b = network["communities"]
    for model in (CommunityCoverageSummary, MemberLoadSummary, VisitDaySummary):
        f.make_placed(model, a)
        f.make_placed(model, b)
    for staff, own in [(staff_a, a), (staff_b, b)]:
        for model in (CommunityCoverageSummary, MemberLoadSummary, VisitDaySummary):
            seen = set(model.objects.for_scope(scope_of(staff)).values_list("community_id", flat=True))
            assert seen == {own.pk}, model
    assert not CommunityCoverageSummary.objects.for_scope(None).exists()


def test_staff_see_only_their_own_community_in_the_coverage_answer(client, network, staff_a):
    a, b = network["communities"]
    client.force_login(staff_a)
    body = client.get("/api/v1/partybuild/coverage/").json()
    assert body["level"] == "community" and [r["id"] for r in body["communities"]] == [a.pk]
    assert {m["community"] for m in body["members"]} == {a.pk}
    assert client.get("/api/v1/partybuild/coverage/", {"level": "community", "id": b.pk}).status_code == 403


def test_the_weekly_rebuild_repairs_rows_a_bypassing_write_left_stale(network):
    a = network["communities"][0]
    CommunityCoverageSummary.objects.filter(community=a).update(covered=0, households=0)  # a write outside the actions
    assert tasks.coverage_summaries_weekly.run() >= 1
    _agree([c.pk for c in network["communities"]])

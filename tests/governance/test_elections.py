"""Committee elections: the roll from the register, objections, candidates, tallies, result and the roster."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance import actions
from governance.choices import ElectionStatus, ObjectionKind, VoterChange
from governance.models import BallotBox, Election, Notice, Voter
from staffing.choices import Origin
from staffing.models import StaffMember
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() + dt.timedelta(days=20)


def _election(staff, community, **extra):
    return actions.election_create(
        by=staff,
        election=Election(
            community=community,
            title="第七届换届选举",
            election_day=extra.pop("day", DAY),
            seats=extra.pop("seats", 2),
            term_start=DAY + dt.timedelta(days=10),
            term_end=DAY + dt.timedelta(days=10 + 5 * 365),
        ),
    )


def test_roll_takes_adults_living_in_the_community_on_election_day(staff_a, community_a, community_b, make_resident):
    eighteen = make_resident(born=DAY.replace(year=DAY.year - 18))  # 18 exactly on the day
    almost = make_resident(born=DAY.replace(year=DAY.year - 18) + dt.timedelta(days=1))
    leaving = make_resident(moved_out=DAY - dt.timedelta(days=1))
    leaving_after = make_resident(moved_out=DAY + dt.timedelta(days=3))
    arriving_late = make_resident(moved_in=DAY + dt.timedelta(days=2))
    elsewhere = f.SCOPED_FACTORIES["community.Resident"](community_b)
    election = _election(staff_a, community_a)
    assert actions.roll_generate(by=staff_a, election_id=election.pk) == 2
    on_roll = set(Voter.objects.filter(election=election).values_list("resident_id", flat=True))
    assert on_roll == {eighteen.pk, leaving_after.pk}
    assert not {almost.pk, leaving.pk, arriving_late.pk, elsewhere.pk} & on_roll
    election.refresh_from_db()
    assert election.voters == 2


@pytest.fixture
def published_roll(staff_a, community_a, make_resident):
    voters = [make_resident(born=dt.date(1970 + i, 3, 1)) for i in range(6)]
    election = _election(staff_a, community_a)
    actions.roll_generate(by=staff_a, election_id=election.pk)
    deadline = timezone.localdate() + dt.timedelta(days=5)
    actions.roll_publish(by=staff_a, election_id=election.pk, objection_deadline=deadline)
    return election, voters


def test_objections_add_and_remove_with_history(staff_a, published_roll, make_resident):
    election, voters = published_roll
    with pytest.raises(ValidationError, match="not possible"):
        actions.roll_generate(by=staff_a, election_id=election.pk)  # the published roll is not remade
    missing = make_resident(born=dt.date(1990, 1, 1))
    Voter.objects.filter(resident=missing).delete()
    add = actions.objection_lodge(
        by=staff_a, election_id=election.pk, resident=missing, kind=ObjectionKind.ADD, reason="漏登"
    )
    remove = actions.objection_lodge(
        by=staff_a, election_id=election.pk, resident=voters[0], kind=ObjectionKind.REMOVE, reason="已迁出"
    )
    with pytest.raises(ValidationError, match="already on the roll"):
        actions.objection_lodge(
            by=staff_a, election_id=election.pk, resident=voters[1], kind=ObjectionKind.ADD, reason="重复"
        )
    actions.objection_decide(by=staff_a, objection_id=add.pk, upheld=True, decision="核实属实")
    actions.objection_decide(by=staff_a, objection_id=remove.pk, upheld=True, decision="核实属实")
    added = Voter.objects.get(election=election, resident=missing)
    removed = Voter.objects.get(election=election, resident=voters[0])
    assert (added.on_roll, added.change) == (True, VoterChange.ADDED)
    assert (removed.on_roll, removed.change) == (False, VoterChange.REMOVED)
    assert removed.history.count() == 2  # generated, then removed
    election.refresh_from_db()
    assert election.voters == 6
    with pytest.raises(ValidationError, match="already been decided"):
        actions.objection_decide(by=staff_a, objection_id=add.pk, upheld=False, decision="…")


def test_an_objection_adding_a_minor_is_refused(staff_a, published_roll, make_resident):
    election, _voters = published_roll
    child = make_resident(born=DAY - dt.timedelta(days=365 * 10))
    objection = actions.objection_lodge(
        by=staff_a, election_id=election.pk, resident=child, kind=ObjectionKind.ADD, reason="应登"
    )
    with pytest.raises(ValidationError, match="18"):
        actions.objection_decide(by=staff_a, objection_id=objection.pk, upheld=True, decision="…")
    assert not Voter.objects.filter(resident=child).exists()


@pytest.fixture
def voting(staff_a, published_roll):
    election, voters = published_roll
    candidates = [
        actions.candidate_add(by=staff_a, election_id=election.pk, resident=v, post="member", education="college")
        for v in voters[:3]
    ]
    actions.voting_open(by=staff_a, election_id=election.pk)
    election.refresh_from_db()
    box = actions.box_save(by=staff_a, box=BallotBox(election=election, name="中心投票站", ballots_issued=4))
    return election, voters, candidates, box


def test_voting_needs_more_candidates_than_seats(staff_a, published_roll):
    election, voters = published_roll
    actions.candidate_add(by=staff_a, election_id=election.pk, resident=voters[0], post="member", education="college")
    with pytest.raises(ValidationError, match="more candidates"):
        actions.voting_open(by=staff_a, election_id=election.pk)
    election.refresh_from_db()
    assert election.status == ElectionStatus.ROLL_PUBLISHED


def test_a_candidate_must_be_on_the_roll(staff_a, published_roll, community_b):
    election, _ = published_roll
    stranger = f.SCOPED_FACTORIES["community.Resident"](community_b)
    with pytest.raises(ValidationError, match="roll"):
        actions.candidate_add(
            by=staff_a, election_id=election.pk, resident=stranger, post="member", education="college"
        )


def test_tallies_above_the_ballots_are_refused(staff_a, voting):
    election, _voters, candidates, box = voting
    with pytest.raises(ValidationError, match="only 4 were issued"):
        actions.tally_record(by=staff_a, box_id=box.pk, ballots_returned=5, invalid_ballots=0, votes={})
    with pytest.raises(ValidationError, match="valid ballots"):
        actions.tally_record(
            by=staff_a, box_id=box.pk, ballots_returned=4, invalid_ballots=1, votes={candidates[0].pk: 4}
        )
    with pytest.raises(ValidationError, match="candidates"):
        actions.tally_record(by=staff_a, box_id=box.pk, ballots_returned=4, invalid_ballots=0, votes={999999: 1})
    box.refresh_from_db()
    assert (box.counted, box.ballots_returned, box.tallies.count()) == (False, 0, 0)


def test_a_ballot_for_someone_outside_the_roll_is_refused(staff_a, voting, make_resident):
    election, voters, _candidates, box = voting
    outsider = make_resident(born=DAY - dt.timedelta(days=365 * 10))
    with pytest.raises(ValidationError, match="not on the voter roll"):
        actions.ballot_issue(by=staff_a, box_id=box.pk, resident=outsider)
    actions.ballot_issue(by=staff_a, box_id=box.pk, resident=voters[1])
    with pytest.raises(ValidationError, match="already received"):
        actions.ballot_issue(by=staff_a, box_id=box.pk, resident=voters[1])
    box.refresh_from_db()
    assert box.ballots_issued == 5


def test_count_publish_and_seat(staff_a, voting):
    election, voters, candidates, box = voting
    actions.tally_record(
        by=staff_a,
        box_id=box.pk,
        ballots_returned=4,
        invalid_ballots=0,
        votes={candidates[0].pk: 4, candidates[1].pk: 3, candidates[2].pk: 1},
    )
    election = actions.election_count(by=staff_a, election_id=election.pk)
    assert (election.ballots_cast, election.turnout, election.valid) == (4, Decimal("66.67"), True)
    elected = {c.pk for c in election.candidates.filter(elected=True)}
    assert elected == {candidates[0].pk, candidates[1].pk}
    election = actions.election_publish(by=staff_a, election_id=election.pk)
    notice = Notice.objects.get(pk=election.result_notice_id)
    assert notice.is_published and voters[0].name not in notice.body  # masked on the board
    election = actions.election_seat(by=staff_a, election_id=election.pk)
    assert election.status == ElectionStatus.SEATED
    members = StaffMember.objects.filter(community=election.community, origin=Origin.ELECTED, end__isnull=True)
    assert {m.id_number for m in members} == {voters[0].id_number, voters[1].id_number}
    assert all(m.start == election.term_start for m in members)


def test_steps_out_of_order_are_refused(staff_a, community_a):
    election = _election(staff_a, community_a)
    for step in (actions.voting_open, actions.election_count, actions.election_publish, actions.election_seat):
        with pytest.raises(ValidationError):
            step(by=staff_a, election_id=election.pk)
    election.refresh_from_db()
    assert election.status == ElectionStatus.PREPARING

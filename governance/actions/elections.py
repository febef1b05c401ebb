"""Writes of a committee election (换届选举), from the voter roll to the seated committee.

The one transition table is ``ELECTION_TRANSITIONS``; each step below checks it.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from community.actions import record_save
from community.models import Resident
from community.scoping import ensure_in_scope
from community.validators import mask_name

from ..choices import ElectionStatus, NoticeCategory, NoticeOrigin, ObjectionKind, ObjectionStatus, VoterChange
from ..models import BallotBox, BallotIssue, Candidate, Election, RollObjection, Tally, Voter
from .meetings import adult_cutoff, living_on
from .notices import notice_publish_generated
from .roster import seat_elected

S = ElectionStatus
ELECTION_TRANSITIONS: dict[str, set[str]] = {
    S.PREPARING: {S.ROLL_PUBLISHED},
    S.ROLL_PUBLISHED: {S.VOTING},
    S.VOTING: {S.COUNTED},
    S.COUNTED: {S.PUBLISHED},
    S.PUBLISHED: {S.SEATED},
    S.SEATED: set(),
}
OBJECTION_DAYS = 5


def _lock(by, election_id: int) -> Election:
    election = Election.objects.select_for_update().select_related("community").filter(pk=election_id).first()
    if election is None:
        raise ValidationError(_("There is no such election."))
    ensure_in_scope(by, election.community)
    return election


def _need(election: Election, *statuses: str) -> None:
    if election.status not in statuses:
        raise ValidationError(
            _("This step is not possible while the election is at: %(now)s.") % {"now": election.get_status_display()}
        )


def _move(election: Election, to: str, fields=()) -> None:
    if to not in ELECTION_TRANSITIONS[election.status]:
        raise ValidationError(
            _("An election at %(now)s cannot move to %(to)s.")
            % {"now": election.get_status_display(), "to": ElectionStatus(to).label}
        )
    election.status = to
    election.save(update_fields=["status", "updated_at", *fields])


@transaction.atomic
def election_create(*, by, election: Election) -> Election:
    election.status = ElectionStatus.PREPARING
    return record_save(by=by, instance=election)


def eligible_voters(election: Election):
    """Residents of the community who are 18 or over on election day and living there that day."""
    residents = Resident.objects.in_communities([election.community_id])
    return living_on(residents, election.election_day).filter(birth_date__lte=adult_cutoff(election.election_day))


def _count_roll(election: Election) -> None:
    election.voters = Voter.objects.filter(election=election, on_roll=True).count()
    election.save(update_fields=["voters", "updated_at"])


@transaction.atomic
def roll_generate(*, by, election_id: int) -> int:
    """(Re)make the roll from the resident register; only while it is being prepared.  Returns its size."""
    election = _lock(by, election_id)
    _need(election, S.PREPARING)
    if Candidate.objects.filter(election=election).exists():
        raise ValidationError(_("Remove the candidates before remaking the roll."))
    Voter.objects.filter(election=election).delete()
    voters = [
        Voter(election=election, resident_id=pk, change=VoterChange.GENERATED)
        for pk in eligible_voters(election).order_by("pk").values_list("pk", flat=True)
    ]
    bulk_create_with_history(voters, Voter, batch_size=1000, default_user=by)
    _count_roll(election)
    return election.voters


@transaction.atomic
def roll_publish(*, by, election_id: int, objection_deadline: dt.date | None = None) -> Election:
    """Publish the roll; objections are taken until the deadline (five days by default), before election day."""
    election = _lock(by, election_id)
    if not Voter.objects.filter(election=election).exists():
        raise ValidationError(_("Generate the voter roll before publishing it."))
    deadline = objection_deadline or min(
        timezone.localdate() + dt.timedelta(days=OBJECTION_DAYS), election.election_day - dt.timedelta(days=1)
    )
    if deadline >= election.election_day:
        raise ValidationError({"objection_deadline": _("Objections must close before election day.")})
    election.objection_deadline = deadline
    _move(election, S.ROLL_PUBLISHED, ["objection_deadline"])
    return election


@transaction.atomic
def objection_lodge(*, by, election_id: int, resident: Resident, kind: str, reason: str) -> RollObjection:
    """An objection to the published roll, taken until the deadline."""
    election = _lock(by, election_id)
    _need(election, S.ROLL_PUBLISHED)
    if election.objection_deadline and timezone.localdate() > election.objection_deadline:
        raise ValidationError(_("Objections to this roll closed on %(day)s.") % {"day": election.objection_deadline})
    if kind not in ObjectionKind.values:
        raise ValidationError({"kind": _("Say whether the resident should be added or removed.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the objection.")})
    on_roll = Voter.objects.filter(election=election, resident=resident, on_roll=True).exists()
    if kind == ObjectionKind.ADD and on_roll:
        raise ValidationError({"resident": _("This resident is already on the roll.")})
    if kind == ObjectionKind.REMOVE and not on_roll:
        raise ValidationError({"resident": _("This resident is not on the roll.")})
    objection = RollObjection(election=election, resident=resident, kind=kind, reason=reason.strip())
    return record_save(by=by, instance=objection)


@transaction.atomic
def objection_decide(*, by, objection_id: int, upheld: bool, decision: str) -> RollObjection:
    """Decide an objection; an upheld one adds the resident to the roll or takes them off (with history)."""
    objection = RollObjection.objects.select_for_update().filter(pk=objection_id).first()
    if objection is None:
        raise ValidationError(_("There is no such objection."))
    election = _lock(by, objection.election_id)
    _need(election, S.ROLL_PUBLISHED)
    if objection.status != ObjectionStatus.PENDING:
        raise ValidationError(_("This objection has already been decided."))
    if not (decision or "").strip():
        raise ValidationError({"decision": _("Give the reason for the decision.")})
    if upheld:
        _apply_objection(election, objection, decision.strip())
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
    objection.decision, objection.decided_by, objection.decided_at = decision.strip()[:500], by, timezone.now()
    objection.save(update_fields=["status", "decision", "decided_by", "decided_at", "updated_at"])
    _count_roll(election)
    return objection


def _apply_objection(election: Election, objection: RollObjection, reason: str) -> None:
    voter = Voter.objects.select_for_update().filter(election=election, resident=objection.resident).first()
    if objection.kind == ObjectionKind.ADD:
        resident = objection.resident
        if resident.household.building.zone.community_id != election.community_id:
            raise ValidationError(_("This resident does not live in the election's community."))
        if resident.birth_date > adult_cutoff(election.election_day):
            raise ValidationError(_("This resident is not yet 18 on election day and cannot be added."))
        voter = voter or Voter(election=election, resident=resident)
        voter.on_roll, voter.change = True, VoterChange.ADDED
    else:
        if Candidate.objects.filter(election=election, resident=objection.resident).exists():
            raise ValidationError(_("This resident is a candidate: withdraw the candidacy first."))
        voter.on_roll, voter.change = False, VoterChange.REMOVED
    voter.reason = reason[:300]
    voter.save()


@transaction.atomic
def candidate_add(
    *, by, election_id: int, resident: Resident, post: str, education: str, party_member: bool = False
) -> Candidate:
    """A candidate must be a voter on this roll."""
    election = _lock(by, election_id)
    _need(election, S.PREPARING, S.ROLL_PUBLISHED)
    if not Voter.objects.filter(election=election, resident=resident, on_roll=True).exists():
        raise ValidationError({"resident": _("A candidate must be on this election's voter roll.")})
    if Candidate.objects.filter(election=election, resident=resident).exists():
        raise ValidationError({"resident": _("This resident is already a candidate.")})
    candidate = Candidate(
        election=election, resident=resident, post=post, education=education, party_member=party_member
    )
    return record_save(by=by, instance=candidate)


@transaction.atomic
def voting_open(*, by, election_id: int) -> Election:
    """The roll is final: no objection pending, more candidates than seats (差额选举)."""
    election = _lock(by, election_id)
    if RollObjection.objects.filter(election=election, status=ObjectionStatus.PENDING).exists():
        raise ValidationError(_("Decide every objection to the roll before voting opens."))
    if Candidate.objects.filter(election=election).count() <= election.seats:
        raise ValidationError(_("There must be more candidates than the %(seats)d seats.") % {"seats": election.seats})
    _move(election, S.VOTING)
    return election


def _lock_box(by, box_id: int) -> tuple[BallotBox, Election]:
    box = BallotBox.objects.select_for_update().filter(pk=box_id).first()
    if box is None:
        raise ValidationError(_("There is no such ballot box."))
    election = _lock(by, box.election_id)
    return box, election


@transaction.atomic
def ballot_issue(*, by, box_id: int, resident: Resident) -> BallotIssue:
    """Hand one voter their ballot at a box; refused for anyone outside the roll, or a second time."""
    box, election = _lock_box(by, box_id)
    _need(election, S.VOTING)
    if box.counted:
        raise ValidationError(_("This box has been counted; no more ballots can be handed out."))
    voter = Voter.objects.filter(election=election, resident=resident, on_roll=True).first()
    if voter is None:
        raise ValidationError({"resident": _("This person is not on the voter roll.")})
    if BallotIssue.objects.filter(voter=voter).exists():
        raise ValidationError({"resident": _("This voter has already received a ballot.")})
    issue = BallotIssue.objects.create(box=box, voter=voter)
    box.ballots_issued += 1
    box.save(update_fields=["ballots_issued"])
    return issue


def _count(value, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number.")}) from None
    if number < 0 or number > 10_000_000:
        raise ValidationError({field: _("Enter a whole number.")})
    return number


@transaction.atomic
def tally_record(*, by, box_id: int, ballots_returned, invalid_ballots, votes: dict) -> BallotBox:
    """Enter a box's count: ballots returned and spoilt, and each candidate's votes (valid ballots at most)."""
    box, election = _lock_box(by, box_id)
    _need(election, S.VOTING)
    returned = _count(ballots_returned, "ballots_returned")
    invalid = _count(invalid_ballots, "invalid_ballots")
    if returned > box.ballots_issued:
        raise ValidationError(
            {
                "ballots_returned": _("%(n)d ballots returned, but only %(issued)d were issued at this box.")
                % {"n": returned, "issued": box.ballots_issued}
            }
        )
    if invalid > returned:
        raise ValidationError({"invalid_ballots": _("There cannot be more invalid ballots than ballots returned.")})
    others = BallotBox.objects.filter(election=election).exclude(pk=box.pk).aggregate(n=Sum("ballots_returned"))["n"]
    if (others or 0) + returned > election.voters:
        raise ValidationError({"ballots_returned": _("More ballots were returned than there are voters on the roll.")})
    candidates = {c.pk: c for c in Candidate.objects.filter(election=election)}
    counts = {}
    for key, value in (votes or {}).items():
        try:
            candidate = candidates[int(key)]
        except (KeyError, TypeError, ValueError):
            raise ValidationError({"votes": _("Votes can only be given to this election's candidates.")}) from None
        counts[candidate.pk] = _count(value, "votes")
    valid = returned - invalid
    if any(n > valid for n in counts.values()):
        raise ValidationError(
            {"votes": _("A candidate cannot get more votes than the %(n)d valid ballots.") % {"n": valid}}
        )
    if sum(counts.values()) > valid * election.seats:
        raise ValidationError({"votes": _("More votes were entered than the valid ballots can hold.")})
    box.ballots_returned, box.invalid_ballots, box.counted = returned, invalid, True
    box.save(update_fields=["ballots_returned", "invalid_ballots", "counted"])
    for candidate_id in candidates:
        Tally.objects.update_or_create(
            box=box, candidate_id=candidate_id, defaults={"votes": counts.get(candidate_id, 0)}
        )
    return box


@transaction.atomic
def election_count(*, by, election_id: int) -> Election:
    """Add up the boxes: turnout, validity (more than half voted) and who is elected (more than half the ballots)."""
    election = _lock(by, election_id)
    boxes = BallotBox.objects.filter(election=election)
    if not boxes.exists() or boxes.filter(counted=False).exists():
        raise ValidationError(_("Enter the count of every ballot box first."))
    cast = boxes.aggregate(n=Sum("ballots_returned"))["n"] or 0
    election.ballots_cast = cast
    election.turnout = (
        (Decimal(cast) * 100 / election.voters).quantize(Decimal("0.01"), ROUND_HALF_UP) if election.voters else 0
    )
    election.valid = cast * 2 > election.voters
    candidates = list(Candidate.objects.filter(election=election).annotate(total=Sum("tallies__votes")))
    for candidate in candidates:
        candidate.votes = candidate.total or 0
    candidates.sort(key=lambda c: (-c.votes, c.pk))
    for rank, candidate in enumerate(candidates, 1):
        at_least = sum(1 for c in candidates if c.votes >= candidate.votes)
        candidate.rank = rank
        candidate.elected = bool(election.valid) and candidate.votes * 2 > cast and at_least <= election.seats
    Candidate.objects.bulk_update(candidates, ["votes", "rank", "elected"])
    _move(election, S.COUNTED, ["ballots_cast", "turnout", "valid"])
    return election


def result_text(election: Election) -> str:
    lines = [
        _("Election day: %(day)s. Voters on the roll: %(voters)d; ballots cast: %(cast)d; turnout %(turnout)s%%.")
        % {
            "day": election.election_day,
            "voters": election.voters,
            "cast": election.ballots_cast,
            "turnout": election.turnout,
        },
        _("Term: %(start)s to %(end)s.") % {"start": election.term_start, "end": election.term_end},
        "",
    ]
    if not election.valid:
        lines.append(_("Fewer than half of the voters voted: the election is void and will be held again."))
    for candidate in election.candidates.select_related("resident").order_by("rank", "pk"):
        lines.append(
            _("%(name)s (%(post)s): %(votes)d votes%(elected)s")
            % {
                "name": mask_name(candidate.resident.name),
                "post": candidate.get_post_display(),
                "votes": candidate.votes,
                "elected": _(", elected") if candidate.elected else "",
            }
        )
    return "\n".join(lines)


@transaction.atomic
def election_publish(*, by, election_id: int, at=None) -> Election:
    """Publish the result on the community's notice board (names masked, as every public page)."""
    election = _lock(by, election_id)
    _need(election, S.COUNTED)
    election.result_notice = notice_publish_generated(
        by=by,
        community=election.community,
        category=NoticeCategory.AFFAIRS,
        title=_("Election result: %(title)s") % {"title": election.title},
        body=result_text(election),
        origin=NoticeOrigin.ELECTION,
        at=at,
    )
    _move(election, S.PUBLISHED, ["result_notice"])
    return election


@transaction.atomic
def election_seat(*, by, election_id: int) -> Election:
    """The elected become the committee on the staffing roster from the term's first day."""

    election = _lock(by, election_id)
    _need(election, S.PUBLISHED)
    if not election.valid:
        raise ValidationError(_("A void election seats nobody."))
    seat_elected(by=by, election=election)
    election.seated_at = timezone.now()
    _move(election, S.SEATED, ["seated_at"])
    return election


@transaction.atomic
def box_save(*, by, box: BallotBox) -> BallotBox:
    """Open or rename a ballot box, or set its ballots issued, until it is counted."""
    election = _lock(by, box.election_id) if box.election_id else None
    if election is None:
        raise ValidationError({"election": _("Choose the election.")})
    if election.status in (S.COUNTED, S.PUBLISHED, S.SEATED):
        raise ValidationError(_("The election has been counted; its ballot boxes are closed."))
    if box.pk and BallotBox.objects.filter(pk=box.pk, counted=True).exists():
        raise ValidationError(_("This box has been counted; no more ballots can be handed out."))
    if box.pk and box.ballots_issued < BallotIssue.objects.filter(box_id=box.pk).count():
        raise ValidationError({"ballots_issued": _("Fewer ballots than were handed out voter by voter.")})
    return record_save(by=by, instance=box)

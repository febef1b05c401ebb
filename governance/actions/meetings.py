"""Writes of residents' meetings: attendance from the register, the quorum, resolutions and their votes."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from community.actions import record_save
from community.models import Household, Resident
from community.scoping import ensure_in_scope

from ..choices import QUORUM_RULES, MeetingStatus, NoticeCategory, NoticeOrigin, QuorumBasis
from ..models import AgendaItem, Attendee, Meeting, Resolution
from .notices import notice_publish_generated


def adult_cutoff(on: dt.date) -> dt.date:
    """The latest birth date of someone who is 18 on ``on`` (born 29 February: 18 on 1 March)."""
    try:
        return on.replace(year=on.year - 18)
    except ValueError:
        return on.replace(year=on.year - 18, day=28)


def living_on(queryset, on: dt.date, prefix: str = ""):
    """Residents (or a relation to them, via ``prefix``) living in their household on ``on``."""
    return queryset.filter(
        Q(**{f"{prefix}moved_out__isnull": True}) | Q(**{f"{prefix}moved_out__gt": on}),
        Q(**{f"{prefix}moved_in__isnull": True}) | Q(**{f"{prefix}moved_in__lte": on}),
        **{f"{prefix}anonymised": False},
    )


def eligible_count(*, community, basis: str, on: dt.date) -> int:
    """Households with someone living in them, or adult residents, of the community on ``on``."""
    residents = living_on(Resident.objects.in_communities([community.pk]), on)
    if basis == QuorumBasis.HOUSEHOLDS:
        return Household.objects.filter(pk__in=residents.values("household_id")).count()
    if basis == QuorumBasis.RESIDENTS:
        return residents.filter(birth_date__lte=adult_cutoff(on)).count()
    return 0


@transaction.atomic
def meeting_create(
    *, by, community, kind: str, title: str, starts_at, location: str, eligible: int | None = None, minutes: str = ""
) -> Meeting:
    """A planned meeting with its kind's quorum rule; households or adults are counted from the register."""
    ensure_in_scope(by, community)
    if kind not in QUORUM_RULES:
        raise ValidationError({"kind": _("Choose a residents' meeting or a representatives' meeting.")})
    rule = QUORUM_RULES[kind]
    meeting = Meeting(
        community=community,
        kind=kind,
        title=title,
        starts_at=starts_at,
        location=location,
        minutes=minutes,
        quorum_basis=rule.basis,
        quorum_numerator=rule.numerator,
        quorum_denominator=rule.denominator,
        quorum_strict=rule.strict,
    )
    if eligible is None and rule.basis != QuorumBasis.REPRESENTATIVES:
        eligible = eligible_count(community=community, basis=rule.basis, on=timezone.localdate(starts_at))
    if not eligible:
        raise ValidationError({"eligible": _("Say how many representatives may attend.")})
    meeting.eligible = eligible
    return record_save(by=by, instance=meeting)


def _lock(by, meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_for_update().select_related("community").filter(pk=meeting_id).first()
    if meeting is None:
        raise ValidationError(_("There is no such meeting."))
    ensure_in_scope(by, meeting.community)
    return meeting


def _recount(meeting: Meeting) -> None:
    """Attendees, those counted for the quorum, and whether it is reached."""
    counts = Attendee.objects.filter(meeting=meeting).aggregate(
        total=Count("id"),
        residents=Count("id", filter=Q(resident__isnull=False)),
        households=Count("household_id", distinct=True),
        resident_households=Count(
            "resident__household_id", distinct=True, filter=~Q(resident__household_id__in=_household_ids(meeting))
        ),
    )
    if meeting.quorum_basis == QuorumBasis.HOUSEHOLDS:
        meeting.present = counts["households"] + counts["resident_households"]
    elif meeting.quorum_basis == QuorumBasis.RESIDENTS:
        meeting.present = counts["residents"]
    else:
        meeting.present = counts["total"]
    meeting.attendee_count = counts["total"]
    meeting.quorate = meeting.present >= meeting.quorum_needed if meeting.eligible else False
    meeting.save(update_fields=["present", "attendee_count", "quorate", "updated_at"])


def _household_ids(meeting):
    return Attendee.objects.filter(meeting=meeting, household__isnull=False).values("household_id")


def _refuse_if_cancelled(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))


@transaction.atomic
def attendee_add(
    *, by, meeting_id: int, resident=None, household=None, unit=None, representative: bool = False
) -> Attendee:
    """Record one attendee from the register: a resident living in the community, a household or a unit."""
    meeting = _lock(by, meeting_id)
    _refuse_if_cancelled(meeting)
    given = [x for x in (resident, household, unit) if x is not None]
    if len(given) != 1:
        raise ValidationError(_("Choose exactly one resident, household or resident unit."))
    on = timezone.localdate(meeting.starts_at)
    if resident is not None:
        here = living_on(Resident.objects.in_communities([meeting.community_id]).filter(pk=resident.pk), on)
        if not here.exists():
            raise ValidationError({"resident": _("This resident does not live in the meeting's community.")})
    if household is not None and household.building.zone.community_id != meeting.community_id:
        raise ValidationError({"household": _("This household is not in the meeting's community.")})
    if unit is not None and unit.community_id != meeting.community_id:
        raise ValidationError({"unit": _("This resident unit is not in the meeting's community.")})
    duplicate = Attendee.objects.filter(meeting=meeting).filter(
        Q(resident=resident) if resident else Q(household=household) if household else Q(unit=unit)
    )
    if duplicate.exists():
        raise ValidationError(_("This attendee is already recorded."))
    attendee = Attendee.objects.create(
        meeting=meeting, resident=resident, household=household, unit=unit, representative=representative
    )
    _recount(meeting)
    return attendee


@transaction.atomic
def attendee_remove(*, by, attendee_id: int) -> None:
    attendee = Attendee.objects.select_related("meeting").filter(pk=attendee_id).first()
    if attendee is None:
        raise ValidationError(_("There is no such attendee."))
    meeting = _lock(by, attendee.meeting_id)
    remaining = meeting.attendee_count - 1
    if Resolution.objects.filter(meeting=meeting).filter(_votes_above(remaining)).exists():
        raise ValidationError(_("A resolution of this meeting has more votes than would be left attendees."))
    attendee.delete()
    _recount(meeting)


def _votes_above(limit: int) -> Q:

    return Q(
        pk__in=Resolution.objects.alias(cast=F("votes_for") + F("votes_against") + F("abstentions"))
        .filter(cast__gt=limit)
        .values("pk")
    )


@transaction.atomic
def meeting_record_held(*, by, meeting_id: int, minutes: str | None = None) -> Meeting:
    """The meeting took place: attendance is final enough to check the quorum."""
    meeting = _lock(by, meeting_id)
    _refuse_if_cancelled(meeting)
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("A meeting can only be recorded as held once it has started."))
    meeting.status = MeetingStatus.HELD
    if minutes is not None:
        meeting.minutes = minutes
    meeting.save(update_fields=["status", "minutes", "updated_at"])
    _recount(meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, by, meeting_id: int) -> Meeting:
    meeting = _lock(by, meeting_id)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("Only a planned meeting can be cancelled."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    return meeting


def _votes(value, label) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({label: _("Enter a whole number of votes.")}) from None
    if number < 0 or number > 10_000_000:
        raise ValidationError({label: _("Enter a whole number of votes.")})
    return number


@transaction.atomic
def resolution_record(
    *,
    by,
    meeting_id: int,
    title: str,
    text: str,
    votes_for,
    votes_against,
    abstentions,
    agenda_item: AgendaItem | None = None,
    resolution_id: int | None = None,
) -> Resolution:
    """Record (or correct) a resolution's vote; refused when more votes are cast than people attended."""
    meeting = _lock(by, meeting_id)
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError(_("Resolutions are recorded once the meeting is recorded as held."))
    if not meeting.quorate:
        raise ValidationError(_("The meeting did not reach its quorum: it cannot pass resolutions."))
    counts = {
        "votes_for": _votes(votes_for, "votes_for"),
        "votes_against": _votes(votes_against, "votes_against"),
        "abstentions": _votes(abstentions, "abstentions"),
    }
    cast = sum(counts.values())
    if cast > meeting.attendee_count:
        raise ValidationError(
            _("%(cast)d votes were entered but only %(present)d people attended.")
            % {"cast": cast, "present": meeting.attendee_count}
        )
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("Choose an item of this meeting's agenda.")})
    if resolution_id is not None:
        resolution = Resolution.objects.select_for_update().filter(pk=resolution_id, meeting=meeting).first()
        if resolution is None:
            raise ValidationError(_("There is no such resolution of this meeting."))
        if resolution.notice_id:
            raise ValidationError(_("A published resolution cannot be changed."))
    else:
        number = (
            Resolution.objects.filter(meeting=meeting).order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        resolution = Resolution(meeting=meeting, number=number, recorded_by=by)
    resolution.title, resolution.text, resolution.agenda_item = title, text, agenda_item
    for name, value in counts.items():
        setattr(resolution, name, value)
    resolution.passed = counts["votes_for"] * 2 > meeting.attendee_count
    return record_save(by=by, instance=resolution)


def resolution_notice_text(resolution: Resolution) -> str:
    meeting = resolution.meeting
    lines = [
        _("%(meeting)s, held on %(day)s.")
        % {"meeting": meeting.title, "day": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")},
        _("Attendees: %(n)d.") % {"n": meeting.attendee_count},
        _("For: %(for)d, against: %(against)d, abstaining: %(abstain)d.")
        % {"for": resolution.votes_for, "against": resolution.votes_against, "abstain": resolution.abstentions},
        _("The resolution passed.") if resolution.passed else _("The resolution did not pass."),
        "",
        resolution.text,
    ]
    return "\n".join(lines)


@transaction.atomic
def resolution_publish(*, by, resolution_id: int, at=None) -> Resolution:
    """Put a resolution (and how the vote went) on the community's notice board."""
    resolution = (
        Resolution.objects.select_for_update().select_related("meeting__community").filter(pk=resolution_id).first()
    )
    if resolution is None:
        raise ValidationError(_("There is no such resolution."))
    ensure_in_scope(by, resolution.meeting.community)
    if resolution.notice_id:
        raise ValidationError(_("This resolution is already on the notice board."))
    resolution.notice = notice_publish_generated(
        by=by,
        community=resolution.meeting.community,
        category=NoticeCategory.AFFAIRS,
        title=_("Resolution: %(title)s") % {"title": resolution.title},
        body=resolution_notice_text(resolution),
        origin=NoticeOrigin.RESOLUTION,
        at=at,
    )
    resolution.save(update_fields=["notice", "updated_at"])
    return resolution


@transaction.atomic
def meeting_save(*, by, meeting: Meeting) -> Meeting:
    """Edit a meeting (its quorum rule is the meeting's own); the quorum is checked again."""
    if meeting.pk:
        current = Meeting.objects.select_for_update().filter(pk=meeting.pk).values("status").first()
        if current and current["status"] == MeetingStatus.CANCELLED:
            raise ValidationError(_("This meeting was cancelled."))
    meeting = record_save(by=by, instance=meeting)
    _recount(meeting)
    return meeting

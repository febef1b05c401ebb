"""Residents' meetings: attendance from the register, the quorum, and vote counts that cannot exceed it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance import actions
from governance.choices import MeetingKind, MeetingStatus, NoticeOrigin, QuorumBasis
from governance.models import Meeting, Notice, Resolution
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(make_resident):
    """Ten households of community A with one adult each."""
    return [make_resident().household for _ in range(10)]


def _meeting(staff, community, **extra):
    return actions.meeting_create(
        by=staff,
        community=community,
        kind=extra.pop("kind", MeetingKind.RESIDENTS),
        title="居民会议",
        starts_at=timezone.now() - dt.timedelta(hours=2),
        location="会议室",
        **extra,
    )


def test_residents_meeting_counts_households_from_the_register(staff_a, community_a, households):
    meeting = _meeting(staff_a, community_a)
    assert (meeting.quorum_basis, meeting.eligible, meeting.quorum_needed) == (QuorumBasis.HOUSEHOLDS, 10, 6)


def test_quorum_needs_more_than_half_of_the_households(staff_a, community_a, households, make_resident):
    meeting = _meeting(staff_a, community_a)
    for household in households[:5]:
        actions.attendee_add(by=staff_a, meeting_id=meeting.pk, household=household)
    # a resident of a household already present does not add a household
    second = make_resident(household=households[0])
    actions.attendee_add(by=staff_a, meeting_id=meeting.pk, resident=second)
    meeting = actions.meeting_record_held(by=staff_a, meeting_id=meeting.pk)
    assert (meeting.attendee_count, meeting.present, meeting.quorate) == (6, 5, False)
    with pytest.raises(ValidationError, match="quorum"):
        actions.resolution_record(
            by=staff_a, meeting_id=meeting.pk, title="决议", text="…", votes_for=5, votes_against=0, abstentions=0
        )
    assert not Resolution.objects.exists()
    actions.attendee_add(by=staff_a, meeting_id=meeting.pk, household=households[5])
    meeting.refresh_from_db()
    assert (meeting.present, meeting.quorate) == (6, True)


def test_representatives_meeting_needs_two_thirds_and_a_number(staff_a, community_a, households):
    with pytest.raises(ValidationError, match="representatives"):
        _meeting(staff_a, community_a, kind=MeetingKind.REPRESENTATIVES)
    meeting = _meeting(staff_a, community_a, kind=MeetingKind.REPRESENTATIVES, eligible=9)
    assert meeting.quorum_needed == 6


def test_attendee_must_come_from_the_meetings_community(staff_a, community_a, community_b, households):
    meeting = _meeting(staff_a, community_a)
    stranger = f.SCOPED_FACTORIES["community.Resident"](community_b)
    with pytest.raises(ValidationError):
        actions.attendee_add(by=staff_a, meeting_id=meeting.pk, resident=stranger)
    moved = households[0].residents.first()
    moved.moved_out = timezone.localdate() - dt.timedelta(days=30)
    moved.save()
    with pytest.raises(ValidationError, match="does not live"):
        actions.attendee_add(by=staff_a, meeting_id=meeting.pk, resident=moved)
    assert meeting.attendees.count() == 0


@pytest.fixture
def quorate(staff_a, community_a, households):
    meeting = _meeting(staff_a, community_a)
    for household in households[:7]:
        actions.attendee_add(by=staff_a, meeting_id=meeting.pk, household=household)
    return actions.meeting_record_held(by=staff_a, meeting_id=meeting.pk)


def test_a_vote_count_above_the_attendees_is_refused(staff_a, quorate):
    with pytest.raises(ValidationError, match="only 7 people attended"):
        actions.resolution_record(
            by=staff_a, meeting_id=quorate.pk, title="决议", text="…", votes_for=5, votes_against=2, abstentions=1
        )
    assert not Resolution.objects.exists()
    resolution = actions.resolution_record(
        by=staff_a, meeting_id=quorate.pk, title="决议", text="…", votes_for=4, votes_against=2, abstentions=1
    )
    assert resolution.passed  # 4 of 7 attendees
    with pytest.raises(ValidationError):
        actions.resolution_record(
            by=staff_a,
            meeting_id=quorate.pk,
            title="决议",
            text="…",
            votes_for=8,
            votes_against=0,
            abstentions=0,
            resolution_id=resolution.pk,
        )
    resolution.refresh_from_db()
    assert resolution.votes_for == 4


def test_half_the_attendees_do_not_pass_a_resolution(staff_a, quorate):
    resolution = actions.resolution_record(
        by=staff_a, meeting_id=quorate.pk, title="决议", text="…", votes_for=3, votes_against=3, abstentions=1
    )
    assert not resolution.passed


def test_removing_attendees_below_the_votes_is_refused(staff_a, quorate):
    actions.resolution_record(
        by=staff_a, meeting_id=quorate.pk, title="决议", text="…", votes_for=7, votes_against=0, abstentions=0
    )
    with pytest.raises(ValidationError):
        actions.attendee_remove(by=staff_a, attendee_id=quorate.attendees.first().pk)
    assert quorate.attendees.count() == 7


def test_publishing_a_resolution_creates_a_public_notice(staff_a, quorate):
    resolution = actions.resolution_record(
        by=staff_a,
        meeting_id=quorate.pk,
        title="照明改造",
        text="同意改造。",
        votes_for=5,
        votes_against=1,
        abstentions=1,
    )
    resolution = actions.resolution_publish(by=staff_a, resolution_id=resolution.pk)
    notice = Notice.objects.get(pk=resolution.notice_id)
    assert notice.origin == NoticeOrigin.RESOLUTION and notice.is_published
    assert "照明改造" in notice.title and "5" in notice.body
    with pytest.raises(ValidationError, match="already"):
        actions.resolution_publish(by=staff_a, resolution_id=resolution.pk)


def test_staff_of_another_community_cannot_run_the_meeting(staff_b, quorate, households):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.attendee_add(by=staff_b, meeting_id=quorate.pk, household=households[9])
    assert Meeting.objects.get(pk=quorate.pk).attendee_count == 7
    assert quorate.status == MeetingStatus.HELD

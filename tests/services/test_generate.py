"""services/generate/ at a small scale: a year of requests with consistent timelines, 六进, facilities, events."""

from __future__ import annotations

import io
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command

from community.dashboard import Period, Target
from community.models import County, Household
from services import actions, selectors
from services.choices import OPEN_STATUSES, BookingStatus, CommunityEventStatus, EventKind, Rating, Status
from services.generate import GENERATOR_USERNAME
from services.models import (
    Activity,
    Commitment,
    CommunityEvent,
    Evaluation,
    Facility,
    FacilityBooking,
    FollowUp,
    RequestEvent,
    ServiceCategory,
    ServiceRequest,
)

CODE = "140121"  # 清徐县


@pytest.fixture
def only_services(settings):
    """The other apps' generators are not under test here (and slow at this size)."""
    settings.LOCAL_APPS = ["community", "services"]


def generate(*extra):
    out = io.StringIO()
    call_command(
        "generate_county",
        *["--towns", "2", "--communities", "3", "--households", "300", "--county-code", CODE, "--no-progress"],
        *extra,
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


@pytest.mark.django_db(transaction=False)
def test_a_year_of_requests_with_every_status_and_consistent_timelines(only_services):
    output = generate("--extra", "requests=3000", "--seed", "4")
    county = County.objects.get(code=CODE)
    requests = list(ServiceRequest.objects.filter(community__town__county=county).select_related("category"))
    assert len(requests) == ServiceRequest.objects.count() == 3000
    assert "services_servicerequest 3,000" in output
    assert set(ServiceCategory.objects.values_list("code", flat=True)) >= {"repair", "elderly", "plumbing"}
    statuses = Counter(r.status for r in requests)
    assert set(statuses) == set(Status.values), statuses
    assert statuses[Status.CLOSED] > len(requests) / 2, "most requests of a year are finished"
    # spread over the year, by the households of each community
    days = {(r.submitted_at.date().isocalendar()[1]) for r in requests}
    assert len(days) >= 50
    per_community = Counter(r.community_id for r in requests)
    assert len(per_community) == 3 and min(per_community.values()) > 900

    events = defaultdict(list)
    for e in RequestEvent.objects.filter(request__community__town__county=county).order_by("at", "id"):
        events[e.request_id].append(e)
    follow_ups = Counter(FollowUp.objects.values_list("request_id", flat=True))
    households = dict(Household.objects.values_list("id", "building_id"))
    for r in requests:
        timeline = events[r.pk]
        moves = [e for e in timeline if e.kind == EventKind.TRANSITION]
        assert moves[0].new_status == Status.SUBMITTED and moves[0].at == r.submitted_at
        for before, after in zip(moves, moves[1:], strict=False):
            assert after.old_status == before.new_status
            assert after.new_status in actions.TRANSITIONS[before.new_status], (
                r.pk,
                before.new_status,
                after.new_status,
            )
        assert moves[-1].new_status == r.status, r.pk
        assert r.accept_due > r.submitted_at and r.resolve_due > r.accept_due or r.resolve_due >= r.accept_due
        if r.status in (Status.CLOSED, Status.REJECTED, Status.DUPLICATE, Status.CANCELLED):
            assert r.closed_at == moves[-1].at
        if r.status == Status.RESOLVED:
            assert r.resolved_at == moves[-1].at and r.closed_at is None
        if r.accepted_at is not None:
            assert r.accepted_at == next(e.at for e in moves if e.new_status == Status.ACCEPTED)
        assert r.overdue == any(e.kind == EventKind.OVERDUE for e in timeline)
        assert (r.escalated_at is not None) == any(e.kind == EventKind.ESCALATION for e in timeline)
        assert bool(r.rating) == any(e.kind == EventKind.RATING for e in timeline)
        assert follow_ups[r.pk] == sum(e.kind == EventKind.FOLLOW_UP for e in timeline)
        if r.status == Status.DUPLICATE:
            assert r.duplicate_of.community_id == r.community_id and r.duplicate_of_id < r.pk
            assert r.duplicate_of.status != Status.DUPLICATE
        if r.status == Status.REJECTED:
            assert r.reject_reason
        if r.household_id:
            assert households[r.household_id] == r.building_id
        if r.fee is not None:
            assert r.category.paid and r.fee == r.category.price
        if r.status not in OPEN_STATUSES:
            assert timeline[-1].at <= r.updated_at
    ratings = Counter(r.rating for r in requests if r.rating)
    assert set(ratings) == set(Rating.values)
    overdue = sum(r.overdue for r in requests)
    assert 0.03 * len(requests) < overdue < 0.35 * len(requests), overdue
    assert all(FollowUp.objects.filter(reached=True).values_list("satisfaction", flat=True))
    assert FollowUp.objects.filter(by__username=GENERATOR_USERNAME).count() == sum(follow_ups.values()) > 0

    # the dashboard reads them back: the year's requests, the median time and the rates
    scope = Target("county", county).scope()
    period = Period.parse("year", str(requests[0].submitted_at.year))
    summary = selectors.request_summary(scope=scope, period=period)
    in_year = [r for r in requests if period.start <= r.submitted_at.astimezone().date() <= period.end]
    assert abs(summary.total - len(in_year)) <= 3  # the local-date edge of the year
    assert summary.median_hours and summary.satisfaction_rate and summary.follow_up_rate


@pytest.mark.django_db
def test_six_into_facilities_and_events(only_services):
    generate("--extra", "requests=50", "--seed", "2")
    county = County.objects.get(code=CODE)
    commitments = Commitment.objects.filter(community__town__county=county)
    assert commitments.count() == 3 * 2 * 6, "six kinds, last year and this year, in every community"
    assert len({c.kind for c in commitments}) == 6
    activities = Activity.objects.filter(community__town__county=county).select_related("commitment")
    assert activities.count() > 3 * 6 * 4
    for activity in activities:
        if activity.commitment is not None:
            commitment = activity.commitment
            assert (commitment.community_id, commitment.department_id, commitment.kind) == (
                activity.community_id,
                activity.department_id,
                activity.kind,
            )
            assert activity.date.year == commitment.year
        assert bool(activity.amount_spent) == bool(activity.fund)
    assert Evaluation.objects.filter(community__town__county=county).count() == 3 * 6
    summary = selectors.six_into_summary(
        scope=Target("county", county).scope(), period=Period.parse("year", str(commitments[0].year))
    )
    assert summary.commitments > 0 and summary.activities > 0 and summary.participants > 0

    facilities = Facility.objects.filter(unit__community__town__county=county)
    assert facilities.exists()
    slots = Counter(
        (b.facility_id, b.date)
        for b in FacilityBooking.objects.filter(facility__in=facilities).exclude(status=BookingStatus.CANCELLED)
    )
    assert slots and max(slots.values()) == 1, "no facility is booked twice the same day"
    assert FacilityBooking.objects.filter(status=BookingStatus.USED, attendees__gt=0).exists()
    events = CommunityEvent.objects.filter(community__town__county=county)
    assert {e.status for e in events} >= {CommunityEventStatus.HELD, CommunityEventStatus.SCHEDULED}
    assert all(e.attendance is None for e in events if e.status != CommunityEventStatus.HELD)


@pytest.mark.django_db
def test_replace_clears_the_services_rows_and_keeps_the_catalogue(only_services):
    generate("--extra", "requests=200", "--seed", "3")
    old = set(ServiceRequest.objects.values_list("id", flat=True))
    categories = set(ServiceCategory.objects.values_list("code", flat=True))
    generate("--extra", "requests=120", "--seed", "3", "--replace")
    assert ServiceRequest.objects.count() == 120 and not old & set(ServiceRequest.objects.values_list("id", flat=True))
    assert set(ServiceCategory.objects.values_list("code", flat=True)) == categories, "the shared catalogue stays"
    county = County.objects.get(code=CODE)
    assert RequestEvent.objects.exclude(request__community__town__county=county).count() == 0
    assert Commitment.objects.count() == 3 * 2 * 6
    assert FollowUp.objects.exclude(request__community__town__county=county).count() == 0


@pytest.mark.django_db
def test_default_request_count_follows_the_households(only_services):
    generate("--seed", "1")
    assert ServiceRequest.objects.count() == 250  # 5 for every 6 households: 100,000 at 120,000

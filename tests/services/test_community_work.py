"""六进社区 (department commitments, activities, evaluations), shared facilities, events, indicators, reference."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.choices import DepartmentCode, Role, ScopeLevel
from community.dashboard import Period
from community.scoping import Scope
from services import actions, selectors, validators
from services.choices import ActivityKind, BookingStatus, Rating, Status
from services.models import Activity, Commitment, CommunityEvent, Evaluation, Facility, FacilityBooking, ServiceRequest
from tests import factories as f
from tests.services import factories as sf

pytestmark = pytest.mark.django_db


@pytest.fixture
def justice(community_a):
    return sf.department(community_a, DepartmentCode.JUSTICE)


@pytest.fixture
def health(community_a):
    return sf.department(community_a, DepartmentCode.HEALTH)


@pytest.fixture
def liaison(justice):
    return f.make_user(role=Role.DEPARTMENT_LIAISON, scope_level=ScopeLevel.DEPARTMENT, department=justice)


def test_liaison_sees_and_records_only_their_department(client, liaison, justice, health, community_a, community_b):
    own_a = sf.activity(community_a, department=justice)
    own_b = sf.activity(community_b, department=justice)
    other = sf.activity(community_a, department=health, kind=ActivityKind.HEALTH)
    client.force_login(liaison)
    ids = {r["id"] for r in client.get(reverse("service-activity-list")).json()["results"]}
    assert ids == {own_a.pk, own_b.pk}
    assert client.get(reverse("service-activity-detail", args=[other.pk])).status_code == 404
    payload = {
        "community": community_b.pk,
        "department": justice.pk,
        "kind": "law",
        "date": "2026-11-20",
        "title": "法律援助咨询",
        "participants": 25,
        "amount_spent": "300.00",
        "fund": "司法局社区工作经费",
    }
    created = client.post(reverse("service-activity-list"), payload, content_type="application/json")
    assert created.status_code == 201, created.content
    refused = client.post(
        reverse("service-activity-list"), {**payload, "department": health.pk}, content_type="application/json"
    )
    assert refused.status_code == 400 and "department" in refused.json()
    admin_list = client.get(reverse("admin:services_activity_changelist"))
    assert admin_list.status_code == 200
    assert {o.pk for o in admin_list.context["cl"].result_list} == {own_a.pk, own_b.pk, created.json()["id"]}
    # the write rule itself, for any caller
    with pytest.raises(PermissionDenied):
        actions.record_save(
            by=liaison,
            instance=Activity(
                community=community_a, department=health, kind="health", date=dt.date(2026, 1, 1), title="x"
            ),
        )


def test_activity_spending_must_name_its_fund_and_commitment_must_match(
    client, staff_a, community_a, community_b, justice, health
):
    client.force_login(staff_a)
    payload = {
        "community": community_a.pk,
        "department": justice.pk,
        "kind": "law",
        "date": "2026-11-20",
        "title": "法律讲座",
        "amount_spent": "100.00",
    }
    response = client.post(reverse("service-activity-list"), payload, content_type="application/json")
    assert response.status_code == 400 and "fund" in response.json()
    foreign_commitment = sf.commitment(community_a, department=health, kind=ActivityKind.HEALTH)
    response = client.post(
        reverse("service-activity-list"),
        {**payload, "fund": "经费", "commitment": foreign_commitment.pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "commitment" in response.json()
    assert not Activity.objects.exists()


def test_commitment_progress_and_six_into_indicators(community_a, justice, official, client):
    commitment = sf.commitment(community_a, department=justice, times=1, per="quarter", year=2026)
    for month in (2, 5, 8, 11):
        sf.activity(
            community_a, department=justice, commitment=commitment, date=dt.date(2026, month, 10), participants=20
        )
    short = sf.commitment(community_a, department=justice, times=2, per="month", year=2026, title="每月两次")
    sf.activity(community_a, department=justice, commitment=short, date=dt.date(2026, 3, 3), participants=5)
    period = Period.parse("year", "2026")
    summary = selectors.six_into_summary(scope=Scope("county", county_id=community_a.town.county_id), period=period)
    assert summary.activities == 5 and summary.participants == 85
    assert summary.commitments == 2 and summary.commitments_fulfilled == 1
    assert summary.by_department_kind[(justice.name, "law")] == 5
    assert summary.by_quarter_department["2026-Q4"] == {justice.name: 1}
    client.force_login(official)
    body = client.get("/api/v1/dashboard/", {"period": "year", "value": "2026"}).json()
    section = next(s for s in body["sections"] if s["key"] == "six_into")
    values = {i["key"]: i["value"] for i in section["indicators"]}
    assert values["activities"] == 5 and values["commitments_fulfilled"] == 1


def test_evaluation_once_a_year_and_score_bounded(client, staff_a, community_a, justice):
    client.force_login(staff_a)
    payload = {"community": community_a.pk, "department": justice.pk, "year": 2025, "score": 92, "grade": "excellent"}
    assert client.post(reverse("service-evaluation-list"), payload, content_type="application/json").status_code == 201
    again = client.post(reverse("service-evaluation-list"), payload, content_type="application/json")
    assert again.status_code == 400
    too_high = client.post(
        reverse("service-evaluation-list"), {**payload, "year": 2024, "score": 101}, content_type="application/json"
    )
    assert too_high.status_code == 400 and "score" in too_high.json()
    assert Evaluation.objects.count() == 1


def test_request_indicators(community_a, staff_a, official, client):
    cat = sf.category()
    now = timezone.now()
    resolved = sf.service_request(
        community_a, cat=cat, status=Status.IN_PROGRESS, submitted_at=now - dt.timedelta(hours=10)
    )
    actions.request_resolve(by=staff_a, request_id=resolved.pk, note="好了")
    actions.request_rate(request_id=resolved.pk, rating=Rating.SATISFIED)
    actions.request_follow_up(by=staff_a, request_id=resolved.pk, reached=True, satisfaction=Rating.SATISFIED)
    second = sf.service_request(
        community_a, cat=cat, status=Status.IN_PROGRESS, submitted_at=now - dt.timedelta(hours=30)
    )
    actions.request_resolve(by=staff_a, request_id=second.pk, note="好了")
    actions.request_rate(request_id=second.pk, rating=Rating.DISSATISFIED)
    past = now - dt.timedelta(days=9)
    sf.service_request(community_a, cat=cat, submitted_at=now - dt.timedelta(days=1), accept_due=past, resolve_due=past)
    period = Period.parse("month", None)
    s = selectors.request_summary(scope=Scope("county", county_id=community_a.town.county_id), period=period)
    assert s.total == 3 and s.overdue == 1
    assert s.by_status == {"closed": 1, "reopened": 1, "submitted": 1}
    assert s.satisfaction_rate == 50.0
    assert s.median_hours == pytest.approx(10.0, abs=0.2)  # the reopened one is no longer resolved
    assert s.follow_up_rate == 100.0  # the one finished request was followed up
    client.force_login(official)
    body = client.get("/api/v1/dashboard/").json()
    section = next(x for x in body["sections"] if x["key"] == "requests")
    values = {i["key"]: i["value"] for i in section["indicators"]}
    assert values["requests"] == 3 and values["satisfaction_rate"] == 50.0
    page = client.get("/dashboard/")
    assert page.status_code == 200


# --- facilities and events ---------------------------------------------------------------------


def test_booking_overlap_refused_and_use_recorded(client, staff_a, community_a):
    facility = sf.facility(community_a)
    client.force_login(staff_a)
    url = reverse("service-booking-list")
    payload = {
        "facility": facility.pk,
        "date": "2026-12-05",
        "start": "09:00",
        "end": "11:00",
        "organiser": "太极队",
        "purpose": "练习",
    }
    assert client.post(url, payload, content_type="application/json").status_code == 201
    clash = client.post(url, {**payload, "start": "10:00", "end": "12:00"}, content_type="application/json")
    assert clash.status_code == 400 and "start" in clash.json()
    backwards = client.post(url, {**payload, "start": "12:00", "end": "11:00"}, content_type="application/json")
    assert backwards.status_code == 400
    assert (
        client.post(url, {**payload, "start": "11:00", "end": "12:00"}, content_type="application/json").status_code
        == 201
    )
    booking = FacilityBooking.objects.order_by("id").first()
    actions.booking_record_use(by=staff_a, booking_id=booking.pk, attendees=18)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.USED and booking.attendees == 18
    assert FacilityBooking.objects.count() == 2


def test_public_facilities_and_events_pages(client, community_a, community_b):
    shown = sf.facility(community_a, name="学校操场")
    sf.facility(community_a, name="内部机房", public=False)
    upcoming = sf.event(community_a, title="广场舞展演", kind="culture_sports")
    sf.event(community_a, title="取消的会", status="cancelled")
    page = client.get(reverse("services:facilities")).content.decode()
    assert shown.name in page and "内部机房" not in page and shown.opening_hours in page
    only_b = client.get(reverse("services:facilities"), {"community": community_b.pk}).content.decode()
    assert shown.name not in only_b
    events = client.get(reverse("services:events")).content.decode()
    assert upcoming.title in events and "取消的会" not in events


def test_event_attendance_recorded_only_after_start(client, staff_a, community_a):
    future = sf.event(community_a)
    client.force_login(staff_a)
    url = reverse("service-event-attendance", args=[future.pk])
    assert client.post(url, {"attendance": 40}, content_type="application/json").status_code == 400
    held = sf.event(community_a, starts_at=timezone.now() - dt.timedelta(hours=3), capacity=50)
    url = reverse("service-event-attendance", args=[held.pk])
    assert client.post(url, {"attendance": "many"}, content_type="application/json").status_code == 400
    response = client.post(url, {"attendance": 42, "minutes": "通过停车管理办法"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "held"
    held.refresh_from_db()
    assert held.attendance == 42


def test_sharing_indicators(community_a, staff_a):
    facility = sf.facility(community_a)
    today = timezone.localdate()
    b = sf.booking(community_a, facility=facility, date=today)
    actions.booking_record_use(by=staff_a, booking_id=b.pk, attendees=30)
    held = sf.event(community_a, starts_at=timezone.now() - dt.timedelta(hours=3))
    actions.event_record_attendance(by=staff_a, event_id=held.pk, attendance=55)
    s = selectors.sharing_summary(
        scope=Scope("county", county_id=community_a.town.county_id), period=Period.parse("month", None)
    )
    assert (s.units, s.facilities, s.bookings_used, s.facility_visitors) == (1, 1, 1, 30)
    assert (s.events_held, s.event_attendance, s.meetings_held) == (1, 55, 1)


def test_bad_model_input_through_validation():
    with pytest.raises(ValidationError):
        validators.validate_questions([{"code": "a b", "label": "x"}])
    with pytest.raises(ValidationError):
        validators.validate_questions([{"code": "a", "label": "x", "type": "singlevaluelist"}])
    validators.validate_questions([{"code": "a", "label": "x", "type": "number"}])


# --- reference scenario -------------------------------------------------------------------------


def test_reference_scenario_is_realistic_and_idempotent(settings):
    from community.demo import reference as core
    from services import reference

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ctx = core.load_core()
    reference.load(ctx)
    counts = [
        ServiceRequest.objects.count(),
        Commitment.objects.count(),
        Activity.objects.count(),
        Evaluation.objects.count(),
        Facility.objects.count(),
        FacilityBooking.objects.count(),
        CommunityEvent.objects.count(),
    ]
    statuses = set(ServiceRequest.objects.values_list("status", flat=True))
    assert statuses >= {s.value for s in Status} - {"closed"} or statuses >= {s.value for s in Status}
    assert ServiceRequest.objects.exclude(rating="").exists()
    assert ServiceRequest.objects.filter(follow_ups__isnull=False).exists()
    assert ServiceRequest.objects.filter(overdue=True).exists()
    assert counts[0] == 5 * len(reference.PLAN) and counts[1] == 5 * 7 and counts[4] == 5 * 3
    ctx = core.load_core()
    reference.load(ctx)
    assert counts == [
        ServiceRequest.objects.count(),
        Commitment.objects.count(),
        Activity.objects.count(),
        Evaluation.objects.count(),
        Facility.objects.count(),
        FacilityBooking.objects.count(),
        CommunityEvent.objects.count(),
    ]
    assert Decimal(0) <= sum(ServiceRequest.objects.exclude(fee=None).values_list("fee", flat=True))

"""A department liaison's day, and calling a resident back (issue 15): the requests routed to the department,
progress and replies, the 六进 activities, and every reveal of a requester's phone in the access log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from community.choices import DepartmentCode, Role, ScopeLevel
from community.models import PersonalDataAccess
from services import actions
from services.choices import ActivityKind, Status
from services.models import Activity, FollowUp, RequestEvent, ServiceRequest
from tests import factories as f
from tests.services import factories as sf

pytestmark = pytest.mark.django_db


@pytest.fixture
def civil(county):
    return f.DepartmentFactory(county=county, code=DepartmentCode.CIVIL_AFFAIRS, name="县民政局")


@pytest.fixture
def justice(county):
    return f.DepartmentFactory(county=county, code=DepartmentCode.JUSTICE, name="县司法局")


@pytest.fixture
def liaison(civil):
    return f.make_user(role=Role.DEPARTMENT_LIAISON, scope_level=ScopeLevel.DEPARTMENT, department=civil)


def routed(community, staff, department, *, phone="13912340030"):
    """A request accepted by the community's staff and routed to ``department``."""
    req = sf.service_request(community, phone=phone)
    actions.request_move(by=staff, request_id=req.pk, to=Status.ACCEPTED)
    actions.request_assign(by=staff, request_id=req.pk, department=department)
    return ServiceRequest.objects.get(pk=req.pk)


def test_liaison_sees_only_the_requests_routed_to_the_department(
    client, liaison, civil, justice, community_a, community_b, staff_a, staff_b
):
    mine_a = routed(community_a, staff_a, civil)
    mine_b = routed(community_b, staff_b, civil)
    other = routed(community_a, staff_a, justice)
    unrouted = sf.service_request(community_a)
    client.force_login(liaison)

    listing = client.get(reverse("service-request-list"), {"page_size": 100})
    assert listing.status_code == 200
    assert {r["id"] for r in listing.json()["results"]} == {mine_a.pk, mine_b.pk}
    changelist = client.get(reverse("admin:services_servicerequest_changelist"))
    assert changelist.status_code == 200
    assert {o.pk for o in changelist.context["cl"].result_list} == {mine_a.pk, mine_b.pk}
    for row in (other, unrouted):
        assert client.get(reverse("service-request-detail", args=[row.pk])).status_code == 404
        assert client.get(reverse("admin:services_servicerequest_process", args=[row.pk])).status_code == 404
    page = client.get(reverse("admin:services_servicerequest_change", args=[mine_a.pk]))
    assert page.status_code == 200
    assert "13912340030" not in page.content.decode(), "no phone until it is revealed with a reason"


def test_liaison_records_progress_and_a_reply_the_resident_reads(client, liaison, civil, community_a, staff_a):
    req = routed(community_a, staff_a, civil)
    client.force_login(liaison)
    url = reverse("admin:services_servicerequest_process", args=[req.pk])
    page = client.get(url)
    assert page.status_code == 200
    offered = {op for op, _label, _form in page.context["forms"]}
    assert offered == {"start", "note", "call"}, "progress only, and only what the status allows"

    assert client.post(url, {"operation": "start", "note": "已派员核实"}).status_code == 302
    assert client.post(url, {"operation": "note", "note": "材料已收齐，三日内办结", "public": "on"}).status_code == 302
    assert client.post(url, {"operation": "resolve", "note": "证明已开具，请到社区领取"}).status_code == 302
    req.refresh_from_db()
    assert req.status == Status.RESOLVED
    public = RequestEvent.objects.filter(request=req, public=True).values_list("note", flat=True)
    assert "材料已收齐，三日内办结" in public and "证明已开具，请到社区领取" in public
    assert RequestEvent.objects.filter(request=req, by=liaison).count() == 3

    # triage stays with the community: a forged operation is refused by the form and by the action
    refused = client.post(url, {"operation": "close", "note": ""})
    assert refused.status_code == 400
    with pytest.raises(PermissionDenied):
        actions.request_move(by=liaison, request_id=req.pk, to=Status.CLOSED)
    req.refresh_from_db()
    assert req.status == Status.RESOLVED


def test_liaison_reveals_the_phone_only_while_the_request_is_open_and_theirs(
    client, liaison, civil, justice, community_a, staff_a
):
    req = routed(community_a, staff_a, civil)
    other = routed(community_a, staff_a, justice, phone="13912340031")
    client.force_login(liaison)
    url = reverse("admin:services_servicerequest_process", args=[req.pk])

    no_reason = client.post(url, {"operation": "call", "note": " "})
    assert no_reason.status_code == 400 and "13912340030" not in no_reason.content.decode()
    assert not PersonalDataAccess.objects.exists()

    shown = client.post(url, {"operation": "call", "note": "核实申请人信息"})
    assert shown.status_code == 200 and "13912340030" in shown.content.decode()
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.model, log.object_id, log.fields, log.reason) == (
        liaison,
        "services.ServiceRequest",
        str(req.pk),
        "contact_phone",
        "核实申请人信息",
    )
    with pytest.raises(PermissionDenied):  # not routed to this department
        actions.request_reveal_phone(by=liaison, request_id=other.pk, reason="回访")

    actions.request_move(by=liaison, request_id=req.pk, to=Status.IN_PROGRESS)
    actions.request_resolve(by=liaison, request_id=req.pk, note="已办结")
    with pytest.raises(PermissionDenied):  # closed for the department once resolved
        actions.request_reveal_phone(by=liaison, request_id=req.pk, reason="回访")
    assert PersonalDataAccess.objects.count() == 1


def test_staff_call_the_resident_back_and_the_follow_up_notes_the_call(client, community_a, staff_a, staff_b):
    req = sf.service_request(community_a, phone="13912340077")
    actions.request_move(by=staff_a, request_id=req.pk, to=Status.ACCEPTED)
    actions.request_assign(by=staff_a, request_id=req.pk, user=staff_a)
    actions.request_move(by=staff_a, request_id=req.pk, to=Status.IN_PROGRESS)
    actions.request_resolve(by=staff_a, request_id=req.pk, note="已修好")
    with pytest.raises(PermissionDenied):  # another community's staff
        actions.request_reveal_phone(by=staff_b, request_id=req.pk, reason="回访")

    client.force_login(staff_a)
    url = reverse("admin:services_servicerequest_process", args=[req.pk])
    shown = client.post(url, {"operation": "call", "note": "回访"})
    assert shown.status_code == 200 and 'href="tel:13912340077"' in shown.content.decode()
    done = client.post(url, {"operation": "follow_up", "reached": "on", "satisfaction": "satisfied", "note": "满意"})
    assert done.status_code == 302
    follow_up = FollowUp.objects.get(request=req)
    assert follow_up.call == PersonalDataAccess.objects.get(user=staff_a, object_id=str(req.pk))
    req.refresh_from_db()
    assert req.status == Status.CLOSED


def test_liaison_records_an_activity_in_the_admin(client, liaison, civil, justice, community_a, community_b):
    client.force_login(liaison)
    url = reverse("admin:services_activity_add")
    form = client.get(url)
    assert form.status_code == 200
    assert set(form.context["adminform"].form.fields["department"].queryset) == {civil}
    communities = set(form.context["adminform"].form.fields["community"].queryset)
    assert {community_a, community_b} <= communities
    data = {
        "community": community_b.pk,
        "department": civil.pk,
        "kind": ActivityKind.SCIENCE_EDUCATION,
        "date": "2026-11-20",
        "title": "居民自治培训",
        "participants": "35",
        "staff_count": "2",
        "amount_spent": "0",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
    }
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved
    activity = Activity.objects.get(title="居民自治培训")
    assert (activity.department, activity.community, activity.date) == (civil, community_b, dt.date(2026, 11, 20))

    forged = client.post(url, {**data, "department": justice.pk, "title": "冒名活动"})
    assert forged.status_code == 200  # the form's error, not a save
    assert not Activity.objects.filter(title="冒名活动").exists()

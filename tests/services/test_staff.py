"""Staff side: the admin triage queue and processing, the API, and their query counts."""

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from community.choices import DepartmentCode
from services.choices import Status
from services.models import RequestEvent, ServiceRequest
from tests import factories as f
from tests.conftest import assert_flat
from tests.services import factories as sf

pytestmark = pytest.mark.django_db

ADMIN_MODELS = {
    "servicerequest": "services.ServiceRequest",
    "notification": "services.Notification",
    "commitment": "services.Commitment",
    "activity": "services.Activity",
    "evaluation": "services.Evaluation",
    "facility": "services.Facility",
    "facilitybooking": "services.FacilityBooking",
    "communityevent": "services.CommunityEvent",
}


@pytest.mark.parametrize("model", list(ADMIN_MODELS))
def test_admin_changelists_query_count_is_flat(model, client, staff_a, community_a, count_queries):
    make = f.SCOPED_FACTORIES[ADMIN_MODELS[model]]
    client.force_login(staff_a)
    make(community_a)
    url = reverse(f"admin:services_{model}_changelist")
    assert client.get(url).status_code == 200
    with count_queries() as few:
        client.get(url)
    for _ in range(8):
        make(community_a)
    with count_queries() as many:
        response = client.get(url)
    assert response.status_code == 200
    assert_flat(few, many)


def test_triage_queue_filters(client, staff_a, community_a, building_a):
    client.force_login(staff_a)
    past = timezone.now() - dt.timedelta(days=3)
    late = sf.service_request(community_a, accept_due=past, resolve_due=past, submitted_at=past - dt.timedelta(days=1))
    household = f.HouseholdFactory(building=building_a)
    f.ResidentFactory(household=household, elderly_alone=True)
    vulnerable = sf.service_request(community_a, household=household, building=building_a)
    plain = sf.service_request(community_a, status=Status.ACCEPTED)
    url = reverse("admin:services_servicerequest_changelist")

    def shown(params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {o.pk for o in response.context["cl"].result_list}

    assert shown({"overdue": "yes"}) == {late.pk}
    assert shown({"vulnerable": "yes"}) == {vulnerable.pk}
    assert shown({"building": building_a.pk}) == {vulnerable.pk}
    assert shown({"status__exact": "accepted"}) == {plain.pk}
    assert shown({"category__id__exact": plain.category_id}) == {plain.pk}
    # the queue sorts by deadline (the "due" column) to work through it in time
    due = list(admin.site._registry[ServiceRequest].list_display).index("deadline") + 1
    response = client.get(url, {"o": str(due)})
    assert [o.pk for o in response.context["cl"].result_list] == list(
        ServiceRequest.objects.order_by("resolve_due", "-pk").values_list("pk", flat=True)
    )


def test_staff_logs_a_phone_request_and_processes_it(client, staff_a, community_a, building_a, category):
    client.force_login(staff_a)
    add = reverse("admin:services_servicerequest_add")
    assert client.get(add).status_code == 200
    bad = client.post(add, {"community": community_a.pk, "category": category.pk, "channel": "phone"})
    assert bad.status_code == 200 and bad.context["adminform"].form.errors
    assert not ServiceRequest.objects.exists()
    response = client.post(
        add,
        {
            "community": community_a.pk,
            "category": category.pk,
            "channel": "phone",
            "building": building_a.pk,
            "door_number": "1-101",
            "address": "",
            "description": "电话反映：楼道堆物",
            "contact_name": "刘阿姨",
            "contact_phone": "13812345678",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    req = ServiceRequest.objects.get()
    assert req.channel == "phone" and req.created_by == staff_a
    # staff may leave the category's required questions open on the phone
    change = client.get(reverse("admin:services_servicerequest_change", args=[req.pk]))
    assert change.status_code == 200 and "138****5678" in change.content.decode()
    process = reverse("admin:services_servicerequest_process", args=[req.pk])
    assert client.get(process).status_code == 200
    assert client.post(process, {"operation": "accept"}).status_code == 302
    refused = client.post(process, {"operation": "resolve", "note": "好了"})
    assert refused.status_code == 400 and "not open to you" in refused.content.decode()  # only valid steps
    assert client.post(process, {"operation": "assign", "user": staff_a.pk, "note": "本人处理"}).status_code == 302
    assert client.post(process, {"operation": "start"}).status_code == 302
    empty = client.post(process, {"operation": "resolve", "note": ""})
    assert empty.status_code == 400
    assert client.post(process, {"operation": "resolve", "note": "已清理"}).status_code == 302
    req.refresh_from_db()
    assert req.status == Status.RESOLVED and req.assigned_user == staff_a
    follow = client.post(process, {"operation": "follow_up", "reached": "on", "satisfaction": "satisfied"})
    assert follow.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.CLOSED and req.follow_ups.count() == 1


def test_admin_bulk_accept_and_process_refused_out_of_scope(client, staff_a, staff_b, community_a):
    mine = [sf.service_request(community_a) for _ in range(2)]
    client.force_login(staff_a)
    response = client.post(
        reverse("admin:services_servicerequest_changelist"),
        {"action": "accept_selected", "_selected_action": [r.pk for r in mine]},
    )
    assert response.status_code == 302
    assert set(ServiceRequest.objects.values_list("status", flat=True)) == {"accepted"}
    client.force_login(staff_b)
    response = client.post(reverse("admin:services_servicerequest_process", args=[mine[0].pk]), {"operation": "start"})
    assert response.status_code == 404
    assert ServiceRequest.objects.get(pk=mine[0].pk).status == "accepted"


# --- API ------------------------------------------------------------------------------------------

API_LISTS = {
    "service-request-list": "services.ServiceRequest",
    "service-commitment-list": "services.Commitment",
    "service-activity-list": "services.Activity",
    "service-evaluation-list": "services.Evaluation",
    "service-facility-list": "services.Facility",
    "service-booking-list": "services.FacilityBooking",
    "service-event-list": "services.CommunityEvent",
}


@pytest.mark.parametrize("url_name", list(API_LISTS))
def test_api_lists_query_count_is_flat(url_name, client, staff_a, community_a, count_queries):
    make = f.SCOPED_FACTORIES[API_LISTS[url_name]]
    client.force_login(staff_a)
    make(community_a)
    client.get(reverse(url_name))
    with count_queries() as few:
        client.get(reverse(url_name))
    for _ in range(10):
        make(community_a)
    with count_queries() as many:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert len(response.json()["results"]) == 11
    assert_flat(few, many)


def test_api_catalogue_list(client, staff_a, category):
    client.force_login(staff_a)
    rows = client.get(reverse("service-category-list")).json()["results"]
    assert [r["code"] for r in rows] == ["repair"]


def test_api_logs_and_processes_a_request(client, staff_a, community_a, community_b, category):
    client.force_login(staff_a)
    url = reverse("service-request-list")
    payload = {
        "community": community_a.pk,
        "category": category.pk,
        "channel": "counter",
        "address": "东风路18号",
        "description": "窗口反映：路灯不亮",
        "contact_name": "张师傅",
        "contact_phone": "13812345678",
        "answers": {"location": "stair"},
    }
    bad = client.post(
        url, {**payload, "contact_phone": "123", "answers": {"location": "moon"}}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "contact_phone" in bad.json() and "answer_location" in bad.json()
    foreign = client.post(url, {**payload, "community": community_b.pk}, content_type="application/json")
    assert foreign.status_code == 400 and "community" in foreign.json()
    assert not ServiceRequest.objects.exists()
    created = client.post(url, payload, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["masked_phone"] == "138****5678" and "contact_phone" not in body
    process = reverse("service-request-process", args=[body["id"]])
    illegal = client.post(process, {"operation": "start"}, content_type="application/json")
    assert illegal.status_code == 400
    unknown = client.post(process, {"operation": "explode"}, content_type="application/json")
    assert unknown.status_code == 400
    dep = sf.department(community_a, DepartmentCode.URBAN_CONSTRUCTION)
    # a step the status does not allow yet (hand over before acceptance) is refused, not skipped over
    early = client.post(process, {"operation": "assign", "department": dep.pk}, content_type="application/json")
    assert early.status_code == 400 and "operation" in early.json()
    accepted = client.post(process, {"operation": "accept"}, content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted", accepted.content.decode()
    assigned = client.post(process, {"operation": "assign", "department": dep.pk}, content_type="application/json")
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned", assigned.content.decode()
    timeline = client.get(reverse("service-request-timeline", args=[body["id"]])).json()
    assert [e["new_status"] for e in timeline if e["kind"] == "transition"] == ["submitted", "accepted", "assigned"]


def test_party_worker_cannot_process(client, community_a):
    from community.choices import Role, ScopeLevel

    worker = f.make_user(role=Role.PARTY_WORKER, scope_level=ScopeLevel.COMMUNITY, community=community_a)
    req = sf.service_request(community_a)
    client.force_login(worker)
    assert client.get(reverse("service-request-list")).status_code == 200
    response = client.post(
        reverse("service-request-process", args=[req.pk]), {"operation": "accept"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not RequestEvent.objects.filter(request=req).exists()


def test_county_keeps_the_catalogue_in_the_admin(client, official, staff_a, community_a):
    dep = sf.department(community_a)
    client.force_login(official)
    add = reverse("admin:services_servicecategory_add")
    data = {
        "code": "garden",
        "name": "绿化养护",
        "group": "环境",
        "description": "",
        "department": dep.pk,
        "accept_within_hours": 24,
        "resolve_within_days": 5,
        "price": "0",
        "questions": "[]",
        "active": "on",
        "order": 10,
    }
    bad = client.post(add, {**data, "questions": '[{"code": "a b"}]'})
    assert bad.status_code == 200 and bad.context["adminform"].form.errors
    free_with_price = client.post(add, {**data, "price": "20"})
    assert free_with_price.status_code == 200
    assert client.post(add, data).status_code == 302
    from services.models import ServiceCategory

    category = ServiceCategory.objects.get(code="garden")
    assert category.department == dep
    client.force_login(staff_a)
    change = reverse("admin:services_servicecategory_change", args=[category.pk])
    assert client.post(change, {**data, "name": "改名"}).status_code == 403
    category.refresh_from_db()
    assert category.name == "绿化养护"

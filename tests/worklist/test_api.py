"""The API under /api/v1/tasks/…: scoped reads, writes through the actions, bad input as 400/403."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f
from tests.conftest import assert_flat
from tests.worklist import factories as wf
from worklist import actions
from worklist.choices import AssignmentStatus as S
from worklist.models import HandedTask, ListException, SupportRequest, TaskAssignment, WorkListItem

pytestmark = pytest.mark.django_db

JSON = "application/json"


def post(client, url, body):
    return client.post(url, body, content_type=JSON)


def task_body(item, communities, deadline, **extra):
    body = {
        "title": "低保入户核查",
        "office": "民政办",
        "deadline": deadline.isoformat(),
        "work_item": item.pk if item else None,
        "communities": [c.pk for c in communities],
        "feedback_kind": "text",
    }
    body.update(extra)
    return body


def test_town_hands_a_task_down_through_the_api(client, cadre, item, community_a, community_b, deadline):
    client.force_login(cadre)
    response = post(client, reverse("handedtask-list"), task_body(item, [community_a, community_b], deadline))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["communities_count"] == 2 and body["issuer_kind"] == "town" and body["outside_list"] is False
    board = client.get(reverse("handedtask-status-board", args=[body["id"]])).json()
    assert {row["community_name"] for row in board} == {community_a.name, community_b.name}
    assert {row["status"] for row in board} == {"received"}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"work_item": None}, "work_item"),
        ({"deadline": "2020-01-01"}, "deadline"),
        ({"communities": []}, "communities"),
        ({"feedback_kind": "number", "feedback_label": ""}, "feedback_label"),
        ({"deadline": "not a date"}, "deadline"),
        ({"communities": [99999999]}, "communities"),
    ],
)
def test_bad_task_is_a_400_and_nothing_is_written(client, cadre, item, community_a, deadline, change, field):
    client.force_login(cadre)
    body = {**task_body(item, [community_a], deadline), **change}
    response = post(client, reverse("handedtask-list"), body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not HandedTask.objects.exists() and not TaskAssignment.objects.exists()


def test_community_outside_the_issuers_scope_is_a_403(client, cadre, item, community_a, community_c, deadline):
    client.force_login(cadre)
    response = post(client, reverse("handedtask-list"), task_body(item, [community_a, community_c], deadline))
    assert response.status_code == 403
    assert community_c.name in response.json()["detail"]
    assert not HandedTask.objects.exists() and not TaskAssignment.objects.exists()


def test_item_of_another_county_is_a_400(client, cadre, community_a, far_community, deadline):
    foreign = wf.work_item(far_community.town.county)
    client.force_login(cadre)
    response = post(client, reverse("handedtask-list"), task_body(foreign, [community_a], deadline))
    assert response.status_code == 400 and "work_item" in response.json()


def test_task_with_an_approved_exception(client, cadre, official, county, community_a, deadline):
    exception = actions.list_exception_approve(by=official, county=county, title="文明城市问卷", reason="时限紧")
    client.force_login(cadre)
    body = task_body(None, [community_a], deadline, exception=exception.pk)
    response = post(client, reverse("handedtask-list"), body)
    assert response.status_code == 201, response.content
    assert response.json()["outside_list"] is True
    again = post(client, reverse("handedtask-list"), {**body, "title": "第二次"})
    assert again.status_code == 400 and "exception" in again.json()
    assert HandedTask.objects.count() == 1


def test_community_staff_cannot_hand_down(client, staff_a, item, community_a, deadline):
    client.force_login(staff_a)
    response = post(client, reverse("handedtask-list"), task_body(item, [community_a], deadline))
    assert response.status_code == 403
    assert not HandedTask.objects.exists()


def test_exceptions_approved_by_the_county_only(client, cadre, official, county):
    url = reverse("listexception-list")
    client.force_login(cadre)
    assert post(client, url, {"county": county.pk, "title": "x", "reason": "y"}).status_code == 403
    client.force_login(official)
    blank = post(client, url, {"county": county.pk, "title": "问卷", "reason": "  "})
    assert blank.status_code == 400
    good = post(client, url, {"county": county.pk, "title": "问卷", "reason": "时限紧"})
    assert good.status_code == 201, good.content
    assert ListException.objects.get().approved_by == official


def test_work_list_items(client, official, cadre, county, civil_affairs, far_community):
    url = reverse("worklistitem-list")
    body = {
        "county": county.pk,
        "number": "1",
        "title": "居委会换届选举",
        "legal_basis": "《城市居民委员会组织法》",
        "department": civil_affairs.pk,
        "community_role": "perform",
        "valid_from": "2024-01-01",
    }
    client.force_login(cadre)
    assert post(client, url, body).status_code == 403
    assert client.get(url).status_code == 200  # the town reads the list
    client.force_login(official)
    assert post(client, url, {**body, "valid_until": "2023-01-01"}).status_code == 400
    other = wf.department(far_community.town.county, "justice")
    bad_department = post(client, url, {**body, "department": other.pk})
    assert bad_department.status_code == 400 and "department" in bad_department.json()
    created = post(client, url, body)
    assert created.status_code == 201, created.content
    duplicate = post(client, url, body)
    assert duplicate.status_code == 400
    assert WorkListItem.objects.count() == 1
    stranger = f.official_of(far_community.town.county)
    client.force_login(stranger)
    assert client.get(url).json()["count"] == 0


# --- the communities' queue ---------------------------------------------------------------------------


@pytest.fixture
def task(cadre, item, community_a, community_b, deadline):
    return actions.handed_task_create(
        by=cadre, title="低保入户核查", deadline=deadline, communities=[community_a, community_b], work_item=item
    )


def step(client, assignment, **body):
    return post(client, reverse("taskassignment-transition", args=[assignment.pk]), body)


def test_queue_and_steps_through_the_api(client, task, staff_a, cadre, community_a):
    mine = task.assignments.get(community=community_a)
    client.force_login(staff_a)
    queue = client.get(reverse("taskassignment-list")).json()["results"]
    assert [row["id"] for row in queue] == [mine.pk]
    assert queue[0]["deadline"] == task.deadline.isoformat() and queue[0]["overdue"] is False
    assert step(client, mine, to="accepted").status_code == 200
    assert step(client, mine, to="in_progress").status_code == 200
    missing = step(client, mine, to="reported", text="")
    assert missing.status_code == 400 and "feedback" in missing.json()
    mine.refresh_from_db()
    assert mine.status == S.IN_PROGRESS and mine.reported_at is None
    assert step(client, mine, to="confirmed").status_code == 400  # not a step from in progress
    reported = step(client, mine, to="reported", text="已核查32户")
    assert reported.status_code == 200 and reported.json()["status"] == "reported"
    assert step(client, mine, to="confirmed").status_code == 403  # the issuer confirms, not the community
    assert step(client, mine, to="nonsense").status_code == 400
    client.force_login(cadre)
    confirmed = step(client, mine, to="confirmed")
    assert confirmed.status_code == 200
    assert [t["new"] for t in confirmed.json()["transitions"]] == [
        "received",
        "accepted",
        "in_progress",
        "reported",
        "confirmed",
    ]


def test_other_community_cannot_step_or_see(client, task, staff_b, community_a):
    theirs = task.assignments.get(community=community_a)
    client.force_login(staff_b)
    assert step(client, theirs, to="accepted").status_code == 404
    assert client.get(reverse("taskassignment-detail", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.RECEIVED


def test_community_sees_only_tasks_sent_to_it(client, cadre, item, staff_a, staff_b, community_a, deadline):
    actions.handed_task_create(by=cadre, title="只给东风", deadline=deadline, communities=[community_a], work_item=item)
    client.force_login(staff_b)
    assert client.get(reverse("handedtask-list")).json()["count"] == 0
    client.force_login(staff_a)
    titles = [t["title"] for t in client.get(reverse("handedtask-list")).json()["results"]]
    assert titles == ["只给东风"]


def test_overdue_filter(client, staff_a, community_a, today):
    late = wf.assignment(community_a, deadline=today - dt.timedelta(days=1))
    wf.assignment(community_a, deadline=today + dt.timedelta(days=3))
    client.force_login(staff_a)
    rows = client.get(reverse("taskassignment-list"), {"overdue": "true"}).json()["results"]
    assert [r["id"] for r in rows] == [late.pk] and rows[0]["overdue"] is True


# --- guidance and support ------------------------------------------------------------------------------


def test_guidance_and_support_through_the_api(client, cadre, staff_a, staff_b, community_a, today):
    client.force_login(staff_a)
    guidance = {
        "community": community_a.pk,
        "kind": "training",
        "date": today.isoformat(),
        "topic": "工作事项清单培训",
        "attendees": "社区主任",
        "attendee_count": 5,
    }
    assert post(client, reverse("guidancerecord-list"), guidance).status_code == 403
    client.force_login(cadre)
    made = post(client, reverse("guidancerecord-list"), guidance)
    assert made.status_code == 201, made.content
    assert made.json()["recorded_by"]
    future = post(client, reverse("guidancerecord-list"), {**guidance, "date": "2999-01-01"})
    assert future.status_code == 400

    client.force_login(staff_a)
    asked = post(
        client, reverse("supportrequest-list"), {"community": community_a.pk, "title": "协调物业", "body": "b"}
    )
    assert asked.status_code == 201, asked.content
    request_id = asked.json()["id"]
    assert post(client, reverse("supportrequest-answer", args=[request_id]), {"answer": "x"}).status_code == 403
    client.force_login(staff_b)
    assert post(client, reverse("supportrequest-answer", args=[request_id]), {"answer": "x"}).status_code == 404
    client.force_login(cadre)
    assert post(client, reverse("supportrequest-answer", args=[request_id]), {"answer": ""}).status_code == 400
    answered = post(client, reverse("supportrequest-answer", args=[request_id]), {"answer": "下周协调"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert SupportRequest.objects.get().answered_by == cadre


# --- query counts -------------------------------------------------------------------------------------------


def _make_task(community):
    return wf.assignment(community).task


LISTS = {
    "taskassignment-list": ("staff", wf.assignment),
    "handedtask-list": ("staff", _make_task),
    "guidancerecord-list": ("staff", wf.guidance),
    "supportrequest-list": ("staff", wf.support),
    "worklistitem-list": ("staff", lambda c: wf.work_item(c.town.county)),
    "listexception-list": (
        "staff",
        lambda c: ListException.objects.create(
            county=c.town.county, title="t", reason="r", approved_by=f.official_of(c.town.county)
        ),
    ),
}


@pytest.mark.parametrize("url_name", sorted(LISTS))
def test_lists_query_count_is_flat(url_name, client, staff_a, community_a, count_queries):
    _who, make = LISTS[url_name]
    client.force_login(staff_a)
    make(community_a)
    client.get(reverse(url_name))
    with count_queries() as few:
        assert client.get(reverse(url_name)).status_code == 200
    for _ in range(8):
        make(community_a)
    with count_queries() as many:
        response = client.get(reverse(url_name))
    assert len(response.json()["results"]) == 9
    assert_flat(few, many)


def test_status_board_query_count_is_flat(client, cadre, item, town, count_queries, deadline):
    few_communities = [f.CommunityFactory(town=town) for _ in range(2)]
    many_communities = [f.CommunityFactory(town=town) for _ in range(12)]
    client.force_login(cadre)
    small = actions.handed_task_create(
        by=cadre, title="a", deadline=deadline, communities=few_communities, work_item=item
    )
    big = actions.handed_task_create(
        by=cadre, title="b", deadline=deadline, communities=many_communities, work_item=item
    )
    client.get(reverse("handedtask-status-board", args=[small.pk]))
    with count_queries() as few:
        client.get(reverse("handedtask-status-board", args=[small.pk]))
    with count_queries() as many:
        assert len(client.get(reverse("handedtask-status-board", args=[big.pk])).json()) == 12
    assert_flat(few, many)


def test_schema_includes_the_tasks_endpoints(client, official):
    client.force_login(official)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/tasks/assignments/{id}/transition/" in text and "/api/v1/tasks/handed/" in text

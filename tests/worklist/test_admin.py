"""The admin of the work list app: queue, issuer's board, forms that refuse bad input without a 500."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f
from tests.conftest import assert_flat
from tests.worklist import factories as wf
from worklist import actions
from worklist.choices import AssignmentStatus as S
from worklist.models import HandedTask, ListException, TaskAssignment

pytestmark = pytest.mark.django_db


def test_town_hands_down_in_the_admin(client, cadre, item, community_a, community_b, community_c, deadline, today):
    client.force_login(cadre)
    url = reverse("admin:worklist_handedtask_add")
    page = client.get(url)
    assert page.status_code == 200
    # only the town's own communities are offered
    assert community_a.name in page.content.decode() and community_c.name not in page.content.decode()
    form = {
        "title": "高龄津贴申报初审",
        "office": "民政办",
        "work_item": item.pk,
        "deadline": (today - dt.timedelta(days=1)).isoformat(),
        "feedback_kind": "text",
        "communities": [community_a.pk, community_b.pk],
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200  # the form again, with the error
    assert "deadline" in refused.context["adminform"].form.errors
    assert not HandedTask.objects.exists()
    no_item = client.post(url, {**form, "deadline": deadline.isoformat(), "work_item": ""})
    assert no_item.status_code == 200 and "work_item" in no_item.context["adminform"].form.errors
    outside = client.post(url, {**form, "deadline": deadline.isoformat(), "communities": [community_c.pk]})
    assert outside.status_code == 200 and outside.context["adminform"].form.errors
    assert not HandedTask.objects.exists()
    done = client.post(url, {**form, "deadline": deadline.isoformat()})
    assert done.status_code == 302, done.context["adminform"].form.errors if done.context else done
    task = HandedTask.objects.get()
    assert task.issued_by == cadre and task.assignments.count() == 2
    board = client.get(reverse("admin:worklist_handedtask_change", args=[task.pk])).content.decode()
    assert community_a.name in board and community_b.name in board


def test_community_reports_in_the_admin(client, cadre, staff_a, item, community_a, deadline):
    task = actions.handed_task_create(
        by=cadre, title="入户核查", deadline=deadline, communities=[community_a], work_item=item
    )
    mine = task.assignments.get()
    client.force_login(staff_a)
    changelist = client.get(reverse("admin:worklist_taskassignment_changelist"))
    assert changelist.status_code == 200 and mine in changelist.context["cl"].result_list
    accepted = client.post(
        reverse("admin:worklist_taskassignment_changelist"),
        {"action": "accept", "_selected_action": [mine.pk]},
    )
    assert accepted.status_code == 302
    mine.refresh_from_db()
    assert mine.status == S.ACCEPTED
    url = reverse("admin:worklist_taskassignment_change", args=[mine.pk])
    base = {"transitions-TOTAL_FORMS": "0", "transitions-INITIAL_FORMS": "0"}
    assert client.post(url, {**base, "to": "in_progress"}).status_code == 302
    missing = client.post(url, {**base, "to": "reported", "feedback_text": ""})
    assert missing.status_code == 200 and missing.context["adminform"].form.errors
    mine.refresh_from_db()
    assert mine.status == S.IN_PROGRESS
    assert client.post(url, {**base, "to": "reported", "feedback_text": "核查32户"}).status_code == 302
    mine.refresh_from_db()
    assert mine.status == S.REPORTED and mine.feedback_text == "核查32户"
    client.force_login(cadre)
    assert client.get(url).status_code == 200  # the issuer opens the community's report
    assert client.post(url, {**base, "to": "confirmed"}).status_code == 302
    mine.refresh_from_db()
    assert mine.status == S.CONFIRMED


def test_exception_is_approved_in_the_admin_by_the_county(client, official, cadre, county):
    url = reverse("admin:worklist_listexception_add")
    client.force_login(cadre)
    assert client.get(url).status_code == 403
    client.force_login(official)
    response = client.post(url, {"county": county.pk, "title": "文明城市问卷", "reason": "时限紧，仅此一次"})
    assert response.status_code == 302
    assert ListException.objects.get().approved_by == official


ADMINS = {
    "taskassignment": ("staff", wf.assignment),
    "handedtask": ("staff", lambda c: wf.assignment(c).task),
    "guidancerecord": ("staff", wf.guidance),
    "supportrequest": ("staff", wf.support),
    "worklistitem": ("official", lambda c: wf.work_item(c.town.county)),
    "listexception": (
        "official",
        lambda c: ListException.objects.create(
            county=c.town.county, title="问卷", reason="时限紧", approved_by=f.official_of(c.town.county)
        ),
    ),
    "taskreminder": (
        "staff",
        lambda c: wf.assignment(c).reminders.create(on=dt.date(2026, 11, 1), kind="overdue"),
    ),
}


@pytest.mark.parametrize("model", sorted(ADMINS))
def test_admin_changelists_query_count_is_flat(model, client, staff_a, official, community_a, count_queries):
    who, make = ADMINS[model]
    client.force_login(staff_a if who == "staff" else official)
    url = reverse(f"admin:worklist_{model}_changelist")
    make(community_a)
    assert client.get(url).status_code == 200
    with count_queries() as few:
        client.get(url)
    for _ in range(8):
        make(community_a)
    with count_queries() as many:
        response = client.get(url)
    assert response.status_code == 200 and len(response.context["cl"].result_list) == 9
    assert_flat(few, many)


def test_issuers_board_query_count_is_flat(client, cadre, item, town, count_queries, deadline):
    client.force_login(cadre)
    small = actions.handed_task_create(
        by=cadre, title="a", deadline=deadline, communities=[f.CommunityFactory(town=town)], work_item=item
    )
    big = actions.handed_task_create(
        by=cadre,
        title="b",
        deadline=deadline,
        communities=[f.CommunityFactory(town=town) for _ in range(10)],
        work_item=item,
    )
    client.get(reverse("admin:worklist_handedtask_change", args=[small.pk]))
    with count_queries() as few:
        client.get(reverse("admin:worklist_handedtask_change", args=[small.pk]))
    with count_queries() as many:
        assert client.get(reverse("admin:worklist_handedtask_change", args=[big.pk])).status_code == 200
    assert_flat(few, many)
    assert TaskAssignment.objects.filter(task=big).count() == 10


def test_task_pages_are_seen_by_the_communities_it_was_sent_to(
    client, cadre, staff_a, staff_b, item, community_a, deadline
):
    task = actions.handed_task_create(
        by=cadre, title="只给东风", deadline=deadline, communities=[community_a], work_item=item
    )
    url = reverse("admin:worklist_handedtask_change", args=[task.pk])
    client.force_login(staff_a)
    page = client.get(url)
    assert page.status_code == 200 and "只给东风" in page.content.decode()
    assert client.post(url, {}).status_code == 403  # read-only for the community
    client.force_login(staff_b)
    assert client.get(url).status_code == 302  # not sent to b: not found, back to the list
    listing = client.get(reverse("admin:worklist_handedtask_changelist"))
    assert task not in listing.context["cl"].result_list
    assert client.get(reverse("handedtask-detail", args=[task.pk])).status_code == 404
    assert client.get(reverse("handedtask-status-board", args=[task.pk])).status_code == 404

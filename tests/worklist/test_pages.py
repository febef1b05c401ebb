"""Public work list page, dashboard indicators and the reference scenario."""

import datetime as dt
from io import StringIO

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.worklist import factories as wf
from worklist import actions
from worklist.choices import AssignmentStatus as S
from worklist.choices import CommunityRole
from worklist.models import GuidanceRecord, HandedTask, SupportRequest, TaskAssignment, WorkListItem

pytestmark = pytest.mark.django_db


def test_public_page_lists_what_committees_do_and_assist_with(client, county, community_a, today):
    wf.work_item(county, role=CommunityRole.PERFORM, title="居委会换届选举")
    wf.work_item(county, role=CommunityRole.ASSIST, title="协助低保入户调查")
    wf.work_item(county, role=CommunityRole.EXCLUDED, title="招商引资指标")
    wf.work_item(county, title="已废止事项", valid_until=today - dt.timedelta(days=1))
    for url in (reverse("worklist:public"), reverse("worklist:community", kwargs={"code": community_a.code})):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "居委会换届选举" in html and "协助低保入户调查" in html
        assert "招商引资指标" not in html and "已废止事项" not in html
        assert "社区工作事项清单" in html or "依法履职" in html
    assert client.get(reverse("worklist:community", kwargs={"code": "nope"})).status_code == 404
    landing = client.get(reverse("landing")).content.decode()
    assert reverse("worklist:community", kwargs={"code": community_a.code}) in landing


def test_dashboard_indicators(client, official, cadre, staff_a, staff_b, item, county, community_a, community_b):
    today = timezone.localdate()
    exception = actions.list_exception_approve(by=official, county=county, title="问卷", reason="时限紧")
    on_list = actions.handed_task_create(
        by=cadre, title="核查", deadline=today, communities=[community_a, community_b], work_item=item
    )
    actions.handed_task_create(
        by=cadre, title="问卷", deadline=today + dt.timedelta(days=3), communities=[community_a], exception=exception
    )
    mine = on_list.assignments.get(community=community_a)
    for to, extra in [(S.ACCEPTED, {}), (S.IN_PROGRESS, {}), (S.REPORTED, {"text": "完成"})]:
        actions.assignment_move(by=staff_a, assignment_id=mine.pk, to=to, **extra)
    late = wf.assignment(community_b, deadline=today - dt.timedelta(days=2))
    HandedTask.objects.filter(pk=late.task_id).update(created_at=timezone.now())
    client.force_login(official)
    body = client.get("/api/v1/dashboard/", {"period": "month", "value": today.strftime("%Y-%m")}).json()
    section = next(s for s in body["sections"] if s["key"] == "worklist")
    values = {i["key"]: i["value"] for i in section["indicators"]}
    assert values["tasks_handed_down"] == 3
    assert values["outside_list_share"] == "33.3"
    assert values["overdue_now"] == 1
    assert values["tasks_per_community_month"] == "2.0"  # 4 assignments over 2 communities in one month
    if late.task.deadline.month == today.month:
        # due this month: a's on-time report; b's late one (overdue); b's of "核查" still open today (not due)
        assert values["on_time_rate"] == "50.0"
    assert values["average_days_to_report"] == "0.0"
    by_issuer = next(i for i in section["indicators"] if i["key"] == "tasks_by_issuer")
    assert by_issuer["chart"]["series"][0]["data"] == [3.0]
    # a community sees its own figures only
    client.force_login(staff_b)
    own = client.get("/api/v1/dashboard/", {"scope": "community", "id": community_b.pk}).json()
    values_b = {i["key"]: i["value"] for s in own["sections"] if s["key"] == "worklist" for i in s["indicators"]}
    assert values_b["tasks_handed_down"] == 2 and values_b["overdue_now"] == 1


def test_reference_scenario_loads_twice_to_the_same_data():
    from community.demo import reference
    from worklist import reference as worklist_reference

    ctx = reference.load_core(out=StringIO())
    reference.load_demo_users(ctx)
    worklist_reference.load(ctx)

    def counts():
        return (
            WorkListItem.objects.count(),
            HandedTask.objects.count(),
            TaskAssignment.objects.count(),
            GuidanceRecord.objects.count(),
            SupportRequest.objects.count(),
        )

    first = counts()
    worklist_reference.load(ctx)
    assert counts() == first
    tasks = HandedTask.objects.all()
    assert tasks.filter(work_item__isnull=True).count() == 1  # one exception
    assert tasks.filter(issuer_kind="town").exists()
    assert tasks.filter(issuer_kind="department").values("department").distinct().count() == 6
    today = timezone.localdate()
    assert TaskAssignment.objects.overdue(today).count() >= 3  # some overdue
    assert set(TaskAssignment.objects.values_list("community", flat=True)) == {c.pk for c in ctx.communities}
    assert set(TaskAssignment.objects.values_list("status", flat=True)) >= {S.CONFIRMED, S.RETURNED, S.REPORTED}
    assert SupportRequest.objects.filter(status="open").exists()
    # the dashboard shows it back for the county, with no error
    from community.dashboard import Period
    from community.scoping import Scope
    from worklist.selectors import load_stats

    period = Period.parse("quarter", None)
    stats = load_stats(scope=Scope("county", county_id=ctx.county.pk), start=today - dt.timedelta(days=90), end=today)
    assert stats.tasks == HandedTask.objects.count() and stats.outside_list == 1
    assert stats.due and 0 < stats.on_time < stats.due
    assert stats.average_days_to_report is not None
    assert period.kind == "quarter"

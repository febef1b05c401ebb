"""The reference scenario, work list part: the county's list, a few months of tasks handed down by the town
and the six departments to the five communities (most on the list, one exception, some overdue), guidance
records and support requests.

Idempotent: items, exceptions, tasks, records and requests are found by their natural keys first, so
loading twice leaves the same data.  Dates are relative to the day of the first load.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from community.choices import DepartmentCode, ScopeLevel
from community.models import User

from .choices import AssignmentStatus, CommunityRole, FeedbackKind, GuidanceKind, IssuerKind, SupportStatus
from .models import (
    AssignmentTransition,
    GuidanceRecord,
    HandedTask,
    ListException,
    SupportRequest,
    TaskAssignment,
    WorkListItem,
)

ORGANIC_LAW = "《中华人民共和国城市居民委员会组织法》"
ITEMS = [
    (
        "1",
        "居民委员会换届选举和居民会议的组织",
        ORGANIC_LAW + "第八条、第十条",
        DepartmentCode.CIVIL_AFFAIRS,
        CommunityRole.PERFORM,
    ),
    ("2", "居务公开和社区事务民主管理", ORGANIC_LAW + "第三条", DepartmentCode.CIVIL_AFFAIRS, CommunityRole.PERFORM),
    (
        "3",
        "协助做好党员信息采集和党组织建设",
        "《中国共产党支部工作条例（试行）》",
        DepartmentCode.ORGANISATION,
        CommunityRole.ASSIST,
    ),
    (
        "4",
        "协助开展最低生活保障对象入户调查",
        "《社会救助暂行办法》第十一条",
        DepartmentCode.CIVIL_AFFAIRS,
        CommunityRole.ASSIST,
    ),
    (
        "5",
        "协助做好社区治安防范和矛盾纠纷排查",
        ORGANIC_LAW + "第三条第（四）项",
        DepartmentCode.PUBLIC_SECURITY,
        CommunityRole.ASSIST,
    ),
    (
        "6",
        "协助开展人民调解和法治宣传",
        "《中华人民共和国人民调解法》第八条",
        DepartmentCode.JUSTICE,
        CommunityRole.ASSIST,
    ),
    (
        "7",
        "协助统计社区办公用房和公共设施情况",
        "县社区建设实施意见",
        DepartmentCode.URBAN_CONSTRUCTION,
        CommunityRole.ASSIST,
    ),
    ("8", "协助公示社区专项经费使用情况", "县社区工作经费管理办法", DepartmentCode.FINANCE, CommunityRole.ASSIST),
    (
        "9",
        "协助办理高龄津贴和残疾人补贴申报初审",
        "《中华人民共和国老年人权益保障法》第三十三条",
        DepartmentCode.CIVIL_AFFAIRS,
        CommunityRole.ASSIST,
    ),
    ("10", "招商引资、协税护税等经济指标", "县社区减负工作意见", None, CommunityRole.EXCLUDED),
    ("11", "出具超出社区核实能力的各类证明", "县社区减负工作意见", None, CommunityRole.EXCLUDED),
]
EXCEPTION = ("文明城市创建入户问卷调查", "省级文明城市测评时限紧，需社区协助入户发放问卷，仅此一次，经县政府同意。")

DONE = "done"  # reported on time and confirmed
LATE = "late"  # reported after the deadline and confirmed
REPORTED = "reported"  # reported, waiting for the issuer
OPEN = "open"  # accepted and in progress
NEW = "new"  # received only
RETURNED = "returned"  # returned by the community with a reason

# (title, issuer, office, item number or None for the exception, issued days ago, days to the deadline,
#  feedback kind, label, outcome per community)
TASKS = [
    (
        "低保对象年度入户核查",
        DepartmentCode.CIVIL_AFFAIRS,
        "社会救助科",
        "4",
        85,
        20,
        FeedbackKind.NUMBER,
        "核查户数",
        [DONE, DONE, DONE, DONE, DONE],
    ),
    (
        "社区矛盾纠纷排查月报",
        DepartmentCode.PUBLIC_SECURITY,
        "城关派出所",
        "5",
        80,
        10,
        FeedbackKind.TEXT,
        "",
        [DONE, LATE, DONE, DONE, DONE],
    ),
    (
        "法治宣传进社区活动",
        DepartmentCode.JUSTICE,
        "普法办",
        "6",
        70,
        15,
        FeedbackKind.FILE,
        "",
        [DONE, DONE, DONE, None, None],
    ),
    (
        "党员信息采集更新",
        DepartmentCode.ORGANISATION,
        "组织科",
        "3",
        60,
        14,
        FeedbackKind.NUMBER,
        "党员人数",
        [DONE, DONE, RETURNED, DONE, LATE],
    ),
    (
        "社区办公用房现状统计",
        DepartmentCode.URBAN_CONSTRUCTION,
        "村镇建设科",
        "7",
        50,
        10,
        FeedbackKind.NUMBER,
        "办公用房面积（平方米）",
        [DONE, DONE, DONE, DONE, OPEN],
    ),
    (
        "专项经费使用情况公示",
        DepartmentCode.FINANCE,
        "社会保障科",
        "8",
        40,
        15,
        FeedbackKind.FILE,
        "",
        [DONE, REPORTED, DONE, OPEN, NEW],
    ),
    (
        EXCEPTION[0],
        IssuerKind.TOWN,
        "党政办",
        None,
        30,
        20,
        FeedbackKind.NUMBER,
        "完成问卷份数",
        [DONE, REPORTED, OPEN, OPEN, DONE],
    ),
    (
        "高龄津贴申报初审",
        IssuerKind.TOWN,
        "民政办",
        "9",
        20,
        30,
        FeedbackKind.TEXT,
        "",
        [REPORTED, OPEN, OPEN, NEW, OPEN],
    ),
    (
        "冬季消防安全检查",
        DepartmentCode.PUBLIC_SECURITY,
        "消防大队",
        "5",
        5,
        15,
        FeedbackKind.TEXT,
        "",
        [OPEN, NEW, NEW, OPEN, NEW],
    ),
    ("居务公开栏季度更新", IssuerKind.TOWN, "党政办", "2", 2, 3, FeedbackKind.TEXT, "", [NEW, NEW, OPEN, NEW, NEW]),
]
GUIDANCE = [
    (0, GuidanceKind.VISIT, 75, "指导居务公开和居民会议", "镇民政办 李主任\n社区主任、文书", 4),
    (1, GuidanceKind.VISIT, 60, "低保入户调查方法指导", "镇民政办 张科员\n社区全体工作人员", 6),
    (2, GuidanceKind.TRAINING, 45, "社区工作事项清单和减负政策培训", "镇党政办 王主任\n五个社区主任", 12),
    (3, GuidanceKind.VISIT, 20, "矛盾纠纷调解台账指导", "镇综治办 刘主任\n社区调解委员", 5),
    (4, GuidanceKind.TRAINING, 10, "社区信息化管理系统操作培训", "县民政局 信息科\n社区文书", 10),
]
SUPPORT = [
    (
        1,
        "申请协调老旧小区物业服务",
        "西湖街6号老旧小区物业退出，居民要求协调新物业接管。",
        "已请镇城建办牵头，下周召开协调会。",
    ),
    (3, "申请增配社区调解员培训名额", "社区纠纷增多，希望镇里增加调解员培训名额。", ""),
]


def _reference_approver(ctx) -> User:
    """The county official who approved the exception (the demo one when demo users are loaded)."""
    if "demo_county" in ctx.users:
        return ctx.users["demo_county"]
    approver, created = User.objects.get_or_create(
        username="worklist_reference_approver",
        defaults={"first_name": "县民政局审批人", "scope_level": ScopeLevel.COUNTY, "county": ctx.county},
    )
    if created:
        approver.set_unusable_password()
        approver.save(update_fields=["password"])
    return approver


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _play(assignment: TaskAssignment, outcome: str, task: HandedTask, issued: dt.date, index: int, staff) -> None:
    """Walk one assignment to its outcome, with dated transitions, as the communities would have."""
    steps: list[tuple[str, str, dt.datetime, object, str]] = []
    accepted = _at(issued + dt.timedelta(days=1))
    started = _at(issued + dt.timedelta(days=2))
    if outcome == RETURNED:
        assignment.status = AssignmentStatus.RETURNED
        assignment.return_reason = "本社区党员信息已由镇党委统一采集，无需重复填报。"
        steps.append((AssignmentStatus.RECEIVED, AssignmentStatus.RETURNED, accepted, staff, assignment.return_reason))
    elif outcome in (OPEN, REPORTED, DONE, LATE):
        steps.append((AssignmentStatus.RECEIVED, AssignmentStatus.ACCEPTED, accepted, staff, ""))
        steps.append((AssignmentStatus.ACCEPTED, AssignmentStatus.IN_PROGRESS, started, staff, ""))
        assignment.accepted_at = accepted
        assignment.status = AssignmentStatus.IN_PROGRESS
        if outcome != OPEN:
            days = (task.deadline - issued).days
            report_day = (
                task.deadline + dt.timedelta(days=3)
                if outcome == LATE
                else issued + dt.timedelta(days=max(2, days - 2 - index))
            )
            report_day = min(report_day, timezone.localdate())
            reported = _at(report_day, 16)
            assignment.reported_at = reported
            assignment.status = AssignmentStatus.REPORTED
            if task.feedback_kind == FeedbackKind.NUMBER:
                assignment.feedback_number = Decimal(40 + 7 * index)
            elif task.feedback_kind == FeedbackKind.TEXT:
                assignment.feedback_text = "已按要求完成，详见台账。"
            else:
                assignment.feedback_text = "公示照片和材料已报送镇党政办（纸质）。"
            steps.append((AssignmentStatus.IN_PROGRESS, AssignmentStatus.REPORTED, reported, staff, ""))
            if outcome in (DONE, LATE):
                confirmed = reported + dt.timedelta(days=1)
                assignment.confirmed_at = confirmed
                assignment.status = AssignmentStatus.CONFIRMED
                steps.append((AssignmentStatus.REPORTED, AssignmentStatus.CONFIRMED, confirmed, None, ""))
    assignment.save()
    TaskAssignment.objects.filter(pk=assignment.pk).update(created_at=_at(issued, 9))
    for old, new, at, by, note in steps:
        row = AssignmentTransition.objects.create(assignment=assignment, old=old, new=new, by=by, note=note)
        AssignmentTransition.objects.filter(pk=row.pk).update(at=at)


@transaction.atomic
def load(ctx) -> None:
    today = timezone.localdate()
    departments = ctx.departments
    items = {}
    for number, title, basis, dept, role in ITEMS:
        items[number], _created = WorkListItem.objects.get_or_create(
            county=ctx.county,
            number=number,
            defaults={
                "title": title,
                "legal_basis": basis,
                "department": departments.get(dept) if dept else None,
                "community_role": role,
                "valid_from": dt.date(2024, 1, 1),
            },
        )
    exception = ListException.objects.filter(county=ctx.county, title=EXCEPTION[0]).first()
    if exception is None:
        exception = ListException.objects.create(
            county=ctx.county, title=EXCEPTION[0], reason=EXCEPTION[1], approved_by=_reference_approver(ctx)
        )
    staff_of_first = ctx.users.get("demo_staff")
    for title, issuer, office, number, days_ago, days_to_deadline, kind, label, outcomes in TASKS:
        if HandedTask.objects.filter(county=ctx.county, title=title).exists():
            continue
        issued = today - dt.timedelta(days=days_ago)
        if issuer == IssuerKind.TOWN:
            issuer_fields = {"issuer_kind": IssuerKind.TOWN, "town": ctx.town}
        else:
            issuer_fields = {"issuer_kind": IssuerKind.DEPARTMENT, "department": departments[issuer]}
        task = HandedTask.objects.create(
            county=ctx.county,
            office=office,
            title=title,
            description=f"请各社区按要求于{(issued + dt.timedelta(days=days_to_deadline)).isoformat()}前完成并反馈。",
            work_item=items[number] if number else None,
            exception=None if number else exception,
            deadline=issued + dt.timedelta(days=days_to_deadline),
            feedback_kind=kind,
            feedback_label=label,
            issued_by=ctx.users.get("demo_town") if issuer == IssuerKind.TOWN else None,
            **issuer_fields,
        )
        HandedTask.objects.filter(pk=task.pk).update(created_at=_at(issued, 9))
        for index, (community, outcome) in enumerate(zip(ctx.communities, outcomes, strict=False)):
            if outcome is None:
                continue
            assignment = TaskAssignment.objects.create(task=task, community=community)
            row = AssignmentTransition.objects.create(assignment=assignment, old="", new=AssignmentStatus.RECEIVED)
            AssignmentTransition.objects.filter(pk=row.pk).update(at=_at(issued, 9))
            _play(assignment, outcome, task, issued, index, staff_of_first if index == 0 else None)
    for index, kind, days_ago, topic, attendees, count in GUIDANCE:
        GuidanceRecord.objects.get_or_create(
            community=ctx.communities[index],
            topic=topic,
            defaults={
                "kind": kind,
                "date": today - dt.timedelta(days=days_ago),
                "attendees": attendees,
                "attendee_count": count,
                "recorded_by": ctx.users.get("demo_town"),
            },
        )
    for index, title, body, answer in SUPPORT:
        SupportRequest.objects.get_or_create(
            community=ctx.communities[index],
            title=title,
            defaults={
                "body": body,
                "status": SupportStatus.ANSWERED if answer else SupportStatus.OPEN,
                "answer": answer,
                "answered_by": ctx.users.get("demo_town") if answer else None,
                "answered_at": timezone.now() if answer else None,
            },
        )
    items_count = WorkListItem.objects.filter(county=ctx.county).count()
    tasks_count = HandedTask.objects.filter(county=ctx.county).count()
    assigned = TaskAssignment.objects.filter(task__county=ctx.county).count()
    ctx.say(f"worklist: {items_count} list items, {tasks_count} tasks handed down, {assigned} communities' tasks")

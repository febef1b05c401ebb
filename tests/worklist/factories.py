"""Factories of the work list app; registers every community-owned model for the isolation matrix."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from community.choices import DepartmentCode
from tests import factories as f
from worklist.choices import AssignmentStatus, CommunityRole, FeedbackKind, GuidanceKind, IssuerKind, ReminderKind
from worklist.models import (
    AssignmentTransition,
    GuidanceRecord,
    HandedTask,
    ListException,
    SupportRequest,
    TaskAssignment,
    TaskReminder,
    WorkListItem,
)

_numbers = itertools.count(1)


def work_item(county, *, role=CommunityRole.ASSIST, department=None, **extra) -> WorkListItem:
    n = next(_numbers)
    return WorkListItem.objects.create(
        county=county,
        number=extra.pop("number", f"W{n:04d}"),
        title=extra.pop("title", f"协助开展事项{n}"),
        legal_basis=extra.pop("legal_basis", "《城市居民委员会组织法》第三条"),
        department=department,
        community_role=role,
        valid_from=extra.pop("valid_from", dt.date(2020, 1, 1)),
        **extra,
    )


def department(county, code=DepartmentCode.CIVIL_AFFAIRS):
    return f.DepartmentFactory(county=county, code=code)


def handed_task(community, *, deadline=None, issuer_kind=IssuerKind.TOWN, dept=None, **extra) -> HandedTask:
    """A town task (made directly, as a stored row would be) sent to ``community`` only."""
    county = community.town.county
    task = HandedTask.objects.create(
        county=county,
        issuer_kind=issuer_kind,
        town=community.town if issuer_kind == IssuerKind.TOWN else None,
        department=dept if issuer_kind == IssuerKind.DEPARTMENT else None,
        office=extra.pop("office", "民政办"),
        title=extra.pop("title", f"入户调查{next(_numbers)}"),
        work_item=extra.pop("work_item", None) or work_item(county),
        deadline=deadline or timezone.localdate() + dt.timedelta(days=10),
        feedback_kind=extra.pop("feedback_kind", FeedbackKind.TEXT),
        **extra,
    )
    return task


def assignment(community, **extra) -> TaskAssignment:
    task = handed_task(community, **extra)
    made = TaskAssignment.objects.create(task=task, community=community)
    AssignmentTransition.objects.create(assignment=made, old="", new=AssignmentStatus.RECEIVED)
    return made


def guidance(community, **extra) -> GuidanceRecord:
    return GuidanceRecord.objects.create(
        community=community,
        kind=extra.pop("kind", GuidanceKind.VISIT),
        date=extra.pop("date", dt.date(2026, 10, 8)),
        topic=extra.pop("topic", "居务公开指导"),
        attendees="镇民政办 王主任\n社区 全体工作人员",
        attendee_count=6,
        **extra,
    )


def support(community, **extra) -> SupportRequest:
    return SupportRequest.objects.create(
        community=community, title=extra.pop("title", "申请协调物业"), body="小区物业退出后需镇里协调", **extra
    )


f.SCOPED_FACTORIES.update(
    {
        "worklist.HandedTask": lambda community: assignment(community).task,
        "worklist.TaskAssignment": lambda community: assignment(community),
        "worklist.AssignmentTransition": lambda community: assignment(community).transitions.get(),
        "worklist.TaskReminder": lambda community: TaskReminder.objects.create(
            assignment=assignment(community), on=dt.date(2026, 11, 1), kind=ReminderKind.DUE_SOON
        ),
        "worklist.GuidanceRecord": guidance,
        "worklist.SupportRequest": support,
    }
)


# --- the county's rows, and a department's tasks (the role matrix) ---


def department_assignment(community, dept) -> TaskAssignment:
    """A task ``dept`` handed to ``community`` (a town's task when ``dept`` is None)."""
    if dept is None:
        return assignment(community)
    return assignment(community, issuer_kind=IssuerKind.DEPARTMENT, dept=dept)


f.PLACED_FACTORIES.update(
    {
        "worklist.WorkListItem": lambda community, dept: work_item(community.town.county, department=dept),
        "worklist.ListException": lambda community, dept: ListException.objects.create(
            county=community.town.county,
            title=f"临时防汛任务{next(_numbers)}",
            reason="县委常委会同意",
            approved_by=f.official_of(community.town.county),
        ),
        "worklist.HandedTask": lambda community, dept: department_assignment(community, dept).task,
        "worklist.TaskAssignment": department_assignment,
        "worklist.AssignmentTransition": lambda community, dept: department_assignment(
            community, dept
        ).transitions.get(),
        "worklist.TaskReminder": lambda community, dept: TaskReminder.objects.create(
            assignment=department_assignment(community, dept), on=dt.date(2026, 11, 1), kind=ReminderKind.DUE_SOON
        ),
    }
)

"""Worklist's part of the admin home's to-do (utilities.workbench): handed-down tasks due and reports to confirm."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from community.scoping import permitted
from utilities.workbench import Item, contributes, link

from .choices import AssignmentStatus
from .models import TaskAssignment
from .selectors import DEADLINE_COLUMN, TASK_DUE_DAYS, assignments_due_by

ASSIGNMENTS_ADMIN = "/admin/worklist/taskassignment/"


@contributes("worklist", order=20)
def workbench_tasks(user, now: dt.datetime):
    if not permitted(user, TaskAssignment, "view"):
        return []
    today = timezone.localtime(now).date()
    mine = TaskAssignment.objects.restrict(user, "view")
    items = []
    if permitted(user, TaskAssignment, "change"):
        day = today + dt.timedelta(days=TASK_DUE_DAYS)
        due = assignments_due_by(mine, day)
        count = due.count()
        items.append(
            Item(
                "tasks_due",
                _("Handed-down tasks due within %(days)d days") % {"days": TASK_DUE_DAYS},
                count,
                link(ASSIGNMENTS_ADMIN, due_by=f"{day:%Y-%m-%d}", o=DEADLINE_COLUMN),
                due=due.aggregate(first=Min("task__deadline"))["first"],
                urgent=due.filter(task__deadline__lt=today).exists(),
            )
        )
    if permitted(user, TaskAssignment, "confirm"):
        reported = mine.filter(status=AssignmentStatus.REPORTED)
        items.append(
            Item(
                "tasks_to_confirm",
                _("Reports from the communities waiting for your confirmation"),
                reported.count(),
                link(ASSIGNMENTS_ADMIN, status__exact=AssignmentStatus.REPORTED, o=DEADLINE_COLUMN),
                due=reported.aggregate(first=Min("task__deadline"))["first"],
            )
        )
    return items

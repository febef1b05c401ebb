"""Reads of the work list app, for the API, the admin, the pages and the dashboard (constant query counts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.utils import timezone

from community.models import Community
from community.scoping import Scope

from .choices import OPEN_STATUSES, REPORTED_STATUSES, AssignmentStatus, IssuerKind
from .models import HandedTask, TaskAssignment, WorkListItem


def _overdue_flag(today: dt.date, prefix: str = ""):
    return Case(
        When(Q(**{f"{prefix}status__in": OPEN_STATUSES, f"{prefix}task__deadline__lt": today}), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def assignment_queue(*, user, today: dt.date | None = None):
    """A community's queue (or an issuer's view of its assignments): one query, with the overdue flag."""
    today = today or timezone.localdate()
    return (
        TaskAssignment.objects.for_user(user)
        .select_related("task__work_item", "task__town", "task__department", "community")
        .annotate(overdue=_overdue_flag(today))
    )


def task_list(*, user, today: dt.date | None = None):
    """Tasks the user reaches, with each one's progress counted in the same query."""
    today = today or timezone.localdate()
    return (
        HandedTask.objects.for_user(user)
        .select_related("work_item", "exception", "town", "department", "county")
        .annotate(
            communities_count=Count("assignments", distinct=True),
            reported_count=Count("assignments", filter=Q(assignments__status__in=REPORTED_STATUSES), distinct=True),
            confirmed_count=Count(
                "assignments", filter=Q(assignments__status=AssignmentStatus.CONFIRMED), distinct=True
            ),
            returned_count=Count("assignments", filter=Q(assignments__status=AssignmentStatus.RETURNED), distinct=True),
            overdue_count=Count(
                "assignments",
                filter=Q(assignments__status__in=OPEN_STATUSES, deadline__lt=today),
                distinct=True,
            ),
        )
        .order_by("-created_at", "-id")
    )


def task_status_board(*, task: HandedTask, today: dt.date | None = None):
    """Every community's status of one task (the issuer's one page), in one query."""
    today = today or timezone.localdate()
    return (
        task.assignments.select_related("community__town")
        .annotate(overdue=_overdue_flag(today))
        .order_by("community__code")
    )


def public_work_list(*, county_id: int | None = None, on: dt.date | None = None):
    """The items in force that committees perform or assist with (the public page)."""
    on = on or timezone.localdate()
    items = WorkListItem.objects.valid_on(on).public().select_related("department", "county")
    if county_id is not None:
        items = items.filter(county_id=county_id)
    return items.order_by("county__code", "community_role", "number")


# --- indicators ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadStats:
    communities: list[tuple[str, int, int]]  # (community, tasks received in the period, overdue now)
    tasks: int
    outside_list: int
    due: int
    on_time: int
    average_days_to_report: Decimal | None
    by_issuer: list[tuple[str, int]]

    @property
    def assignments(self) -> int:
        return sum(n for _name, n, _late in self.communities)

    @property
    def overdue(self) -> int:
        return sum(late for _name, _n, late in self.communities)


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def load_stats(*, scope: Scope | None, start: dt.date, end: dt.date, today: dt.date | None = None) -> LoadStats:
    """Load and supervision figures for the communities of a scope: six queries whatever the size."""
    today = today or timezone.localdate()
    communities = list(Community.objects.for_scope(scope).order_by("code").values_list("pk", "name"))
    in_scope = TaskAssignment.objects.for_scope(scope)
    issued = in_scope.filter(task__created_at__date__range=(start, end))
    received = dict(issued.values_list("community_id").annotate(n=Count("id")).order_by())
    late = dict(in_scope.overdue(today).values_list("community_id").annotate(n=Count("id")).order_by())
    tasks = HandedTask.objects.filter(
        Exists(issued.filter(task=OuterRef("pk"))),
    ).aggregate(total=Count("id"), outside=Count("id", filter=Q(work_item__isnull=True)))
    due = in_scope.filter(task__deadline__range=(start, end)).exclude(status=AssignmentStatus.RETURNED)
    due = due.filter(Q(reported_at__isnull=False) | Q(task__deadline__lt=today))
    timing = due.aggregate(due=Count("id"), on_time=Count("id", filter=Q(reported_at__date__lte=F("task__deadline"))))
    took = in_scope.filter(reported_at__date__range=(start, end)).aggregate(
        avg=Avg(ExpressionWrapper(F("reported_at") - F("created_at"), output_field=DurationField()))
    )["avg"]
    average = None
    if took is not None:
        average = (Decimal(took.total_seconds()) / 86400).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    by_issuer_rows = (
        HandedTask.objects.filter(Exists(issued.filter(task=OuterRef("pk"))))
        .values("issuer_kind", "department__name", "town__name")
        .annotate(n=Count("id"))
        .order_by("-n", "department__name", "town__name")
    )
    by_issuer = []
    for row in by_issuer_rows:
        if row["issuer_kind"] == IssuerKind.DEPARTMENT:
            name = row["department__name"]
        elif row["issuer_kind"] == IssuerKind.TOWN:
            name = row["town__name"]
        else:
            name = str(IssuerKind.COUNTY.label)
        by_issuer.append((name, row["n"]))
    return LoadStats(
        communities=[(name, received.get(pk, 0), late.get(pk, 0)) for pk, name in communities],
        tasks=tasks["total"],
        outside_list=tasks["outside"],
        due=timing["due"],
        on_time=timing["on_time"],
        average_days_to_report=average,
        by_issuer=by_issuer,
    )


def assignments_by_department(*, scope: Scope | None, start: dt.date, end: dt.date) -> dict[int, int]:
    """Task assignments each department handed to the scope's communities in the period (one query)."""
    issued = TaskAssignment.objects.for_scope(scope).filter(
        task__created_at__date__range=(start, end), task__issuer_kind=IssuerKind.DEPARTMENT
    )
    return dict(issued.values_list("task__department_id").annotate(n=Count("id")).order_by())


# --- what the workbench counts (<app>/workbench.py) ------------------------------------------------------

#: a task due within this many days is on the community's to-do
TASK_DUE_DAYS = 7
#: the changelist's column that sorts by deadline (``TaskAssignmentAdmin.list_display``, 1-based)
DEADLINE_COLUMN = 4


def assignments_due_by(queryset, day: dt.date):
    """Assignments the community still owes (received, accepted, in progress) with a deadline on or before ``day``."""
    return queryset.filter(status__in=OPEN_STATUSES, task__deadline__lte=day)

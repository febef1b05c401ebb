"""Government ↔ community: the community work list, tasks handed down under it, guidance and support.

Who sees what (the one rule, built on ``community.scoping``):

* ``WorkListItem`` and ``ListException`` belong to a county: everyone scoped inside the county reads
  them; the county edits them.
* ``HandedTask`` (交办事项) belongs to its issuer and is sent to communities.  ``HandedTask.objects.for_user``:
  the county sees every task of the county; a department sees the tasks it issued; a town sees the tasks
  its offices issued and every task sent to one of its communities; a community sees only the tasks sent
  to it.  No scope, no rows.
* ``TaskAssignment`` (one per task and community) and the rows hanging off it are community-owned rows
  (``community_path``) reached through ``ScopedQuerySet``; a department liaison reaches the assignments
  of its own department's tasks (``department_path``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from community.models import Community, County, Department, TimeStamped, Town
from community.scoping import ScopedQuerySet

from .choices import (
    OPEN_STATUSES,
    AssignmentStatus,
    CommunityRole,
    FeedbackKind,
    GuidanceKind,
    IssuerKind,
    ReminderKind,
    SupportStatus,
)


class WorkListItemQuerySet(ScopedQuerySet):
    def valid_on(self, day):
        return self.filter(Q(valid_from__lte=day), Q(valid_until__isnull=True) | Q(valid_until__gte=day))

    def public(self):
        """What the committees do or assist with (the items published to residents)."""
        return self.filter(community_role__in=[CommunityRole.PERFORM, CommunityRole.ASSIST])


class WorkListItem(TimeStamped):
    """社区工作事项清单: one thing a committee does by law, assists with, or must not be burdened with."""

    county_path = "county"
    shared_down = True  # everyone scoped inside the county reads the list; the county edits it

    county = models.ForeignKey(County, models.PROTECT, related_name="work_list_items", verbose_name=_("county"))
    number = models.CharField(_("number"), max_length=20, help_text=_("The item's number in the published list."))
    title = models.CharField(_("title"), max_length=200)
    legal_basis = models.TextField(_("legal basis"), help_text=_("The law, regulation or policy the item rests on."))
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="work_list_items",
        verbose_name=_("issuing department"),
    )
    community_role = models.CharField(_("what the community does"), max_length=12, choices=CommunityRole.choices)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = WorkListItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work list item")
        verbose_name_plural = _("community work list")
        ordering = ["county", "number"]
        constraints = [
            models.UniqueConstraint(fields=["county", "number"], name="worklist_item_number_unique_in_county"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="worklist_item_valid_until_after_from",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or self.valid_until >= day)


class ListException(models.Model):
    """An approved exception: a task outside the work list that the county allowed once (who, when, why)."""

    county_path = "county"
    shared_down = True

    county = models.ForeignKey(County, models.PROTECT, related_name="+", verbose_name=_("county"))
    title = models.CharField(_("task allowed"), max_length=200)
    reason = models.TextField(_("why it is allowed"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("approved exception to the work list")
        verbose_name_plural = _("approved exceptions to the work list")
        ordering = ["-approved_at"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="worklist_exception_has_reason")]

    def __str__(self):
        return self.title


class HandedTask(TimeStamped):
    """交办事项: a task a town office, a county office or a department hands down to communities.

    The issuer reaches its own tasks (the county all of the county's, a town its own, a department its own);
    a community only the tasks sent to it (through their assignments), and a town those sent to its communities.
    """

    county_path = "county"
    town_path = "town"
    department_path = "department"
    community_path = None
    community_read_path = "assignments__community"  # the communities it is sent to read it, the issuer writes

    county = models.ForeignKey(County, models.PROTECT, related_name="handed_tasks", verbose_name=_("county"))
    issuer_kind = models.CharField(_("issued by"), max_length=12, choices=IssuerKind.choices)
    town = models.ForeignKey(
        Town, models.PROTECT, null=True, blank=True, related_name="handed_tasks", verbose_name=_("town")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="handed_tasks", verbose_name=_("department")
    )
    office = models.CharField(
        _("issuing office"), max_length=100, blank=True, help_text=_("e.g. the town's civil affairs office.")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what is to be done"), blank=True)
    work_item = models.ForeignKey(
        WorkListItem,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="handed_tasks",
        verbose_name=_("work list item"),
    )
    exception = models.OneToOneField(
        ListException,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="task",
        verbose_name=_("approved exception"),
    )
    deadline = models.DateField(_("deadline"))
    feedback_kind = models.CharField(
        _("required feedback"), max_length=8, choices=FeedbackKind.choices, default=FeedbackKind.TEXT
    )
    feedback_label = models.CharField(
        _("what the feedback must say"),
        max_length=100,
        blank=True,
        help_text=_("For a number: what it counts, e.g. “households visited”."),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by (person)"),
    )

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("handed-down task")
        verbose_name_plural = _("handed-down tasks")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["county", "created_at"], name="worklist_task_county_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(issuer_kind=IssuerKind.TOWN, town__isnull=False, department__isnull=True)
                | Q(issuer_kind=IssuerKind.COUNTY, town__isnull=True, department__isnull=True)
                | Q(issuer_kind=IssuerKind.DEPARTMENT, department__isnull=False, town__isnull=True),
                name="worklist_task_issuer_complete",
            ),
            models.CheckConstraint(
                condition=Q(work_item__isnull=False) | Q(exception__isnull=False),
                name="worklist_task_on_list_or_excepted",
            ),
            models.CheckConstraint(
                condition=~Q(feedback_kind=FeedbackKind.NUMBER) | ~Q(feedback_label=""),
                name="worklist_task_number_has_label",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def issuer_name(self) -> str:
        parts = {
            IssuerKind.TOWN: [str(self.town) if self.town_id else "", self.office],
            IssuerKind.DEPARTMENT: [str(self.department) if self.department_id else "", self.office],
        }.get(self.issuer_kind, [self.office])
        return " ".join(p for p in parts if p) or self.get_issuer_kind_display()

    @property
    def outside_list(self) -> bool:
        return self.work_item_id is None


class TaskAttachment(models.Model):
    task = models.ForeignKey(HandedTask, models.CASCADE, related_name="attachments", verbose_name=_("task"))
    name = models.CharField(pgettext_lazy("attachment", "name"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to="worklist/tasks/%Y/%m/")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["task", "id"]

    def __str__(self):
        return self.name or self.file.name


class AssignmentQuerySet(ScopedQuerySet):
    def overdue(self, today):

        return self.filter(status__in=OPEN_STATUSES, task__deadline__lt=today)


class TaskAssignment(TimeStamped):
    """The task as one community holds it: its status, its feedback, its dates."""

    community_path = "community"
    department_path = "task__department"

    task = models.ForeignKey(HandedTask, models.PROTECT, related_name="assignments", verbose_name=_("task"))
    community = models.ForeignKey(
        Community, models.PROTECT, related_name="task_assignments", verbose_name=_("community")
    )
    status = models.CharField(
        pgettext_lazy("task status", "status"),
        max_length=12,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.RECEIVED,
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    return_reason = models.TextField(_("reason given when returned"), blank=True)
    feedback_text = models.TextField(_("written report"), blank=True)
    feedback_number = models.DecimalField(_("reported number"), max_digits=14, decimal_places=2, null=True, blank=True)
    feedback_file = models.FileField(_("reported file"), upload_to="worklist/feedback/%Y/%m/", blank=True)

    objects = AssignmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("task of a community")
        verbose_name_plural = _("tasks of the communities")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "status"], name="worklist_asg_community_status")]
        constraints = [
            models.UniqueConstraint(fields=["task", "community"], name="worklist_assignment_once_per_community"),
            models.CheckConstraint(
                condition=~Q(status__in=[AssignmentStatus.REPORTED, AssignmentStatus.CONFIRMED])
                | Q(reported_at__isnull=False),
                name="worklist_assignment_reported_has_date",
            ),
        ]
        permissions = [("confirm_taskassignment", _("Can confirm or send back a community's report"))]

    def __str__(self):
        return f"{self.task} → {self.community}"

    def is_overdue(self, today) -> bool:

        return self.status in OPEN_STATUSES and self.task.deadline < today


class AssignmentTransition(models.Model):
    """Every step of an assignment: from what, to what, who, when, and why."""

    community_path = "assignment__community"
    department_path = "assignment__task__department"

    assignment = models.ForeignKey(
        TaskAssignment, models.CASCADE, related_name="transitions", verbose_name=_("task of a community")
    )
    old = models.CharField(
        pgettext_lazy("status change", "from"), max_length=12, choices=AssignmentStatus.choices, blank=True
    )
    new = models.CharField(pgettext_lazy("status change", "to"), max_length=12, choices=AssignmentStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["assignment", "at", "id"]

    def __str__(self):
        return f"{self.assignment}: {self.old} → {self.new}"


class TaskReminder(models.Model):
    """A deadline reminder sent to a community (at most one per assignment and day)."""

    community_path = "assignment__community"
    department_path = "assignment__task__department"

    assignment = models.ForeignKey(
        TaskAssignment, models.CASCADE, related_name="reminders", verbose_name=_("task of a community")
    )
    on = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    recipients = models.TextField(_("sent to"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        ordering = ["-on", "-id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "on"], name="worklist_reminder_once_a_day")]

    def __str__(self):
        return f"{self.assignment} {self.on}"


class GuidanceRecord(TimeStamped):
    """The town's guidance visit to, or training for, a committee."""

    community_path = "community"

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="guidance_records", verbose_name=_("community")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=GuidanceKind.choices, default=GuidanceKind.VISIT)
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    attendees = models.TextField(_("attendees"), help_text=_("Who took part, one name or office a line."))
    attendee_count = models.PositiveSmallIntegerField(_("number of attendees"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("guidance record")
        verbose_name_plural = _("guidance records")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["community", "date"], name="worklist_guidance_comm_date")]

    def __str__(self):
        return f"{self.date} {self.topic}"


class SupportRequest(TimeStamped):
    """A committee's request for support from the town, and the town's answer."""

    community_path = "community"

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="support_requests", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("what is needed"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        pgettext_lazy("task status", "status"), max_length=10, choices=SupportStatus.choices, default=SupportStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=SupportStatus.OPEN) | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="worklist_support_answered_has_answer",
            )
        ]

    def __str__(self):
        return self.title

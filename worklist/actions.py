"""Writes of the work list app.  Admin, API, forms, the reference loader and tasks call these and nothing else."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.choices import ScopeLevel
from community.models import Community, Department, Town, User
from community.scoping import CHANGE, ensure_in_scope, reaches, scope_of
from utilities.transitions import Transitions

from .choices import (
    OPEN_STATUSES,
    AssignmentStatus,
    CommunityRole,
    FeedbackKind,
    IssuerKind,
    ReminderKind,
    SupportStatus,
)
from .models import (
    AssignmentTransition,
    GuidanceRecord,
    HandedTask,
    ListException,
    SupportRequest,
    TaskAssignment,
    TaskAttachment,
    TaskReminder,
    WorkListItem,
)

logger = logging.getLogger(__name__)

# How many days before the deadline a community is reminded.
REMIND_DAYS_BEFORE = 2

COMMUNITY_SIDE = "community"
ISSUER_SIDE = "issuer"

# The one transition table: from -> {to: who may make the step}.
TRANSITIONS = Transitions(
    AssignmentStatus,
    {
        AssignmentStatus.RECEIVED: {
            AssignmentStatus.ACCEPTED: COMMUNITY_SIDE,
            AssignmentStatus.RETURNED: COMMUNITY_SIDE,
        },
        AssignmentStatus.ACCEPTED: {
            AssignmentStatus.IN_PROGRESS: COMMUNITY_SIDE,
            AssignmentStatus.RETURNED: COMMUNITY_SIDE,
        },
        AssignmentStatus.IN_PROGRESS: {
            AssignmentStatus.REPORTED: COMMUNITY_SIDE,
            AssignmentStatus.RETURNED: COMMUNITY_SIDE,
        },
        # the issuer confirms the report, or sends it back to be done again
        AssignmentStatus.REPORTED: {AssignmentStatus.CONFIRMED: ISSUER_SIDE, AssignmentStatus.IN_PROGRESS: ISSUER_SIDE},
    },
)


# --- the county's work list ---------------------------------------------------------------------


def _ensure_county_official(by, county_id: int, perm: str) -> None:
    scope = scope_of(by)
    allowed = scope is not None and (
        scope.is_all or (scope.level == ScopeLevel.COUNTY and scope.county_id == county_id)
    )
    if not allowed or not by.has_perm(perm):
        raise PermissionDenied(_("Only an official of this county may do this."))


@transaction.atomic
def work_item_save(*, by, item: WorkListItem) -> WorkListItem:
    """Add or change an item of the county's work list (the county's officials only)."""
    if item.pk:
        current = WorkListItem.objects.select_for_update().filter(pk=item.pk).first()
        if current is not None:
            _ensure_county_official(by, current.county_id, "worklist.change_worklistitem")
    _ensure_county_official(
        by, item.county_id, "worklist.change_worklistitem" if item.pk else "worklist.add_worklistitem"
    )
    if item.department_id and item.department.county_id != item.county_id:
        raise ValidationError({"department": _("The issuing department must belong to the same county.")})
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def list_exception_approve(*, by, county, title: str, reason: str) -> ListException:
    """A county official allows one task outside the work list, saying why."""
    _ensure_county_official(by, county.pk, "worklist.add_listexception")
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Name the task this exception allows.")
    if not (reason or "").strip():
        errors["reason"] = _("An exception to the work list needs a reason.")
    if errors:
        raise ValidationError(errors)
    return ListException.objects.create(county=county, title=title.strip(), reason=reason.strip(), approved_by=by)


# --- who issues, who is reached ---------------------------------------------------------------


def issuer_of(
    by, *, issuer_kind: str | None = None, town: Town | None = None, department: Department | None = None
) -> tuple[str, int, Town | None, Department | None]:
    """(kind, county id, town, department) of a task ``by`` hands down; refused for anyone else.

    A town cadre issues for the town, a department liaison for the department, a county official for
    the county office or for one of the county's departments.
    """
    scope = scope_of(by)
    if scope is None or scope.level == ScopeLevel.COMMUNITY:
        raise PermissionDenied(_("Only a town office, a county office or a department can hand tasks down."))
    if scope.level == ScopeLevel.TOWN:
        if issuer_kind not in (None, "", IssuerKind.TOWN) or (town is not None and town.pk != scope.town_id):
            raise PermissionDenied(_("A town cadre may hand tasks down only for their own town."))
        return IssuerKind.TOWN, scope.county_id, Town.objects.get(pk=scope.town_id), None
    if scope.level == ScopeLevel.DEPARTMENT:
        if issuer_kind not in (None, "", IssuerKind.DEPARTMENT) or (
            department is not None and department.pk != scope.department_id
        ):
            raise PermissionDenied(_("A department liaison may hand tasks down only for their own department."))
        return IssuerKind.DEPARTMENT, scope.county_id, None, Department.objects.get(pk=scope.department_id)
    kind = issuer_kind or (IssuerKind.DEPARTMENT if department is not None else IssuerKind.COUNTY)
    if kind == IssuerKind.DEPARTMENT:
        if department is None:
            raise ValidationError({"department": _("Choose the department that hands the task down.")})
        if not scope.is_all and department.county_id != scope.county_id:
            raise PermissionDenied(_("This department belongs to another county."))
        return kind, department.county_id, None, department
    if kind == IssuerKind.TOWN:
        if town is None:
            raise ValidationError({"town": _("Choose the town whose office hands the task down.")})
        if not scope.is_all and town.county_id != scope.county_id:
            raise PermissionDenied(_("This town belongs to another county."))
        return kind, town.county_id, town, None
    if scope.is_all:
        raise ValidationError({"issuer_kind": _("Choose who hands the task down: a town, a department or a county.")})
    return IssuerKind.COUNTY, scope.county_id, None, None


def issuer_reaches(*, issuer_kind: str, county_id: int, town_id: int | None, community: Community) -> bool:
    """A town office reaches its own town's communities; a county office or department the county's."""
    if issuer_kind == IssuerKind.TOWN:
        return community.town_id == town_id
    return community.town.county_id == county_id


def acts_for_issuer(by, task: HandedTask) -> bool:
    """May ``by`` confirm or send back reports of ``task``, as (or above) its issuer? The one rule's write reach."""
    return reaches(scope_of(by), task, CHANGE)


# --- handing tasks down -----------------------------------------------------------------------


def handed_task_check(
    *,
    by,
    title: str,
    deadline: dt.date | None,
    communities: Iterable,
    work_item: WorkListItem | None = None,
    exception: ListException | None = None,
    feedback_kind: str = FeedbackKind.TEXT,
    feedback_label: str = "",
    issuer_kind: str | None = None,
    town: Town | None = None,
    department: Department | None = None,
) -> dict:
    """Every rule of a new task, without writing: forms call it to show errors; the action calls it again.

    Returns the issuer and the communities; raises PermissionDenied (who) or ValidationError (what).
    """
    kind, county_id, town, department = issuer_of(by, issuer_kind=issuer_kind, town=town, department=department)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("Give the task a title.")
    if deadline is None:
        errors["deadline"] = _("Give the task a deadline.")
    elif deadline < today:
        errors["deadline"] = _("The deadline %(date)s has already passed: give today or a later day.") % {
            "date": deadline.isoformat()
        }
    if work_item is not None:
        if work_item.county_id != county_id:
            errors["work_item"] = _("This work list item belongs to another county.")
        elif not work_item.is_valid_on(today):
            errors["work_item"] = _("This work list item is not in force today.")
        elif work_item.community_role == CommunityRole.EXCLUDED and exception is None:
            errors["work_item"] = _(
                "This item is on the list of things a committee must not be burdened with: "
                "it can only be handed down with an exception approved by the county."
            )
    if exception is not None:
        if exception.county_id != county_id:
            errors["exception"] = _("This exception was approved for another county.")
        elif HandedTask.objects.filter(exception=exception).exists():
            errors["exception"] = _("This exception has already been used for another task.")
    if work_item is None and exception is None:
        errors["work_item"] = _(
            "A task must rest on an item of the community work list, or carry an exception approved by the county."
        )
    if feedback_kind not in FeedbackKind.values:
        errors["feedback_kind"] = _("Choose the kind of feedback: text, a number or a file.")
    elif feedback_kind == FeedbackKind.NUMBER and not (feedback_label or "").strip():
        errors["feedback_label"] = _("Say what the number to be reported counts.")
    targets = []
    seen = set()
    for community in communities or ():
        if not isinstance(community, Community):
            community = Community.objects.select_related("town").filter(pk=community).first()
            if community is None:
                errors["communities"] = _("There is no such community.")
                continue
        if community.pk not in seen:
            seen.add(community.pk)
            targets.append(community)
    if not targets and "communities" not in errors:
        errors["communities"] = _("Send the task to at least one community.")
    outside = [
        c.name
        for c in targets
        if not issuer_reaches(issuer_kind=kind, county_id=county_id, town_id=town.pk if town else None, community=c)
    ]
    if outside:
        raise PermissionDenied(
            _("These communities lie outside the issuer's scope: %(names)s.") % {"names": ", ".join(outside)}
        )
    if errors:
        raise ValidationError(errors)
    return {"issuer_kind": kind, "county_id": county_id, "town": town, "department": department, "targets": targets}


@transaction.atomic
def handed_task_create(
    *,
    by,
    title: str,
    deadline: dt.date | None,
    communities: Iterable,
    office: str = "",
    description: str = "",
    work_item: WorkListItem | None = None,
    exception: ListException | None = None,
    feedback_kind: str = FeedbackKind.TEXT,
    feedback_label: str = "",
    issuer_kind: str | None = None,
    town: Town | None = None,
    department: Department | None = None,
    attachments: Iterable = (),
) -> HandedTask:
    """Hand a task down to one or many communities: one assignment (status received) per community."""
    perm = "worklist.add_handedtask"
    if not by.has_perm(perm):
        raise PermissionDenied(_("You may not hand tasks down."))
    if exception is not None:
        # lock the exception so two tasks cannot use it at once
        exception = ListException.objects.select_for_update().get(pk=exception.pk)
    checked = handed_task_check(
        by=by,
        title=title,
        deadline=deadline,
        communities=communities,
        work_item=work_item,
        exception=exception,
        feedback_kind=feedback_kind,
        feedback_label=feedback_label,
        issuer_kind=issuer_kind,
        town=town,
        department=department,
    )
    task = HandedTask(
        county_id=checked["county_id"],
        issuer_kind=checked["issuer_kind"],
        town=checked["town"],
        department=checked["department"],
        office=(office or "").strip(),
        title=title.strip(),
        description=description or "",
        work_item=work_item,
        exception=exception,
        deadline=deadline,
        feedback_kind=feedback_kind,
        feedback_label=(feedback_label or "").strip(),
        issued_by=by,
    )
    task.full_clean(exclude=["exception"])
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        raise ValidationError({"exception": _("This exception has already been used for another task.")})
    assignments = TaskAssignment.objects.bulk_create(
        TaskAssignment(task=task, community=community) for community in checked["targets"]
    )
    AssignmentTransition.objects.bulk_create(
        AssignmentTransition(assignment=a, old="", new=AssignmentStatus.RECEIVED, by=by) for a in assignments
    )
    for upload in attachments:
        TaskAttachment.objects.create(task=task, name=getattr(upload, "name", "")[:200], file=upload)
    return task


@transaction.atomic
def task_attachment_add(*, by, task_id: int, file, name: str = "") -> TaskAttachment:
    task = HandedTask.objects.select_for_update().get(pk=task_id)
    if not acts_for_issuer(by, task) or not by.has_perm("worklist.change_handedtask"):
        raise PermissionDenied(_("Only the issuer of a task may add attachments to it."))
    return TaskAttachment.objects.create(task=task, name=(name or getattr(file, "name", ""))[:200], file=file)


# --- a community's steps ------------------------------------------------------------------------


def _feedback_missing(task: HandedTask, *, text: str, number, file) -> str | None:
    if task.feedback_kind == FeedbackKind.TEXT and not (text or "").strip():
        return _("This task asks for a written report: write what was done.")
    if task.feedback_kind == FeedbackKind.NUMBER and number in (None, ""):
        return _("This task asks for a number: report the %(label)s.") % {"label": task.feedback_label}
    if task.feedback_kind == FeedbackKind.FILE and not file:
        return _("This task asks for a file: attach it to the report.")
    return None


def assignment_check_move(
    *, by, assignment: TaskAssignment, to: str, note: str = "", text: str = "", number=None, file=None
) -> str:
    """Every rule of one step, without writing (forms show the errors); returns who makes the step."""
    TRANSITIONS.check(assignment.status, to, message=_("A task that is %(now)s cannot become %(to)s."), field="to")
    side = TRANSITIONS.who(assignment.status, to)
    scope = scope_of(by)
    if side == COMMUNITY_SIDE:
        if scope is None or scope.level != ScopeLevel.COMMUNITY or not by.has_perm("worklist.change_taskassignment"):
            raise PermissionDenied(_("Only the staff of the community accept, carry out, report or return a task."))
        ensure_in_scope(by, assignment.community)
    elif not acts_for_issuer(by, assignment.task) or not by.has_perm("worklist.confirm_taskassignment"):
        raise PermissionDenied(_("Only the issuer of the task confirms a report or sends it back."))
    if to == AssignmentStatus.RETURNED and not (note or "").strip():
        raise ValidationError({"note": _("Say why the community returns this task.")})
    if assignment.status == AssignmentStatus.REPORTED and to == AssignmentStatus.IN_PROGRESS and not note.strip():
        raise ValidationError({"note": _("Say why the report is sent back.")})
    if to == AssignmentStatus.REPORTED:
        missing = _feedback_missing(assignment.task, text=text, number=number, file=file)
        if missing:
            raise ValidationError({"feedback": missing})
    return side


@transaction.atomic
def assignment_move(
    *,
    by,
    assignment_id: int,
    to: str,
    note: str = "",
    text: str = "",
    number: Decimal | None = None,
    file=None,
) -> TaskAssignment:
    """One step of a community's task (the table ``TRANSITIONS``), recorded with who, when and why."""
    assignment = (
        TaskAssignment.objects.select_for_update(of=("self",))
        .select_related("task", "community__town")
        .get(pk=assignment_id)
    )
    note = (note or "").strip()
    assignment_check_move(by=by, assignment=assignment, to=to, note=note, text=text, number=number, file=file)
    now = timezone.now()
    old = assignment.status
    fields = ["status", "updated_at"]
    if to == AssignmentStatus.ACCEPTED:
        assignment.accepted_at = now
        fields.append("accepted_at")
    elif to == AssignmentStatus.REPORTED:
        assignment.reported_at = now
        assignment.feedback_text = (text or "").strip()
        assignment.feedback_number = number if number not in ("",) else None
        fields += ["reported_at", "feedback_text", "feedback_number"]
        if file:
            assignment.feedback_file = file
            fields.append("feedback_file")
    elif to == AssignmentStatus.CONFIRMED:
        assignment.confirmed_at = now
        fields.append("confirmed_at")
    elif to == AssignmentStatus.RETURNED:
        assignment.return_reason = note
        fields.append("return_reason")
    elif old == AssignmentStatus.REPORTED:
        # sent back by the issuer: the report no longer counts
        assignment.reported_at = None
        fields.append("reported_at")
    assignment.status = to
    assignment.full_clean(exclude=["task", "community"])
    assignment.save(update_fields=fields)
    AssignmentTransition.objects.create(assignment=assignment, old=old, new=to, by=by, note=note)
    return assignment


# --- deadline reminders -----------------------------------------------------------------------


def reminders_prepare(*, on: dt.date) -> int:
    """Make today's reminder rows (one per open assignment near or past its deadline); idempotent per day."""
    due = TaskAssignment.objects.filter(
        status__in=OPEN_STATUSES, task__deadline__lte=on + dt.timedelta(days=REMIND_DAYS_BEFORE)
    ).exclude(reminders__on=on)
    made = 0
    for assignment_id, deadline in due.values_list("pk", "task__deadline"):
        kind = ReminderKind.OVERDUE if deadline < on else ReminderKind.DUE_SOON
        _reminder, created = TaskReminder.objects.get_or_create(
            assignment_id=assignment_id, on=on, defaults={"kind": kind}
        )
        made += created
    return made


def reminders_send(*, on: dt.date) -> int:
    """Email the day's unsent reminders to the communities' staff; each reminder is sent once."""
    sent = 0
    with transaction.atomic():
        pending = list(
            TaskReminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(on=on, sent_at__isnull=True)
            .select_related("assignment__task", "assignment__community")
        )
        community_ids = {r.assignment.community_id for r in pending}
        emails = defaultdict(list)
        for community_id, email in (
            User.objects.filter(community_id__in=community_ids, is_active=True)
            .exclude(email="")
            .order_by("pk")
            .values_list("community_id", "email")
        ):
            emails[community_id].append(email)
        now = timezone.now()
        for reminder in pending:
            task = reminder.assignment.task
            recipients = emails.get(reminder.assignment.community_id, [])
            if recipients:
                if reminder.kind == ReminderKind.OVERDUE:
                    subject = _("Overdue: %(title)s") % {"title": task.title}
                    body = _("The task “%(title)s” from %(issuer)s was due on %(deadline)s and is not reported yet.")
                else:
                    subject = _("Deadline near: %(title)s") % {"title": task.title}
                    body = _("The task “%(title)s” from %(issuer)s is due on %(deadline)s.")
                body %= {"title": task.title, "issuer": task.issuer_name, "deadline": task.deadline.isoformat()}
                send_mail(subject, body, None, recipients)
            reminder.recipients = ", ".join(recipients)
            reminder.sent_at = now
            reminder.save(update_fields=["recipients", "sent_at"])
            sent += 1
    return sent


def reminders_run(*, on: dt.date | None = None) -> int:
    on = on or timezone.localdate()
    reminders_prepare(on=on)
    return reminders_send(on=on)


# --- guidance and support -----------------------------------------------------------------------


def _ensure_above_community(by, community) -> None:
    scope = scope_of(by)
    if scope is None or (scope.level not in (ScopeLevel.TOWN, ScopeLevel.COUNTY) and not scope.is_all):
        raise PermissionDenied(_("Only the town or the county records guidance and answers support requests."))
    ensure_in_scope(by, community)


@transaction.atomic
def guidance_record_save(*, by, record: GuidanceRecord) -> GuidanceRecord:
    """Record (or correct) a guidance visit or training; the town and county only, in their own communities."""
    if record.pk:
        current = GuidanceRecord.objects.select_for_update().select_related("community").get(pk=record.pk)
        _ensure_above_community(by, current.community)
    _ensure_above_community(by, record.community)
    if not by.has_perm("worklist.change_guidancerecord" if record.pk else "worklist.add_guidancerecord"):
        raise PermissionDenied(_("You may not record guidance."))
    if record.date and record.date > timezone.localdate():
        raise ValidationError({"date": _("Record guidance after it took place: the date is in the future.")})
    if record.recorded_by_id is None:
        record.recorded_by = by
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def support_request_create(*, by, community, title: str, body: str) -> SupportRequest:
    """A committee asks the town for support."""
    scope = scope_of(by)
    if scope is None or scope.level != ScopeLevel.COMMUNITY or not by.has_perm("worklist.add_supportrequest"):
        raise PermissionDenied(_("Only a community's staff ask the town for support."))
    ensure_in_scope(by, community)
    request = SupportRequest(community=community, title=(title or "").strip(), body=(body or "").strip())
    request.requested_by = by
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def support_request_answer(*, by, request_id: int, answer: str) -> SupportRequest:
    """The town (or county) answers a committee's request."""
    request = (
        SupportRequest.objects.select_for_update(of=("self",)).select_related("community__town").get(pk=request_id)
    )
    _ensure_above_community(by, request.community)
    if not by.has_perm("worklist.change_supportrequest"):
        raise PermissionDenied(_("You may not answer support requests."))
    if request.status != SupportStatus.OPEN:
        raise ValidationError(_("This request has already been answered."))
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer to the committee.")})
    request.answer, request.answered_by, request.answered_at = answer.strip(), by, timezone.now()
    request.status = SupportStatus.ANSWERED
    request.save(update_fields=["answer", "answered_by", "answered_at", "status", "updated_at"])
    return request

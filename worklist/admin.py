"""Admin of the work list app: every write goes through ``worklist.actions``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from community.admin_base import ScopedAdmin, ScopedAdminMixin, ScopedPlainAdmin
from community.choices import ScopeLevel
from community.dashboard_links import day_filter, unit_filter
from community.models import Community, Department
from community.scoping import CHANGE, scope_of
from utilities.forms import add_action_error

from . import actions, selectors
from .choices import OPEN_STATUSES, AssignmentStatus
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


def _county_departments(request):
    scope = scope_of(request.user)
    if scope is None:
        return Department.objects.none()
    if scope.is_all:
        return Department.objects.all()
    return Department.objects.filter(county_id=scope.county_id)


class ActionSaveMixin:
    """Saving through the action: ValidationError/PermissionDenied raised there become a message, not a 500."""

    form_checks_scope = False  # the action places the row (the issuer's town, county …) and checks the scope

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, PermissionDenied) as exc:
            if not getattr(request, "_worklist_saving", False):
                raise  # not from the action (e.g. no permission to open the page): the admin's own answer
            self.message_user(request, " ".join(getattr(exc, "messages", None) or [str(exc)]), messages.ERROR)
            return self.response_post_save_change(request, None)

    def save_form(self, request, form, change):
        request._worklist_saving = True  # from here on, a refusal comes from the action
        return super().save_form(request, form, change)


def _nothing_saved(formset, created=()):
    """The admin's change message reads these; our formsets are written by actions, or not at all."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = list(created), [], []


# --- the work list ------------------------------------------------------------------------------


class WorkListItemForm(forms.ModelForm):
    class Meta:
        model = WorkListItem
        fields = [
            "county",
            "number",
            "title",
            "legal_basis",
            "department",
            "community_role",
            "valid_from",
            "valid_until",
        ]

    def clean(self):
        data = super().clean()
        department, county = data.get("department"), data.get("county")
        if department is not None and county is not None and department.county_id != county.pk:
            self.add_error("department", gettext("The issuing department must belong to the same county."))
        return data


@admin.register(WorkListItem)
class WorkListItemAdmin(ActionSaveMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    form = WorkListItemForm
    list_display = ["number", "title", "community_role", "department", "valid_from", "valid_until"]
    list_filter = ["community_role", "department"]
    list_select_related = ["department"]
    search_fields = ["number", "title", "legal_basis"]
    ordering = ["county", "number"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = _county_departments(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # an item ends by its "valid until" date; tasks keep pointing at it

    def save_model(self, request, obj, form, change):
        actions.work_item_save(by=request.user, item=obj)


class ListExceptionForm(forms.ModelForm):
    class Meta:
        model = ListException
        fields = ["county", "title", "reason"]


@admin.register(ListException)
class ListExceptionAdmin(ActionSaveMixin, ScopedPlainAdmin):
    form = ListExceptionForm
    list_display = ["title", "approved_by", "approved_at", "used_by"]
    list_select_related = ["approved_by", "task"]
    search_fields = ["title", "reason"]

    @admin.display(description=_("used by task"))
    def used_by(self, obj):
        task = getattr(obj, "task", None)
        return task.title if task else "—"

    def get_readonly_fields(self, request, obj=None):
        return ["county", "title", "reason", "approved_by", "approved_at"] if obj else []

    def has_change_permission(self, request, obj=None):
        return False  # an approval is a record: it is not edited afterwards

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        made = actions.list_exception_approve(by=request.user, county=obj.county, title=obj.title, reason=obj.reason)
        obj.pk, obj.approved_by, obj.approved_at = made.pk, made.approved_by, made.approved_at


# --- tasks handed down -----------------------------------------------------------------------------


class HandedTaskForm(forms.ModelForm):
    communities = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("recipients", "communities"),
        queryset=Community.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = HandedTask
        fields = [
            "issuer_kind",
            "town",
            "department",
            "office",
            "title",
            "description",
            "work_item",
            "exception",
            "deadline",
            "feedback_kind",
            "feedback_label",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["issuer_kind"].required = False
        self.fields["issuer_kind"].help_text = _("Left empty: your own office (town, department or county).")
        scope = scope_of(user)
        if scope is None:
            choices = Community.objects.none()
        elif scope.is_all:
            choices = Community.objects.all()
        elif scope.level in (ScopeLevel.COUNTY, ScopeLevel.DEPARTMENT):
            choices = Community.objects.filter(town__county_id=scope.county_id)
        else:
            choices = Community.objects.for_user(user)
        self.fields["communities"].queryset = choices.select_related("town").order_by("code")

    def _post_clean(self):
        # the model's own field checks; its constraints (issuer, list rule) are the action's to explain
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(), validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            self._update_errors(exc)
        if self.errors:
            return
        data = self.cleaned_data
        try:
            actions.handed_task_check(
                by=self.user,
                title=data.get("title", ""),
                deadline=data.get("deadline"),
                communities=list(data.get("communities") or []),
                work_item=data.get("work_item"),
                exception=data.get("exception"),
                feedback_kind=data.get("feedback_kind"),
                feedback_label=data.get("feedback_label", ""),
                issuer_kind=data.get("issuer_kind") or None,
                town=data.get("town"),
                department=data.get("department"),
            )
        except (ValidationError, PermissionDenied) as exc:
            add_action_error(self, exc)


class AssignmentBoardInline(admin.TabularInline):
    """The issuer's one page: every community's status of the task."""

    model = TaskAssignment
    fields = ["community", "status", "overdue_flag", "accepted_at", "reported_at", "confirmed_at", "feedback"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("status in each community")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("community", "task")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("overdue"), boolean=True)
    def overdue_flag(self, obj):
        return obj.is_overdue(timezone.localdate())

    @admin.display(description=_("feedback"))
    def feedback(self, obj):
        if obj.feedback_number is not None:
            return f"{obj.task.feedback_label}: {obj.feedback_number}"
        return obj.feedback_text or (obj.feedback_file.name if obj.feedback_file else "")


class AttachmentInline(admin.TabularInline):
    model = TaskAttachment
    fields = ["name", "file"]
    extra = 1
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return []

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HandedTask)
class HandedTaskAdmin(ActionSaveMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    form = HandedTaskForm
    list_display = [
        "title",
        "issuer",
        "on_list",
        "deadline",
        "communities_count",
        "reported_count",
        "returned_count",
        "overdue_count",
    ]
    list_filter = [
        unit_filter("assignments__community", many=True),
        ("created_at", admin.DateFieldListFilter),
        "issuer_kind",
        "department",
        "feedback_kind",
    ]
    search_fields = ["title", "office"]
    date_hierarchy = "deadline"
    inlines = [AttachmentInline, AssignmentBoardInline]

    def get_queryset(self, request):
        return selectors.task_list(user=request.user).order_by("-created_at", "-id")

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm  # handed down: read-only, attachments may be added
            return super().get_form(request, obj, **kwargs)
        form = super().get_form(request, obj, **kwargs)
        user = request.user

        class BoundForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=user, **kw)

        return BoundForm

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*HandedTaskForm.Meta.fields, "communities"]
        return [
            "issuer_name",
            "title",
            "description",
            "work_item",
            "exception",
            "deadline",
            "feedback_kind",
            "feedback_label",
            "issued_by",
            "created_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = _county_departments(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not actions.acts_for_issuer(request.user, obj):
            return False  # a community sees the task read-only; the issuer may add attachments
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("issued by"))
    def issuer(self, obj):
        return obj.issuer_name

    @admin.display(description=_("issued by"))
    def issuer_name(self, obj):
        return obj.issuer_name

    @admin.display(description=_("on the list"), boolean=True)
    def on_list(self, obj):
        return obj.work_item_id is not None

    @admin.display(description=_("communities"), ordering="communities_count")
    def communities_count(self, obj):
        return obj.communities_count

    @admin.display(description=_("reported"))
    def reported_count(self, obj):
        return obj.reported_count

    @admin.display(description=_("returned"))
    def returned_count(self, obj):
        return obj.returned_count

    @admin.display(description=_("overdue"))
    def overdue_count(self, obj):
        return obj.overdue_count

    def save_model(self, request, obj, form, change):
        if change:
            return  # the task itself is not edited once handed down; only attachments are added
        data = form.cleaned_data
        task = actions.handed_task_create(
            by=request.user,
            title=data["title"],
            deadline=data["deadline"],
            communities=list(data["communities"]),
            office=data.get("office", ""),
            description=data.get("description", ""),
            work_item=data.get("work_item"),
            exception=data.get("exception"),
            feedback_kind=data["feedback_kind"],
            feedback_label=data.get("feedback_label", ""),
            issuer_kind=data.get("issuer_kind") or None,
            town=data.get("town"),
            department=data.get("department"),
        )
        obj.pk = task.pk
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        created = []
        if formset.model is TaskAttachment:
            for inline_form in formset.forms:
                if inline_form.has_changed() and inline_form.cleaned_data.get("file"):
                    created.append(
                        actions.task_attachment_add(
                            by=request.user,
                            task_id=form.instance.pk,
                            file=inline_form.cleaned_data["file"],
                            name=inline_form.cleaned_data.get("name", ""),
                        )
                    )
        _nothing_saved(formset, created)


# --- the communities' queue ------------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(overdue=True)
        if self.value() == "no":
            return queryset.filter(overdue=False)
        return queryset


class TransitionInline(admin.TabularInline):
    model = AssignmentTransition
    fields = ["at", "old", "new", "by", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def has_add_permission(self, request, obj=None):
        return False


class AssignmentStepForm(forms.ModelForm):
    to = forms.ChoiceField(label=_("next step"), required=False)
    note = forms.CharField(
        label=_("reason or note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the community returns the task, or when the issuer sends a report back."),
    )

    class Meta:
        model = TaskAssignment
        fields = ["feedback_text", "feedback_number", "feedback_file"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        steps = actions.TRANSITIONS.get(self.instance.status, {}) if self.instance.pk else {}
        self.fields["to"].choices = [("", "—")] + [(to, AssignmentStatus(to).label) for to in steps]

    def _post_clean(self):
        # the instance is changed only by the action (assignment_move), never by the form
        if self.errors:
            return
        if not self.cleaned_data.get("to"):
            if set(self.changed_data) & {"feedback_text", "feedback_number", "feedback_file", "note"}:
                # a report is stored with its step (report, confirm, send back): never dropped without a word
                self.add_error("to", _("Choose the next step: the report is saved with it."))
            return
        data = self.cleaned_data
        try:
            actions.assignment_check_move(
                by=self.user,
                assignment=TaskAssignment.objects.select_related("task", "community__town").get(pk=self.instance.pk),
                to=data["to"],
                note=data.get("note", ""),
                text=data.get("feedback_text", ""),
                number=data.get("feedback_number"),
                file=data.get("feedback_file"),
            )
        except (ValidationError, PermissionDenied) as exc:
            errors = getattr(exc, "error_dict", None)
            if errors and "feedback" in errors:
                exc = ValidationError({"to": errors["feedback"]})
            add_action_error(self, exc)


@admin.register(TaskAssignment)
class TaskAssignmentAdmin(ActionSaveMixin, ScopedAdmin):
    """The community's one queue; the issuer confirms or sends back reports from here too."""

    form = AssignmentStepForm
    list_display = ["task", "community", "status", "deadline", "overdue_flag", "reported_at"]
    list_filter = [
        unit_filter(),
        ("task__created_at", admin.DateFieldListFilter),
        "status",
        OverdueFilter,
        day_filter("due_by", _("deadline"), _("Still owed, due by %(day)s"), selectors.assignments_due_by),
        "community",
    ]
    list_select_related = ["task", "community"]
    search_fields = ["task__title", "community__name"]
    inlines = [TransitionInline]
    actions = ["accept", "start"]
    readonly_fields = ["task", "community", "status", "deadline", "required_feedback", "return_reason"]
    fieldsets = [
        (None, {"fields": ["task", "community", "status", "deadline", "required_feedback", "return_reason"]}),
        (_("Report"), {"fields": ["feedback_text", "feedback_number", "feedback_file"]}),
        (_("Next step"), {"fields": ["to", "note"]}),
    ]

    def get_queryset(self, request):
        today = timezone.localdate()
        return super().get_queryset(request).annotate(overdue=selectors._overdue_flag(today))

    def get_form(self, request, obj=None, **kwargs):
        # no scoped_form: the community and the task are read-only here, and the action checks who steps
        form = super(ScopedAdminMixin, self).get_form(request, obj, **kwargs)
        user = request.user

        class BoundForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=user, **kw)

        return BoundForm

    def has_add_permission(self, request):
        return False  # assignments are made by handing a task down

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        user = request.user
        allowed = user.has_perm("worklist.change_taskassignment") or user.has_perm("worklist.confirm_taskassignment")
        return allowed and self._reaches(request, obj, CHANGE)

    @admin.display(description=_("deadline"), ordering="task__deadline")
    def deadline(self, obj):
        return obj.task.deadline

    @admin.display(description=_("overdue"), boolean=True, ordering="overdue")
    def overdue_flag(self, obj):
        return getattr(obj, "overdue", False)

    @admin.display(description=_("required feedback"))
    def required_feedback(self, obj):
        label = obj.task.get_feedback_kind_display()
        return f"{label}: {obj.task.feedback_label}" if obj.task.feedback_label else label

    def save_model(self, request, obj, form, change):
        to = form.cleaned_data.get("to")
        if not to:
            return  # nothing to do: fields change only with a step
        actions.assignment_move(
            by=request.user,
            assignment_id=obj.pk,
            to=to,
            note=form.cleaned_data.get("note", ""),
            text=form.cleaned_data.get("feedback_text", ""),
            number=form.cleaned_data.get("feedback_number"),
            file=form.cleaned_data.get("feedback_file") or None,
        )

    def save_formset(self, request, form, formset, change):
        _nothing_saved(formset)  # the status history is written by the action

    def _bulk_step(self, request, queryset, to, done_message):
        moved, refused = 0, []
        for assignment in queryset.filter(status__in=OPEN_STATUSES):
            try:
                actions.assignment_move(by=request.user, assignment_id=assignment.pk, to=to)
                moved += 1
            except (ValidationError, PermissionDenied) as exc:
                refused.append(f"{assignment}: {' '.join(getattr(exc, 'messages', None) or [str(exc)])}")
        if moved:
            self.message_user(request, done_message % {"n": moved}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=_("Accept the chosen tasks"), permissions=["change"])
    def accept(self, request, queryset):
        self._bulk_step(request, queryset, AssignmentStatus.ACCEPTED, gettext("%(n)d tasks accepted."))

    @admin.action(description=_("Start work on the chosen tasks"), permissions=["change"])
    def start(self, request, queryset):
        self._bulk_step(request, queryset, AssignmentStatus.IN_PROGRESS, gettext("%(n)d tasks started."))


@admin.register(TaskReminder)
class TaskReminderAdmin(ScopedPlainAdmin):
    list_display = ["on", "kind", "assignment", "recipients", "sent_at"]
    list_filter = ["kind", "on"]
    list_select_related = ["assignment__task", "assignment__community"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- guidance and support ------------------------------------------------------------------------


@admin.register(GuidanceRecord)
class GuidanceRecordAdmin(ActionSaveMixin, ScopedAdmin):
    list_display = ["date", "kind", "topic", "community", "attendee_count", "recorded_by"]
    list_filter = ["kind", "community"]
    list_select_related = ["community", "recorded_by"]
    search_fields = ["topic", "attendees", "community__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["community"]
    readonly_fields = ["recorded_by"]

    def save_model(self, request, obj, form, change):
        actions.guidance_record_save(by=request.user, record=obj)

    def has_delete_permission(self, request, obj=None):
        return False


class SupportAnswerForm(forms.ModelForm):
    class Meta:
        model = SupportRequest
        fields = ["community", "title", "body", "answer"]


@admin.register(SupportRequest)
class SupportRequestAdmin(ActionSaveMixin, ScopedAdmin):
    form = SupportAnswerForm
    list_display = ["title", "community", "status", "created_at", "answered_at"]
    list_filter = ["status", "community"]
    list_select_related = ["community"]
    search_fields = ["title", "body", "community__name"]
    autocomplete_fields = ["community"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["community", "title", "body"]
        return ["community", "title", "body", "requested_by", "created_at", "status", "answer", "answered_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = ["community", "title", "body", "requested_by", "created_at", "status", "answered_by"]
        if obj.status != "open":
            readonly.append("answer")
        return readonly

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            made = actions.support_request_create(
                by=request.user, community=obj.community, title=obj.title, body=obj.body
            )
            obj.pk = made.pk
            obj._state.adding = False
            return
        actions.support_request_answer(by=request.user, request_id=obj.pk, answer=form.cleaned_data.get("answer", ""))

"""The staff side: the triage queue of service requests, notifications, 六进社区, facilities and events."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, F, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from community.admin_base import ScopedAdmin, ScopedPlainAdmin, scoped_queryset_for
from community.choices import ScopeLevel
from community.dashboard_links import chosen_unit, unit_filter
from community.models import Building, Department, Resident
from community.scoping import CHANGE, VIEW, permitted, scope_of

from . import actions, selectors
from .choices import OPEN_STATUSES, Status
from .forms import ProcessForm, StaffRequestForm
from .models import (
    Activity,
    ActivityPhoto,
    Commitment,
    CommunityEvent,
    Evaluation,
    Facility,
    FacilityBooking,
    FollowUp,
    Notification,
    Open311Client,
    RequestEvent,
    RequestPhoto,
    ServiceCategory,
    ServiceRequest,
)


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(ScopedAdmin):
    list_display = [
        "name",
        "code",
        "group",
        "department",
        "accept_within_hours",
        "resolve_within_days",
        "paid",
        "price",
        "active",
    ]
    list_filter = ["active", "paid", "group"]
    list_select_related = ["department"]
    search_fields = ["name", "code"]

    def save_model(self, request, obj, form, change):
        actions.category_save(by=request.user, category=obj)


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("soon", _("Due within 24 hours")), ("no", _("On time"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(selectors.overdue_condition(now))
        if self.value() == "soon":
            return queryset.filter(selectors.due_soon_condition(now))
        if self.value() == "no":
            return queryset.exclude(selectors.overdue_condition(now)).exclude(overdue=True)
        return queryset


class StateFilter(admin.SimpleListFilter):
    """The triage list opens on the open requests; the finished ones stay one click away."""

    title = _("open or finished")
    parameter_name = "state"
    #: query parameters that do not count as the user's own narrowing (paging, sorting, the popup)
    NEUTRAL = {"o", "p", "_popup", "_to_field", "state"}

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        narrowed = any(key not in self.NEUTRAL for key in request.GET)
        if self.parameter_name not in self.used_parameters and not narrowed:
            self.used_parameters[self.parameter_name] = "open"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("finished", _("Finished")), ("all", _("All"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if self.value() == "finished":
            return queryset.exclude(status__in=OPEN_STATUSES)
        return queryset


class VulnerableHouseholdFilter(admin.SimpleListFilter):
    title = _("vulnerable household")
    parameter_name = "vulnerable"

    def lookups(self, request, model_admin):
        return [("yes", _("From a vulnerable household"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            vulnerable = Resident.objects.current().vulnerable().filter(household_id=OuterRef("household_id"))
            return queryset.filter(Exists(vulnerable))
        return queryset


class BuildingFilter(admin.SimpleListFilter):
    title = _("building")
    parameter_name = "building"

    def lookups(self, request, model_admin):
        """The buildings of one community: the one the list's unit filter chose, or the user's own; a county's
        thousands of buildings are no list to choose from (choose the community first)."""
        scope = scope_of(request.user)
        unit = chosen_unit(request)
        if unit is not None and unit[0] == ScopeLevel.COMMUNITY:
            community = unit[1]
        elif scope is not None and scope.level == ScopeLevel.COMMUNITY:
            community = scope.community_id
        else:
            return []
        buildings = Building.objects.for_user(request.user).filter(zone__community_id=community)
        rows = buildings.order_by("zone__name", "name").values_list("pk", "zone__name", "name")[:300]
        return [(pk, f"{zone} {name}") for pk, zone, name in rows]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(building_id=self.value())
        return queryset


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    fields = ["at", "kind", "old_status", "new_status", "note", "public", "by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("timeline")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class RequestPhotoInline(admin.TabularInline):
    model = RequestPhoto
    fields = ["preview", "width", "height", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("photo"))
    def preview(self, obj):
        return format_html(
            '<a href="{}"><img src="{}" alt="" style="max-height:120px"></a>', obj.image.url, obj.image.url
        )


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    fields = ["at", "by", "reached", "satisfaction", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ScopedAdmin):
    """The triage queue: open requests of the user's communities, oldest deadlines first."""

    class Media:
        css = {"all": ["css/admin_extra.css"]}

    list_display = [
        "display_code",
        "submitted_at",
        "category",
        "community",
        "building",
        "status",
        "deadline",
        "overdue_flag",
        "assignee",
        "channel",
        "rating",
    ]
    list_filter = [
        unit_filter(),
        StateFilter,
        "status",
        OverdueFilter,
        "category",
        "community",
        BuildingFilter,
        VulnerableHouseholdFilter,
        "channel",
        "rating",
    ]
    # str(building) names its zone and community: join them, or a page costs one query a row
    list_select_related = [
        "category",
        "community",
        "building__zone__community",
        "assigned_user",
        "assigned_department",
    ]
    search_fields = ["=tracking_code", "description", "=contact_phone", "address"]
    search_help_text = _("Tracking code (with or without dashes), the last 4 digits of the phone, or words.")
    date_hierarchy = "submitted_at"
    inlines = [RequestPhotoInline, FollowUpInline]
    actions = ["accept_selected", "start_selected", "close_selected", "reissue_code"]
    readonly_fields = [
        "display_code",
        "process_link",
        "status",
        "community",
        "category",
        "channel",
        "building",
        "household",
        "address",
        "description",
        "answers_display",
        "contact_name",
        "masked_phone",
        "submitted_at",
        "accept_due",
        "resolve_due",
        "accepted_at",
        "resolved_at",
        "closed_at",
        "assigned_user",
        "assigned_department",
        "assigned_party_member_name",
        "duplicate_of",
        "reject_reason",
        "overdue",
        "escalated_at",
        "fee",
        "fee_posted",
        "rating",
        "rating_comment",
        "rated_at",
        "timeline_display",
    ]

    def get_queryset(self, request):
        qs = selectors.with_due(scoped_queryset_for(self.model, request))
        return qs.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        """Due date first (the most pressing on top); finished requests, without a due date, last."""
        return [F("due_at").asc(nulls_last=True), "-submitted_at"]

    def get_search_results(self, request, queryset, search_term):
        found = selectors.queue_search(queryset, search_term)
        if found is not None:
            return found, False
        return super().get_search_results(request, queryset, search_term)

    def get_fields(self, request, obj=None):
        if obj is None:
            return list(StaffRequestForm.Meta.fields)
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = StaffRequestForm
            kwargs["fields"] = StaffRequestForm.Meta.fields
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        if change:
            return  # a request changes only through the process page (its actions)
        created = form.created
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})
        obj._state = created._state

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("tracking code"), ordering="tracking_code")
    def display_code(self, obj):
        return obj.display_code

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return obj.masked_phone

    @admin.display(description=_("timeline"))
    def timeline_display(self, obj):
        return render_to_string("services/admin/_timeline.html", {"timeline": selectors.request_timeline(obj)})

    @admin.display(description=_("answers to the extra questions"))
    def answers_display(self, obj):
        rows = selectors.labelled_answers(obj)
        if not rows:
            return "—"
        return format_html_join("", '<div class="answer"><span class="answer-label">{}：</span>{}</div>', rows)

    @admin.display(description=_("due"), ordering="due_at")
    def deadline(self, obj):
        if obj.status == Status.SUBMITTED:
            return obj.accept_due
        return obj.resolve_due if obj.status in OPEN_STATUSES else None

    @admin.display(description=_("overdue"), boolean=True)
    def overdue_flag(self, obj):
        if obj.status not in OPEN_STATUSES:
            return obj.overdue
        now = timezone.now()
        return obj.overdue or (obj.status == Status.SUBMITTED and obj.accept_due < now) or obj.resolve_due < now

    @admin.display(description=_("assigned to"))
    def assignee(self, obj):
        return obj.assigned_user or obj.assigned_department or obj.assigned_party_member_name or "—"

    @admin.display(description=_("process"))
    def process_link(self, obj):
        url = reverse("admin:services_servicerequest_process", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Handle this request"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/process/",
                self.admin_site.admin_view(self.process_view),
                name="services_servicerequest_process",
            ),
            *super().get_urls(),
        ]

    def process_view(self, request, pk):
        obj = get_object_or_404(self.get_queryset(request).select_related("community__town", "category"), pk=pk)
        handles = any(permitted(request.user, ServiceRequest, op) for op in ("triage", "progress"))
        if not self.has_change_permission(request, obj) or not handles:
            raise PermissionDenied
        offered = ProcessForm.operations_for(obj, request.user)
        chosen, prefixed = None, True
        if request.method == "POST":
            chosen = next((op for op, _label in offered if f"{op}-operation" in request.POST), None)
            if chosen is None and request.POST.get("operation") in dict(offered):
                chosen, prefixed = request.POST["operation"], False  # a plain post (scripts, older pages)
        forms = []
        for op, label in offered:
            if op == chosen:
                prefix = op if prefixed else None
                form = ProcessForm(request.POST, request_obj=obj, user=request.user, op=op, prefix=prefix)
            else:
                form = ProcessForm(request_obj=obj, user=request.user, op=op)
            forms.append((op, label, form))
        bound = next((form for op, _label, form in forms if op == chosen), None)
        done = bound is not None and bound.is_valid() and bound.run(by=request.user)
        if done and not bound.revealed_phone:
            self.message_user(request, _("Done."), messages.SUCCESS)
            return redirect(reverse("admin:services_servicerequest_change", args=[obj.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Handle request %(code)s") % {"code": obj.display_code},
            "opts": self.model._meta,
            "original": obj,
            "forms": forms,
            "chosen": chosen,
            "not_offered": request.method == "POST" and chosen is None,
            "transitions": [actions.TRANSITIONS.label(s) for s in actions.TRANSITIONS.targets(obj.status)],
            "answers": selectors.labelled_answers(obj),
            "timeline": selectors.request_timeline(obj),
            "revealed_phone": bound.revealed_phone if bound is not None else "",
        }
        status = 400 if request.method == "POST" and not done else 200
        return TemplateResponse(request, "services/admin/process.html", context, status=status)

    def _bulk(self, request, queryset, to):
        done = failed = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                actions.request_move(by=request.user, request_id=pk, to=to)
                done += 1
            except (ValidationError, PermissionDenied):
                failed += 1
        self.message_user(request, _("%(done)d changed, %(failed)d could not be.") % {"done": done, "failed": failed})

    @admin.action(description=_("Accept the selected requests"), permissions=["triage"])
    def accept_selected(self, request, queryset):
        self._bulk(request, queryset, Status.ACCEPTED)

    @admin.action(description=_("Start work on the selected requests"), permissions=["triage"])
    def start_selected(self, request, queryset):
        self._bulk(request, queryset, Status.IN_PROGRESS)

    @admin.action(description=_("Close the selected resolved requests"), permissions=["triage"])
    def close_selected(self, request, queryset):
        self._bulk(request, queryset, Status.CLOSED)

    @admin.action(description=_("Re-issue the tracking code (locked or leaked)"), permissions=["triage"])
    def reissue_code(self, request, queryset):
        done = failed = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                actions.request_reissue_code(by=request.user, request_id=pk)
                done += 1
            except (ValidationError, PermissionDenied):
                failed += 1
        self.message_user(request, _("%(done)d changed, %(failed)d could not be.") % {"done": done, "failed": failed})

    def has_triage_permission(self, request):
        return request.user.has_perm("services.triage_servicerequest")


@admin.register(Notification)
class NotificationAdmin(ScopedPlainAdmin):
    list_display = ["created_at", "subject", "recipient", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["recipient", "request"]
    search_fields = ["subject"]
    readonly_fields = [
        "request",
        "recipient",
        "email",
        "subject",
        "body",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    actions = ["send_now"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected pending notifications now"), permissions=["view"])
    def send_now(self, request, queryset):
        for pk in queryset.filter(status="pending").values_list("pk", flat=True):
            actions.notification_send(notification_id=pk)
        self.message_user(request, _("Sending attempted."))


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "contact", "active", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["api_key"]


# --- department-owned rows: liaisons write their own department's rows in any community of the county --


class DepartmentScopedAdmin(ScopedAdmin):
    """Rows a department owns (``department_path``): a liaison records them in any community of the county."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":  # a liaison records their own department's work; staff any of the county's
            scope = scope_of(request.user)
            action = CHANGE if scope is not None and scope.level == ScopeLevel.DEPARTMENT else VIEW
            kwargs["queryset"] = Department.objects.for_scope(scope, action)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Commitment)
class CommitmentAdmin(DepartmentScopedAdmin):
    list_display = ["title", "department", "community", "year", "kind", "times", "per", "staff_assigned", "budget"]
    list_filter = [unit_filter(), "year", "kind", "department", "community"]
    list_select_related = ["department", "community"]
    search_fields = ["title"]


class ActivityPhotoInline(admin.TabularInline):
    model = ActivityPhoto
    extra = 1
    fields = ["image", "caption"]


@admin.register(Activity)
class ActivityAdmin(DepartmentScopedAdmin):
    list_display = [
        "date",
        "title",
        "kind",
        "department",
        "community",
        "participants",
        "staff_count",
        "amount_spent",
        "fund",
    ]
    list_filter = [unit_filter(), "kind", "department", "community"]
    list_select_related = ["department", "community"]
    search_fields = ["title", "description"]
    date_hierarchy = "date"
    inlines = [ActivityPhotoInline]


@admin.register(Evaluation)
class EvaluationAdmin(DepartmentScopedAdmin):
    list_display = ["year", "department", "community", "score", "grade"]
    list_filter = ["year", "grade", "department", "community"]
    list_select_related = ["department", "community"]
    search_fields = ["comment"]


@admin.register(Facility)
class FacilityAdmin(ScopedAdmin):
    list_display = ["name", "unit", "kind", "opening_hours", "capacity", "free", "public"]
    list_filter = [unit_filter("unit__community"), "kind", "public", "unit__community"]
    list_select_related = ["unit__community"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(FacilityBooking)
class FacilityBookingAdmin(ScopedAdmin):
    list_display = ["date", "start", "end", "facility", "organiser", "purpose", "status", "attendees"]
    list_filter = [unit_filter("facility__unit__community"), "status", "facility__unit__community"]
    list_select_related = ["facility__unit__community"]
    search_fields = ["organiser", "purpose", "facility__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["facility"]

    def save_model(self, request, obj, form, change):
        actions.record_save(by=request.user, instance=obj)


@admin.register(CommunityEvent)
class CommunityEventAdmin(ScopedAdmin):
    list_display = ["starts_at", "title", "kind", "community", "location", "status", "attendance", "public"]
    list_filter = [unit_filter(), "kind", "status", "community"]
    list_select_related = ["community"]
    search_fields = ["title", "location"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["community"]


# --- 驻区单位的权利与义务: the duties a resident unit agreed, beside the facilities it opens -------------
# (a separate block: the obligations' admin only; writes go through ``services.obligations``)

from django import forms as _forms  # noqa: E402

from . import obligations as _obligations  # noqa: E402
from .models import ObligationFulfilment, UnitObligation  # noqa: E402


class _FulfilmentFormSet(_forms.BaseInlineFormSet):
    def save_new(self, form, commit=True):
        fulfilment = form.save(commit=False)
        setattr(fulfilment, self.fk.name, self.instance)
        return _obligations.fulfilment_record(by=self.request_user, fulfilment=fulfilment)

    def save_existing(self, form, obj, commit=True):
        return _obligations.fulfilment_record(by=self.request_user, fulfilment=form.save(commit=False))


class FulfilmentInline(admin.TabularInline):
    model = ObligationFulfilment
    formset = _FulfilmentFormSet
    fields = ["year", "status", "note"]
    extra = 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request_user = request.user
        return formset


@admin.register(UnitObligation)
class UnitObligationAdmin(ScopedAdmin):
    """A unit's duties, its yearly fulfilment inline, and the facilities it opens listed beside them."""

    list_display = ["unit", "category", "duty_short", "agreed_on", "facilities_opened", "last_fulfilment"]
    list_filter = [unit_filter("unit__community"), "category", "unit__community"]
    list_select_related = ["unit__community"]
    search_fields = ["duty", "unit__name"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["facilities_opened"]
    fields = ["unit", "category", "duty", "agreed_on", "facilities_opened"]
    inlines = [FulfilmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("unit__facilities", "fulfilments")

    @admin.display(description=_("duty agreed"))
    def duty_short(self, obj):
        return obj.duty[:60]

    @admin.display(description=_("facilities the unit opens"))
    def facilities_opened(self, obj):
        if obj is None or not obj.unit_id:
            return ""
        return "、".join(f.name for f in obj.unit.facilities.all()) or "—"

    @admin.display(description=_("latest fulfilment"))
    def last_fulfilment(self, obj):
        rows = sorted(obj.fulfilments.all(), key=lambda f: -f.year)
        return f"{rows[0].year} {rows[0].get_status_display()}" if rows else "—"

    def save_model(self, request, obj, form, change):
        _obligations.obligation_save(by=request.user, obligation=obj)


@admin.register(ObligationFulfilment)
class ObligationFulfilmentAdmin(ScopedAdmin):
    list_display = ["obligation", "year", "status", "note"]
    list_filter = [unit_filter("obligation__unit__community"), "year", "status"]
    list_select_related = ["obligation__unit"]
    search_fields = ["obligation__unit__name", "note"]
    autocomplete_fields = ["obligation"]

    def save_model(self, request, obj, form, change):
        _obligations.fulfilment_record(by=request.user, fulfilment=obj)

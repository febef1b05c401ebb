"""Admin of the staffing app: a campaign and a placement can be run from announcement to hire here.

Every write goes through ``staffing.actions`` (action forms, admin actions, the score import view).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from community.admin_base import PersonalDataAdminMixin, ScopedAdmin, ScopedPlainAdmin
from community.dashboard_links import on_day_filter, unit_filter
from community.scoping import ensure_in_scope

from . import actions as ops
from . import forms
from .actions import calendar as calendar_actions
from .choices import RulesStatus, Stage
from .models import (
    Applicant,
    Application,
    BonusPoint,
    CalendarYear,
    Campaign,
    CampaignNote,
    CampaignRules,
    Certificate,
    Examiner,
    ExaminerRelation,
    InterviewScore,
    Objection,
    PayrollLine,
    PayrollRun,
    PayrollShare,
    PayScale,
    Post,
    ScoreCorrection,
    StaffMember,
    StageChange,
    WorkdayOverride,
)
from .selectors import AGE_BANDS, YOUNG_BAND, age_q


def _report(modeladmin, request, fn, success):
    """Run an action and report its result or its refusal as a message (never a 500)."""
    try:
        result = fn()
    except ValidationError as exc:
        modeladmin.message_user(request, " ".join(exc.messages), messages.ERROR)
        return None
    except PermissionDenied as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return None
    modeladmin.message_user(request, success % {"result": result}, messages.SUCCESS)
    return result


class ActionFormAdminMixin:
    """Admins whose add/change form is an ``ActionModelForm``: the action saved it, nothing more to do."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class WithUser(form):
            user = request.user

        WithUser.__name__ = form.__name__
        return WithUser

    def save_form(self, request, form, change):
        if getattr(form, "result", None) is not None:
            return form.result
        return super().save_form(request, form, change)

    def save_model(self, request, obj, form, change):
        if getattr(form, "result", None) is not None:
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class TownScopedAdminMixin(PersonalDataAdminMixin):
    """Rows of town-run models through ``for_user``; changes only by the town's office or the county."""

    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return self.model._default_manager.for_user(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        manager = db_field.remote_field.model._default_manager
        if "queryset" not in kwargs and hasattr(manager, "for_user"):
            kwargs["queryset"] = manager.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _campaign_step(fn, success):
    def step(modeladmin, request, queryset):
        for campaign in queryset:
            _report(modeladmin, request, lambda c=campaign: fn(by=request.user, campaign_id=c.pk), success)

    return step


class CampaignNoteInline(admin.TabularInline):
    model = CampaignNote
    fields = ["on", "text", "by", "at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PostInline(admin.TabularInline):
    model = Post
    fields = ["community", "title", "staff_post", "headcount", "min_education", "max_age", "cancelled"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(ActionFormAdminMixin, TownScopedAdminMixin, admin.ModelAdmin):
    form = forms.CampaignForm
    list_display = ["title", "town", "kind", "status", "announced_on", "scores_published", "publicity_end"]
    list_filter = ["kind", "status", "town"]
    list_select_related = ["town"]
    search_fields = ["title"]
    autocomplete_fields = ["town"]
    readonly_fields = [
        "score_entry",
        "interview_grids",
        "status",
        "announced_on",
        "scores_published",
        "interview_published",
        "publicity_start",
        "publicity_end",
    ]
    inlines = [PostInline, CampaignNoteInline]
    actions = [
        "announce",
        "review",
        "publish_written",
        "publish_interview",
        "inspection",
        "publicity",
        "conclude",
        "close",
    ]

    announce = admin.action(description=_("Publish the announcement (freezes the rules)"))(
        _campaign_step(ops.campaign_announce, _("Announcement published."))
    )
    review = admin.action(description=_("Eligibility review of the registered applications"))(
        _campaign_step(ops.eligibility_review, _("Eligibility review done: %(result)s"))
    )
    publish_written = admin.action(description=_("Publish the written scores and draw the interview shortlist"))(
        _campaign_step(ops.written_scores_publish, _("Written scores published: %(result)s"))
    )
    inspection = admin.action(description=_("Send the best-ranked to organisational inspection"))(
        _campaign_step(ops.inspection_start, _("%(result)s sent to inspection."))
    )
    publicity = admin.action(description=_("Start the publicity of those who passed inspection"))(
        _campaign_step(ops.publicity_start, _("Publicity started: %(result)s"))
    )
    conclude = admin.action(description=_("After publicity: contract and probation, or placement"))(
        _campaign_step(ops.publicity_conclude, _("%(result)s moved on after publicity."))
    )
    close = admin.action(description=_("Close the campaign"))(_campaign_step(ops.campaign_close, _("Campaign closed.")))

    @admin.action(description=_("Publish the interview scores and rank"))
    def publish_interview(self, request, queryset):
        for campaign in queryset:

            def run(c=campaign):
                with transaction.atomic():
                    result = ops.interview_publish(by=request.user, campaign_id=c.pk)
                    result["ranked"] = ops.campaign_rank(by=request.user, campaign_id=c.pk)
                return result

            _report(self, request, run, _("Interview scores published and ranked: %(result)s"))

    @admin.display(description=_("written exam scores"))
    def score_entry(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        url = reverse("admin:staffing_campaign_written_scores", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Enter or import the written scores"))

    @admin.display(description=_("interview scores"))
    def interview_grids(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        url = reverse("admin:staffing_campaign_interview_grid", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Enter the interview panel's scores (grid per post)"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/written-scores/",
                self.admin_site.admin_view(self.written_scores_view),
                name="staffing_campaign_written_scores",
            ),
            path(
                "<int:pk>/interview-grid/",
                self.admin_site.admin_view(self.interview_grid_view),
                name="staffing_campaign_interview_grid",
            ),
            *super().get_urls(),
        ]

    def written_scores_view(self, request, pk):
        campaign = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, campaign):
            raise PermissionDenied
        form = forms.ScoreImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                count = ops.written_scores_record(by=request.user, campaign_id=campaign.pk, scores=form.scores())
            except ValidationError as exc:
                form.add_error(None, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, gettext("%(n)s written scores recorded.") % {"n": count})
                return redirect(reverse("admin:staffing_campaign_change", args=[campaign.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Written exam scores"),
            "campaign": campaign,
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "staffing/admin/written_scores.html", context)

    def interview_grid_view(self, request, pk):
        """Examiners × shortlisted applicants of one post, all scores entered at once (see the action)."""
        campaign = get_object_or_404(self.get_queryset(request), pk=pk)
        if not (self.has_change_permission(request, campaign) and request.user.has_perm("staffing.add_interviewscore")):
            raise PermissionDenied
        posts = list(
            Post.objects.for_user(request.user)
            .filter(campaign=campaign, cancelled=False)
            .select_related("community")
            .order_by("community__code", "title", "pk")
        )
        post = next((p for p in posts if str(p.pk) == (request.POST.get("post") or request.GET.get("post"))), None)
        if post is None and posts:
            post = posts[0]
        grid = forms.InterviewGrid(
            campaign=campaign, post=post, data=request.POST if request.method == "POST" else None
        )
        if request.method == "POST" and post is not None and grid.is_valid():
            try:
                result = ops.interview_grid_record(by=request.user, post_id=post.pk, scores=grid.cells())
            except ValidationError as exc:
                grid.errors_from(exc)
            except PermissionDenied as exc:
                grid.errors_from(ValidationError(str(exc)))
            else:
                self.message_user(
                    request,
                    gettext("Interview scores saved: %(added)s added, %(changed)s changed, %(removed)s removed.")
                    % result,
                )
                url = reverse("admin:staffing_campaign_interview_grid", args=[campaign.pk])
                return redirect(f"{url}?post={post.pk}")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Interview panel scores"),
            "campaign": campaign,
            "posts": posts,
            "post": post,
            "grid": grid,
            "opts": self.model._meta,
        }
        return render(request, "staffing/admin/interview_grid.html", context)


@admin.register(CampaignRules)
class CampaignRulesAdmin(ActionFormAdminMixin, TownScopedAdminMixin, admin.ModelAdmin):
    form = forms.RulesForm
    list_display = [
        "campaign",
        "version",
        "status",
        "reason",
        "written_weight",
        "interview_weight",
        "created_by",
        "approved_by",
        "created_at",
    ]
    list_select_related = ["campaign", "created_by", "approved_by"]
    list_filter = ["status", "frozen"]
    search_fields = ["campaign__title"]
    autocomplete_fields = ["campaign"]
    actions = ["approve", "reject"]

    def has_change_permission(self, request, obj=None):
        # a version is never edited after the fact: a change is a correction (made from the add form)
        return super().has_change_permission(request, obj) and (obj is None or obj.status == RulesStatus.DRAFT)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.frozen)

    def _decide(self, request, queryset, fn, success):
        for rules in queryset.filter(status=RulesStatus.PROPOSED):
            _report(self, request, lambda r=rules: fn(by=request.user, rules_id=r.pk), success)

    @admin.action(description=_("Approve the selected corrections (second person, county level)"))
    def approve(self, request, queryset):
        self._decide(request, queryset, ops.rules_correction_approve, _("Correction approved: %(result)s."))

    @admin.action(description=_("Reject the selected corrections"))
    def reject(self, request, queryset):
        self._decide(request, queryset, ops.rules_correction_reject, _("Correction rejected: %(result)s."))


@admin.register(Post)
class PostAdmin(ActionFormAdminMixin, ScopedPlainAdmin):
    form = forms.PostForm
    list_display = ["title", "community", "campaign", "headcount", "min_education", "max_age", "cancelled"]
    list_filter = ["campaign", "community", "cancelled"]
    list_select_related = ["community", "campaign"]
    search_fields = ["title", "community__name", "campaign__title"]
    autocomplete_fields = ["campaign", "community"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.campaign.status == "draft")


@admin.register(Applicant)
class ApplicantAdmin(ActionFormAdminMixin, TownScopedAdminMixin, admin.ModelAdmin):
    form = forms.ApplicantForm
    list_display = ["name", "campaign", "masked_id", "education", "party_member", "computer_certificate"]
    list_filter = ["campaign", "education", "party_member"]
    list_select_related = ["campaign"]
    search_fields = ["name", "=id_number"]
    autocomplete_fields = ["incumbent"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "post" in form.base_fields:
            form.base_fields["post"].queryset = Post.objects.for_user(request.user).select_related("community")
        return form

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return obj.masked_id_number


class StageChangeInline(admin.TabularInline):
    model = StageChange
    fields = ["old", "new", "on", "by", "at", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class InterviewScoreInline(admin.TabularInline):
    model = InterviewScore
    fields = ["examiner", "score"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ScopedAdmin):
    list_display = [
        "exam_number",
        "applicant_name",
        "post",
        "stage",
        "written_score",
        "bonus",
        "interview_score",
        "composite_score",
        "rank",
        "publicity_end",
    ]
    list_filter = [unit_filter("post__community"), "stage", "post__campaign", "post__community"]
    list_select_related = ["applicant", "post__community"]
    # by post, then exam number: the walk of the unique index (post, exam_number), where the model's ordering
    # (by the post's campaign, community code and title) sorts every application of the campaign for a page
    ordering = ["post_id", "exam_number"]
    search_fields = ["=exam_number", "applicant__name"]
    readonly_fields = [
        "applicant",
        "post",
        "exam_number",
        "stage",
        "exit_reason",
        "written_score",
        "bonus",
        "interview_score",
        "composite_score",
        "rank",
        "stage_date",
        "publicity_end",
    ]
    fields = readonly_fields
    inlines = [InterviewScoreInline, StageChangeInline]
    action_form = forms.ApplicationActionForm
    actions = ["move_selected", "assess_passed", "hire"]

    def has_add_permission(self, request):
        return False  # applicants register through the applicant form

    @admin.display(description=_("name"), ordering="applicant__name")
    def applicant_name(self, obj):
        return obj.applicant.name

    def _move_all(self, request, queryset, to, reason="", on=None):
        try:
            with transaction.atomic():
                for app in queryset.order_by("pk"):
                    ops.application_move(by=request.user, application_id=app.pk, to=to, reason=reason, on=on)
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, text, messages.ERROR)
            return
        self.message_user(
            request,
            gettext("%(n)s applications moved to “%(stage)s”.") % {"n": queryset.count(), "stage": Stage(to).label},
        )

    @admin.action(description=_("Move the selected to the stage chosen (with reason and date)"))
    def move_selected(self, request, queryset):
        form = forms.ApplicationActionForm(request.POST)
        form.fields["action"].choices = self.get_action_choices(request)
        if not form.is_valid() or not form.cleaned_data.get("to"):
            self.message_user(request, gettext("Choose the stage to move to."), messages.ERROR)
            return
        data = form.cleaned_data
        self._move_all(request, queryset, data["to"], data.get("reason") or "", data.get("on"))

    @admin.action(description=_("Probation assessment passed"))
    def assess_passed(self, request, queryset):
        self._move_all(request, queryset, Stage.ASSESSED)

    @admin.action(description=_("Hire (creates the roster entry)"))
    def hire(self, request, queryset):
        self._move_all(request, queryset, Stage.HIRED)


@admin.register(BonusPoint)
class BonusPointAdmin(ActionFormAdminMixin, ScopedPlainAdmin):
    form = forms.BonusForm
    list_display = ["application", "reason", "points"]
    list_select_related = ["application__applicant"]
    search_fields = ["=application__exam_number"]
    autocomplete_fields = ["application"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(Examiner)
class ExaminerAdmin(ActionFormAdminMixin, TownScopedAdminMixin, admin.ModelAdmin):
    form = forms.ExaminerForm
    list_display = ["name", "organisation", "campaign"]
    list_filter = ["campaign"]
    list_select_related = ["campaign"]
    search_fields = ["name"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(ExaminerRelation)
class ExaminerRelationAdmin(ActionFormAdminMixin, TownScopedAdminMixin, admin.ModelAdmin):
    form = forms.RelationForm
    list_display = ["examiner", "applicant", "relation"]
    list_select_related = ["examiner", "applicant"]
    search_fields = ["examiner__name", "applicant__name"]
    autocomplete_fields = ["examiner", "applicant"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(InterviewScore)
class InterviewScoreAdmin(ActionFormAdminMixin, ScopedAdmin):
    form = forms.InterviewScoreForm
    list_display = ["application", "examiner", "score"]
    list_select_related = ["application__applicant", "examiner"]
    list_filter = ["application__post__campaign"]
    search_fields = ["=application__exam_number"]
    autocomplete_fields = ["application", "examiner"]

    def has_change_permission(self, request, obj=None):
        # published scores are changed only through a correction with a reason
        return obj is None and super().has_change_permission(request, obj)


@admin.register(ScoreCorrection)
class ScoreCorrectionAdmin(ActionFormAdminMixin, ScopedPlainAdmin):
    form = forms.CorrectionForm
    list_display = ["application", "kind", "examiner", "old", "new", "reason", "by", "at"]
    list_select_related = ["application__applicant", "examiner", "by"]
    search_fields = ["=application__exam_number"]
    autocomplete_fields = ["application", "examiner"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(Objection)
class ObjectionAdmin(ActionFormAdminMixin, TownScopedAdminMixin, admin.ModelAdmin):
    form = forms.ResolveForm
    list_display = ["campaign", "exam_number", "status", "lodged_at", "resolved_at"]
    list_filter = ["status", "campaign"]
    list_select_related = ["campaign"]
    search_fields = ["exam_number", "text"]
    readonly_fields = ["campaign", "exam_number", "text", "contact", "status", "resolution", "resolved_by"]

    def has_add_permission(self, request):
        return False  # objections come from the public form

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.status == "open")


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0


class AgeFilter(admin.SimpleListFilter):
    """Age on the roster's day (``?on=``, else today), in the dashboard's bands (``?age=0-40``).

    Without the right to see birth dates the day must be a month's last day or today, the days the
    dashboard counts on: a free day would let anyone bisect a birth date that is shown only as a year.
    """

    title = _("age")
    parameter_name = "age"

    def __init__(self, request, params, model, model_admin):
        self.reveal = model_admin.may_reveal(request)
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):

        return [(YOUNG_BAND, _("40 or younger")), *((f"{lo}-{hi}", label) for lo, hi, label in AGE_BANDS)]

    def queryset(self, request, queryset):
        """A wrong band or day is refused like any wrong lookup (the admin's "?e=1" page), never a 500."""

        if not self.value():
            return queryset
        lo, _sep, hi = self.value().partition("-")
        if not (lo.isdigit() and hi.isdigit()):
            raise IncorrectLookupParameters(_("Choose an age band such as 0-40."))
        return queryset.filter(age_q(self._day(request), int(lo), int(hi)))

    def _day(self, request) -> dt.date:
        today = timezone.localdate()
        try:
            day = dt.date.fromisoformat(request.GET.get("on") or f"{today:%Y-%m-%d}")
        except ValueError:
            raise IncorrectLookupParameters(_("Give the roster's day as YYYY-MM-DD.")) from None
        if not (self.reveal or day == today or (day + dt.timedelta(days=1)).day == 1):
            raise IncorrectLookupParameters(_("Ages are counted on the last day of a month or today."))
        return day


@admin.register(StaffMember)
class StaffMemberAdmin(ScopedAdmin):
    list_display = ["name", "community", "post", "party_member", "education", "origin", "start", "end"]
    list_filter = [
        unit_filter(),
        on_day_filter(),
        AgeFilter,
        "community",
        "post",
        "education",
        "origin",
        "party_member",
        "certificates__kind",
    ]
    list_select_related = ["community"]
    search_fields = ["name", "=id_number"]
    autocomplete_fields = ["community"]
    inlines = [CertificateInline]

    def save_formset(self, request, form, formset, change):

        for instance in formset.save(commit=False):
            ensure_in_scope(request.user, instance)
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(PayScale)
class PayScaleAdmin(ScopedPlainAdmin):
    list_display = ["county", "monthly_amount", "effective_from", "note"]
    list_select_related = ["county"]
    list_filter = ["county"]

    def save_model(self, request, obj, form, change):
        ops.payscale_save(by=request.user, scale=obj)


class PayrollLineInline(admin.TabularInline):
    model = PayrollLine
    fields = ["staff", "amount", "county_share", "town_share"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PayrollShareInline(PayrollLineInline):
    model = PayrollShare
    fields = ["payer", "payer_kind", "basis_points", "amount"]
    readonly_fields = fields


@admin.register(PayrollRun)
class PayrollRunAdmin(ActionFormAdminMixin, ScopedPlainAdmin):
    form = forms.PayrollForm
    list_display = ["community", "month", "total", "status", "ledger_reference"]
    list_filter = [unit_filter(), "status", "month", "community"]
    list_select_related = ["community"]
    inlines = [PayrollShareInline, PayrollLineInline]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


class CountyCalendarMixin:
    """The calendar is the platform's: everyone with the permission reads it; the county writes it (actions)."""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request) and _county_level(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _county_level(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # a year's schedule is corrected, never removed


def _county_level(user) -> bool:
    try:
        calendar_actions.ensure_county_level(user)
    except PermissionDenied:
        return False
    return True


@admin.register(CalendarYear)
class CalendarYearAdmin(CountyCalendarMixin, ActionFormAdminMixin, admin.ModelAdmin):
    """A year's holiday schedule: the year and the notice it follows; its days are listed (and added) apart."""

    form = forms.CalendarYearForm
    list_display = ["year", "source", "notice", "days", "updated_at"]
    list_filter = ["source"]
    readonly_fields = ["source", "days"]

    def get_queryset(self, request):

        days = (
            WorkdayOverride.objects.annotate(y=ExtractYear("date"))
            .filter(y=OuterRef("year"))
            .values("y")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(day_count=Subquery(days))

    @admin.display(description=_("holidays and make-up days"))
    def days(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        url = reverse("admin:staffing_workdayoverride_changelist")
        count = getattr(obj, "day_count", None) or 0
        return format_html('<a href="{}?date__year={}">{}</a>', url, obj.year, count)


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(CountyCalendarMixin, ActionFormAdminMixin, admin.ModelAdmin):
    form = forms.CalendarDayForm
    list_display = ["date", "weekday", "is_workday", "holiday", "source", "note"]
    list_filter = ["is_workday", "source", "holiday"]
    search_fields = ["holiday", "note"]
    readonly_fields = ["source"]
    date_hierarchy = "date"

    @admin.display(description=_("weekday"))
    def weekday(self, obj):

        return date_format(obj.date, "l")

"""Admin of the funding app: voucher entry with inline lines and a balance check, approve / post /
reverse actions, per-fund ledgers (the lines list filtered by fund), budgets, projects, facilities
and disclosures.  Every write goes through ``funding.actions``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Max, Min
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from community.actions import record_save
from community.admin_base import ScopedAdmin
from community.dashboard_links import unit_filter
from utilities.forms import add_action_error

from . import actions, selectors
from .choices import AccountType, BudgetStatus, EntryStatus, Restriction, SourceKind, Use
from .forms import ReleaseForm
from .models import (
    Account,
    Budget,
    BudgetLine,
    CostSplit,
    CostSplitShare,
    Disclosure,
    DisclosureQuestion,
    FacilityAssessment,
    FacilityInvestment,
    FacilityItem,
    FiscalPeriod,
    Fund,
    FundBalance,
    FundingSource,
    FundMonth,
    JournalEntry,
    JournalLine,
    Project,
)


def _run(modeladmin, request, fn, queryset, done_message):
    """Call an action for each selected row; a refused one is reported with the rule's message."""
    done = 0
    for obj in queryset:
        try:
            fn(obj)
        except (ValidationError, PermissionDenied) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            modeladmin.message_user(request, f"{obj}: {text}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"n": done}, messages.SUCCESS)


def _adopt(target, source) -> None:
    """Make the admin's unsaved object the one an action created (so the admin's redirect and log work)."""
    state = target._state
    target.__dict__.update({k: v for k, v in source.__dict__.items() if k != "_state"})
    target._state = state
    target._state.adding = False


# --- reference tables ---------------------------------------------------------------------


class CountyWideAdmin(ScopedAdmin):
    """County-wide reference rows: read by everyone with the view permission, changed at county level."""

    def save_model(self, request, obj, form, change):
        actions.reference_save(by=request.user, instance=obj)


@admin.register(Account)
class AccountAdmin(CountyWideAdmin):
    list_display = ["code", "name", "type", "use", "active"]
    list_filter = ["type", "use", "active"]
    search_fields = ["code", "name"]


@admin.register(FundingSource)
class FundingSourceAdmin(CountyWideAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


class ShareFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        shares = [
            f.cleaned_data.get("basis_points")
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        actions.check_split_shares(shares)


class CostSplitShareInline(admin.TabularInline):
    model = CostSplitShare
    formset = ShareFormSet
    extra = 0
    min_num = 1


@admin.register(CostSplit)
class CostSplitAdmin(CountyWideAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]
    inlines = [CostSplitShareInline]


@admin.register(FacilityItem)
class FacilityItemAdmin(CountyWideAdmin):
    list_display = ["code", "name", "group", "order", "active"]
    list_filter = ["group", "active"]
    list_editable = ["order", "active"]
    search_fields = ["code", "name"]


# --- funds --------------------------------------------------------------------------------


class FundForm(forms.ModelForm):
    uses = forms.MultipleChoiceField(
        label=_("uses it may pay for"), choices=Use.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Fund
        fields = [
            "community",
            "source",
            "name",
            "restriction",
            "uses",
            "purpose",
            "valid_from",
            "valid_until",
            "project",
            "lapses_at_year_end",
            "donor_name",
            "donor_public",
        ]


@admin.register(Fund)
class FundAdmin(ScopedAdmin):
    form = FundForm
    list_display = ["name", "community", "source", "restriction", "balance_display", "ledger_link"]
    list_filter = ["source__kind", "restriction", "community__town", "community"]
    list_select_related = ["community", "source", "balance"]
    search_fields = ["name", "purpose", "community__name"]
    autocomplete_fields = ["community", "project"]
    actions = ["release"]

    @admin.display(description=_("balance"))
    def balance_display(self, obj):
        balance = getattr(obj, "balance", None)
        return balance.balance if balance is not None else "0.00"

    @admin.display(description=_("ledger"))
    def ledger_link(self, obj):
        url = reverse("admin:funding_journalline_changelist") + f"?fund__id__exact={obj.pk}"
        links = format_html('<a href="{}">{}</a>', url, _("ledger"))
        if obj.is_restricted:
            release = reverse("admin:funding_fund_release", args=[obj.pk])
            links += format_html(' · <a href="{}">{}</a>', release, _("release"))
        return links

    def save_model(self, request, obj, form, change):
        actions.fund_save(by=request.user, fund=obj)

    def get_urls(self):
        return [
            path("<int:pk>/release/", self.admin_site.admin_view(self.release_view), name="funding_fund_release"),
            *super().get_urls(),
        ]

    @admin.action(description=_("Release money from the restriction…"), permissions=["release"])
    def release(self, request, queryset):
        funds = list(queryset[:2])
        if len(funds) != 1 or not funds[0].is_restricted:
            self.message_user(request, _("Select exactly one restricted fund to release money from."), messages.ERROR)
            return None
        return redirect(reverse("admin:funding_fund_release", args=[funds[0].pk]))

    def has_release_permission(self, request, obj=None):
        return request.user.has_perm("funding.add_journalentry")

    def release_view(self, request, pk):
        """The bookkeeper's form for ``actions.fund_release``: a draft release voucher to approve and post."""
        fund = get_object_or_404(self.get_queryset(request).select_related("community", "balance"), pk=pk)
        if not self.has_release_permission(request, fund):
            raise PermissionDenied
        targets = Fund.objects.for_user(request.user).filter(
            community_id=fund.community_id, restriction=Restriction.NONE
        )
        form = ReleaseForm(request.POST or None, targets=targets, initial={"date": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                entry = actions.fund_release(
                    by=request.user,
                    fund_id=fund.pk,
                    to_fund_id=data["to_fund"].pk,
                    amount=data["amount"],
                    date=data["date"],
                    memo=data["memo"],
                )
            except (ValidationError, PermissionDenied) as exc:
                add_action_error(form, exc)
            else:
                self.message_user(
                    request,
                    gettext("Release voucher %(voucher)s drafted; have it approved and posted.") % {"voucher": entry},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:funding_journalentry_change", args=[entry.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Release from restriction"),
            "fund": fund,
            "balance": getattr(fund, "balance", None),
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "funding/admin/release.html", context)


@admin.register(FundBalance)
class FundBalanceAdmin(ScopedAdmin):
    list_display = ["fund", "received", "spent", "released", "lapsed", "balance", "updated_at"]
    list_filter = [unit_filter("fund__community"), "fund__source__kind", "fund__restriction", "fund__community"]
    list_select_related = ["fund"]
    search_fields = ["fund__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FundMonth)
class FundMonthAdmin(ScopedAdmin):
    """The monthly totals kept at posting (read-only: they follow the posted vouchers)."""

    list_display = ["fund", "year", "month", "account", "debit", "credit"]
    list_filter = ["year", "month", "fund__source__kind", "fund__community"]
    list_select_related = ["fund", "account"]
    search_fields = ["fund__name"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- vouchers -----------------------------------------------------------------------------


class LineFormSet(forms.BaseInlineFormSet):
    """The balance check: the admin refuses an unbalanced voucher before anything is written."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        lines = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            lines.append(
                actions.LineSpec(
                    data.get("account"), data.get("fund"), data.get("side"), data.get("amount"), data.get("memo") or ""
                )
            )
        entry = self.instance
        community = entry.community if entry.community_id else None
        actions.check_lines(lines, community=community, date=entry.date, kind=entry.kind)
        entry._admin_lines = lines


class LineInline(admin.TabularInline):
    model = JournalLine
    formset = LineFormSet
    fields = ["account", "fund", "side", "amount", "memo"]
    autocomplete_fields = ["account", "fund"]
    extra = 2
    min_num = 0

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status == EntryStatus.DRAFT

    def has_add_permission(self, request, obj=None):
        return obj is None or obj.status == EntryStatus.DRAFT

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == EntryStatus.DRAFT


class FiscalYearFilter(admin.SimpleListFilter):
    """A voucher's fiscal year (``?year=2026``): the years from the first to the last any voucher has, read on the
    year index (at most fifty).  Django's list of the values a column holds is a DISTINCT over the scope's half a
    million vouchers, 80 ms of each page."""

    title = JournalEntry._meta.get_field("year").verbose_name
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = JournalEntry.objects.aggregate(first=Min("year"), last=Max("year"))
        if years["last"] is None:
            return []
        first = max(years["first"], years["last"] - 49)
        return [(str(year), str(year)) for year in range(years["last"], first - 1, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(year=int(value)) if value and value.isdigit() and len(value) <= 4 else queryset


class _ChoicesFilter(admin.SimpleListFilter):
    """A sidebar filter on the members of ``kinds`` (a ``TextChoices``), the list narrowed by the selector
    ``narrow(queryset, value)``; a value that is none of them leaves the list whole."""

    kinds: type[models.TextChoices]
    narrow: staticmethod

    def lookups(self, request, model_admin):
        return self.kinds.choices

    def queryset(self, request, queryset):
        value = self.value()
        return self.narrow(queryset, value) if value in self.kinds.values else queryset


class SourceKindFilter(_ChoicesFilter):
    """Vouchers with a line on a fund from this kind of source (``?source_kind=county_budget``), one EXISTS a
    voucher: Django's filter across the lines joined every line and took the DISTINCT vouchers, 2 to 5 s at a
    county's million lines."""

    title = _("funding source")
    parameter_name = "source_kind"
    kinds = SourceKind
    narrow = staticmethod(selectors.entries_of_source_kind)


class AccountTypeFilter(_ChoicesFilter):
    """Ledger lines on an account of this type, under the parameter of Django's filter it replaces
    (``?account__type__exact=asset``), which the dashboards' links name."""

    title = _("account type")
    parameter_name = "account__type__exact"
    kinds = AccountType
    narrow = staticmethod(selectors.lines_of_account_type)


@admin.register(JournalEntry)
class JournalEntryAdmin(ScopedAdmin):
    list_display = [
        "__str__",
        "community",
        "date",
        "memo",
        "kind",
        "status",
        "total_display",
        "prepared_by",
        "approved_by",
    ]
    list_filter = [
        "status",
        "kind",
        FiscalYearFilter,
        unit_filter("community"),
        SourceKindFilter,
    ]
    list_select_related = ["community", "prepared_by", "approved_by"]
    search_fields = ["memo", "reference", "=number"]
    date_hierarchy = "date"  # its links probed on the date index (community.admin_dates)
    autocomplete_fields = ["community"]
    fields = ["community", "date", "memo", "kind"]
    readonly_fields_posted = [
        "community",
        "date",
        "memo",
        "kind",
        "status",
        "voucher_no",
        "reference",
        "reversal_of",
        "prepared_by",
        "approved_by",
        "approval_rule",
        "posted_by",
        "posted_at",
    ]
    inlines = [LineInline]
    actions = ["approve", "post", "reverse"]

    class Media:
        js = ["funding/voucher.js"]

    def get_queryset(self, request):
        return selectors.with_totals(super().get_queryset(request))

    @admin.display(description=_("amount"), ordering="debit_total")
    def total_display(self, obj):
        return obj.debit_total

    def get_fields(self, request, obj=None):
        if obj is not None and obj.status != EntryStatus.DRAFT:
            return self.readonly_fields_posted
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != EntryStatus.DRAFT:
            return self.readonly_fields_posted
        return []

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.status == EntryStatus.DRAFT)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.status == EntryStatus.DRAFT)

    def save_model(self, request, obj, form, change):
        lines = getattr(obj, "_admin_lines", None) or []
        if change:
            entry = actions.entry_update(by=request.user, entry_id=obj.pk, date=obj.date, memo=obj.memo, lines=lines)
        else:
            entry = actions.entry_create(
                by=request.user, community=obj.community, date=obj.date, memo=obj.memo, lines=lines, kind=obj.kind
            )
        _adopt(obj, entry)

    def save_related(self, request, form, formsets, change):
        """Lines were written by the action in ``save_model``; nothing is saved twice."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        actions.entry_discard(by=request.user, entry_id=obj.pk)

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            actions.entry_discard(by=request.user, entry_id=entry.pk)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description=_("Approve the selected vouchers"), permissions=["approve"])
    def approve(self, request, queryset):
        _run(
            self,
            request,
            lambda e: actions.entry_approve(by=request.user, entry_id=e.pk),
            queryset,
            _("%(n)d vouchers approved."),
        )

    @admin.action(description=_("Post the selected vouchers"), permissions=["post"])
    def post(self, request, queryset):
        _run(
            self,
            request,
            lambda e: actions.entry_post(by=request.user, entry_id=e.pk),
            queryset.order_by("date", "pk"),
            _("%(n)d vouchers posted."),
        )

    @admin.action(description=_("Reverse the selected vouchers (draft reversals)"), permissions=["add"])
    def reverse(self, request, queryset):
        _run(
            self,
            request,
            lambda e: actions.entry_reverse(by=request.user, entry_id=e.pk),
            queryset,
            _("%(n)d reversal drafts made; approve and post them."),
        )

    def has_approve_permission(self, request):
        return request.user.has_perm("funding.approve_journalentry")

    def has_post_permission(self, request):
        return request.user.has_perm("funding.post_journalentry")


@admin.register(JournalLine)
class JournalLineAdmin(ScopedAdmin):
    """The ledgers: filter by fund or account (a fund's ledger is linked from the fund list)."""

    list_display = ["entry", "entry_date", "account", "fund", "side", "amount", "memo", "entry_status"]
    list_filter = [
        unit_filter("entry__community"),
        "entry__status",
        "side",
        AccountTypeFilter,
        "account__use",
        "fund__source__kind",
        "entry__community",
        "fund",
        "account",
    ]
    list_select_related = ["entry", "account", "fund"]
    search_fields = ["memo", "entry__memo", "fund__name"]
    date_hierarchy = "entry__date"
    # newest first, as the API: the first page of a community's or a town's lines is read backwards on the index of
    # their unit column and key (community.unit_columns), never sorted from all of them
    ordering = ["-id"]

    def lookup_allowed(self, lookup, value, request=None):
        # the account type's filter keeps the parameter of Django's filter on ``account__type`` (the dashboards'
        # links name it), which Django allows only to a field filter of that path
        return lookup == AccountTypeFilter.parameter_name or super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("date"), ordering="entry__date")
    def entry_date(self, obj):
        return obj.entry.date

    @admin.display(description=_("status"))
    def entry_status(self, obj):
        return obj.entry.get_status_display()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FiscalPeriod)
class FiscalPeriodAdmin(ScopedAdmin):
    list_display = ["community", "year", "month", "closed", "closed_by", "closed_at"]
    list_filter = ["closed", "year", "community"]
    list_select_related = ["community", "closed_by"]
    search_fields = ["community__name"]
    fields = ["community", "year", "month"]
    autocomplete_fields = ["community"]
    actions = ["close"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.closed)

    def has_close_permission(self, request):
        return request.user.has_perm("funding.close_fiscalperiod")

    @admin.action(description=_("Close the selected periods"), permissions=["close"])
    def close(self, request, queryset):
        _run(
            self,
            request,
            lambda p: actions.period_close(by=request.user, community=p.community, year=p.year, month=p.month),
            queryset.select_related("community"),
            _("%(n)d periods closed."),
        )


# --- budgets and projects -----------------------------------------------------------------


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 1

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status == BudgetStatus.DRAFT

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(Budget)
class BudgetAdmin(ScopedAdmin):
    list_display = ["__str__", "community", "year", "version", "status", "prepared_by", "approved_by"]
    list_filter = ["status", "year", "community"]
    list_select_related = ["community__town", "prepared_by", "approved_by"]
    search_fields = ["community__name", "reason"]
    autocomplete_fields = ["community"]
    inlines = [BudgetLineInline]
    actions = ["approve", "adjust"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.status == BudgetStatus.DRAFT)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.prepared_by = request.user
            last = Budget.objects.filter(community=obj.community, year=obj.year).aggregate(v=Max("version"))["v"]
            obj.version = (last or 0) + 1
        record_save(by=request.user, instance=obj)

    @admin.action(description=_("Approve the selected budgets"), permissions=["change"])
    def approve(self, request, queryset):
        _run(
            self,
            request,
            lambda b: actions.budget_approve(by=request.user, budget_id=b.pk),
            queryset,
            _("%(n)d budgets approved."),
        )

    @admin.action(description=_("Start an adjustment (a new draft version)"), permissions=["add"])
    def adjust(self, request, queryset):
        _run(
            self,
            request,
            lambda b: actions.budget_adjust(
                by=request.user,
                budget_id=b.pk,
                lines=[(line.source, line.use, line.amount) for line in b.lines.select_related("source")],
                reason=str(_("Adjustment started in the admin")),
            ),
            queryset,
            _("%(n)d adjustments started; change their lines and have them approved."),
        )


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    list_display = ["name", "community", "status", "target_amount", "completed_on"]
    list_filter = ["status", "community"]
    list_select_related = ["community"]
    search_fields = ["name", "purpose"]
    autocomplete_fields = ["community"]
    actions = ["complete", "cancel"]

    @admin.action(description=_("Complete the selected projects (final accounts)"), permissions=["change"])
    def complete(self, request, queryset):
        _run(
            self,
            request,
            lambda p: actions.project_complete(by=request.user, project_id=p.pk),
            queryset,
            _("%(n)d projects completed."),
        )

    @admin.action(description=_("Cancel the selected projects and refund residents"), permissions=["change"])
    def cancel(self, request, queryset):
        _run(
            self,
            request,
            lambda p: actions.project_cancel(by=request.user, project_id=p.pk, reason=str(_("Cancelled in the admin"))),
            queryset,
            _("%(n)d projects cancelled."),
        )


# --- facility standard --------------------------------------------------------------------


@admin.register(FacilityAssessment)
class FacilityAssessmentAdmin(ScopedAdmin):
    list_display = ["community", "assessed_on", "office_area", "has_tv", "has_vcd", "computerised"]
    list_filter = [unit_filter(), "community", "has_tv", "has_vcd", "computerised"]
    list_select_related = ["community"]
    search_fields = ["community__name", "note"]
    autocomplete_fields = ["community"]
    filter_horizontal = ["items_met"]


@admin.register(FacilityInvestment)
class FacilityInvestmentAdmin(ScopedAdmin):
    list_display = ["entry", "item", "amount"]
    list_filter = ["item", "entry__community"]
    list_select_related = ["entry", "item"]
    search_fields = ["entry__memo", "item__name"]
    autocomplete_fields = ["entry"]


# --- disclosure ---------------------------------------------------------------------------


@admin.register(Disclosure)
class DisclosureAdmin(ScopedAdmin):
    list_display = ["community", "year", "quarter", "published_at", "published_by", "sha256", "public_link"]
    list_filter = ["year", "quarter", "community"]
    list_select_related = ["community", "published_by"]
    search_fields = ["community__name", "sha256"]
    fields = ["community", "year", "quarter"]
    autocomplete_fields = ["community"]

    @admin.display(description=_("public page"))
    def public_link(self, obj):
        url = reverse("funding:disclosure", args=[obj.community.code, obj.year, obj.quarter])
        return format_html('<a href="{}">{}</a>', url, _("open"))

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        _adopt(
            obj,
            actions.disclosure_publish(by=request.user, community=obj.community, year=obj.year, quarter=obj.quarter),
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(DisclosureQuestion)
class DisclosureQuestionAdmin(ScopedAdmin):
    list_display = ["disclosure", "line", "question", "asked_at", "answered_at"]
    list_filter = [("answered_at", admin.EmptyFieldListFilter), "disclosure__community"]
    list_select_related = ["disclosure__community"]
    search_fields = ["question", "answer"]
    fields = ["disclosure", "line", "question", "contact", "answer"]
    readonly_fields = ["disclosure", "line", "question", "contact"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        actions.question_answer(by=request.user, question_id=obj.pk, answer=obj.answer)


from . import economy_admin  # noqa: E402,F401  (the own economy and the departments' grants)

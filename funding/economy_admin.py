"""Admin of the community's own economy (property-management fees from billing to arrears, partner companies
and their referral fees) and of the departments' grants.  Every write goes through ``funding.economy``."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from community.admin_base import ScopedAdmin
from community.choices import ScopeLevel
from community.dashboard_links import unit_filter
from community.models import Community, Department
from community.scoping import ADD, CHANGE, VIEW, permitted, scope_of
from utilities.forms import ActionModelForm, add_action_error

from . import economy, economy_selectors
from .choices import BillStatus
from .economy_forms import BillPeriodForm, DepartmentGrantForm, PaymentForm, ReferralFeeForm
from .models import (
    DepartmentGrant,
    HouseholdArea,
    PartnerCompany,
    PropertyFeeBill,
    PropertyFeeReceipt,
    PropertyFeeSchedule,
    ReferralFee,
)


class RecordedByActionAdmin(ScopedAdmin):
    """Rows written once by an action (a posted voucher stands behind each): added through the action's form,
    never changed afterwards (a mistake is reversed on the ledger)."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None or not issubclass(form, ActionModelForm):
            return form

        class WithUser(form):
            user = request.user

        WithUser.__name__ = form.__name__
        return WithUser

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return super().get_readonly_fields(request, obj)
        return [f.name for f in self.model._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")]

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_form(self, request, form, change):
        return getattr(form, "result", None) or super().save_form(request, form, change)

    def save_model(self, request, obj, form, change):
        if getattr(form, "result", None) is None:
            raise PermissionDenied


@admin.register(PropertyFeeSchedule)
class PropertyFeeScheduleAdmin(ScopedAdmin):
    list_display = ["name", "community", "basis", "rate", "valid_from", "due_days"]
    list_filter = [unit_filter(), "basis", "community"]
    list_select_related = ["community"]
    search_fields = ["name"]
    autocomplete_fields = ["community"]

    def save_model(self, request, obj, form, change):
        economy.fee_schedule_save(by=request.user, schedule=obj)


@admin.register(HouseholdArea)
class HouseholdAreaAdmin(ScopedAdmin):
    list_display = ["household", "area"]
    list_filter = [unit_filter("household__building__zone__community")]
    list_select_related = ["household__building__zone__community"]
    search_fields = ["household__number", "household__building__name"]
    autocomplete_fields = ["household"]


class ArrearsFilter(admin.SimpleListFilter):
    """欠费: bills not paid in full whose due date has passed (what the dashboard's figure counts)."""

    title = _("arrears")
    parameter_name = "arrears"

    def lookups(self, request, model_admin):
        return [("yes", _("In arrears (past due, unpaid)")), ("no", _("Not in arrears"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return economy_selectors.arrears(queryset, today)
        if self.value() == "no":
            return queryset.exclude(pk__in=economy_selectors.arrears(queryset, today).values("pk"))
        return queryset


class ReceiptInline(admin.TabularInline):
    model = PropertyFeeReceipt
    fields = ["number", "amount", "paid_on", "payer", "entry", "received_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PropertyFeeBill)
class PropertyFeeBillAdmin(ScopedAdmin):
    """Bills are made by billing a period and paid by recording a payment, never typed in."""

    list_display = ["household", "community", "period", "amount", "paid", "outstanding_amount", "due_on", "status"]
    list_filter = [ArrearsFilter, unit_filter(), "status", "period", "community"]
    list_select_related = ["household__building__zone__community", "community"]
    search_fields = ["household__number", "household__building__name", "period"]
    readonly_fields = [
        "community",
        "household",
        "schedule",
        "period",
        "period_start",
        "period_end",
        "amount",
        "paid",
        "due_on",
        "status",
        "issued_by",
    ]
    fields = readonly_fields
    inlines = [ReceiptInline]
    actions = ["pay_in_full", "record_payment"]

    @admin.display(description=_("outstanding"))
    def outstanding_amount(self, obj):
        return obj.outstanding

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "bill-period/",
                self.admin_site.admin_view(self.bill_period_view),
                name="funding_propertyfeebill_bill_period",
            ),
            path("<int:pk>/pay/", self.admin_site.admin_view(self.pay_view), name="funding_propertyfeebill_pay"),
            *super().get_urls(),
        ]

    def _may_bill(self, request) -> bool:
        return permitted(request.user, PropertyFeeBill, ADD)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "may_bill": self._may_bill(request)})

    def _page(self, request, form, title, submit, intro=""):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "submit": submit,
            "intro": intro,
            "opts": self.model._meta,
        }
        return render(request, "funding/admin/economy_form.html", context)

    def bill_period_view(self, request):
        """Staff bill a period: one bill per occupied household of the community (billing again adds none)."""
        if not self._may_bill(request):
            raise PermissionDenied
        communities = Community.objects.for_scope(scope_of(request.user), CHANGE)
        form = BillPeriodForm(request.POST or None, communities=communities)
        if request.method == "POST" and form.is_valid():
            try:
                result = economy.fee_bill_period(
                    by=request.user, community=form.cleaned_data["community"], period=form.cleaned_data["period"]
                )
            except (ValidationError, PermissionDenied) as exc:
                add_action_error(form, exc)
            else:
                self.message_user(
                    request,
                    gettext("%(period)s: %(n)d bills issued (%(total)s yuan); %(old)d households already billed.")
                    % {
                        "period": result.period,
                        "n": result.created,
                        "total": result.total,
                        "old": result.already_billed,
                    },
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:funding_propertyfeebill_changelist") + f"?period={result.period}")
        return self._page(
            request,
            form,
            gettext("Bill a period"),
            gettext("Issue the bills"),
            gettext("One bill for each household with residents living in it, under the schedule in force."),
        )

    def pay_view(self, request, pk):
        bill = get_object_or_404(self.get_queryset(request).select_related("household__building"), pk=pk)
        if not self.has_change_permission(request, bill):
            raise PermissionDenied
        form = PaymentForm(request.POST or None, initial={"amount": bill.outstanding, "paid_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                receipt = economy.fee_pay(
                    by=request.user,
                    bill_id=bill.pk,
                    amount=data["amount"],
                    paid_on=data["paid_on"],
                    payer=data["payer"],
                )
            except (ValidationError, PermissionDenied) as exc:
                add_action_error(form, exc)
            else:
                self.message_user(
                    request,
                    gettext("Payment of %(amount)s yuan recorded and posted as voucher %(voucher)s.")
                    % {"amount": receipt.amount, "voucher": receipt.entry},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:funding_propertyfeebill_change", args=[bill.pk]))
        return self._page(
            request,
            form,
            gettext("Record a payment: %(bill)s (%(outstanding)s yuan outstanding)")
            % {"bill": bill, "outstanding": bill.outstanding},
            gettext("Record the payment"),
        )

    @admin.action(description=_("Record a payment of the selected bill…"), permissions=["change"])
    def record_payment(self, request, queryset):
        bills = list(queryset[:2])
        if len(bills) != 1:
            self.message_user(request, gettext("Select exactly one bill to record a payment of."), messages.ERROR)
            return None
        return redirect(reverse("admin:funding_propertyfeebill_pay", args=[bills[0].pk]))

    @admin.action(description=_("Record the selected bills as paid in full today"), permissions=["change"])
    def pay_in_full(self, request, queryset):
        done, today = 0, timezone.localdate()
        for bill in queryset.exclude(status=BillStatus.PAID):
            try:
                economy.fee_pay(by=request.user, bill_id=bill.pk, amount=bill.outstanding, paid_on=today)
            except (ValidationError, PermissionDenied) as exc:
                text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{bill}: {text}", messages.ERROR)
            else:
                done += 1
        skipped = queryset.filter(status=BillStatus.PAID).count()
        if skipped:
            self.message_user(
                request,
                gettext("%(n)d bills were already paid and were not paid again.") % {"n": skipped},
                messages.WARNING,
            )
        if done:
            self.message_user(request, gettext("%(n)d bills paid in full.") % {"n": done}, messages.SUCCESS)


@admin.register(PropertyFeeReceipt)
class PropertyFeeReceiptAdmin(ScopedAdmin):
    list_display = ["bill", "number", "amount", "paid_on", "payer", "entry"]
    list_filter = [unit_filter("bill__community"), "bill__community"]
    list_select_related = ["bill__household__building__zone__community", "entry"]
    search_fields = ["bill__household__number", "bill__period", "payer"]
    date_hierarchy = "paid_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PartnerCompany)
class PartnerCompanyAdmin(ScopedAdmin):
    list_display = ["name", "community", "services", "contact_name", "contact_phone", "agreed_on", "active"]
    list_filter = [unit_filter(), "active", "community"]
    list_select_related = ["community"]
    search_fields = ["name", "services", "contact_name"]
    autocomplete_fields = ["community"]

    def save_model(self, request, obj, form, change):
        economy.partner_save(by=request.user, company=obj)


@admin.register(ReferralFee)
class ReferralFeeAdmin(RecordedByActionAdmin):
    form = ReferralFeeForm
    list_display = ["received_on", "company", "amount", "description", "entry"]
    list_filter = [unit_filter("company__community"), "company__community"]
    list_select_related = ["company__community", "entry"]
    search_fields = ["company__name", "description"]
    date_hierarchy = "received_on"
    autocomplete_fields = ["company"]


class DepartmentChoiceMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":  # the departments of the user's county
            scope = scope_of(request.user)
            action = CHANGE if scope is not None and scope.level == ScopeLevel.DEPARTMENT else VIEW
            kwargs["queryset"] = Department.objects.for_scope(scope, action)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(DepartmentGrant)
class DepartmentGrantAdmin(DepartmentChoiceMixin, RecordedByActionAdmin):
    """工作经费到社区: what a department granted a community, each grant a posted voucher on its ledger."""

    form = DepartmentGrantForm
    list_display = ["granted_on", "department", "community", "use", "purpose", "amount", "fund", "entry"]
    list_filter = [unit_filter(), "department", "use", "community"]
    list_select_related = ["department", "community", "fund", "entry"]
    search_fields = ["purpose"]
    date_hierarchy = "granted_on"
    autocomplete_fields = ["community"]

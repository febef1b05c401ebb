"""Models of the community's own economy (物业管理中心: property-management fees billed per household, their
receipts; 帮忙公司: partner companies and their referral fees) and of the departments' grants (工作经费到社区).
Registered with the funding app through ``funding.models``; every write goes through ``funding.economy``."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from community import validators
from community.models import Community, Department, Household, TimeStamped
from community.scoping import ScopedQuerySet

from .choices import BillStatus, FeeBasis, Use

MONEY = {"max_digits": 14, "decimal_places": 2}  # as the ledger's (funding.models)
ZERO = Decimal("0.00")
# the ledger's models by name: funding.models imports this module to register its models
FUND, JOURNAL_ENTRY = "funding.Fund", "funding.JournalEntry"

# --- the community's own economy: property-management fees, partner companies ---------------


class PropertyFeeSchedule(TimeStamped):
    """物业管理费标准: what the community's property-management centre charges, from a date on."""

    community_path = "community"

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="property_fee_schedules", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=60)
    basis = models.CharField(_("charged"), max_length=10, choices=FeeBasis.choices, default=FeeBasis.HOUSEHOLD)
    rate = models.DecimalField(
        _("rate (yuan a month)"),
        **MONEY,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Per household, or per m² of the household's billed area, for each month of the period."),
    )
    valid_from = models.DateField(_("in force from"))
    due_days = models.PositiveSmallIntegerField(
        _("days to pay"),
        default=30,
        validators=[MaxValueValidator(366)],
        help_text=_("A bill falls due this many days after the end of its period."),
    )

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("property-fee schedule")
        verbose_name_plural = _("property-fee schedules")
        ordering = ["community", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["community", "valid_from"], name="funding_feeschedule_one_a_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="funding_feeschedule_rate_positive"),
        ]

    def __str__(self):
        return f"{self.name} ({self.valid_from})"


class HouseholdArea(TimeStamped):
    """The floor area a household is billed for under a per-m² schedule."""

    community_path = "household__building__zone__community"

    household = models.OneToOneField(Household, models.PROTECT, related_name="billed_area", verbose_name=_("household"))
    area = models.DecimalField(
        _("billed area (m²)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("billed floor area")
        verbose_name_plural = _("billed floor areas")
        ordering = ["household"]
        constraints = [models.CheckConstraint(condition=Q(area__gt=0), name="funding_householdarea_positive")]

    def __str__(self):
        return f"{self.household}: {self.area} m²"


class PropertyFeeBill(TimeStamped):
    """One household's property-management fee for one period (made by billing the period)."""

    community_path = "community"

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="property_fee_bills", verbose_name=_("community")
    )
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="property_fee_bills", verbose_name=_("household")
    )
    schedule = models.ForeignKey(PropertyFeeSchedule, models.PROTECT, related_name="bills", verbose_name=_("schedule"))
    period = models.CharField(_("period"), max_length=7, help_text=_("2026-11, 2026-Q4 or 2026."))
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    amount = models.DecimalField(_("amount"), **MONEY)
    paid = models.DecimalField(_("paid"), **MONEY, default=ZERO)
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=BillStatus.choices, default=BillStatus.UNPAID)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("issued by")
    )

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("property-fee bill")
        verbose_name_plural = _("property-fee bills")
        ordering = ["community", "-period_start", "household"]
        indexes = [models.Index(fields=["community", "status", "due_on"], name="funding_bill_arrears")]
        constraints = [
            models.UniqueConstraint(fields=["household", "period"], name="funding_bill_once_a_period"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_bill_amount_positive"),
            models.CheckConstraint(
                condition=Q(paid__gte=0) & Q(paid__lte=F("amount")), name="funding_bill_paid_within_amount"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="funding_bill_period_order"),
        ]

    def __str__(self):
        return f"{self.household} {self.period}"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid


class PropertyFeeReceipt(models.Model):
    """A payment of a bill (whole or in part), posted to the ledger as the community's own income."""

    community_path = "bill__community"

    bill = models.ForeignKey(PropertyFeeBill, models.PROTECT, related_name="receipts", verbose_name=_("bill"))
    number = models.PositiveSmallIntegerField(_("payment number"), editable=False)
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    payer = models.CharField(_("paid by"), max_length=40, blank=True)
    entry = models.OneToOneField(
        JOURNAL_ENTRY, models.PROTECT, related_name="property_fee_receipt", editable=False, verbose_name=_("voucher")
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False, verbose_name=_("received by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("property-fee receipt")
        verbose_name_plural = _("property-fee receipts")
        ordering = ["bill", "number"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "number"], name="funding_receipt_number_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_receipt_amount_positive"),
        ]

    def __str__(self):
        return f"{self.bill} #{self.number}: {self.amount}"


class PartnerCompany(TimeStamped):
    """帮忙公司: a company the community refers residents to, for a referral fee."""

    community_path = "community"

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="partner_companies", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    services = models.CharField(_("services offered"), max_length=200)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[validators.validate_phone]
    )
    agreed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    referral_terms = models.CharField(_("referral fee agreed"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner company")
        verbose_name_plural = _("partner companies (帮忙公司)")
        ordering = ["community", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="funding_partner_name_unique")]

    def __str__(self):
        return self.name


class ReferralFee(TimeStamped):
    """A referral fee a partner company paid the community, posted as own income."""

    community_path = "company__community"

    company = models.ForeignKey(
        PartnerCompany, models.PROTECT, related_name="referral_fees", verbose_name=_("partner company")
    )
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    description = models.CharField(_("what was referred"), max_length=200)
    entry = models.OneToOneField(
        JOURNAL_ENTRY, models.PROTECT, related_name="referral_fee", editable=False, verbose_name=_("voucher")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False, verbose_name=_("recorded by")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral fee")
        verbose_name_plural = _("referral fees")
        ordering = ["-received_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="funding_referral_amount_positive")]

    def __str__(self):
        return f"{self.company} {self.received_on}: {self.amount}"


# --- 工作经费到社区: a department's funds granted to a community ---------------------------------


class DepartmentGrant(TimeStamped):
    """A county department's working funds granted to a community, restricted to their purpose and
    posted on the receiving community's ledger from the department's own funding source."""

    community_path = "community"
    department_path = "department"

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="department_grants", verbose_name=_("community")
    )
    department = models.ForeignKey(Department, models.PROTECT, related_name="grants", verbose_name=_("department"))
    use = models.CharField(_("restricted to"), max_length=20, choices=Use.choices)
    purpose = models.CharField(_("purpose"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY)
    granted_on = models.DateField(_("granted on"))
    fund = models.ForeignKey(
        FUND, models.PROTECT, related_name="department_grants", editable=False, verbose_name=_("fund")
    )
    entry = models.OneToOneField(
        JOURNAL_ENTRY, models.PROTECT, related_name="department_grant", editable=False, verbose_name=_("voucher")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False, verbose_name=_("recorded by")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("department grant")
        verbose_name_plural = _("department grants (工作经费到社区)")
        ordering = ["-granted_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="funding_grant_amount_positive")]

    def __str__(self):
        return f"{self.department} → {self.community}: {self.amount}"

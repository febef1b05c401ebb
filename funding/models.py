"""Multi-source fund accounting: accounts, sources, funds, a double-entry journal, budgets, projects,
cost splits, the facility standard and public disclosure.

Rules that span rows live in ``actions.py``; what a database can hold is declared here, and on
PostgreSQL triggers (migration 0002) refuse changes to posted vouchers and postings into closed periods.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from community.models import Community, TimeStamped, Town
from community.scoping import ScopedQuerySet
from community.unit_columns import column as unit_column

from .choices import (
    AccountType,
    BudgetStatus,
    EntryKind,
    EntryStatus,
    ProjectStatus,
    Restriction,
    Side,
    SourceKind,
    Use,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class Account(models.Model):
    """会计科目: one chart for every community (the default chart is loaded by migration)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=60)
    type = models.CharField(_("type"), max_length=20, choices=AccountType.choices)
    use = models.CharField(
        _("use"),
        max_length=20,
        choices=Use.choices,
        blank=True,
        help_text=_("For expense accounts: what the money is spent on (checked against restricted funds)."),
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("chart of accounts")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type=AccountType.EXPENSE) | Q(use=""), name="funding_account_use_only_on_expense"
            ),
            models.CheckConstraint(
                condition=~Q(type=AccountType.EXPENSE) | ~Q(use=""), name="funding_account_expense_has_use"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class FundingSource(models.Model):
    """资金来源: where money comes from (county budget, a donation, residents' fund-raising, own income…)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=24, choices=SourceKind.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["code"]

    def __str__(self):
        return self.name


class CostSplit(models.Model):
    """A rule sharing a cost between payers (e.g. county 80% / town 20%), shares in basis points."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cost split")
        verbose_name_plural = _("cost splits")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CostSplitShare(models.Model):
    split = models.ForeignKey(CostSplit, models.CASCADE, related_name="shares", verbose_name=_("cost split"))
    source = models.ForeignKey(FundingSource, models.PROTECT, related_name="+", verbose_name=_("payer"))
    basis_points = models.PositiveIntegerField(
        _("share (basis points)"),
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
        help_text=_("10000 basis points = 100%."),
    )

    class Meta:
        verbose_name = _("cost split share")
        verbose_name_plural = _("cost split shares")
        ordering = ["split", "-basis_points", "id"]
        constraints = [
            models.UniqueConstraint(fields=["split", "source"], name="funding_split_one_share_per_payer"),
            models.CheckConstraint(
                condition=Q(basis_points__gte=1, basis_points__lte=10000), name="funding_split_share_range"
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.basis_points / 100:g}%"


class Project(TimeStamped):
    """公益项目: public-welfare works financed by fund-raising, donations and government matching."""

    community_path = "community"

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="funding_projects", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    purpose = models.TextField(_("purpose"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    target_amount = models.DecimalField(_("target amount"), **MONEY, default=ZERO)
    split = models.ForeignKey(
        CostSplit, models.PROTECT, null=True, blank=True, related_name="projects", verbose_name=_("co-funding split")
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    cancelled_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("public-welfare project")
        verbose_name_plural = _("public-welfare projects")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="funding_project_name_unique"),
            models.CheckConstraint(condition=Q(target_amount__gte=0), name="funding_project_target_not_negative"),
        ]

    def __str__(self):
        return self.name


class Fund(TimeStamped):
    """A pot of money of one community from one source, with its restriction."""

    community_path = "community"

    community = models.ForeignKey(Community, models.PROTECT, related_name="funds", verbose_name=_("community"))
    source = models.ForeignKey(FundingSource, models.PROTECT, related_name="funds", verbose_name=_("source"))
    name = models.CharField(_("name"), max_length=100)
    restriction = models.CharField(
        _("restriction"), max_length=10, choices=Restriction.choices, default=Restriction.NONE
    )
    uses = models.JSONField(
        _("uses it may pay for"),
        default=list,
        blank=True,
        help_text=_("For a fund restricted to a purpose: the expense uses it may pay for."),
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    valid_from = models.DateField(_("usable from"), null=True, blank=True)
    valid_until = models.DateField(_("usable until"), null=True, blank=True)
    project = models.ForeignKey(
        Project, models.PROTECT, null=True, blank=True, related_name="funds", verbose_name=_("project")
    )
    lapses_at_year_end = models.BooleanField(
        _("lapses at year end"), default=False, help_text=_("Unspent money goes back to the payer at year end.")
    )
    donor_name = models.CharField(_("donor"), max_length=100, blank=True)
    donor_public = models.BooleanField(
        _("donor agreed to be named"), default=False, help_text=_("Only then is the donor named in the disclosure.")
    )

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["community", "source", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="funding_fund_name_unique_in_community"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="funding_fund_window_order",
            ),
            models.CheckConstraint(
                condition=~Q(restriction=Restriction.TIME) | Q(valid_until__isnull=False),
                name="funding_fund_time_restriction_has_end",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_restricted(self) -> bool:
        return self.restriction != Restriction.NONE


class FundBalance(models.Model):
    """The balance of a fund, kept at posting (locked and updated in the posting's transaction)."""

    community_path = "fund__community"

    fund = models.OneToOneField(Fund, models.PROTECT, related_name="balance", verbose_name=_("fund"))
    received = models.DecimalField(_("received"), **MONEY, default=ZERO)
    spent = models.DecimalField(_("spent"), **MONEY, default=ZERO)
    released = models.DecimalField(_("released (net)"), **MONEY, default=ZERO)
    lapsed = models.DecimalField(_("lapsed or returned"), **MONEY, default=ZERO)
    balance = models.DecimalField(_("balance"), **MONEY, default=ZERO)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("fund balance")
        verbose_name_plural = _("fund balances")
        ordering = ["fund"]
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="funding_balance_not_negative")]

    def __str__(self):
        return f"{self.fund}: {self.balance}"


class FiscalPeriod(models.Model):
    """A month of a community's books; once closed, nothing posts into it."""

    community_path = "community"

    community = models.ForeignKey(Community, models.PROTECT, related_name="fiscal_periods", verbose_name=_("community"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    closed = models.BooleanField(_("closed"), default=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("closed by")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("fiscal period")
        verbose_name_plural = _("fiscal periods")
        ordering = ["community", "-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "month"], name="funding_period_unique"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="funding_period_month_range"),
        ]

    def __str__(self):
        return f"{self.community} {self.year}-{self.month:02d}"


class VoucherSequence(models.Model):
    """The last voucher number given per community and year (locked while numbering: no gaps)."""

    community = models.ForeignKey(Community, models.PROTECT, related_name="+", verbose_name=_("community"))
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("voucher sequence")
        verbose_name_plural = _("voucher sequences")
        constraints = [models.UniqueConstraint(fields=["community", "year"], name="funding_sequence_unique")]

    def __str__(self):
        return f"{self.community} {self.year}: {self.last}"


class JournalEntry(TimeStamped):
    """凭证: a voucher. Draft → approved → posted; immutable once posted, corrected only by a reversal."""

    community_path = "community"
    unit_columns = ("town",)

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="journal_entries", verbose_name=_("community")
    )
    town = unit_column(Town, _("town"))
    date = models.DateField(_("date"))
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    number = models.PositiveIntegerField(_("voucher number"), null=True, blank=True, editable=False)
    memo = models.CharField(_("summary"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices, default=EntryKind.NORMAL)
    status = models.CharField(
        _("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT, editable=False
    )
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("Key of the record that caused it (for idempotency).")
    )
    reversal_of = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        editable=False,
        verbose_name=_("reverses"),
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False, verbose_name=_("prepared by")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    approval_rule = models.CharField(
        _("approved by rule"),
        max_length=100,
        blank=True,
        editable=False,
        help_text=_("For vouchers made by the system from an approved record elsewhere (e.g. the payroll)."),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("posted by"),
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["town"])

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["community", "-year", "-number", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "date"], name="funding_entry_comm_status_date"),
            # county-wide reports over a few days (the edges of whole months) find their vouchers by date
            models.Index(fields=["date"], condition=Q(status=EntryStatus.POSTED), name="funding_entry_posted_date"),
            # the voucher list's year filter reads its first year here (admin.FiscalYearFilter), and its date
            # drill-down its first and last date and each link's probe (community.admin_dates)
            models.Index(fields=["year"], name="funding_entry_year"),
            models.Index(fields=["date"], name="funding_entry_date"),
            # a community's or a town's vouchers newest first (the API's order): on the unit's own keys
            models.Index(fields=["community", "id"], name="funding_entry_community_key"),
            models.Index(fields=["town", "id"], name="funding_entry_town_key"),
            # the list narrowed to a rare kind (releases, reversals, lapses: a few in a thousand) counts them, and
            # finds its dates, here instead of reading every voucher of the county (400 -> 40 ms a page)
            models.Index(fields=["kind", "date"], name="funding_entry_kind_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "year", "number"],
                condition=Q(number__isnull=False),
                name="funding_voucher_number_gap_free_unique",
            ),
            models.UniqueConstraint(
                fields=["community", "reference"], condition=~Q(reference=""), name="funding_entry_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(status=EntryStatus.DRAFT)
                | (Q(approved_by__isnull=False) & ~Q(approved_by=F("prepared_by")))
                | ~Q(approval_rule=""),
                name="funding_approver_is_not_preparer",
            ),
            models.CheckConstraint(
                condition=~Q(status=EntryStatus.POSTED) | Q(number__isnull=False, posted_at__isnull=False),
                name="funding_posted_has_number",
            ),
            models.CheckConstraint(
                condition=Q(reversal_of__isnull=True) | Q(kind=EntryKind.REVERSAL),
                name="funding_reversal_kind",
            ),
        ]
        permissions = [
            ("approve_journalentry", _("Can approve vouchers")),
            ("post_journalentry", _("Can post vouchers")),
            ("close_fiscalperiod", _("Can close fiscal periods")),
            ("export_funding", _("Can export financial reports")),
        ]

    def __str__(self):
        if self.number:
            return _("Voucher %(year)s-%(number)04d") % {"year": self.year, "number": self.number}
        return _("Draft voucher #%(id)s") % {"id": self.pk}

    @property
    def voucher_no(self) -> str:
        return f"{self.year}-{self.number:04d}" if self.number else ""


class JournalLine(models.Model):
    community_path = "entry__community"
    unit_columns = ("community", "town")

    entry = models.ForeignKey(JournalEntry, models.PROTECT, related_name="lines", verbose_name=_("voucher"))
    community = unit_column(Community, _("community"))
    town = unit_column(Town, _("town"))
    account = models.ForeignKey(Account, models.PROTECT, related_name="lines", verbose_name=_("account"))
    fund = models.ForeignKey(Fund, models.PROTECT, related_name="lines", verbose_name=_("fund"))
    side = models.CharField(_("debit or credit"), max_length=6, choices=Side.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    memo = models.CharField(_("line summary"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("voucher line")
        verbose_name_plural = _("voucher lines")
        ordering = ["entry", "id"]
        indexes = [
            models.Index(fields=["fund", "account"], name="funding_line_fund_account"),
            models.Index(fields=["community", "id"], name="funding_line_community_key"),
            models.Index(fields=["town", "id"], name="funding_line_town_key"),
            # a fund's ledger newest first (the fund list links to it): an old fund's lines hold low keys, which
            # the key index reached only past every newer line of the county (240 ms for the first fund's)
            models.Index(fields=["fund", "id"], name="funding_line_fund_key"),
        ]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="funding_line_amount_positive")]

    def __str__(self):
        return f"{self.get_side_display()} {self.account} {self.amount}"

    @property
    def signed(self) -> Decimal:
        return self.amount if self.side == Side.DEBIT else -self.amount


class FundMonth(models.Model):
    """A fund's posted lines summed per account and month, kept at posting (in the posting's
    transaction, after the fund's balance row is locked).  Reports over whole months read these
    rows instead of the lines, so a county's statement does not sum a million lines."""

    community_path = "fund__community"

    fund = models.ForeignKey(Fund, models.PROTECT, related_name="months", verbose_name=_("fund"))
    account = models.ForeignKey(Account, models.PROTECT, related_name="+", verbose_name=_("account"))
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    debit = models.DecimalField(_("debits"), max_digits=16, decimal_places=2, default=ZERO)
    credit = models.DecimalField(_("credits"), max_digits=16, decimal_places=2, default=ZERO)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly fund total")
        verbose_name_plural = _("monthly fund totals")
        ordering = ["fund", "year", "month", "account"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "account", "year", "month"], name="funding_fundmonth_unique"),
        ]
        indexes = [models.Index(fields=["year", "month"], name="funding_fundmonth_period")]

    def __str__(self):
        return f"{self.fund} {self.year}-{self.month:02d} {self.account}"


class Budget(TimeStamped):
    """A community's budget for a year, versioned: an adjustment is a new version needing approval."""

    community_path = "community"

    community = models.ForeignKey(Community, models.PROTECT, related_name="budgets", verbose_name=_("community"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=BudgetStatus.choices, default=BudgetStatus.DRAFT, editable=False
    )
    reason = models.CharField(_("reason for this version"), max_length=200, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("prepared by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["community", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "version"], name="funding_budget_version_unique"),
            models.UniqueConstraint(
                fields=["community", "year"],
                condition=Q(status=BudgetStatus.APPROVED),
                name="funding_budget_one_approved",
            ),
            models.CheckConstraint(
                condition=~Q(status=BudgetStatus.APPROVED) | ~Q(approved_by=F("prepared_by")),
                name="funding_budget_approver_is_not_preparer",
            ),
        ]

    def __str__(self):
        return _("%(community)s budget %(year)s v%(version)s") % {
            "community": self.community,
            "year": self.year,
            "version": self.version,
        }


class BudgetLine(models.Model):
    community_path = "budget__community"

    budget = models.ForeignKey(Budget, models.CASCADE, related_name="lines", verbose_name=_("budget"))
    source = models.ForeignKey(FundingSource, models.PROTECT, related_name="+", verbose_name=_("source"))
    use = models.CharField(_("use"), max_length=20, choices=Use.choices)
    amount = models.DecimalField(_("amount"), **MONEY)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["budget", "source", "use"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "source", "use"], name="funding_budget_line_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_budget_line_not_negative"),
        ]

    def __str__(self):
        return f"{self.source} / {self.get_use_display()}: {self.amount}"


class FacilityItem(models.Model):
    """One item of the facility standard checklist ("四室两站六个一" by default; configurable)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    group = models.CharField(_("group"), max_length=30, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("part of the standard"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("facility standard item")
        verbose_name_plural = _("facility standard items")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class FacilityAssessment(TimeStamped):
    """A community's office assessed against the facility standard on a date."""

    community_path = "community"

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="facility_assessments", verbose_name=_("community")
    )
    assessed_on = models.DateField(_("assessed on"))
    office_area = models.DecimalField(
        _("office area (m²)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    items_met = models.ManyToManyField(FacilityItem, blank=True, related_name="+", verbose_name=_("items met"))
    has_tv = models.BooleanField(_("TV for party education"), default=False)
    has_vcd = models.BooleanField(_("VCD player for party education"), default=False)
    computerised = models.BooleanField(_("computerised management"), default=False)
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("facility assessment")
        verbose_name_plural = _("facility assessments")
        ordering = ["community", "-assessed_on"]
        constraints = [
            models.UniqueConstraint(fields=["community", "assessed_on"], name="funding_assessment_one_a_day"),
            models.CheckConstraint(condition=Q(office_area__gte=0), name="funding_assessment_area_not_negative"),
        ]

    def __str__(self):
        return f"{self.community} {self.assessed_on}"


class FacilityInvestment(models.Model):
    """Ties money spent (a posted voucher) to the facility standard item it paid for."""

    community_path = "entry__community"

    entry = models.ForeignKey(
        JournalEntry, models.PROTECT, related_name="facility_investments", verbose_name=_("voucher")
    )
    item = models.ForeignKey(FacilityItem, models.PROTECT, related_name="investments", verbose_name=_("item"))
    amount = models.DecimalField(_("amount"), **MONEY)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("facility investment")
        verbose_name_plural = _("facility investments")
        ordering = ["entry", "item"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "item"], name="funding_investment_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_investment_positive"),
        ]

    def __str__(self):
        return f"{self.item}: {self.amount}"


class Disclosure(models.Model):
    """财务公开: an immutable snapshot of a community's quarter, published for residents."""

    community_path = "community"

    community = models.ForeignKey(Community, models.PROTECT, related_name="disclosures", verbose_name=_("community"))
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    content = models.JSONField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("published by")
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("public disclosure")
        verbose_name_plural = _("public disclosures")
        ordering = ["community", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "quarter"], name="funding_disclosure_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="funding_disclosure_quarter"),
        ]

    def __str__(self):
        return f"{self.community} {self.year}-Q{self.quarter}"


class DisclosureQuestion(models.Model):
    """A resident's question about a line of a disclosure, kept for staff to answer."""

    community_path = "disclosure__community"

    disclosure = models.ForeignKey(Disclosure, models.PROTECT, related_name="questions", verbose_name=_("disclosure"))
    line = models.PositiveIntegerField(_("line"))
    question = models.TextField(_("question"), max_length=1000)
    contact = models.CharField(_("contact (optional)"), max_length=40, blank=True)
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("disclosure question")
        verbose_name_plural = _("disclosure questions")
        ordering = ["-asked_at"]

    def __str__(self):
        return self.question[:40]


# the community's own economy and the departments' grants live in their own module (registered here)
from .economy_models import (  # noqa: E402,F401
    DepartmentGrant,
    HouseholdArea,
    PartnerCompany,
    PropertyFeeBill,
    PropertyFeeReceipt,
    PropertyFeeSchedule,
    ReferralFee,
)

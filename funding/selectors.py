"""Reads of the funding app: reports, dashboard figures, disclosure content.

Every function takes a ``community.scoping.Scope`` (or ``None`` → nothing) and runs a fixed number
of queries whatever the number of journal lines: aggregates are grouped in SQL, never summed in Python
over lines.  Report rows roll up community → town → county by passing a wider scope.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, Exists, F, Max, Min, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from community.masking import scrub_public_text
from community.scoping import Scope
from utilities.periods import Period

from .choices import (
    BALANCE_TYPES,
    GOVERNMENT_KINDS,
    AccountType,
    BudgetStatus,
    EntryKind,
    EntryStatus,
    Restriction,
    Side,
    SourceKind,
    Use,
)
from .models import (
    Account,
    BudgetLine,
    CostSplit,
    FacilityAssessment,
    FacilityItem,
    Fund,
    FundBalance,
    FundMonth,
    JournalEntry,
    JournalLine,
    Project,
)

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)
SIGNED = Case(When(side=Side.DEBIT, then=F("amount")), default=-F("amount"), output_field=MONEY_FIELD)
RETURN_KINDS = (EntryKind.LAPSE, EntryKind.REFUND)
NET_ASSET_TYPES = (AccountType.NET_RESTRICTED, AccountType.NET_UNRESTRICTED)
# the cost split community workers' pay follows, seeded with the ledger (funding/reference.py)
STAFF_PAY_SPLIT = "县80%/镇20%"


def staff_pay_split() -> CostSplit | None:
    """The county 80% / town 20% rule staff pay is split by, or None where it was not set up."""
    return CostSplit.objects.filter(name=STAFF_PAY_SPLIT).first()


def _sum(condition: Q, sign: int = 1):
    expression = SIGNED if sign > 0 else -SIGNED
    return Coalesce(Sum(expression, filter=condition), Value(ZERO), output_field=MONEY_FIELD)


def posted_lines(scope: Scope | None):
    return JournalLine.objects.for_scope(scope).filter(entry__status=EntryStatus.POSTED)


def _full_months(start: dt.date | None, end: dt.date) -> tuple[dt.date | None, dt.date] | None:
    """The whole months inside [start, end] (first day of the first, last day of the last), or None."""
    if start is None:
        first = None
    elif start.day == 1:
        first = start
    else:
        first = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    last = end if end.day == calendar.monthrange(end.year, end.month)[1] else end.replace(day=1) - dt.timedelta(days=1)
    if first is not None and first > last:
        return None
    return first, last


def _month_range(first: dt.date | None, last: dt.date) -> Q:
    upto = Q(year__lt=last.year) | Q(year=last.year, month__lte=last.month)
    if first is None:
        return upto
    return (Q(year__gt=first.year) | Q(year=first.year, month__gte=first.month)) & upto


def signed_totals(
    *, scope: Scope | None, start: dt.date | None, end: dt.date, condition: Q, group: tuple[str, ...] = ()
) -> dict[tuple, Decimal]:
    """Debits minus credits of the posted lines dated in [start, end] that meet ``condition`` (lookups
    through ``account`` and ``fund``), by ``group`` — at most two queries whatever the number of lines:
    whole months come from the monthly totals kept at posting, the days before and after them from
    the lines."""
    parts = []
    full = _full_months(start, end)
    if full is None:
        ranges = [(start, end)]
    else:
        first, last = full
        months = FundMonth.objects.for_scope(scope).filter(condition, _month_range(first, last))
        parts.append(_grouped(months, group, F("debit") - F("credit")))
        ranges = []
        if start is not None and start < first:
            ranges.append((start, first - dt.timedelta(days=1)))
        if end > last:
            ranges.append((last + dt.timedelta(days=1), end))
    if ranges:
        dates = Q()
        for low, high in ranges:
            dates |= Q(entry__date__lte=high, **({"entry__date__gte": low} if low else {}))
        parts.append(_grouped(posted_lines(scope).filter(condition).filter(dates), group, SIGNED))
    totals: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for rows in parts:
        for row in rows:
            totals[tuple(row[g] for g in group)] += row["total"]
    return dict(totals)


def _grouped(queryset, group, expression):
    total = Coalesce(Sum(expression), Value(ZERO), output_field=MONEY_FIELD)
    if not group:
        return [queryset.aggregate(total=total)]
    return queryset.values(*group).annotate(total=total).order_by()


# --- fund balances --------------------------------------------------------------------------


@dataclass
class FundRow:
    fund_id: int
    fund: str
    community: str
    town: str
    source: str
    source_kind: str
    restriction: str
    opening: Decimal = ZERO
    received: Decimal = ZERO
    spent: Decimal = ZERO
    released: Decimal = ZERO
    lapsed: Decimal = ZERO
    closing: Decimal = ZERO


def fund_balances(*, scope: Scope | None, start: dt.date | None = None, end: dt.date | None = None) -> list[FundRow]:
    """Per fund: opening, received, spent, released, lapsed, closing — two queries.

    Without dates the figures are the balance rows kept at posting (all time, no line is read).
    """
    funds = list(
        Fund.objects.for_scope(scope)
        .select_related("community__town", "source", "balance")
        .order_by("community__code", "source__code", "name")
    )
    rows = []
    if start is None and end is None:
        for fund in funds:
            balance = getattr(fund, "balance", None)
            row = _fund_row(fund)
            if balance is not None:
                row.received, row.spent = balance.received, balance.spent
                row.released, row.lapsed, row.closing = balance.released, balance.lapsed, balance.balance
            rows.append(row)
        return rows
    start = start or dt.date(1900, 1, 1)
    end = end or dt.date(9999, 12, 31)
    within = Q(entry__date__gte=start, entry__date__lte=end)
    moves = {
        r["fund_id"]: r
        for r in posted_lines(scope)
        .filter(entry__date__lte=end)
        .values("fund_id")
        .annotate(
            opening=_sum(Q(entry__date__lt=start, account__type__in=BALANCE_TYPES)),
            received=_sum(within & Q(account__type=AccountType.INCOME), -1),
            spent=_sum(within & Q(account__type=AccountType.EXPENSE) & ~Q(entry__kind__in=RETURN_KINDS)),
            lapsed=_sum(within & Q(account__type=AccountType.EXPENSE, entry__kind__in=RETURN_KINDS)),
            released=_sum(within & Q(account__type__in=NET_ASSET_TYPES), -1),
        )
    }
    for fund in funds:
        row = _fund_row(fund)
        move = moves.get(fund.pk)
        if move:
            row.opening, row.received, row.spent = move["opening"], move["received"], move["spent"]
            row.released, row.lapsed = move["released"], move["lapsed"]
            row.closing = row.opening + row.received - row.spent + row.released - row.lapsed
        rows.append(row)
    return rows


def _fund_row(fund: Fund) -> FundRow:
    return FundRow(
        fund_id=fund.pk,
        fund=fund.name,
        community=fund.community.name,
        town=fund.community.town.name,
        source=fund.source.name,
        source_kind=fund.source.kind,
        restriction=fund.get_restriction_display(),
    )


def balances_by_source(*, scope: Scope | None) -> list[tuple[str, str, Decimal]]:
    """(source kind, its label, total balance) for every source kind — one query on the balance rows."""
    totals = {
        r["fund__source__kind"]: r["total"]
        for r in FundBalance.objects.for_scope(scope)
        .values("fund__source__kind")
        .annotate(total=Coalesce(Sum("balance"), Value(ZERO), output_field=MONEY_FIELD))
    }
    return [(kind, label, totals.get(kind, ZERO)) for kind, label in SourceKind.choices]


# --- source and use statement (收支表) -------------------------------------------------------


@dataclass
class StatementRow:
    key: str
    label: str
    restricted: Decimal = ZERO
    unrestricted: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.restricted + self.unrestricted


@dataclass
class Statement:
    income: list[StatementRow] = field(default_factory=list)
    expense: list[StatementRow] = field(default_factory=list)

    def total(self, rows) -> StatementRow:
        return StatementRow(
            "total", "", sum((r.restricted for r in rows), ZERO), sum((r.unrestricted for r in rows), ZERO)
        )

    @property
    def income_total(self) -> StatementRow:
        return self.total(self.income)

    @property
    def expense_total(self) -> StatementRow:
        return self.total(self.expense)

    @property
    def surplus(self) -> StatementRow:
        i, e = self.income_total, self.expense_total
        return StatementRow("surplus", "", i.restricted - e.restricted, i.unrestricted - e.unrestricted)


def source_and_use(*, scope: Scope | None, start: dt.date, end: dt.date, from_lines: bool = False) -> Statement:
    """收支表: income by source and expense by use, restricted and unrestricted columns — at most two
    queries (whole months from the monthly totals, the remaining days from the lines)."""
    keys = ("account__type", "account__use", "fund__source__kind", "fund__restriction")
    condition = Q(account__type__in=[AccountType.INCOME, AccountType.EXPENSE])
    if from_lines:  # the reference the monthly totals are checked against
        grouped = {
            tuple(r[k] for k in keys): r["total"]
            for r in posted_lines(scope)
            .filter(condition, entry__date__gte=start, entry__date__lte=end)
            .values(*keys)
            .annotate(total=_sum(Q()))
        }
    else:
        grouped = signed_totals(scope=scope, start=start, end=end, condition=condition, group=keys)
    income = {kind: StatementRow(kind, str(label)) for kind, label in SourceKind.choices}
    expense = {use: StatementRow(use, str(label)) for use, label in Use.choices}
    for (account_type, use, source_kind, restriction), total in grouped.items():
        restricted = restriction != Restriction.NONE
        if account_type == AccountType.INCOME:
            row, amount = income[source_kind], -total
        else:
            row, amount = expense[use], total
        if restricted:
            row.restricted += amount
        else:
            row.unrestricted += amount
    return Statement(income=list(income.values()), expense=list(expense.values()))


# --- budget vs actual -----------------------------------------------------------------------


@dataclass
class BudgetRow:
    source: str
    use: str
    budget: Decimal
    actual: Decimal

    @property
    def variance(self) -> Decimal:
        return self.budget - self.actual


def budget_vs_actual(*, scope: Scope | None, year: int) -> list[BudgetRow]:
    """The approved budgets against posted spending, by source × use — two queries."""
    budgeted = defaultdict(lambda: ZERO)
    for r in (
        BudgetLine.objects.for_scope(scope)
        .filter(budget__year=year, budget__status=BudgetStatus.APPROVED)
        .values("source__kind", "use")
        .annotate(total=Sum("amount"))
    ):
        budgeted[(r["source__kind"], r["use"])] += r["total"]
    actual = defaultdict(lambda: ZERO)
    for r in (
        posted_lines(scope)
        .filter(entry__year=year, account__type=AccountType.EXPENSE)
        .exclude(entry__kind__in=RETURN_KINDS)
        .values("fund__source__kind", "account__use")
        .annotate(total=_sum(Q()))
    ):
        actual[(r["fund__source__kind"], r["account__use"])] += r["total"]
    keys = sorted(set(budgeted) | set(actual))
    return [
        BudgetRow(str(SourceKind(k[0]).label), str(Use(k[1]).label), budgeted.get(k, ZERO), actual.get(k, ZERO))
        for k in keys
    ]


# --- projects -------------------------------------------------------------------------------


@dataclass
class ProjectRow:
    id: int
    name: str
    community: str
    status: str
    target: Decimal
    raised: dict = field(default_factory=dict)
    spent: Decimal = ZERO
    refunded: Decimal = ZERO

    @property
    def raised_total(self) -> Decimal:
        return sum(self.raised.values(), ZERO)

    @property
    def balance(self) -> Decimal:
        return self.raised_total - self.spent - self.refunded


def project_accounts(*, scope: Scope | None) -> list[ProjectRow]:
    """决算: per project, money raised by source, spent, refunded and left — two queries."""
    projects = list(Project.objects.for_scope(scope).select_related("community").order_by("community__code", "name"))
    rows = {p.pk: ProjectRow(p.pk, p.name, p.community.name, p.get_status_display(), p.target_amount) for p in projects}
    for r in (
        posted_lines(scope)
        .filter(fund__project__isnull=False, account__type__in=[AccountType.INCOME, AccountType.EXPENSE])
        .values("fund__project_id", "fund__source__kind", "account__type")
        .annotate(
            total=_sum(Q()),
            returned=_sum(Q(entry__kind__in=RETURN_KINDS)),
        )
    ):
        row = rows.get(r["fund__project_id"])
        if row is None:
            continue
        if r["account__type"] == AccountType.INCOME:
            label = str(SourceKind(r["fund__source__kind"]).label)
            row.raised[label] = row.raised.get(label, ZERO) - r["total"]
        else:
            row.refunded += r["returned"]
            row.spent += r["total"] - r["returned"]
    return list(rows.values())


# --- trial balance and voucher register ------------------------------------------------------


@dataclass
class TrialRow:
    code: str
    name: str
    type: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


def trial_balance(*, scope: Scope | None, end: dt.date) -> list[TrialRow]:
    """Debit and credit totals per account up to ``end`` — two queries; debits equal credits."""
    sums = {
        r["account_id"]: r
        for r in posted_lines(scope)
        .filter(entry__date__lte=end)
        .values("account_id")
        .annotate(
            debit=Coalesce(Sum("amount", filter=Q(side=Side.DEBIT)), Value(ZERO), output_field=MONEY_FIELD),
            credit=Coalesce(Sum("amount", filter=Q(side=Side.CREDIT)), Value(ZERO), output_field=MONEY_FIELD),
        )
    }
    return [
        TrialRow(a.code, a.name, a.get_type_display(), sums[a.pk]["debit"], sums[a.pk]["credit"])
        for a in Account.objects.order_by("code")
        if a.pk in sums
    ]


def voucher_register(*, scope: Scope | None, start: dt.date, end: dt.date):
    """Posted vouchers of a period with their totals — one query."""
    return (
        JournalEntry.objects.for_scope(scope)
        .filter(status=EntryStatus.POSTED, date__gte=start, date__lte=end)
        .select_related("community", "prepared_by", "approved_by", "posted_by")
        .annotate(
            total=Coalesce(
                Sum("lines__amount", filter=Q(lines__side=Side.DEBIT)), Value(ZERO), output_field=MONEY_FIELD
            )
        )
        .order_by("community__code", "year", "number")
    )


def _side_total(side: str):
    """A voucher's total on one side: a correlated sum on the lines' entry index, computed for the rows a page
    shows.  A JOIN … GROUP BY would aggregate every line of the scope before the LIMIT, and it makes the list's
    count, date drill-down and filters group a million lines too."""
    lines = JournalLine.objects.filter(entry=OuterRef("pk"), side=side).order_by().values("entry")
    total = Subquery(lines.annotate(total=Sum("amount")).values("total"))
    return Coalesce(total, Value(ZERO), output_field=MONEY_FIELD)


def with_totals(entries):
    """Vouchers with ``debit_total`` and ``credit_total``."""
    return entries.annotate(debit_total=_side_total(Side.DEBIT), credit_total=_side_total(Side.CREDIT))


def with_a_line(entries, **lookups):
    """The vouchers of ``entries`` with at least one line matching ``lookups`` (``fund__source__kind="other"``):
    one EXISTS a voucher, each voucher once.  A filter across the lines (``lines__fund__source__kind``) joins every
    line and needs DISTINCT vouchers, 2 to 5 s at a county's million lines; this keeps the list's own order,
    read on its index, and stops at the page's last voucher."""
    return entries.filter(Exists(JournalLine.objects.filter(entry=OuterRef("pk"), **lookups)))


def entries_of_source_kind(entries, kind: str):
    """The vouchers with a line on a fund from this kind of source.  The funds are read first (a few hundred in a
    county): the planner then counts their lines on the fund's index, where a join to their source guessed a rare
    kind common and walked every voucher for none (11 s)."""
    funds = list(Fund.objects.filter(source__kind=kind).values_list("pk", flat=True))
    return with_a_line(entries, fund_id__in=funds)


def lines_of_account_type(lines, account_type: str):
    """The ledger lines on an account of this type, by the accounts' keys (a chart of a few dozen): a join to the
    account guessed a type no line has (liabilities) at 200,000 lines and walked the million of them for none."""
    return lines.filter(account_id__in=list(Account.objects.filter(type=account_type).values_list("pk", flat=True)))


def entry_list(*, user):
    """The voucher list every surface uses: scoped, with its totals, in one query."""
    return with_totals(
        JournalEntry.objects.for_user(user).select_related("community", "prepared_by", "approved_by", "posted_by")
    )


# --- facility standard and government investment -----------------------------------------


@dataclass(frozen=True)
class FacilitySummary:
    assessed: int
    meeting_standard: int
    average_area: Decimal
    with_tv_and_vcd: int
    computerised: int


def facility_summary(*, scope: Scope | None, on: dt.date | None = None) -> FacilitySummary:
    """The latest assessment of each community (up to ``on``) against the active checklist — two queries."""
    active = FacilityItem.objects.filter(active=True).count()
    assessments = (
        FacilityAssessment.objects.for_scope(scope)
        .filter(**({"assessed_on__lte": on} if on else {}))
        .annotate(met=Count("items_met", filter=Q(items_met__active=True)))
        .order_by("community_id", "-assessed_on")
        .values("community_id", "met", "office_area", "has_tv", "has_vcd", "computerised")
    )
    latest = {}
    for a in assessments:
        latest.setdefault(a["community_id"], a)
    rows = list(latest.values())
    area = sum((r["office_area"] for r in rows), Decimal(0))
    return FacilitySummary(
        assessed=len(rows),
        meeting_standard=sum(1 for r in rows if active and r["met"] >= active),
        average_area=(area / len(rows)).quantize(Decimal("0.1")) if rows else Decimal(0),
        with_tv_and_vcd=sum(1 for r in rows if r["has_tv"] and r["has_vcd"]),
        computerised=sum(1 for r in rows if r["computerised"]),
    )


def government_investment(*, scope: Scope | None, end: dt.date | None = None) -> Decimal:
    """Government money (county and town budgets) spent on the committees' offices, up to ``end`` — at
    most two queries (see ``signed_totals``)."""
    condition = Q(account__type=AccountType.EXPENSE, account__use=Use.OFFICE, fund__source__kind__in=GOVERNMENT_KINDS)
    return signed_totals(scope=scope, start=None, end=end or dt.date(9999, 12, 31), condition=condition).get((), ZERO)


def period_flows(*, scope: Scope | None, start: dt.date, end: dt.date) -> dict[str, Decimal]:
    """Money received and spent in a period (income credits, expense debits) — at most two queries."""
    totals = signed_totals(
        scope=scope,
        start=start,
        end=end,
        condition=Q(account__type__in=[AccountType.INCOME, AccountType.EXPENSE]),
        group=("account__type",),
    )
    return {
        "received": -totals.get((AccountType.INCOME,), ZERO),
        "spent": totals.get((AccountType.EXPENSE,), ZERO),
    }


# --- public disclosure ----------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    period = Period.parse("quarter", f"{year}-Q{quarter}")
    return period.start, period.end


def disclosure_content(*, community, year: int, quarter: int) -> dict:
    """Plain-language lines of a community's quarter: date, summary, amount, source, use.

    A donor is named only if they agreed; no person who prepared or approved a voucher is named.
    """
    start, end = quarter_bounds(year, quarter)
    lines = (
        JournalLine.objects.filter(
            entry__community=community,
            entry__status=EntryStatus.POSTED,
            entry__date__gte=start,
            entry__date__lte=end,
            account__type__in=[AccountType.INCOME, AccountType.EXPENSE],
        )
        .select_related("entry", "account", "fund__source")
        .order_by("entry__date", "entry__number", "id")
    )
    out = []
    income = expense = ZERO
    for line in lines:
        is_income = line.account.type == AccountType.INCOME
        amount = -line.signed if is_income else line.signed
        source = line.fund.source.name
        if line.fund.donor_public and line.fund.donor_name:
            source = f"{source}（{line.fund.donor_name}）"
        summary = scrub_public_text(line.entry.memo)  # a tracking code, ID or phone typed into a memo stays out
        if line.fund.donor_name and not line.fund.donor_public:
            summary = summary.replace(line.fund.donor_name, "***")
        if is_income:
            income += amount
        else:
            expense += amount
        out.append(
            {
                "n": len(out) + 1,
                "date": line.entry.date.isoformat(),
                "voucher": line.entry.voucher_no,
                "summary": summary,
                "direction": "income" if is_income else "expense",
                "amount": str(amount),
                "source": source,
                "use": str(Use(line.account.use).label) if line.account.use else "",
                "fund": line.fund.name if not (line.fund.donor_name and not line.fund.donor_public) else source,
            }
        )
    return {
        "community": community.name,
        "community_code": community.code,
        "year": year,
        "quarter": quarter,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "income": str(income),
        "expense": str(expense),
        "lines": out,
    }


def government_investment_span(*, scope: Scope | None, end: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the government's office spending up to ``end`` (one query), or None."""

    condition = Q(account__type=AccountType.EXPENSE, account__use=Use.OFFICE, fund__source__kind__in=GOVERNMENT_KINDS)
    span = (
        posted_lines(scope)
        .filter(condition, entry__date__lte=end or dt.date(9999, 12, 31))
        .aggregate(first=Min("entry__date"), last=Max("entry__date"))
    )
    return (span["first"], span["last"]) if span["first"] else None

"""Writes of the funding app.  Admin actions, API views, forms, tasks and other apps call these only.

Interface for other apps (kept stable):

* ``costsplit_allocate(*, split, amount) -> list[tuple[CostSplitShare, Decimal]]``
* ``obligation_post(*, by, community, split, amount, use, period_label, memo, reference) -> JournalEntry``
* ``own_income_post(*, by, community, amount, use, memo, reference, source_kind=OWN_SERVICES) -> JournalEntry``

Approval.  A voucher typed by a bookkeeper is approved by someone else (approver ≠ preparer, also a
database constraint).  Vouchers that other apps post from records already approved there (the payroll
of ``staffing``, a fee collected in ``services``) and the refunds of a cancelled project take the
*system approval path*: ``approved_by`` stays empty and ``approval_rule`` names the rule that approved
them (the constraint accepts either).  They still pass every posting rule below.

Posting rules (every database; PostgreSQL triggers repeat the first two):
posted vouchers are immutable (corrected only by a reversal, which cannot itself be reversed); nothing
posts into a closed month; every voucher balances per fund; a line needs a fund of the voucher's
community; a restricted fund pays only for its uses and within its time window; no fund goes below
zero — the fund balance rows are locked (``select_for_update``, in fund order) while posting, and
the monthly totals per fund and account (``FundMonth``, read by the reports) are added to in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Max, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from community.periods import Period
from community.scoping import community_of, ensure_in_scope

from .choices import (
    BALANCE_TYPES,
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
from .models import (
    Account,
    Budget,
    BudgetLine,
    CostSplit,
    CostSplitShare,
    Disclosure,
    DisclosureQuestion,
    FiscalPeriod,
    Fund,
    FundBalance,
    FundingSource,
    FundMonth,
    JournalEntry,
    JournalLine,
    Project,
    VoucherSequence,
)

CENT = Decimal("0.01")
BASIS = 10000

# the default chart's accounts the actions post to (loaded by migration 0003)
CASH_BANK = "1002"
GRANTS_RECEIVABLE = "1121"
SALARIES_PAYABLE = "2201"
DUE_TO_PAYERS = "2209"
NET_UNRESTRICTED = "3101"
NET_RESTRICTED = "3102"
INCOME_FOR_SOURCE = {
    SourceKind.COUNTY_BUDGET: "4101",
    SourceKind.TOWN_BUDGET: "4101",
    SourceKind.ENTERPRISE_DONATION: "4201",
    SourceKind.SOCIAL_DONATION: "4201",
    SourceKind.RESIDENT_FUNDRAISING: "4301",
    SourceKind.OWN_SERVICES: "4401",
    SourceKind.OWN_PROPERTY: "4402",
    SourceKind.OWN_REFERRAL: "4403",
    SourceKind.DEPARTMENT: "4101",
    SourceKind.OTHER: "4901",
}
PAYABLE_FOR_USE = {Use.STAFF_PAY: SALARIES_PAYABLE}
OTHER_PAYABLE = "2202"
OWN_INCOME_KINDS = (SourceKind.OWN_SERVICES, SourceKind.OWN_PROPERTY, SourceKind.OWN_REFERRAL)
EXEMPT_FROM_PURPOSE = (EntryKind.LAPSE, EntryKind.REFUND, EntryKind.RELEASE)


# --- money helpers --------------------------------------------------------------------------


def money(value, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A yuan amount with at most two decimals, refused with a clear message otherwise."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Give the amount as a number of yuan, e.g. 1200.50.")})
    if not amount.is_finite():
        raise ValidationError({field: _("Give the amount as a number of yuan, e.g. 1200.50.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("Amounts are in yuan with at most two decimals (to the cent).")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("The amount must be greater than zero.")})
    if amount >= Decimal("1000000000000"):
        raise ValidationError({field: _("The amount is too large.")})
    return amount.quantize(CENT)


# --- cost splits ----------------------------------------------------------------------------


def check_split_shares(basis_points: list[int]) -> None:
    """The rule of a cost split: at least one payer, every share positive, all summing to 100%."""
    if not basis_points:
        raise ValidationError(_("A cost split needs at least one payer."))
    if any(bp is None or bp <= 0 for bp in basis_points):
        raise ValidationError(_("Every payer's share must be greater than zero."))
    total = sum(basis_points)
    if total != BASIS:
        raise ValidationError(
            _("The shares of a cost split must sum to 100%% (10000 basis points); these sum to %(pct)s%%.")
            % {"pct": f"{total / 100:g}"}
        )


def costsplit_allocate(*, split: CostSplit, amount: Decimal) -> list[tuple[CostSplitShare, Decimal]]:
    """Split ``amount`` between the split's payers, to the cent, with largest-remainder rounding.

    The parts always add up to ``amount``; a leftover cent goes to the share with the largest
    remainder (ties: the larger share first, then the earlier one).
    """
    amount = money(amount, allow_zero=True)
    shares = list(split.shares.select_related("source").order_by("-basis_points", "id"))
    check_split_shares([s.basis_points for s in shares])
    cents = int(amount * 100)
    exact = [cents * s.basis_points for s in shares]
    base = [e // BASIS for e in exact]
    leftover = cents - sum(base)
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] % BASIS), -shares[i].basis_points, i))
    for i in order[:leftover]:
        base[i] += 1
    return [(share, (Decimal(part) / 100).quantize(CENT)) for share, part in zip(shares, base, strict=True)]


@transaction.atomic
def costsplit_define(*, by, name: str, shares: list[tuple[FundingSource, int]], description: str = "") -> CostSplit:
    """Create or redefine a cost split (county-wide rule: only county-level users and superusers)."""
    ensure_in_scope(by, None)
    check_split_shares([bp for _source, bp in shares])
    sources = [source.pk for source, _bp in shares]
    if len(set(sources)) != len(sources):
        raise ValidationError(_("Each payer may appear only once in a cost split."))
    split, _created = CostSplit.objects.select_for_update().get_or_create(
        name=name, defaults={"description": description}
    )
    split.shares.all().delete()
    CostSplitShare.objects.bulk_create(
        CostSplitShare(split=split, source=source, basis_points=bp) for source, bp in shares
    )
    return split


@transaction.atomic
def reference_save(*, by, instance):
    """Save a county-wide reference row (account, source, cost split, checklist item): county users only."""
    ensure_in_scope(by, None)
    instance.full_clean()
    instance.save()
    return instance


# --- lines and their rules ------------------------------------------------------------------

MAX_LINES = 200  # a voucher's lines: real ones have a handful; thousands would hold a worker for seconds


@dataclass(frozen=True)
class LineSpec:
    account: Account
    fund: Fund | None
    side: str
    amount: Decimal
    memo: str = ""


def _spec(line) -> LineSpec:
    if isinstance(line, LineSpec):
        return line
    if isinstance(line, JournalLine):
        return LineSpec(line.account, line.fund, line.side, line.amount, line.memo)
    return LineSpec(
        line.get("account"), line.get("fund"), line.get("side"), line.get("amount"), line.get("memo", "") or ""
    )


def check_lines(lines, *, community, date: dt.date | None = None, kind: str = EntryKind.NORMAL) -> list[LineSpec]:
    """The rules every voucher's lines obey (used by drafts, approval, posting and the admin form)."""
    lines = list(lines)
    if len(lines) > MAX_LINES:
        raise ValidationError(
            _("A voucher has at most %(max)d lines; split this one into several vouchers.") % {"max": MAX_LINES},
            code="too_many_lines",
        )
    specs = [_spec(line) for line in lines]
    if len(specs) < 2:
        raise ValidationError(_("A voucher needs at least two lines (a debit and a credit)."))
    per_fund: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    funds = {}
    for spec in specs:
        if spec.account is None:
            raise ValidationError(_("Every line needs an account."))
        if spec.fund is None:
            raise ValidationError(_("Every line needs a fund: money always belongs to a fund."))
        if spec.side not in Side.values:
            raise ValidationError(_("Every line is either a debit or a credit."))
        amount = money(spec.amount)
        if community is not None and spec.fund.community_id != community.pk:
            raise ValidationError(
                _("Fund %(fund)s belongs to another community; a voucher uses its own community's funds.")
                % {"fund": spec.fund}
            )
        per_fund[spec.fund.pk][0 if spec.side == Side.DEBIT else 1] += amount
        funds[spec.fund.pk] = spec.fund
        _check_restriction(spec, date=date, kind=kind)
    for fund_id, (debit, credit) in per_fund.items():
        if debit != credit:
            raise ValidationError(
                _(
                    "Unbalanced voucher: debits and credits must be equal for every fund; "
                    "fund %(fund)s has debits %(debit)s and credits %(credit)s."
                )
                % {"fund": funds[fund_id], "debit": debit, "credit": credit}
            )
    return specs


def _check_restriction(spec: LineSpec, *, date, kind) -> None:
    fund = spec.fund
    spends = spec.account.type == AccountType.EXPENSE and spec.side == Side.DEBIT
    if not spends or kind in EXEMPT_FROM_PURPOSE:
        return
    if fund.restriction == Restriction.PURPOSE and spec.account.use not in (fund.uses or []):
        raise ValidationError(
            _(
                "Restricted fund %(fund)s may only be spent on its purpose (%(uses)s), "
                "not on %(use)s (account %(account)s)."
            )
            % {
                "fund": fund,
                "uses": "、".join(str(Use(u).label) for u in fund.uses if u in Use.values) or "—",
                "use": Use(spec.account.use).label if spec.account.use in Use.values else spec.account.use,
                "account": spec.account,
            }
        )
    outside = date is not None and (
        (fund.valid_from and date < fund.valid_from) or (fund.valid_until and date > fund.valid_until)
    )
    if fund.restriction == Restriction.TIME and outside:
        raise ValidationError(
            _("Fund %(fund)s may only be spent between %(start)s and %(end)s.")
            % {"fund": fund, "start": fund.valid_from or "…", "end": fund.valid_until}
        )


def _check_period_open(community, date: dt.date, *, lock: bool) -> None:
    if lock:
        period, _created = FiscalPeriod.objects.get_or_create(community=community, year=date.year, month=date.month)
        period = FiscalPeriod.objects.select_for_update().get(pk=period.pk)
        closed = period.closed
    else:
        closed = FiscalPeriod.objects.filter(
            community=community, year=date.year, month=date.month, closed=True
        ).exists()
    if closed:
        raise ValidationError(
            _("The period %(year)s-%(month)02d of %(community)s is closed: nothing may be posted into it.")
            % {"year": date.year, "month": date.month, "community": community}
        )


def _refuse_unless_draft(entry: JournalEntry) -> None:
    if entry.status == EntryStatus.POSTED:
        raise ValidationError(
            _("Voucher %(voucher)s is posted and cannot be changed; correct it with a reversal.") % {"voucher": entry}
        )
    if entry.status != EntryStatus.DRAFT:
        raise ValidationError(_("Voucher %(voucher)s is approved; only a draft can be changed.") % {"voucher": entry})


# --- vouchers -------------------------------------------------------------------------------


@transaction.atomic
def entry_create(
    *,
    by,
    community,
    date: dt.date,
    memo: str,
    lines,
    kind: str = EntryKind.NORMAL,
    reference: str = "",
    reversal_of: JournalEntry | None = None,
) -> JournalEntry:
    """A draft voucher with its lines; refused whole if any rule fails."""
    ensure_in_scope(by, community)
    if not (memo or "").strip():
        raise ValidationError({"memo": _("Give the voucher a summary.")})
    if date is None:
        raise ValidationError({"date": _("Give the voucher's date.")})
    specs = check_lines(lines, community=community, date=date, kind=kind)
    _check_period_open(community, date, lock=False)
    entry = JournalEntry.objects.create(
        community=community,
        date=date,
        year=date.year,
        memo=memo.strip()[:200],
        kind=kind,
        reference=reference,
        reversal_of=reversal_of,
        prepared_by=by,
    )
    JournalLine.objects.bulk_create(
        JournalLine(entry=entry, account=s.account, fund=s.fund, side=s.side, amount=money(s.amount), memo=s.memo)
        for s in specs
    )
    return entry


@transaction.atomic
def entry_update(*, by, entry_id: int, date: dt.date | None = None, memo: str | None = None, lines=None):
    """Change a draft (its date, summary or lines); a posted or approved voucher is refused."""
    entry = JournalEntry.objects.select_for_update().get(pk=entry_id)
    ensure_in_scope(by, entry.community)
    _refuse_unless_draft(entry)
    if date is not None:
        entry.date, entry.year = date, date.year
    if memo is not None:
        if not memo.strip():
            raise ValidationError({"memo": _("Give the voucher a summary.")})
        entry.memo = memo.strip()[:200]
    current = lines if lines is not None else list(entry.lines.select_related("account", "fund"))
    specs = check_lines(current, community=entry.community, date=entry.date, kind=entry.kind)
    entry.save(update_fields=["date", "year", "memo", "updated_at"])
    if lines is not None:
        entry.lines.all().delete()
        JournalLine.objects.bulk_create(
            JournalLine(entry=entry, account=s.account, fund=s.fund, side=s.side, amount=money(s.amount), memo=s.memo)
            for s in specs
        )
    return entry


@transaction.atomic
def entry_discard(*, by, entry_id: int) -> None:
    """Delete a draft voucher (a posted one is never deleted; it is reversed)."""
    entry = JournalEntry.objects.select_for_update().get(pk=entry_id)
    ensure_in_scope(by, entry.community)
    _refuse_unless_draft(entry)
    entry.lines.all().delete()
    entry.delete()


@transaction.atomic
def entry_approve(*, by, entry_id: int) -> JournalEntry:
    entry = JournalEntry.objects.select_for_update().get(pk=entry_id)
    ensure_in_scope(by, entry.community)
    if entry.status != EntryStatus.DRAFT:
        raise ValidationError(
            _("Only a draft voucher can be approved; %(voucher)s is %(status)s.")
            % {
                "voucher": entry,
                "status": entry.get_status_display(),
            }
        )
    if entry.prepared_by_id == by.pk:
        raise ValidationError(_("The approver must not be the person who prepared the voucher (four-eyes rule)."))
    check_lines(
        entry.lines.select_related("account", "fund"), community=entry.community, date=entry.date, kind=entry.kind
    )
    entry.status, entry.approved_by, entry.approved_at = EntryStatus.APPROVED, by, timezone.now()
    entry.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return entry


@transaction.atomic
def entry_post(*, by, entry_id: int) -> JournalEntry:
    entry = JournalEntry.objects.select_for_update().get(pk=entry_id)
    ensure_in_scope(by, entry.community)
    return _post(entry, by=by)


def _post(entry: JournalEntry, *, by) -> JournalEntry:
    """Post an approved voucher: period open, rules hold, balances locked and updated, number given."""
    if entry.status == EntryStatus.POSTED:
        raise ValidationError(_("Voucher %(voucher)s is already posted.") % {"voucher": entry})
    if entry.status != EntryStatus.APPROVED:
        raise ValidationError(_("Only an approved voucher can be posted."))
    _check_period_open(entry.community, entry.date, lock=True)
    lines = list(entry.lines.select_related("account", "fund"))
    check_lines(lines, community=entry.community, date=entry.date, kind=entry.kind)

    fund_ids = sorted({line.fund_id for line in lines})
    FundBalance.objects.bulk_create([FundBalance(fund_id=pk) for pk in fund_ids], ignore_conflicts=True)
    balances = {
        b.fund_id: b for b in FundBalance.objects.select_for_update().filter(fund_id__in=fund_ids).order_by("fund_id")
    }
    moves: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        move = moves[line.fund_id]
        signed = line.signed
        kind = line.account.type
        if kind in BALANCE_TYPES:
            move["balance"] += signed
        elif kind == AccountType.INCOME:
            move["received"] -= signed
        elif kind == AccountType.EXPENSE:
            move["lapsed" if entry.kind in (EntryKind.LAPSE, EntryKind.REFUND) else "spent"] += signed
        else:  # net assets: moved between funds when a restriction is released
            move["released"] -= signed
    funds = {line.fund_id: line.fund for line in lines}
    for fund_id in fund_ids:
        balance, move = balances[fund_id], moves[fund_id]
        new = balance.balance + move["balance"]
        if new < 0:
            raise ValidationError(
                _(
                    "Fund %(fund)s would go below zero: it holds %(balance)s yuan and this voucher takes "
                    "%(amount)s yuan. A fund cannot be spent beyond its balance."
                )
                % {"fund": funds[fund_id], "balance": balance.balance, "amount": -move["balance"]}
            )
        balance.balance = new
        for column in ("received", "spent", "released", "lapsed"):
            setattr(balance, column, getattr(balance, column) + move[column])
        balance.save()

    _add_to_months(entry, lines)
    sequence, _created = VoucherSequence.objects.get_or_create(community=entry.community, year=entry.year)
    sequence = VoucherSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    entry.number = sequence.last
    entry.status, entry.posted_by, entry.posted_at = EntryStatus.POSTED, by, timezone.now()
    entry.save(update_fields=["number", "status", "posted_by", "posted_at", "updated_at"])
    return entry


def _add_to_months(entry: JournalEntry, lines) -> None:
    """Add the voucher's lines to the monthly totals (one upsert; the funds' balance rows are locked)."""
    totals: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in lines:
        totals[(line.fund_id, line.account_id)][0 if line.side == Side.DEBIT else 1] += line.amount
    table = FundMonth._meta.db_table
    params = []
    for (fund_id, account_id), (debit, credit) in sorted(totals.items()):
        params += [fund_id, account_id, entry.date.year, entry.date.month, debit, credit]
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(totals))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (fund_id, account_id, year, month, debit, credit) VALUES {values} "
            f"ON CONFLICT (fund_id, account_id, year, month) DO UPDATE SET "
            f"debit = {table}.debit + excluded.debit, credit = {table}.credit + excluded.credit",
            params,
        )


@transaction.atomic
def entry_reverse(*, by, entry_id: int, date: dt.date | None = None, memo: str = "") -> JournalEntry:
    """A draft reversal of a posted voucher (every line on the other side); it is approved and posted as usual."""
    entry = JournalEntry.objects.select_for_update().get(pk=entry_id)
    ensure_in_scope(by, entry.community)
    if entry.status != EntryStatus.POSTED:
        raise ValidationError(_("Only a posted voucher is reversed; a draft is simply changed."))
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationError(_("A reversal cannot itself be reversed; enter a new voucher instead."))
    if JournalEntry.objects.filter(reversal_of=entry).exists():
        raise ValidationError(_("Voucher %(voucher)s has already been reversed.") % {"voucher": entry})
    flip = {Side.DEBIT: Side.CREDIT, Side.CREDIT: Side.DEBIT}
    lines = [
        LineSpec(line.account, line.fund, flip[line.side], line.amount, line.memo)
        for line in entry.lines.select_related("account", "fund")
    ]
    return entry_create(
        by=by,
        community=entry.community,
        date=date or timezone.localdate(),
        memo=memo or _("Reversal of %(voucher)s: %(memo)s") % {"voucher": entry, "memo": entry.memo},
        lines=lines,
        kind=EntryKind.REVERSAL,
        reversal_of=entry,
    )


def _post_by_rule(*, by, community, date, memo, lines, kind, reference, rule: str) -> JournalEntry:
    """The system approval path (see the module docstring): one voucher, approved by ``rule``, posted."""
    entry = entry_create(by=by, community=community, date=date, memo=memo, lines=lines, kind=kind, reference=reference)
    entry.status, entry.approval_rule, entry.approved_at = EntryStatus.APPROVED, rule[:100], timezone.now()
    entry.save(update_fields=["status", "approval_rule", "approved_at", "updated_at"])
    return _post(entry, by=by)


def _existing(community, reference: str) -> JournalEntry | None:
    return JournalEntry.objects.filter(community=community, reference=reference).first()


def _idempotent(community, reference: str, make) -> JournalEntry:
    if not (reference or "").strip():
        raise ValidationError({"reference": _("Give a reference: it keeps the same record from being posted twice.")})
    existing = _existing(community, reference)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return make()
    except IntegrityError:
        existing = _existing(community, reference)
        if existing is None:
            raise
        return existing


def account(code: str) -> Account:
    return Account.objects.get(code=code)


def expense_account(use: str) -> Account:
    found = Account.objects.filter(type=AccountType.EXPENSE, use=use, active=True).order_by("code").first()
    if found is None:
        raise ValidationError({"use": _("There is no expense account for the use %(use)s.") % {"use": use}})
    return found


def fund_for(*, community, source: FundingSource, use: str | None = None) -> Fund:
    """The community's fund of ``source`` (for ``use``, restricted to it), made on first need."""
    if use:
        name = f"{source.name}·{Use(use).label}"
        defaults = {"source": source, "restriction": Restriction.PURPOSE, "uses": [use], "purpose": str(Use(use).label)}
    else:
        name = source.name
        defaults = {"source": source, "restriction": Restriction.NONE, "uses": []}
    fund, _created = Fund.objects.get_or_create(community=community, name=name, defaults=defaults)
    FundBalance.objects.get_or_create(fund=fund)
    return fund


def _period_date(period_label: str) -> dt.date:
    """``2026-11`` → the month's last day; ``2026-Q4`` → the quarter's; ``2026`` → 31 December."""
    try:
        return Period.from_label(period_label).end
    except ValueError:
        raise ValidationError({"period_label": _("Give the period as 2026-11, 2026-Q4 or 2026.")}) from None


@transaction.atomic
def obligation_post(
    *, by, community, split: CostSplit, amount: Decimal, use: str, period_label: str, memo: str, reference: str
) -> JournalEntry:
    """Record a cost shared by the split's payers (e.g. staff pay: county 80% / town 20%), posted.

    For each payer's part: Dr grants receivable / Cr the payer's income, and Dr the use's expense /
    Cr payable — all in the payer's fund of the community restricted to ``use``, so every fund
    balances and no balance moves until the money is paid.  Idempotent per ``reference``.
    """
    ensure_in_scope(by, community)
    if use not in Use.values:
        raise ValidationError({"use": _("Unknown use %(use)s.") % {"use": use}})
    amount = money(amount)
    date = _period_date(period_label)

    def make():
        receivable, payable = account(GRANTS_RECEIVABLE), account(PAYABLE_FOR_USE.get(use, OTHER_PAYABLE))
        expense = expense_account(use)
        lines = []
        for share, part in costsplit_allocate(split=split, amount=amount):
            if part == 0:
                continue
            fund = fund_for(community=community, source=share.source, use=use)
            income = account(INCOME_FOR_SOURCE[share.source.kind])
            lines += [
                LineSpec(receivable, fund, Side.DEBIT, part, share.source.name),
                LineSpec(income, fund, Side.CREDIT, part, share.source.name),
                LineSpec(expense, fund, Side.DEBIT, part, period_label),
                LineSpec(payable, fund, Side.CREDIT, part, period_label),
            ]
        return _post_by_rule(
            by=by,
            community=community,
            date=date,
            memo=memo or _("Obligation %(period)s") % {"period": period_label},
            lines=lines,
            kind=EntryKind.NORMAL,
            reference=reference,
            rule=_("cost split %(split)s") % {"split": split.name},
        )

    return _idempotent(community, reference, make)


@transaction.atomic
def own_income_post(
    *,
    by,
    community,
    amount: Decimal,
    use: str,
    memo: str,
    reference: str,
    source_kind: str = SourceKind.OWN_SERVICES,
    date: dt.date | None = None,
) -> JournalEntry:
    """The community's own income (a paid service's fee, management fees, referral fees), posted.

    ``use`` says what the money was earned with (e.g. the service's name); it is kept on the lines.
    Dr bank / Cr the matching income account, in the community's unrestricted fund of that source.
    """
    ensure_in_scope(by, community)
    if source_kind not in OWN_INCOME_KINDS:
        raise ValidationError(
            {"source_kind": _("Own income comes from paid services, property fees or referral fees.")}
        )
    amount = money(amount)
    source = FundingSource.objects.filter(kind=source_kind).order_by("code").first()

    def make():
        fund = fund_for(community=community, source=source)
        return _post_by_rule(
            by=by,
            community=community,
            date=date or timezone.localdate(),
            memo=memo or str(use),
            lines=[
                LineSpec(account(CASH_BANK), fund, Side.DEBIT, amount, str(use)[:200]),
                LineSpec(account(INCOME_FOR_SOURCE[source_kind]), fund, Side.CREDIT, amount, str(use)[:200]),
            ],
            kind=EntryKind.NORMAL,
            reference=reference,
            rule=_("own income collected"),
        )

    return _idempotent(community, reference, make)


# --- funds: opening, release, lapse -------------------------------------------------------


@transaction.atomic
def fund_save(*, by, fund: Fund) -> Fund:
    """Save a fund (admin and API) and make sure its balance row exists."""
    from community.actions import record_save

    if fund.restriction == Restriction.PURPOSE and not fund.uses:
        raise ValidationError({"uses": _("A fund restricted to a purpose needs the uses it may pay for.")})
    unknown = [u for u in fund.uses or [] if u not in Use.values]
    if unknown:
        raise ValidationError({"uses": _("Unknown use %(use)s.") % {"use": ", ".join(unknown)}})
    if fund.restriction == Restriction.TIME and not fund.valid_until:
        raise ValidationError({"valid_until": _("A fund restricted to a time window needs its end date.")})
    if fund.pk:
        has_lines = JournalLine.objects.filter(fund_id=fund.pk).exists()
        before = Fund.objects.filter(pk=fund.pk).values("community_id", "source_id").first()
        if (
            has_lines
            and before
            and (before["community_id"] != fund.community_id or before["source_id"] != fund.source_id)
        ):
            raise ValidationError(_("A fund with vouchers keeps its community and source."))
    record_save(by=by, instance=fund)
    FundBalance.objects.get_or_create(fund=fund)
    return fund


@transaction.atomic
def fund_release(*, by, fund_id: int, to_fund_id: int, amount: Decimal, date: dt.date, memo: str) -> JournalEntry:
    """Release money from a restriction into an unrestricted fund of the same community (draft voucher)."""
    fund = Fund.objects.select_related("community").get(pk=fund_id)
    to_fund = Fund.objects.filter(pk=to_fund_id).first()
    ensure_in_scope(by, fund.community)
    if to_fund is None:
        raise ValidationError({"to_fund": _("Choose the unrestricted fund that receives the money.")})
    if not fund.is_restricted or to_fund.is_restricted:
        raise ValidationError(_("A release moves money from a restricted fund to an unrestricted one."))
    if to_fund.community_id != fund.community_id:
        raise ValidationError(
            {
                "to_fund": _("A release stays in the community: choose an unrestricted fund of %(community)s.")
                % {"community": fund.community}
            }
        )
    if not (memo or "").strip():
        raise ValidationError({"memo": _("Give the reason for the release (e.g. the donor's written consent).")})
    amount = money(amount)
    held = FundBalance.objects.filter(fund=fund).values_list("balance", flat=True).first() or Decimal("0.00")
    if amount > held:
        raise ValidationError(
            {
                "amount": _("Fund %(fund)s holds %(balance)s yuan; no more than that can be released.")
                % {"fund": fund, "balance": held}
            }
        )
    bank = account(CASH_BANK)
    return entry_create(
        by=by,
        community=fund.community,
        date=date,
        memo=memo,
        kind=EntryKind.RELEASE,
        lines=[
            LineSpec(account(NET_RESTRICTED), fund, Side.DEBIT, amount),
            LineSpec(bank, fund, Side.CREDIT, amount),
            LineSpec(bank, to_fund, Side.DEBIT, amount),
            LineSpec(account(NET_UNRESTRICTED), to_fund, Side.CREDIT, amount),
        ],
    )


@transaction.atomic
def fund_lapse(*, by, fund_id: int, year: int) -> JournalEntry | None:
    """Year-end lapse: what is left of a lapsing fund goes back to its payer (posted by rule; idempotent)."""
    fund = Fund.objects.select_related("community").get(pk=fund_id)
    ensure_in_scope(by, fund.community)
    if not fund.lapses_at_year_end:
        raise ValidationError(_("Fund %(fund)s does not lapse at year end.") % {"fund": fund})
    reference = lapse_reference(fund.pk, year)
    existing = _existing(fund.community, reference)
    if existing is not None:
        return existing
    FundBalance.objects.get_or_create(fund=fund)
    left = FundBalance.objects.select_for_update().get(fund=fund).balance
    # what was left on 31 December (money received since belongs to the new year and stays)
    at_year_end = JournalLine.objects.filter(
        fund=fund,
        entry__status=EntryStatus.POSTED,
        entry__date__lte=dt.date(year, 12, 31),
        account__type__in=BALANCE_TYPES,
    ).aggregate(total=Sum(Case(When(side=Side.DEBIT, then=F("amount")), default=-F("amount"))))["total"]
    left = min(left, at_year_end or Decimal("0.00"))
    if left <= 0:
        return None
    return _post_by_rule(
        by=by,
        community=fund.community,
        date=dt.date(year, 12, 31),
        memo=_("Year-end lapse of %(fund)s") % {"fund": fund},
        lines=[
            LineSpec(expense_account(Use.REFUND), fund, Side.DEBIT, left),
            LineSpec(account(DUE_TO_PAYERS), fund, Side.CREDIT, left),
        ],
        kind=EntryKind.LAPSE,
        reference=reference,
        rule=_("year-end lapse rule"),
    )


def lapse_reference(fund_id: int, year: int) -> str:
    return f"lapse:{fund_id}:{year}"


def system_user(county):
    """The county's account for scheduled jobs (county scope, no password: it cannot sign in)."""
    from community.choices import ScopeLevel
    from community.models import User

    user, created = User.objects.get_or_create(
        username=f"system_funding_{county.code}",
        defaults={"first_name": _("Scheduled jobs (funding)"), "scope_level": ScopeLevel.COUNTY, "county": county},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def funds_lapse_year(*, year: int | None = None, by=None) -> list[JournalEntry]:
    """Year-end lapse of every lapsing fund (in ``by``'s scope; without ``by``: every county's, each
    county's lapses made by its scheduled-jobs account).  ``year`` defaults to the year just ended.

    Idempotent per year: a fund already lapsed for ``year`` is skipped, so running it again (a
    retried task, a second beat) posts nothing more.  Returns the vouchers posted by this run; a
    fund that cannot lapse (e.g. December already closed) is logged and the others still lapse.
    """
    import logging

    from community.models import County

    year = int(year or timezone.localdate().year - 1)
    funds = Fund.objects.filter(lapses_at_year_end=True).select_related("community__town")
    if by is not None:
        funds = funds.for_user(by)
    funds = list(funds.order_by("pk"))
    done = set(
        JournalEntry.objects.filter(reference__in=[lapse_reference(f.pk, year) for f in funds]).values_list(
            "reference", flat=True
        )
    )
    users = {}
    posted = []
    for fund in funds:
        if lapse_reference(fund.pk, year) in done:
            continue
        county_id = fund.community.town.county_id
        if by is None and county_id not in users:
            users[county_id] = system_user(County.objects.get(pk=county_id))
        try:
            entry = fund_lapse(by=by or users[county_id], fund_id=fund.pk, year=year)
        except ValidationError as exc:
            logging.getLogger(__name__).warning("fund %s did not lapse for %s: %s", fund.pk, year, exc.messages)
            continue
        if entry is not None:
            posted.append(entry)
    return posted


# --- periods --------------------------------------------------------------------------------


@transaction.atomic
def period_close(*, by, community, year: int, month: int) -> FiscalPeriod:
    ensure_in_scope(by, community)
    if not 1 <= int(month) <= 12:
        raise ValidationError({"month": _("The month is between 1 and 12.")})
    pending = JournalEntry.objects.filter(
        community=community, year=year, date__month=month, status__in=[EntryStatus.DRAFT, EntryStatus.APPROVED]
    ).count()
    if pending:
        raise ValidationError(
            _("%(n)d vouchers of this month are not posted yet; post or discard them before closing.") % {"n": pending}
        )
    period, _created = FiscalPeriod.objects.get_or_create(community=community, year=year, month=month)
    period = FiscalPeriod.objects.select_for_update().get(pk=period.pk)
    if period.closed:
        raise ValidationError(_("This period is already closed."))
    period.closed, period.closed_by, period.closed_at = True, by, timezone.now()
    period.save(update_fields=["closed", "closed_by", "closed_at"])
    return period


# --- budgets --------------------------------------------------------------------------------


@transaction.atomic
def budget_create(
    *, by, community, year: int, lines: list[tuple[FundingSource, str, Decimal]], reason: str = ""
) -> Budget:
    ensure_in_scope(by, community)
    if Budget.objects.filter(community=community, year=year).exists():
        raise ValidationError(
            _("This community already has a budget for %(year)s; adjust it instead.") % {"year": year}
        )
    budget = Budget.objects.create(community=community, year=year, version=1, reason=reason, prepared_by=by)
    _budget_lines(budget, lines)
    return budget


def _budget_lines(budget: Budget, lines) -> None:
    seen = set()
    rows = []
    for source, use, amount in lines:
        if use not in Use.values:
            raise ValidationError({"use": _("Unknown use %(use)s.") % {"use": use}})
        if (source.pk, use) in seen:
            raise ValidationError(_("Each source and use appears once in a budget."))
        seen.add((source.pk, use))
        rows.append(BudgetLine(budget=budget, source=source, use=use, amount=money(amount, allow_zero=True)))
    if not rows:
        raise ValidationError(_("A budget needs at least one line."))
    BudgetLine.objects.bulk_create(rows)


@transaction.atomic
def budget_adjust(*, by, budget_id: int, lines, reason: str) -> Budget:
    """A new draft version of an approved budget; it replaces the old one only once approved."""
    budget = Budget.objects.select_for_update().get(pk=budget_id)
    ensure_in_scope(by, budget.community)
    if budget.status != BudgetStatus.APPROVED:
        raise ValidationError(_("Only the approved budget is adjusted; change the draft itself instead."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the adjustment.")})
    if Budget.objects.filter(community=budget.community, year=budget.year, status=BudgetStatus.DRAFT).exists():
        raise ValidationError(_("An adjustment of this budget is already waiting for approval."))
    last = Budget.objects.filter(community=budget.community, year=budget.year).aggregate(v=Max("version"))["v"]
    new = Budget.objects.create(
        community=budget.community, year=budget.year, version=last + 1, reason=reason.strip(), prepared_by=by
    )
    _budget_lines(new, lines)
    return new


@transaction.atomic
def budget_approve(*, by, budget_id: int) -> Budget:
    budget = Budget.objects.select_for_update().get(pk=budget_id)
    ensure_in_scope(by, budget.community)
    if budget.status != BudgetStatus.DRAFT:
        raise ValidationError(_("Only a draft budget can be approved."))
    if budget.prepared_by_id == by.pk:
        raise ValidationError(_("The approver must not be the person who prepared the budget (four-eyes rule)."))
    Budget.objects.filter(community=budget.community, year=budget.year, status=BudgetStatus.APPROVED).update(
        status=BudgetStatus.SUPERSEDED
    )
    budget.status, budget.approved_by, budget.approved_at = BudgetStatus.APPROVED, by, timezone.now()
    budget.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return budget


# --- projects -------------------------------------------------------------------------------


@transaction.atomic
def project_complete(*, by, project_id: int, on: dt.date | None = None) -> Project:
    project = Project.objects.select_for_update().get(pk=project_id)
    ensure_in_scope(by, project.community)
    if project.status in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
        raise ValidationError(_("This project is already closed."))
    project.status, project.completed_on = ProjectStatus.COMPLETED, on or timezone.localdate()
    project.save(update_fields=["status", "completed_on", "updated_at"])
    return project


@transaction.atomic
def project_cancel(*, by, project_id: int, reason: str, on: dt.date | None = None) -> list[JournalEntry]:
    """Cancel a project and refund what is left of the residents' money (one posted voucher per fund)."""
    project = Project.objects.select_for_update().get(pk=project_id)
    ensure_in_scope(by, project.community)
    if project.status in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
        raise ValidationError(_("This project is already closed."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for cancelling the project.")})
    refunds = []
    funds = project.funds.filter(source__kind=SourceKind.RESIDENT_FUNDRAISING).order_by("pk")
    for fund in funds:
        FundBalance.objects.get_or_create(fund=fund)
        left = FundBalance.objects.select_for_update().get(fund=fund).balance
        if left <= 0:
            continue
        refunds.append(
            _post_by_rule(
                by=by,
                community=project.community,
                date=on or timezone.localdate(),
                memo=_("Refund to residents: project %(project)s cancelled") % {"project": project},
                lines=[
                    LineSpec(expense_account(Use.REFUND), fund, Side.DEBIT, left),
                    LineSpec(account(CASH_BANK), fund, Side.CREDIT, left),
                ],
                kind=EntryKind.REFUND,
                reference=f"refund:{project.pk}:{fund.pk}",
                rule=_("refund on project cancellation"),
            )
        )
    project.status, project.cancelled_reason = ProjectStatus.CANCELLED, reason.strip()[:200]
    project.save(update_fields=["status", "cancelled_reason", "updated_at"])
    return refunds


# --- public disclosure ----------------------------------------------------------------------


def _canonical(content) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@transaction.atomic
def disclosure_publish(*, by, community, year: int, quarter: int) -> Disclosure:
    """Freeze a quarter's posted vouchers into an immutable snapshot with its SHA-256."""
    from . import selectors

    ensure_in_scope(by, community)
    if not 1 <= int(quarter) <= 4:
        raise ValidationError({"quarter": _("The quarter is between 1 and 4.")})
    if Disclosure.objects.filter(community=community, year=year, quarter=quarter).exists():
        raise ValidationError(_("This quarter has already been published; a published disclosure is never changed."))
    content = selectors.disclosure_content(community=community, year=int(year), quarter=int(quarter))
    digest = hashlib.sha256(_canonical(content).encode()).hexdigest()
    return Disclosure.objects.create(
        community=community, year=year, quarter=quarter, content=content, sha256=digest, published_by=by
    )


def disclosure_verify(disclosure: Disclosure) -> bool:
    return hashlib.sha256(_canonical(disclosure.content).encode()).hexdigest() == disclosure.sha256


@transaction.atomic
def question_ask(*, disclosure: Disclosure, line: int, question: str, contact: str = "") -> DisclosureQuestion:
    """A resident's question about a line of a published disclosure (no account needed)."""
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": _("Write your question.")})
    if len(question) > 1000:
        raise ValidationError({"question": _("Keep the question under 1000 characters.")})
    count = len(disclosure.content.get("lines", []))
    if not 1 <= int(line) <= count:
        raise ValidationError({"line": _("Choose a line of this disclosure.")})
    return DisclosureQuestion.objects.create(disclosure=disclosure, line=line, question=question, contact=contact[:40])


@transaction.atomic
def question_answer(*, by, question_id: int, answer: str) -> DisclosureQuestion:
    question = DisclosureQuestion.objects.select_for_update().select_related("disclosure").get(pk=question_id)
    ensure_in_scope(by, community_of(question))
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer.")})
    question.answer, question.answered_by, question.answered_at = answer.strip(), by, timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    return question

"""Vouchers (记账凭证): their lines and posting rules, create, edit, discard, approve, post and reverse."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.scoping import ensure_in_scope

from ..choices import (
    AccountType,
    EntryKind,
    EntryStatus,
    Restriction,
    Side,
    Use,
)
from ..models import (
    Account,
    FiscalPeriod,
    Fund,
    JournalEntry,
    JournalLine,
)
from .common import EXEMPT_FROM_PURPOSE, money
from .ledger import Posting, period_closed, post_approved

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


def check_voucher(*, community, date: dt.date | None, memo: str, lines, kind: str = EntryKind.NORMAL) -> list[LineSpec]:
    """The rules of a whole voucher before it is written: its summary, its date and its lines.

    One rule for every path: a draft typed here (``entry_create``) and a batch posted by rule (``post_batch``).
    """
    if not (memo or "").strip():
        raise ValidationError({"memo": _("Give the voucher a summary.")})
    if date is None:
        raise ValidationError({"date": _("Give the voucher's date.")})
    return check_lines(lines, community=community, date=date, kind=kind)


def _check_period_open(community, date: dt.date) -> None:
    """A draft may not be dated in a closed month (posting checks again, with the month's row locked)."""
    if FiscalPeriod.objects.filter(community=community, year=date.year, month=date.month, closed=True).exists():
        raise period_closed(community, date.year, date.month)


def _refuse_unless_draft(entry: JournalEntry) -> None:
    if entry.status == EntryStatus.POSTED:
        raise ValidationError(
            _("Voucher %(voucher)s is posted and cannot be changed; correct it with a reversal.") % {"voucher": entry}
        )
    if entry.status != EntryStatus.DRAFT:
        raise ValidationError(_("Voucher %(voucher)s is approved; only a draft can be changed.") % {"voucher": entry})


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
    specs = check_voucher(community=community, date=date, memo=memo, lines=lines, kind=kind)
    _check_period_open(community, date)
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
    """Post an approved voucher: its lines checked again, then the posting core (``ledger.post_approved``)."""
    if entry.status == EntryStatus.POSTED:
        raise ValidationError(_("Voucher %(voucher)s is already posted.") % {"voucher": entry})
    if entry.status != EntryStatus.APPROVED:
        raise ValidationError(_("Only an approved voucher can be posted."))
    lines = list(entry.lines.select_related("account", "fund"))
    check_lines(lines, community=entry.community, date=entry.date, kind=entry.kind)
    post_approved([Posting(entry, lines)], by=by)
    return entry


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

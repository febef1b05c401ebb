"""Vouchers other apps post from records approved there: by rule, once per reference (obligations, own income)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.scoping import ensure_in_scope
from utilities.periods import Period

from ..choices import (
    EntryKind,
    EntryStatus,
    Restriction,
    Side,
    SourceKind,
    Use,
)
from ..models import (
    CostSplit,
    Fund,
    FundBalance,
    FundingSource,
    JournalEntry,
)
from .common import (
    CASH_BANK,
    GRANTS_RECEIVABLE,
    INCOME_FOR_SOURCE,
    OTHER_PAYABLE,
    OWN_INCOME_KINDS,
    PAYABLE_FOR_USE,
    account,
    costsplit_allocate,
    expense_account,
    money,
)
from .vouchers import LineSpec, _post, entry_create


def post_by_rule(*, by, community, date, memo, lines, kind, reference, rule: str) -> JournalEntry:
    """The system approval path (see the module docstring): one voucher, approved by ``rule``, posted."""
    entry = entry_create(by=by, community=community, date=date, memo=memo, lines=lines, kind=kind, reference=reference)
    entry.status, entry.approval_rule, entry.approved_at = EntryStatus.APPROVED, rule[:100], timezone.now()
    entry.save(update_fields=["status", "approval_rule", "approved_at", "updated_at"])
    return _post(entry, by=by)


def existing_entry(community, reference: str) -> JournalEntry | None:
    return JournalEntry.objects.filter(community=community, reference=reference).first()


def post_once(community, reference: str, make) -> JournalEntry:
    if not (reference or "").strip():
        raise ValidationError({"reference": _("Give a reference: it keeps the same record from being posted twice.")})
    existing = existing_entry(community, reference)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return make()
    except IntegrityError:
        existing = existing_entry(community, reference)
        if existing is None:
            raise
        return existing


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
        return post_by_rule(
            by=by,
            community=community,
            date=date,
            memo=memo or _("Obligation %(period)s") % {"period": period_label},
            lines=lines,
            kind=EntryKind.NORMAL,
            reference=reference,
            rule=_("cost split %(split)s") % {"split": split.name},
        )

    return post_once(community, reference, make)


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
        return post_by_rule(
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

    return post_once(community, reference, make)

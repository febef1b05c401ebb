"""Vouchers posted by rule from records approved elsewhere: once per reference, one voucher or a whole batch.

``post_batch`` is the one way a voucher is posted by rule.  ``post_by_rule`` posts a batch of one; a
county's payroll (``obligations_post``, one voucher per community's pay run) posts as one batch in one
transaction.  Every voucher of a batch passes the rules a single one does — ``check_voucher`` (summary,
date, lines balanced per fund in Decimal, funds of its community, restrictions), its month open, no fund
below zero — and one refused voucher refuses the batch, named (``VoucherRefused``), with nothing written.
The reads (communities, accounts, funds, months, balances, sequences) and the writes (vouchers and their
history, lines, balances, monthly totals) are one query each per batch, not per voucher.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from community.models import Community
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
    JournalLine,
)
from .common import (
    CASH_BANK,
    GRANTS_RECEIVABLE,
    INCOME_FOR_SOURCE,
    OTHER_PAYABLE,
    OWN_INCOME_KINDS,
    PAYABLE_FOR_USE,
    accounts,
    allocate_shares,
    expense_account,
    money,
    split_shares,
)
from .ledger import Posting, lock_open_months, post_approved, refusal
from .vouchers import LineSpec, check_voucher


def _reference_missing() -> ValidationError:
    return ValidationError({"reference": _("Give a reference: it keeps the same record from being posted twice.")})


@dataclass(frozen=True)
class Voucher:
    """One voucher of ``post_batch``: approved by ``rule``, kept from posting twice by ``reference``."""

    community: Community
    date: dt.date
    memo: str
    lines: Sequence  # LineSpec, or what ``check_lines`` takes
    reference: str
    rule: str
    kind: str = EntryKind.NORMAL


def _communities_in_scope(by, communities: Iterable[Community]) -> dict[int, Community]:
    """The communities written in (with their towns, for the scope rule), refused unless ``by`` reaches every one."""
    given = {community.pk: community for community in communities}
    town = Community._meta.get_field("town")
    if not all(town.is_cached(community) for community in given.values()):
        given = Community.objects.select_related("town").in_bulk(list(given))
    for community in given.values():
        ensure_in_scope(by, community)
    return given


def existing_entries(keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], JournalEntry]:
    """The vouchers already written for these (community id, reference) pairs, in one query."""
    keys = set(keys)
    if not keys:
        return {}
    rows = JournalEntry.objects.filter(community_id__in={c for c, _r in keys}, reference__in={r for _c, r in keys})
    return {(e.community_id, e.reference): e for e in rows if (e.community_id, e.reference) in keys}


def existing_entry(community, reference: str) -> JournalEntry | None:
    return JournalEntry.objects.filter(community=community, reference=reference).first()


@transaction.atomic
def post_batch(*, by, vouchers: Sequence[Voucher]) -> list[JournalEntry]:
    """Post ``vouchers`` by their rules in one transaction — all of them, or none with the refused one named.

    Returns one posted voucher per item, in order.  A voucher whose reference its community already has
    is not posted again: the existing voucher is returned in its place (as ``post_once`` does), and so
    for a reference repeated within the batch.  Funds are moved voucher by voucher in the given order,
    so a voucher that would overdraw a fund is refused even if a later one would refill it.
    """
    vouchers = list(vouchers)
    if not vouchers:
        return []
    count = len(vouchers)
    communities = _communities_in_scope(by, (v.community for v in vouchers))

    def refused(i: int, error: ValidationError) -> ValidationError:
        voucher = vouchers[i]
        community = communities[voucher.community.pk]
        return refusal(error, position=i + 1, count=count, community=community, reference=voucher.reference)

    keys = [(v.community.pk, v.reference) for v in vouchers]
    for i, voucher in enumerate(vouchers):
        if not (voucher.reference or "").strip():
            raise refused(i, _reference_missing())
    found = existing_entries(keys)
    first = {}  # a reference repeated in the batch is posted once
    for i, key in enumerate(keys):
        if key not in found:
            first.setdefault(key, i)
    unposted = sorted(first.values())
    specs = {}
    for i in unposted:
        voucher = vouchers[i]
        try:
            specs[i] = check_voucher(
                community=communities[voucher.community.pk],
                date=voucher.date,
                memo=voucher.memo,
                lines=voucher.lines,
                kind=voucher.kind,
            )
        except ValidationError as error:
            raise refused(i, error) from None
    if unposted:
        lock_open_months(
            (communities[vouchers[i].community.pk], vouchers[i].date, lambda e, i=i: refused(i, e)) for i in unposted
        )
        # again, with the months locked: a concurrent posting of the same references has committed by now
        found |= existing_entries(keys[i] for i in unposted)
        unposted = [i for i in unposted if keys[i] not in found]
    if unposted:
        found |= _write_and_post(by, vouchers, unposted, specs, communities, count)
    return [found[key] for key in keys]


def _write_and_post(by, vouchers, unposted, specs, communities, count) -> dict[tuple[int, str], JournalEntry]:
    """Write the approved vouchers (with their history) and their lines in bulk, then post them all."""
    now = timezone.now()
    entries = [
        JournalEntry(
            community=communities[vouchers[i].community.pk],
            date=vouchers[i].date,
            year=vouchers[i].date.year,
            memo=vouchers[i].memo.strip()[:200],
            kind=vouchers[i].kind,
            reference=vouchers[i].reference,
            prepared_by=by,
            status=EntryStatus.APPROVED,
            approval_rule=str(vouchers[i].rule)[:100],
            approved_at=now,
        )
        for i in unposted
    ]
    bulk_create_with_history(entries, JournalEntry, default_user=by)
    postings = []
    for i, entry in zip(unposted, entries, strict=True):
        lines = [
            JournalLine(entry=entry, account=s.account, fund=s.fund, side=s.side, amount=money(s.amount), memo=s.memo)
            for s in specs[i]
        ]
        postings.append(Posting(entry, lines, position=i + 1, count=count))
    JournalLine.objects.bulk_create([line for posting in postings for line in posting.lines])
    post_approved(postings, by=by, months_locked=True)
    return {(entry.community_id, entry.reference): entry for entry in entries}


def post_by_rule(*, by, community, date, memo, lines, kind, reference, rule: str) -> JournalEntry:
    """The system approval path (see the package docstring): one voucher, approved by ``rule``, posted once."""
    voucher = Voucher(community=community, date=date, memo=memo, lines=lines, kind=kind, reference=reference, rule=rule)
    return post_batch(by=by, vouchers=[voucher])[0]


def post_once(community, reference: str, make) -> JournalEntry:
    if not (reference or "").strip():
        raise _reference_missing()
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


def _fund_name(source: FundingSource, use: str | None) -> tuple[str, dict]:
    if use:
        label = Use(use).label
        defaults = {"source": source, "restriction": Restriction.PURPOSE, "uses": [use], "purpose": str(label)}
        return f"{source.name}·{label}", defaults
    return source.name, {"source": source, "restriction": Restriction.NONE, "uses": []}


def funds_for(
    *, wanted: Iterable[tuple[Community, FundingSource, str | None]]
) -> dict[tuple[int, int, str | None], Fund]:
    """Each community's fund of a source (restricted to the use when one is given), made on first need.

    Keyed by (community id, source id, use); one query to read them however many, and a bulk insert
    (with history) of the missing ones.
    """
    places = {
        (community.pk, source.pk, use): (community, *_fund_name(source, use)) for community, source, use in wanted
    }
    if not places:
        return {}
    funds = {
        (fund.community_id, fund.name): fund
        for fund in Fund.objects.filter(
            community_id__in={c.pk for c, _n, _d in places.values()}, name__in={n for _c, n, _d in places.values()}
        )
    }
    missing = {(c.pk, n): (c, n, d) for c, n, d in places.values() if (c.pk, n) not in funds}
    if missing:
        try:
            with transaction.atomic():
                made = bulk_create_with_history([Fund(community=c, name=n, **d) for c, n, d in missing.values()], Fund)
        except IntegrityError:  # made meanwhile by a concurrent posting: one by one, as get_or_create does
            made = [Fund.objects.get_or_create(community=c, name=n, defaults=d)[0] for c, n, d in missing.values()]
        FundBalance.objects.bulk_create([FundBalance(fund=fund) for fund in made], ignore_conflicts=True)
        funds.update({(fund.community_id, fund.name): fund for fund in made})
    return {key: funds[(community.pk, name)] for key, (community, name, _d) in places.items()}


def fund_for(*, community, source: FundingSource, use: str | None = None) -> Fund:
    """The community's fund of ``source`` (for ``use``, restricted to it), made on first need."""
    return funds_for(wanted=[(community, source, use)])[(community.pk, source.pk, use)]


def _period_date(period_label: str) -> dt.date:
    """``2026-11`` → the month's last day; ``2026-Q4`` → the quarter's; ``2026`` → 31 December."""
    try:
        return Period.from_label(period_label).end
    except ValueError:
        raise ValidationError({"period_label": _("Give the period as 2026-11, 2026-Q4 or 2026.")}) from None


@dataclass(frozen=True)
class Obligation:
    """A community's cost shared by a split's payers, for ``obligations_post`` (e.g. one month's staff pay)."""

    community: Community
    amount: Decimal
    period_label: str
    memo: str
    reference: str


@transaction.atomic
def obligations_post(*, by, split: CostSplit, use: str, obligations: Sequence[Obligation]) -> list[JournalEntry]:
    """Post many obligations of one split and use as one batch (a county's payroll: one per community's pay run).

    Each voucher is the one ``obligation_post`` posts.  The split's shares, the accounts and the funds are
    read once for the batch; ``post_batch`` checks, writes and posts them all, or refuses them all naming the
    voucher.  An obligation whose reference its community already has returns the voucher posted then.
    """
    obligations = list(obligations)
    if not obligations:
        return []
    if use not in Use.values:
        raise ValidationError({"use": _("Unknown use %(use)s.") % {"use": use}})
    communities = _communities_in_scope(by, (o.community for o in obligations))
    count, amounts, dates = len(obligations), [], []
    for i, obligation in enumerate(obligations):
        try:
            amounts.append(money(obligation.amount))
            dates.append(_period_date(obligation.period_label))
        except ValidationError as error:
            raise refusal(
                error,
                position=i + 1,
                count=count,
                community=communities[obligation.community.pk],
                reference=obligation.reference,
            ) from None
    shares = split_shares(split)
    payable = PAYABLE_FOR_USE.get(use, OTHER_PAYABLE)
    chart = accounts(GRANTS_RECEIVABLE, payable, *(INCOME_FOR_SOURCE[share.source.kind] for share in shares))
    expense = expense_account(use)
    parts = [[(share, part) for share, part in allocate_shares(shares, amount) if part] for amount in amounts]
    funds = funds_for(
        wanted=[
            (communities[o.community.pk], share.source, use)
            for o, payers in zip(obligations, parts, strict=True)
            for share, _part in payers
        ]
    )
    vouchers = []
    for obligation, payers, date in zip(obligations, parts, dates, strict=True):
        community = communities[obligation.community.pk]
        lines = []
        for share, part in payers:
            fund = funds[(community.pk, share.source.pk, use)]
            income = chart[INCOME_FOR_SOURCE[share.source.kind]]
            lines += [
                LineSpec(chart[GRANTS_RECEIVABLE], fund, Side.DEBIT, part, share.source.name),
                LineSpec(income, fund, Side.CREDIT, part, share.source.name),
                LineSpec(expense, fund, Side.DEBIT, part, obligation.period_label),
                LineSpec(chart[payable], fund, Side.CREDIT, part, obligation.period_label),
            ]
        vouchers.append(
            Voucher(
                community=community,
                date=date,
                memo=obligation.memo or _("Obligation %(period)s") % {"period": obligation.period_label},
                lines=lines,
                kind=EntryKind.NORMAL,
                reference=obligation.reference,
                rule=_("cost split %(split)s") % {"split": split.name},
            )
        )
    return post_batch(by=by, vouchers=vouchers)


def obligation_post(
    *, by, community, split: CostSplit, amount: Decimal, use: str, period_label: str, memo: str, reference: str
) -> JournalEntry:
    """Record a cost shared by the split's payers (e.g. staff pay: county 80% / town 20%), posted.

    For each payer's part: Dr grants receivable / Cr the payer's income, and Dr the use's expense /
    Cr payable — all in the payer's fund of the community restricted to ``use``, so every fund
    balances and no balance moves until the money is paid.  Idempotent per ``reference``.  A batch of
    one of ``obligations_post``.
    """
    obligation = Obligation(
        community=community, amount=amount, period_label=period_label, memo=memo, reference=reference
    )
    return obligations_post(by=by, split=split, use=use, obligations=[obligation])[0]


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
    Idempotent per ``reference``.
    """
    ensure_in_scope(by, community)
    if source_kind not in OWN_INCOME_KINDS:
        raise ValidationError(
            {"source_kind": _("Own income comes from paid services, property fees or referral fees.")}
        )
    amount = money(amount)
    if not (reference or "").strip():
        raise _reference_missing()
    existing = existing_entry(community, reference)
    if existing is not None:  # posted before: nothing is made again (not even the fund)
        return existing
    source = FundingSource.objects.filter(kind=source_kind).order_by("code").first()
    fund = fund_for(community=community, source=source)
    chart = accounts(CASH_BANK, INCOME_FOR_SOURCE[source_kind])
    return post_by_rule(
        by=by,
        community=community,
        date=date or timezone.localdate(),
        memo=memo or str(use),
        lines=[
            LineSpec(chart[CASH_BANK], fund, Side.DEBIT, amount, str(use)[:200]),
            LineSpec(chart[INCOME_FOR_SOURCE[source_kind]], fund, Side.CREDIT, amount, str(use)[:200]),
        ],
        kind=EntryKind.NORMAL,
        reference=reference,
        rule=_("own income collected"),
    )

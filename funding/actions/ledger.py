"""The posting core that every posting shares, one voucher (``entry_post``) or a county's batch (``post_batch``).

It takes approved vouchers whose lines are written and posts them in the caller's transaction with a
constant number of queries, however many vouchers: the month rows are locked (refused if closed), the
fund balance rows locked in fund order and moved voucher by voucher (refused if one would go below
zero), the monthly totals added to in one upsert, the vouchers numbered gap-free from their sequences
(one upsert, which locks the rows) and marked posted, their history written in bulk.  Locks are taken
in one order everywhere (months, then balances in fund order, then sequences), so concurrent postings
wait instead of deadlocking.

A voucher posted alone is refused with the rule's own message; in a batch, ``VoucherRefused`` names it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import BALANCE_TYPES, AccountType, EntryKind, EntryStatus, Side
from ..models import FiscalPeriod, FundBalance, FundMonth, JournalEntry, JournalLine, VoucherSequence

ROWS_PER_STATEMENT = 5000  # at most a dozen parameters a row: well under PostgreSQL's 65535


class VoucherRefused(ValidationError):
    """A voucher of a batch broke a posting rule: the whole batch is refused, and this names the voucher.

    ``position`` (from 1) and ``reference`` say which voucher, ``error`` is the rule's own refusal.
    """

    def __init__(self, *, position: int, count: int, community, reference: str, error: ValidationError):
        self.position, self.count, self.reference, self.error = position, count, reference, error
        self.community_id = getattr(community, "pk", community)
        super().__init__(
            _(
                "Voucher %(position)d of %(count)d (%(community)s, reference %(reference)s) is refused, "
                "and with it the whole batch: %(reason)s"
            )
            % {
                "position": position,
                "count": count,
                "community": community,
                "reference": reference or "—",
                "reason": " ".join(error.messages),
            },
            code="voucher_refused",
        )


def refusal(error: ValidationError, *, position: int, count: int, community, reference: str) -> ValidationError:
    """``error`` as it is for a voucher posted alone; in a batch, the same reason naming the voucher."""
    if count == 1:
        return error
    return VoucherRefused(position=position, count=count, community=community, reference=reference, error=error)


def period_closed(community, year: int, month: int) -> ValidationError:
    return ValidationError(
        _("The period %(year)s-%(month)02d of %(community)s is closed: nothing may be posted into it.")
        % {"year": year, "month": month, "community": community},
        code="period_closed",
    )


@dataclass
class Posting:
    """An approved voucher (saved, its community loaded) and its saved lines (accounts and funds loaded)."""

    entry: JournalEntry
    lines: list[JournalLine]
    position: int = 1
    count: int = 1

    def refused(self, error: ValidationError) -> ValidationError:
        return refusal(
            error,
            position=self.position,
            count=self.count,
            community=self.entry.community,
            reference=self.entry.reference,
        )


def _update_rows(model, objs, fields: list[str]) -> None:
    """``UPDATE … FROM (VALUES …)``: each row's ``fields`` set from ``objs`` in one statement.

    What ``QuerySet.bulk_update`` writes, without its CASE expression per row and field, which Django
    builds in Python at a cost that grows with rows × fields (most of a county's posting time).
    """
    table, quote = model._meta.db_table, connection.ops.quote_name
    columns = [model._meta.pk, *(model._meta.get_field(name) for name in fields)]
    row = "(" + ", ".join(f"%s::{column.db_type(connection)}" for column in columns) + ")"
    names = ", ".join(quote(column.column) for column in columns)
    assign = ", ".join(f"{quote(column.column)} = v.{quote(column.column)}" for column in columns[1:])
    objs = list(objs)
    for start in range(0, len(objs), ROWS_PER_STATEMENT):
        chunk = objs[start : start + ROWS_PER_STATEMENT]
        params = [
            column.get_db_prep_save(getattr(obj, column.attname), connection) for obj in chunk for column in columns
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(table)} SET {assign} FROM (VALUES {', '.join([row] * len(chunk))}) AS v ({names}) "
                f"WHERE {quote(table)}.{quote(columns[0].column)} = v.{quote(columns[0].column)}",
                params,
            )


def _keys_match(keys, *names) -> Q:
    """``(a=…, b=…) OR (a=…, b=…) …``: exactly these rows, not every combination of their values."""
    return reduce(or_, (Q(**dict(zip(names, key, strict=True))) for key in keys))


def _locked(months) -> list[tuple[int, int, int, bool]]:
    return list(months.select_for_update().values_list("community_id", "year", "month", "closed"))


def lock_open_months(items) -> None:
    """Lock the month rows (made if missing) that ``items`` (``(community, date, refuse)``) post into.

    ``refuse(error)`` gives the error to raise for an item whose month is closed.
    """
    items = list(items)
    keys = sorted({(community.pk, date.year, date.month) for community, date, _refuse in items})
    if not keys:
        return
    match = _keys_match(keys, "community_id", "year", "month")
    # every month row is locked, open or not: a month is not closed while a voucher posts into it
    rows = _locked(FiscalPeriod.objects.filter(match).order_by("community_id", "year", "month"))
    if len(rows) < len(keys):  # a month's first voucher: its row is made (a concurrent one may make it too)
        FiscalPeriod.objects.bulk_create(
            [FiscalPeriod(community_id=c, year=y, month=m) for c, y, m in keys], ignore_conflicts=True
        )
        rows = _locked(FiscalPeriod.objects.filter(match).order_by("community_id", "year", "month"))
    closed = {(c, y, m) for c, y, m, is_closed in rows if is_closed}
    for community, date, refuse in items:
        if (community.pk, date.year, date.month) in closed:
            raise refuse(period_closed(community, date.year, date.month))


def _moves(entry: JournalEntry, lines) -> dict[int, dict[str, Decimal]]:
    """What the voucher's lines do to each fund's balance columns."""
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
    return moves


def _move_balances(postings: list[Posting]) -> None:
    """Lock the funds' balance rows (in fund order), move them voucher by voucher, write them in one update."""
    fund_ids = sorted({line.fund_id for p in postings for line in p.lines})
    locked = FundBalance.objects.select_for_update().filter(fund_id__in=fund_ids).order_by("fund_id")
    balances = {b.fund_id: b for b in locked}
    if len(balances) < len(fund_ids):  # a fund's first voucher: its balance row is made
        FundBalance.objects.bulk_create([FundBalance(fund_id=pk) for pk in fund_ids], ignore_conflicts=True)
        balances = {b.fund_id: b for b in locked.all()}
    for posting in postings:
        funds = {line.fund_id: line.fund for line in posting.lines}
        for fund_id, move in sorted(_moves(posting.entry, posting.lines).items()):
            balance = balances[fund_id]
            new = balance.balance + move["balance"]
            if new < 0:
                raise posting.refused(
                    ValidationError(
                        _(
                            "Fund %(fund)s would go below zero: it holds %(balance)s yuan and this voucher takes "
                            "%(amount)s yuan. A fund cannot be spent beyond its balance."
                        )
                        % {"fund": funds[fund_id], "balance": balance.balance, "amount": -move["balance"]},
                        code="overdrawn",
                    )
                )
            balance.balance = new
            for column in ("received", "spent", "released", "lapsed"):
                setattr(balance, column, getattr(balance, column) + move[column])
    now = timezone.now()
    for balance in balances.values():
        balance.updated_at = now
    _update_rows(FundBalance, balances.values(), ["balance", "received", "spent", "released", "lapsed", "updated_at"])


def _add_to_months(postings: list[Posting]) -> None:
    """Add the vouchers' lines to the monthly totals (one upsert; the funds' balance rows are locked)."""
    totals: dict[tuple[int, int, int, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for posting in postings:
        date = posting.entry.date
        for line in posting.lines:
            totals[(line.fund_id, line.account_id, date.year, date.month)][0 if line.side == Side.DEBIT else 1] += (
                line.amount
            )
    table = FundMonth._meta.db_table
    rows = sorted(totals.items())
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        params = [value for key, (debit, credit) in chunk for value in (*key, debit, credit)]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (fund_id, account_id, year, month, debit, credit) VALUES {values} "
                f"ON CONFLICT (fund_id, account_id, year, month) DO UPDATE SET "
                f"debit = {table}.debit + excluded.debit, credit = {table}.credit + excluded.credit",
                params,
            )


def _number_and_mark_posted(postings: list[Posting], *, by) -> None:
    """Number the vouchers from their sequences (gap-free, in order) and mark them posted, with history."""
    wanted: dict[tuple[int, int], int] = defaultdict(int)
    for posting in postings:
        wanted[(posting.entry.community_id, posting.entry.year)] += 1
    table = VoucherSequence._meta.db_table
    params = [value for (community_id, year), n in sorted(wanted.items()) for value in (community_id, year, n)]
    with connection.cursor() as cursor:  # one upsert takes the numbers (and locks the rows, in key order)
        cursor.execute(
            f'INSERT INTO {table} (community_id, year, "last") VALUES {", ".join(["(%s, %s, %s)"] * len(wanted))} '
            f'ON CONFLICT (community_id, year) DO UPDATE SET "last" = {table}."last" + excluded."last" '
            'RETURNING community_id, year, "last"',
            params,
        )
        last = {(community_id, year): value for community_id, year, value in cursor.fetchall()}
    following = {key: last[key] - n for key, n in wanted.items()}  # the number before the batch's first
    now = timezone.now()
    entries = []
    for posting in postings:
        entry = posting.entry
        key = (entry.community_id, entry.year)
        following[key] += 1
        entry.number, entry.status, entry.posted_by, entry.posted_at = following[key], EntryStatus.POSTED, by, now
        entry.updated_at = now
        entries.append(entry)
    _update_rows(JournalEntry, entries, ["number", "status", "posted_by", "posted_at", "updated_at"])
    # their history, as ``bulk_update_with_history`` writes it (one row each, "~", by the poster)
    JournalEntry.history.bulk_history_create(entries, update=True, default_user=by)


def post_approved(postings: list[Posting], *, by, months_locked: bool = False) -> None:
    """Post approved vouchers whose lines the caller checked (``check_lines``), in the caller's transaction."""
    if not postings:
        return
    if not months_locked:  # a batch locks its months before it writes (``post_batch``)
        lock_open_months((p.entry.community, p.entry.date, p.refused) for p in postings)
    _move_balances(postings)
    _add_to_months(postings)
    _number_and_mark_posted(postings, by=by)

"""Scale data (funding/generate.py at a tiny scale, on PostgreSQL, the guard triggers' rules checked set-based)
and the scheduled year-end lapse (django-celery-beat row, idempotent per year)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Max, Min

from community.models import County
from community.scoping import Scope
from funding import actions, selectors, tasks
from funding.choices import EntryKind, EntryStatus, Restriction, Use
from funding.models import (
    FiscalPeriod,
    Fund,
    FundBalance,
    JournalEntry,
    JournalLine,
    VoucherSequence,
)
from tests.funding.factories import make_fund, receive

pytestmark = pytest.mark.django_db

CODE = "140121"


def _generate(*extra):
    call_command(
        "generate_county",
        *["--towns", "2", "--communities", "3", "--households", "60", "--county-code", CODE, "--no-progress"],
        *extra,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    return County.objects.get(code=CODE)


def _sql(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_generated_ledger_keeps_every_invariant():
    county = _generate("--extra", "journal_lines=3000")
    scope = Scope("county", county_id=county.pk)
    lines = JournalLine.objects.filter(entry__community__town__county=county)
    entries = JournalEntry.objects.filter(community__town__county=county)
    assert lines.count() == 3000
    assert entries.exclude(status=EntryStatus.POSTED).count() == 0
    assert entries.filter(kind=EntryKind.NORMAL).count() > 1000
    # every voucher balances per fund, and every line's fund is of the voucher's community
    unbalanced = _sql(
        """SELECT l.entry_id FROM funding_journalline l JOIN funding_journalentry e ON e.id = l.entry_id
           JOIN community_community c ON c.id = e.community_id JOIN community_town t ON t.id = c.town_id
           WHERE t.county_id = %s GROUP BY l.entry_id, l.fund_id
           HAVING SUM(CASE WHEN l.side = 'debit' THEN l.amount ELSE -l.amount END) <> 0""",
        [county.pk],
    )
    assert unbalanced == []
    assert not lines.exclude(fund__community_id=models_f("entry__community_id")).exists()
    # gap-free voucher numbers per community and year, matching the sequences
    for row in entries.values("community_id", "year").annotate(n=Count("id"), lo=Min("number"), hi=Max("number")):
        assert row["lo"] == 1 and row["hi"] == row["n"]
        assert VoucherSequence.objects.get(community_id=row["community_id"], year=row["year"]).last == row["n"]
    # restricted funds only paid for their uses
    for fund in Fund.objects.filter(community__town__county=county, restriction=Restriction.PURPOSE):
        spent_on = set(
            lines.filter(fund=fund, account__type="expense", side="debit").values_list("account__use", flat=True)
        )
        assert spent_on <= set(fund.uses)
    # the balance rows agree with the lines (the selectors give the same figures both ways)
    kept = {r.fund_id: r for r in selectors.fund_balances(scope=scope)}
    recomputed = {r.fund_id: r for r in selectors.fund_balances(scope=scope, end=dt.date(2100, 1, 1))}
    assert kept.keys() == recomputed.keys() and len(kept) == 3 * 8
    for fund_id, row in kept.items():
        again = recomputed[fund_id]
        assert (row.received, row.spent, row.released, row.lapsed, row.closing) == (
            again.received,
            again.spent,
            again.released,
            again.lapsed,
            again.closing,
        )
        assert row.closing >= 0
    assert sum(r.released for r in kept.values()) == 0
    statement = selectors.source_and_use(scope=scope, start=dt.date(2000, 1, 1), end=dt.date(2100, 1, 1))
    assert statement.income_total.total == sum(r.received for r in kept.values())
    assert statement.expense_total.total == sum(r.spent for r in kept.values())
    # the monthly totals agree with the lines, whatever the dates (whole months, partial ones, a few days)
    for start, end in [
        (dt.date(2000, 1, 1), dt.date(2100, 1, 1)),
        (dt.date(dt.date.today().year - 1, 1, 1), dt.date(dt.date.today().year - 1, 12, 31)),
        (dt.date(dt.date.today().year - 2, 3, 17), dt.date.today()),
        (dt.date(dt.date.today().year - 1, 5, 2), dt.date(dt.date.today().year - 1, 5, 20)),
        (dt.date(dt.date.today().year - 1, 5, 31), dt.date(dt.date.today().year - 1, 7, 1)),
    ]:
        kept = selectors.source_and_use(scope=scope, start=start, end=end)
        lines_only = selectors.source_and_use(scope=scope, start=start, end=end, from_lines=True)
        assert kept.income == lines_only.income and kept.expense == lines_only.expense, (start, end)
        flows = selectors.period_flows(scope=scope, start=start, end=end)
        assert (flows["received"], flows["spent"]) == (lines_only.income_total.total, lines_only.expense_total.total)
    assert selectors.government_investment(scope=scope) > 0
    # past months are closed, the current one is open (so the bookkeeper can go on)
    today = dt.date.today()
    assert FiscalPeriod.objects.filter(community__town__county=county, closed=True).exists()
    assert not FiscalPeriod.objects.filter(
        community__town__county=county, year=today.year, month=today.month, closed=True
    ).exists()


def models_f(name):
    from django.db.models import F

    return F(name)


def test_lines_default_to_the_households_and_replace_clears_posted_vouchers():
    county = _generate()
    assert JournalLine.objects.filter(entry__community__town__county=county).count() == 500  # 60 × 1e6/120e3
    # the guard triggers are back on after a replace cleared the posted vouchers
    county = _generate("--replace", "--extra", "journal_lines=200")
    assert JournalLine.objects.filter(entry__community__town__county=county).count() == 200
    line = JournalLine.objects.filter(entry__community__town__county=county).first()
    with pytest.raises(Exception, match="immutable"), transaction_atomic():
        JournalLine.objects.filter(pk=line.pk).update(amount=Decimal("1.00"))


def transaction_atomic():
    from django.db import transaction

    return transaction.atomic()


def test_the_set_based_checks_refuse_what_the_guard_triggers_refuse():
    """The generator writes the journal with the guard triggers off and checks their rules once, set-based."""
    from types import SimpleNamespace

    from django.db import IntegrityError

    from funding.generate import _check_ledger

    county = _generate("--extra", "journal_lines=200")
    entries = JournalEntry.objects.filter(community__town__county=county).order_by("id")
    written = range(entries.first().pk, entries.last().pk + 1)
    ctx = SimpleNamespace(using="default", bulk=None)  # written the plain way: the unit columns are checked too
    FiscalPeriod.objects.filter(community__town__county=county).delete()  # written after the journal
    _check_ledger(ctx, written)
    entry = entries.first()
    closed = FiscalPeriod.objects.create(
        community_id=entry.community_id, year=entry.date.year, month=entry.date.month, closed=True
    )
    with pytest.raises(IntegrityError, match=f"period of voucher {entry.pk} is closed"):
        _check_ledger(ctx, written)
    closed.delete()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE wants no pending checks
        cursor.execute("ALTER TABLE funding_journalline DISABLE TRIGGER funding_line_guard")
        cursor.execute("UPDATE funding_journalline SET amount = amount + 1 WHERE entry_id = %s", [entry.pk])
        cursor.execute("ALTER TABLE funding_journalline ENABLE TRIGGER funding_line_guard")
    with pytest.raises(IntegrityError, match=f"voucher {entry.pk} does not balance"):
        _check_ledger(ctx, written)
    with connection.cursor() as cursor:  # balanced again, but a line's town is not its voucher's
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE funding_journalline DISABLE TRIGGER funding_line_guard")
        cursor.execute("ALTER TABLE funding_journalline DISABLE TRIGGER funding_journalline_units")
        cursor.execute(
            "UPDATE funding_journalline SET amount = amount - 1, town_id = town_id + 1 WHERE entry_id = %s", [entry.pk]
        )
        cursor.execute("ALTER TABLE funding_journalline ENABLE TRIGGER funding_journalline_units")
        cursor.execute("ALTER TABLE funding_journalline ENABLE TRIGGER funding_line_guard")
    with pytest.raises(IntegrityError, match="rows of funding_journalline were written with unit columns not their"):
        _check_ledger(ctx, written)


def test_no_lines_asked_for_writes_no_voucher():
    county = _generate("--extra", "journal_lines=0")
    assert not JournalEntry.objects.filter(community__town__county=county).exists()


# --- the scheduled year-end lapse ------------------------------------------------------------------


def test_lapse_is_scheduled_yearly_in_the_beat_tables():
    from django_celery_beat.models import PeriodicTask

    from utilities import schedules

    schedules.sync()  # what migrate does (a transactional test elsewhere may have flushed the beat tables)
    job = PeriodicTask.objects.get(task="funding.tasks.lapse_funds")
    assert job.enabled and job.crontab is not None
    assert (job.crontab.month_of_year, job.crontab.day_of_month, job.crontab.timezone.key) == (
        "1",
        "1",
        "Asia/Shanghai",
    )


def test_scheduled_lapse_runs_once_per_year(community_a, staff_a, approver_a):
    lapsing = make_fund(
        community_a, restriction=Restriction.PURPOSE, uses=[Use.OFFICE], lapses_at_year_end=True, name="年度专项"
    )
    keeps = make_fund(community_a, name="非限定")
    receive(lapsing, 300, preparer=staff_a, approver=approver_a, date=dt.date(2025, 6, 1))
    receive(keeps, 50, preparer=staff_a, approver=approver_a, date=dt.date(2025, 6, 1))
    # money received in the new year stays: only what was left on 31 December lapses
    receive(lapsing, 40, preparer=staff_a, approver=approver_a, date=dt.date(2026, 1, 1))
    assert tasks.lapse_funds.apply(kwargs={"year": 2025}).get() == 1
    assert tasks.lapse_funds.apply(kwargs={"year": 2025}).get() == 0  # idempotent per year
    lapse = JournalEntry.objects.get(reference=actions.lapse_reference(lapsing.pk, 2025))
    assert (lapse.status, lapse.kind, lapse.date) == (EntryStatus.POSTED, EntryKind.LAPSE, dt.date(2025, 12, 31))
    assert lapse.prepared_by.username.startswith("system_funding_")
    assert not lapse.prepared_by.has_usable_password()
    balance = FundBalance.objects.get(fund=lapsing)
    assert (balance.lapsed, balance.balance) == (Decimal(300), Decimal(40))
    assert FundBalance.objects.get(fund=keeps).balance == Decimal(50)
    # a user's run covers only that user's scope
    assert tasks.lapse_funds.apply(kwargs={"year": 2026, "user_id": staff_a.pk}).get() == 1


def test_scheduled_lapse_defaults_to_the_year_just_ended(community_a, staff_a, approver_a, monkeypatch):
    from django.utils import timezone

    lapsing = make_fund(
        community_a, restriction=Restriction.PURPOSE, uses=[Use.OFFICE], lapses_at_year_end=True, name="年度专项"
    )
    receive(lapsing, 10, preparer=staff_a, approver=approver_a, date=dt.date(2025, 3, 1))
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 1, 1))
    assert tasks.lapse_funds.apply().get() == 1
    assert JournalEntry.objects.filter(reference=actions.lapse_reference(lapsing.pk, 2025)).exists()


def test_a_fund_that_cannot_lapse_does_not_stop_the_others(community_a, community_b, staff_a, approver_a):
    from tests import factories as f

    one = make_fund(community_a, restriction=Restriction.PURPOSE, uses=[Use.OFFICE], lapses_at_year_end=True)
    two = make_fund(community_b, restriction=Restriction.PURPOSE, uses=[Use.OFFICE], lapses_at_year_end=True)
    receive(one, 10, preparer=staff_a, approver=approver_a, date=dt.date(2025, 3, 1))
    staff_b, approver_b = f.staff_of(community_b), f.staff_of(community_b)
    receive(two, 20, preparer=staff_b, approver=approver_b, date=dt.date(2025, 3, 1))
    FiscalPeriod.objects.create(community=community_a, year=2025, month=12, closed=True)
    assert tasks.lapse_funds.apply(kwargs={"year": 2025}).get() == 1
    assert FundBalance.objects.get(fund=two).lapsed == Decimal(20)
    assert FundBalance.objects.get(fund=one).balance == Decimal(10)


def test_posting_keeps_the_monthly_totals(community_a, staff_a, approver_a):
    from funding.models import FundMonth
    from tests.funding.factories import acct, post, spend_lines

    fund = make_fund(community_a, restriction=Restriction.PURPOSE, uses=[Use.OFFICE])
    receive(fund, 300, preparer=staff_a, approver=approver_a, date=dt.date(2025, 3, 3))
    receive(fund, 20, preparer=staff_a, approver=approver_a, date=dt.date(2025, 3, 30))
    post(spend_lines(fund, 50), community=community_a, preparer=staff_a, approver=approver_a, date=dt.date(2025, 4, 1))
    rows = {
        (m.account.code, m.year, m.month): (m.debit, m.credit)
        for m in FundMonth.objects.filter(fund=fund).select_related("account")
    }
    assert rows == {
        ("1002", 2025, 3): (Decimal(320), Decimal(0)),
        ("4101", 2025, 3): (Decimal(0), Decimal(320)),
        ("5201", 2025, 4): (Decimal(50), Decimal(0)),
        ("1002", 2025, 4): (Decimal(0), Decimal(50)),
    }
    scope = Scope("county", county_id=community_a.town.county_id)
    statement = selectors.source_and_use(scope=scope, start=dt.date(2025, 3, 1), end=dt.date(2025, 4, 30))
    assert (statement.income_total.restricted, statement.expense_total.restricted) == (Decimal(320), Decimal(50))
    assert selectors.government_investment(scope=scope, end=dt.date(2025, 4, 1)) == Decimal(50)
    assert selectors.government_investment(scope=scope, end=dt.date(2025, 3, 31)) == 0
    assert acct("1002")  # the chart is there


def test_statement_query_count_does_not_grow_with_lines(community_a, staff_a, approver_a, count_queries):
    from tests.conftest import assert_flat

    fund = make_fund(community_a)
    scope = Scope("county", county_id=community_a.town.county_id)
    window = {"start": dt.date(2025, 1, 15), "end": dt.date(2025, 6, 10)}
    receive(fund, 10, preparer=staff_a, approver=approver_a, date=dt.date(2025, 2, 1))
    with count_queries() as few:
        selectors.source_and_use(scope=scope, **window)
    for day in (1, 16, 20):
        for month in (1, 3, 6):
            receive(fund, 10, preparer=staff_a, approver=approver_a, date=dt.date(2025, month, day))
    with count_queries() as many:
        statement = selectors.source_and_use(scope=scope, **window)
    assert_flat(few, many)
    assert len(many) <= 2
    assert statement.income_total.total == Decimal(10) * 7  # Jan 16, 20, Feb 1, Mar 1, 16, 20, Jun 1

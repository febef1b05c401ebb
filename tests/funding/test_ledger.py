"""The ledger's rules, each refused with a message naming the rule and nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, transaction

from funding import actions
from funding.choices import EntryKind, EntryStatus, Restriction, Use
from funding.models import FundBalance, JournalEntry, JournalLine
from tests.funding.factories import DAY, acct, make_fund, post, receive, spend_lines

pytestmark = pytest.mark.django_db


def _counts():
    return JournalEntry.objects.count(), JournalLine.objects.count()


def test_unbalanced_voucher_is_refused(community_a, staff_a):
    fund = make_fund(community_a)
    before = _counts()
    lines = spend_lines(fund, 100)
    lines[1]["amount"] = Decimal("99.99")
    with pytest.raises(ValidationError, match="Unbalanced voucher"):
        actions.entry_create(by=staff_a, community=community_a, date=DAY, memo="x", lines=lines)
    assert _counts() == before


def test_balance_is_per_fund(community_a, staff_a):
    one, two = make_fund(community_a), make_fund(community_a)
    lines = [
        {"account": acct("5201"), "fund": one, "side": "debit", "amount": Decimal(10)},
        {"account": acct("1002"), "fund": two, "side": "credit", "amount": Decimal(10)},
    ]
    with pytest.raises(ValidationError, match="every fund"):
        actions.entry_create(by=staff_a, community=community_a, date=DAY, memo="x", lines=lines)


def test_line_without_a_fund_is_refused(community_a, staff_a):
    fund = make_fund(community_a)
    lines = spend_lines(fund, 10)
    lines[0]["fund"] = None
    with pytest.raises(ValidationError, match="needs a fund"):
        actions.entry_create(by=staff_a, community=community_a, date=DAY, memo="x", lines=lines)
    assert _counts() == (0, 0)


def test_fund_of_another_community_is_refused(community_a, community_b, staff_a):
    with pytest.raises(ValidationError, match="another community"):
        actions.entry_create(
            by=staff_a, community=community_a, date=DAY, memo="x", lines=spend_lines(make_fund(community_b), 10)
        )


def test_restricted_money_only_for_its_purpose(community_a, staff_a, approver_a):
    fund = make_fund(community_a, kind="enterprise_donation", restriction=Restriction.PURPOSE, uses=[Use.ACTIVITIES])
    receive(fund, 1000, preparer=staff_a, approver=approver_a)
    with pytest.raises(ValidationError, match="only be spent on its purpose"):
        actions.entry_create(
            by=staff_a, community=community_a, date=DAY, memo="x", lines=spend_lines(fund, 10, expense="5601")
        )
    post(spend_lines(fund, 10, expense="5501"), community=community_a, preparer=staff_a, approver=approver_a)
    assert FundBalance.objects.get(fund=fund).balance == Decimal("990.00")


def test_time_window_restriction(community_a, staff_a, approver_a):
    fund = make_fund(
        community_a, restriction=Restriction.TIME, valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 3, 31)
    )
    receive(fund, 100, preparer=staff_a, approver=approver_a)
    with pytest.raises(ValidationError, match="between"):
        actions.entry_create(
            by=staff_a, community=community_a, date=dt.date(2026, 4, 1), memo="x", lines=spend_lines(fund, 10)
        )


def test_spending_beyond_the_balance_is_refused_and_nothing_changes(community_a, staff_a, approver_a):
    fund = make_fund(community_a, restriction=Restriction.PURPOSE, uses=[Use.OFFICE])
    receive(fund, 100, preparer=staff_a, approver=approver_a)
    entry = actions.entry_create(
        by=staff_a, community=community_a, date=DAY, memo="超支", lines=spend_lines(fund, "100.01")
    )
    actions.entry_approve(by=approver_a, entry_id=entry.pk)
    with pytest.raises(ValidationError, match="below zero"):
        actions.entry_post(by=staff_a, entry_id=entry.pk)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED and entry.number is None
    assert FundBalance.objects.get(fund=fund).balance == Decimal("100.00")


def test_approver_must_differ_from_preparer(community_a, staff_a):
    fund = make_fund(community_a)
    entry = actions.entry_create(by=staff_a, community=community_a, date=DAY, memo="x", lines=spend_lines(fund, 1))
    with pytest.raises(ValidationError, match="four-eyes"):
        actions.entry_approve(by=staff_a, entry_id=entry.pk)
    with pytest.raises(ValidationError, match="approved"):
        actions.entry_post(by=staff_a, entry_id=entry.pk)
    # the database holds the rule too
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(status=EntryStatus.APPROVED, approved_by=staff_a)


def test_posting_into_a_closed_period_is_refused(community_a, staff_a, approver_a):
    fund = make_fund(community_a)
    entry = actions.entry_create(
        by=staff_a,
        community=community_a,
        date=DAY,
        memo="x",
        lines=[
            {"account": acct("1002"), "fund": fund, "side": "debit", "amount": Decimal(5)},
            {"account": acct("4101"), "fund": fund, "side": "credit", "amount": Decimal(5)},
        ],
    )
    actions.entry_approve(by=approver_a, entry_id=entry.pk)
    with pytest.raises(ValidationError, match="not posted yet"):
        actions.period_close(by=staff_a, community=community_a, year=DAY.year, month=DAY.month)
    actions.entry_post(by=staff_a, entry_id=entry.pk)
    actions.period_close(by=staff_a, community=community_a, year=DAY.year, month=DAY.month)
    with pytest.raises(ValidationError, match="is closed"):
        actions.entry_create(by=staff_a, community=community_a, date=DAY, memo="y", lines=spend_lines(fund, 1))
    late = actions.entry_create(
        by=staff_a, community=community_a, date=DAY + dt.timedelta(days=30), memo="y", lines=spend_lines(fund, 1)
    )
    actions.entry_approve(by=approver_a, entry_id=late.pk)
    late_date = DAY.replace(day=20)
    JournalEntry.objects.filter(pk=late.pk).update(date=late_date)  # a draft moved back by hand
    with pytest.raises(ValidationError, match="is closed"):
        actions.entry_post(by=staff_a, entry_id=late.pk)
    assert JournalEntry.objects.get(pk=late.pk).status == EntryStatus.APPROVED


def test_posted_voucher_cannot_be_edited_only_reversed(community_a, staff_a, approver_a):
    fund = make_fund(community_a)
    entry = receive(fund, 50, preparer=staff_a, approver=approver_a)
    with pytest.raises(ValidationError, match="correct it with a reversal"):
        actions.entry_update(by=staff_a, entry_id=entry.pk, memo="改")
    with pytest.raises(ValidationError, match="correct it with a reversal"):
        actions.entry_discard(by=staff_a, entry_id=entry.pk)
    reversal = actions.entry_reverse(by=staff_a, entry_id=entry.pk, date=DAY)
    assert reversal.kind == EntryKind.REVERSAL and reversal.reversal_of_id == entry.pk
    with pytest.raises(ValidationError, match="already been reversed"):
        actions.entry_reverse(by=staff_a, entry_id=entry.pk)
    actions.entry_approve(by=approver_a, entry_id=reversal.pk)
    actions.entry_post(by=staff_a, entry_id=reversal.pk)
    assert FundBalance.objects.get(fund=fund).balance == 0
    with pytest.raises(ValidationError, match="cannot itself be reversed"):
        actions.entry_reverse(by=staff_a, entry_id=reversal.pk)


def test_reversal_of_spent_income_cannot_overdraw(community_a, staff_a, approver_a):
    fund = make_fund(community_a)
    income = receive(fund, 50, preparer=staff_a, approver=approver_a)
    post(spend_lines(fund, 30), community=community_a, preparer=staff_a, approver=approver_a)
    reversal = actions.entry_reverse(by=staff_a, entry_id=income.pk, date=DAY)
    actions.entry_approve(by=approver_a, entry_id=reversal.pk)
    with pytest.raises(ValidationError, match="below zero"):
        actions.entry_post(by=staff_a, entry_id=reversal.pk)


def test_triggers_refuse_raw_changes_to_posted_vouchers(community_a, staff_a, approver_a):
    fund = make_fund(community_a)
    entry = receive(fund, 50, preparer=staff_a, approver=approver_a)
    for statement in (
        lambda: JournalEntry.objects.filter(pk=entry.pk).update(memo="偷改"),
        lambda: JournalLine.objects.filter(entry=entry).update(amount=Decimal(60)),
        lambda: JournalLine.objects.filter(entry=entry).delete(),
        lambda: JournalLine.objects.create(entry=entry, account=acct("1002"), fund=fund, side="debit", amount=1),
    ):
        with pytest.raises((IntegrityError, InternalError), match="posted"), transaction.atomic():
            statement()
    assert JournalEntry.objects.get(pk=entry.pk).memo == "收到资金"


def test_trigger_refuses_raw_posting_into_closed_period(community_a, staff_a, approver_a):
    fund = make_fund(community_a)
    entry = actions.entry_create(by=staff_a, community=community_a, date=DAY, memo="x", lines=spend_lines(fund, 1))
    from funding.models import FiscalPeriod

    FiscalPeriod.objects.create(community=community_a, year=DAY.year, month=DAY.month, closed=True)
    with pytest.raises((IntegrityError, InternalError), match="closed"), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(
            status=EntryStatus.POSTED,
            approved_by=approver_a,
            number=99,
            posted_at=dt.datetime(2026, 3, 10, tzinfo=dt.UTC),
        )


def test_voucher_numbers_are_gap_free_per_community_and_year(community_a, community_b, staff_a, approver_a, staff_b):
    from tests import factories as f

    fund = make_fund(community_a)
    receive(fund, 100, preparer=staff_a, approver=approver_a)
    draft = actions.entry_create(by=staff_a, community=community_a, date=DAY, memo="作废", lines=spend_lines(fund, 1))
    actions.entry_discard(by=staff_a, entry_id=draft.pk)
    post(spend_lines(fund, 1), community=community_a, preparer=staff_a, approver=approver_a)
    receive(fund, 5, preparer=staff_a, approver=approver_a, date=dt.date(2027, 1, 5))
    other = make_fund(community_b)
    receive(other, 5, preparer=staff_b, approver=f.staff_of(community_b))
    numbers = list(
        JournalEntry.objects.filter(community=community_a).order_by("year", "number").values_list("year", "number")
    )
    assert numbers == [(2026, 1), (2026, 2), (2027, 1)]
    assert JournalEntry.objects.get(community=community_b).number == 1


def test_release_and_lapse(community_a, staff_a, approver_a):
    restricted = make_fund(
        community_a, restriction=Restriction.PURPOSE, uses=[Use.OFFICE], lapses_at_year_end=True, name="专项"
    )
    free = make_fund(community_a, name="非限定")
    receive(restricted, 300, preparer=staff_a, approver=approver_a)
    release = actions.fund_release(
        by=staff_a, fund_id=restricted.pk, to_fund_id=free.pk, amount=Decimal(100), date=DAY, memo="解除限定"
    )
    actions.entry_approve(by=approver_a, entry_id=release.pk)
    actions.entry_post(by=staff_a, entry_id=release.pk)
    lapse = actions.fund_lapse(by=staff_a, fund_id=restricted.pk, year=2026)
    assert actions.fund_lapse(by=staff_a, fund_id=restricted.pk, year=2026).pk == lapse.pk
    r, u = FundBalance.objects.get(fund=restricted), FundBalance.objects.get(fund=free)
    assert (r.received, r.released, r.lapsed, r.balance) == (Decimal(300), Decimal(-100), Decimal(200), 0)
    assert (u.released, u.balance) == (Decimal(100), Decimal(100))
    with pytest.raises(ValidationError, match="does not lapse"):
        actions.fund_lapse(by=staff_a, fund_id=free.pk, year=2026)


def test_project_cancel_refunds_residents(community_a, staff_a, approver_a):
    from funding.choices import ProjectStatus
    from funding.models import Project

    project = Project.objects.create(community=community_a, name="路灯", status=ProjectStatus.FUNDRAISING)
    fund = make_fund(
        community_a,
        kind="resident_fundraising",
        restriction=Restriction.PURPOSE,
        uses=[Use.PUBLIC_WELFARE],
        project=project,
    )
    receive(fund, 1200, preparer=staff_a, approver=approver_a)
    post(spend_lines(fund, 200, expense="5301"), community=community_a, preparer=staff_a, approver=approver_a)
    with pytest.raises(ValidationError, match="reason"):
        actions.project_cancel(by=staff_a, project_id=project.pk, reason=" ")
    refunds = actions.project_cancel(by=staff_a, project_id=project.pk, reason="居民表决取消")
    assert len(refunds) == 1
    balance = FundBalance.objects.get(fund=fund)
    assert (balance.balance, balance.lapsed, balance.spent) == (0, Decimal(1000), Decimal(200))
    project.refresh_from_db()
    assert project.status == ProjectStatus.CANCELLED
    from community.scoping import scope_of
    from funding import selectors

    (row,) = selectors.project_accounts(scope=scope_of(staff_a))
    assert (row.raised_total, row.spent, row.refunded, row.balance) == (Decimal(1200), Decimal(200), Decimal(1000), 0)


def test_budget_versions_need_approval_by_another(community_a, staff_a, approver_a):
    from funding.choices import BudgetStatus
    from funding.models import FundingSource

    county = FundingSource.objects.get(code="county_budget")
    budget = actions.budget_create(
        by=staff_a, community=community_a, year=2026, lines=[(county, Use.OFFICE, Decimal(1000))]
    )
    with pytest.raises(ValidationError, match="four-eyes"):
        actions.budget_approve(by=staff_a, budget_id=budget.pk)
    actions.budget_approve(by=approver_a, budget_id=budget.pk)
    with pytest.raises(ValidationError, match="reason"):
        actions.budget_adjust(by=staff_a, budget_id=budget.pk, lines=[(county, Use.OFFICE, Decimal(1500))], reason="")
    v2 = actions.budget_adjust(
        by=staff_a, budget_id=budget.pk, lines=[(county, Use.OFFICE, Decimal(1500))], reason="追加"
    )
    assert v2.version == 2 and v2.status == BudgetStatus.DRAFT
    actions.budget_approve(by=approver_a, budget_id=v2.pk)
    budget.refresh_from_db()
    assert budget.status == BudgetStatus.SUPERSEDED
    fund = make_fund(community_a, kind="county_budget")
    receive(fund, 2000, preparer=staff_a, approver=approver_a)
    post(spend_lines(fund, 400), community=community_a, preparer=staff_a, approver=approver_a)
    from community.scoping import scope_of
    from funding import selectors

    (row,) = selectors.budget_vs_actual(scope=scope_of(staff_a), year=2026)
    assert (row.budget, row.actual, row.variance) == (Decimal(1500), Decimal(400), Decimal(1100))


def test_bad_amounts_are_refused(community_a, staff_a):
    fund = make_fund(community_a)
    for amount in ("0", "-5", "1.234", "abc", "NaN"):
        lines = spend_lines(fund, 1)
        lines[0]["amount"] = lines[1]["amount"] = amount
        with pytest.raises(ValidationError):
            actions.entry_create(by=staff_a, community=community_a, date=DAY, memo="x", lines=lines)
    assert _counts() == (0, 0)

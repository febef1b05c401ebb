"""Property tests (hypothesis) and the concurrency test on PostgreSQL."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, DecimalField, F, Sum, When
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funding import actions
from funding.choices import BALANCE_TYPES, EntryStatus, Restriction, Use
from funding.models import CostSplit, CostSplitShare, FundBalance, FundingSource, JournalEntry, JournalLine
from tests import factories as f
from tests.funding.factories import DAY, acct, make_fund, spend_lines

EXPENSES = {Use.OFFICE: "5201", Use.ACTIVITIES: "5501", Use.ADMINISTRATION: "5601"}

operations = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(0, 2), st.integers(1, 50_000)),
        st.tuples(st.just("spend"), st.integers(0, 2), st.integers(1, 50_000), st.sampled_from(sorted(EXPENSES))),
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture
def ledger(db, community_a, staff_a, approver_a):
    funds = [
        make_fund(community_a, name="非限定"),
        make_fund(community_a, name="办公专项", restriction=Restriction.PURPOSE, uses=[Use.OFFICE]),
        make_fund(community_a, name="活动专项", restriction=Restriction.PURPOSE, uses=[Use.ACTIVITIES, Use.OFFICE]),
    ]
    return community_a, staff_a, approver_a, funds


def _try_post(community, preparer, approver, lines) -> bool:
    try:
        with transaction.atomic():
            entry = actions.entry_create(by=preparer, community=community, date=DAY, memo="p", lines=lines)
            actions.entry_approve(by=approver, entry_id=entry.pk)
            actions.entry_post(by=preparer, entry_id=entry.pk)
    except ValidationError:
        return False
    return True


SIGNED = Case(When(side="debit", then=F("amount")), default=-F("amount"), output_field=DecimalField())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_any_sequence_keeps_funds_balanced_and_non_negative(ledger, ops):
    community, preparer, approver, funds = ledger
    with transaction.atomic():
        expected = {fund.pk: Decimal(0) for fund in funds}
        for op in ops:
            fund = funds[op[1]]
            amount = Decimal(op[2]) / 100
            before = dict(FundBalance.objects.filter(fund__in=funds).values_list("fund_id", "balance"))
            posted_before = JournalEntry.objects.filter(status=EntryStatus.POSTED).count()
            if op[0] == "receive":
                lines = [
                    {"account": acct("1002"), "fund": fund, "side": "debit", "amount": amount},
                    {"account": acct("4101"), "fund": fund, "side": "credit", "amount": amount},
                ]
                allowed = True
            else:
                use = op[3]
                lines = spend_lines(fund, amount, expense=EXPENSES[use])
                allowed = expected[fund.pk] >= amount and (fund.restriction == Restriction.NONE or use in fund.uses)
            assert _try_post(community, preparer, approver, lines) == allowed
            if allowed:
                expected[fund.pk] += amount if op[0] == "receive" else -amount
            else:  # refused: nothing changed
                assert dict(FundBalance.objects.filter(fund__in=funds).values_list("fund_id", "balance")) == before
                assert JournalEntry.objects.filter(status=EntryStatus.POSTED).count() == posted_before
        kept = dict(FundBalance.objects.filter(fund__in=funds).values_list("fund_id", "balance"))
        assert kept == expected
        assert all(v >= 0 for v in kept.values())
        from_lines = dict(
            JournalLine.objects.filter(
                entry__status=EntryStatus.POSTED, fund__in=funds, account__type__in=BALANCE_TYPES
            )
            .values_list("fund_id")
            .annotate(total=Sum(SIGNED))
        )
        assert {k: v for k, v in kept.items() if v} == {k: v for k, v in from_lines.items() if v}
        unbalanced = (
            JournalLine.objects.filter(entry__status=EntryStatus.POSTED)
            .values("entry_id", "fund_id")
            .annotate(total=Sum(SIGNED))
            .exclude(total=0)
        )
        assert not unbalanced.exists()
        transaction.set_rollback(True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    shares=st.lists(st.integers(1, 100), min_size=1, max_size=5),
    cents=st.integers(0, 10_000_000),
)
def test_split_parts_add_up_to_the_cent(db, shares, cents):
    total = sum(shares)
    basis = [s * 10000 // total for s in shares]
    basis[0] += 10000 - sum(basis)
    if any(b <= 0 for b in basis):
        return
    with transaction.atomic():
        split = CostSplit.objects.create(name="性质测试")
        sources = list(FundingSource.objects.order_by("code")[: len(basis)])
        for source, bp in zip(sources, basis, strict=True):
            CostSplitShare.objects.create(split=split, source=source, basis_points=bp)
        amount = Decimal(cents) / 100
        parts = actions.costsplit_allocate(split=split, amount=amount)
        assert sum(p for _s, p in parts) == amount
        for share, part in parts:
            exact = amount * share.basis_points / 10000
            assert abs(part - exact) < Decimal("0.01")
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_concurrent_spending_never_overdraws_a_restricted_fund():
    from tests.funding.factories import ensure_defaults, ensure_roles, receive

    ensure_defaults()
    ensure_roles()
    community = f.CommunityFactory()
    preparer, approver = f.staff_of(community), f.staff_of(community)
    fund = make_fund(community, restriction=Restriction.PURPOSE, uses=[Use.OFFICE])
    receive(fund, 1000, preparer=preparer, approver=approver, date=dt.date(2026, 3, 1))
    drafts = []
    for _ in range(6):
        entry = actions.entry_create(
            by=preparer, community=community, date=DAY, memo="并发", lines=spend_lines(fund, 300)
        )
        actions.entry_approve(by=approver, entry_id=entry.pk)
        drafts.append(entry.pk)
    barrier = threading.Barrier(len(drafts))
    results, errors = [], []

    def spend(entry_id):
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):
                actions.entry_post(by=preparer, entry_id=entry_id)
            results.append(entry_id)
        except ValidationError as exc:
            with translation.override("en"):
                errors.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=spend, args=(pk,)) for pk in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 3 and len(errors) == 3
    assert all("below zero" in message for message in errors)
    balance = FundBalance.objects.get(fund=fund)
    assert balance.spent == Decimal(900) and balance.balance == Decimal(100)
    numbers = sorted(JournalEntry.objects.filter(status=EntryStatus.POSTED).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]

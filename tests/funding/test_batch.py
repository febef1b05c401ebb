"""Posting in a batch (``post_batch``, ``obligations_post``): the single path's result row for row, refused
whole with the voucher named, once per reference, and a query count that does not grow with the vouchers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from funding import actions
from funding.models import (
    CostSplit,
    Fund,
    FundBalance,
    FundMonth,
    JournalEntry,
    JournalLine,
    VoucherSequence,
)
from tests import factories as f
from tests.conftest import assert_flat
from tests.funding.factories import DAY, acct, make_fund, receive

pytestmark = pytest.mark.django_db

SPLIT = "县80%/镇20%"
RULE = "batch test rule"


class _Undo(Exception):
    pass


def _ledger() -> dict:
    """Everything a posting writes, by natural keys (no ids of rows a posting makes, no times)."""
    fund = ("fund__community_id", "fund__name")
    return {
        "entries": list(
            JournalEntry.objects.order_by("community_id", "year", "number").values_list(
                "community_id",
                "year",
                "number",
                "date",
                "memo",
                "kind",
                "status",
                "reference",
                "prepared_by_id",
                "approved_by_id",
                "approval_rule",
                "posted_by_id",
            )
        ),
        "lines": sorted(
            JournalLine.objects.values_list(
                "entry__community_id", "entry__number", "account_id", *fund, "side", "amount"
            )
        ),
        "balances": sorted(
            FundBalance.objects.values_list(*fund, "balance", "received", "spent", "released", "lapsed")
        ),
        "months": sorted(FundMonth.objects.values_list(*fund, "account_id", "year", "month", "debit", "credit")),
        "sequences": sorted(VoucherSequence.objects.values_list("community_id", "year", "last")),
        "funds": sorted(Fund.objects.values_list("community_id", "name", "source_id", "restriction", "uses")),
        "fund_history": sorted(Fund.history.values_list("community_id", "name", "history_type")),
        "history": list(
            JournalEntry.history.order_by("community_id", "reference", "history_id").values_list(
                "community_id", "reference", "history_type", "status", "number", "approval_rule", "history_user_id"
            )
        ),
    }


def _written_by(post) -> dict:
    """What ``post()`` writes, then rolled back (so both paths start from the same ledger)."""
    try:
        with transaction.atomic():
            post()
            raise _Undo(_ledger())
    except _Undo as undo:
        return undo.args[0]


def _receipt(fund, amount, reference, *, date=DAY) -> actions.Voucher:
    income = acct(actions.INCOME_FOR_SOURCE[fund.source.kind])
    return actions.Voucher(
        community=fund.community,
        date=date,
        memo="收到资金",
        lines=[
            actions.LineSpec(acct(actions.CASH_BANK), fund, "debit", Decimal(amount)),
            actions.LineSpec(income, fund, "credit", Decimal(amount)),
        ],
        reference=reference,
        rule=RULE,
    )


def _spend(fund, amount, reference, *, date=DAY) -> actions.Voucher:
    return actions.Voucher(
        community=fund.community,
        date=date,
        memo="支出",
        lines=[
            actions.LineSpec(acct("5201"), fund, "debit", Decimal(amount)),
            actions.LineSpec(acct(actions.CASH_BANK), fund, "credit", Decimal(amount)),
        ],
        reference=reference,
        rule=RULE,
    )


def _one_by_one(by, vouchers):
    return [
        actions.post_by_rule(
            by=by,
            community=v.community,
            date=v.date,
            memo=v.memo,
            lines=v.lines,
            kind=v.kind,
            reference=v.reference,
            rule=v.rule,
        )
        for v in vouchers
    ]


@pytest.fixture
def county_of_communities(town):
    """Three more communities of the town (with community_a and community_b: a small county's payroll)."""
    return [f.CommunityFactory(town=town) for _ in range(3)]


def _obligations(communities, month="2026-02", amount="999.99"):
    return [
        actions.Obligation(
            community=c,
            amount=Decimal(amount),
            period_label=month,
            memo=f"{month} 社区工作者报酬",
            reference=f"pay-{c.code}-{month}",
        )
        for c in communities
    ]


# --- the batch is the single path, row for row ---------------------------------------------------------


def test_batch_writes_what_posting_one_by_one_writes_row_for_row(county, community_a, community_b):
    by = f.official_of(county)
    a, b = make_fund(community_a), make_fund(community_b, kind="town_budget")
    vouchers = [
        _receipt(a, "100.00", "r1"),
        _spend(a, "30.50", "r2"),  # spends what the voucher before it brought in
        _receipt(b, "0.01", "r3"),
        _receipt(a, "7.00", "r4", date=dt.date(2026, 4, 1)),  # another month
        _spend(b, "0.01", "r5", date=dt.date(2027, 1, 2)),  # another year: its own numbering
    ]

    single = _written_by(lambda: _one_by_one(by, vouchers))
    batch = _written_by(lambda: actions.post_batch(by=by, vouchers=vouchers))

    assert batch == single
    assert [e[2] for e in batch["entries"]] == [1, 2, 3, 1, 1]  # numbered in order, per community and year
    assert len(batch["history"]) == 2 * len(vouchers)  # written approved by the rule, then posted
    assert {(h[2], h[3], h[5], h[6]) for h in batch["history"]} == {
        ("+", "approved", RULE, by.pk),
        ("~", "posted", RULE, by.pk),
    }
    assert sorted(b[2] for b in batch["balances"]) == [Decimal("0.00"), Decimal("76.50")]


def test_the_batch_keeps_the_rules_of_a_voucher_typed_and_approved_by_hand(county, community_a):
    """The same lines, balances, monthly totals and numbers as the four-eyes path (draft, approve, post)."""
    by, preparer, approver = f.official_of(county), f.staff_of(community_a), f.staff_of(community_a)
    fund = make_fund(community_a)
    vouchers = [_receipt(fund, "80.00", "h1"), _spend(fund, "80.00", "h2"), _receipt(fund, "5.25", "h3")]

    def by_hand():
        for v in vouchers:
            entry = actions.entry_create(by=preparer, community=community_a, date=v.date, memo=v.memo, lines=v.lines)
            actions.entry_approve(by=approver, entry_id=entry.pk)
            actions.entry_post(by=preparer, entry_id=entry.pk)

    hand = _written_by(by_hand)
    batch = _written_by(lambda: actions.post_batch(by=by, vouchers=vouchers))
    for rows in ("lines", "balances", "months", "sequences"):
        assert batch[rows] == hand[rows], rows


def test_a_county_payroll_in_one_batch_is_the_obligations_posted_one_by_one(
    county, community_a, community_b, county_of_communities
):
    by, split = f.official_of(county), CostSplit.objects.get(name=SPLIT)
    obligations = _obligations([community_a, community_b, *county_of_communities])

    def one_by_one():
        for o in obligations:
            actions.obligation_post(
                by=by,
                community=o.community,
                split=split,
                amount=o.amount,
                use="staff_pay",
                period_label=o.period_label,
                memo=o.memo,
                reference=o.reference,
            )

    single = _written_by(one_by_one)
    batch = _written_by(lambda: actions.obligations_post(by=by, split=split, use="staff_pay", obligations=obligations))

    assert batch == single
    assert len(batch["entries"]) == 5 and len(batch["lines"]) == 5 * 8  # 2 payers x 4 lines
    assert len(batch["funds"]) == 10 and {h[2] for h in batch["fund_history"]} == {"+"}  # made with their history


# --- refused whole, the voucher named, nothing written ----------------------------------------------


def _unbalanced(fund, reference):
    voucher = _receipt(fund, "10.00", reference)
    lines = [voucher.lines[0], actions.LineSpec(voucher.lines[1].account, fund, "credit", Decimal("9.99"))]
    return actions.Voucher(**{**voucher.__dict__, "lines": lines})


BAD = {
    "unbalanced": (lambda ctx: _unbalanced(ctx["fund"], "bad"), "Unbalanced voucher"),
    "fund of another community": (
        lambda ctx: actions.Voucher(
            **{**_receipt(ctx["foreign"], "10.00", "bad").__dict__, "community": ctx["fund"].community}
        ),
        "belongs to another community",
    ),
    "no summary": (
        lambda ctx: actions.Voucher(**{**_receipt(ctx["fund"], "1", "bad").__dict__, "memo": " "}),
        "summary",
    ),
    "closed month": (lambda ctx: _receipt(ctx["closed"], "10.00", "bad"), "is closed"),
    "overdrawn": (lambda ctx: _spend(ctx["fund"], "150.00", "bad"), "would go below zero"),
    "no reference": (lambda ctx: _receipt(ctx["fund"], "10.00", ""), "Give a reference"),
    "amount to a tenth of a cent": (lambda ctx: _receipt(ctx["fund"], "1.005", "bad"), "two decimals"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_bad_voucher_in_the_middle_refuses_the_whole_batch_and_writes_nothing(
    case, county, community_a, community_b, county_of_communities, staff_a, approver_a
):
    by = f.official_of(county)
    fund = make_fund(community_a)
    receive(fund, 100, preparer=staff_a, approver=approver_a)
    closed = make_fund(county_of_communities[0])
    actions.period_close(by=by, community=closed.community, year=DAY.year, month=DAY.month)
    other = [make_fund(c) for c in (community_b, county_of_communities[1], county_of_communities[2])]
    make_bad, message = BAD[case]
    bad = make_bad({"fund": fund, "foreign": make_fund(community_b), "closed": closed})
    # the voucher after the bad one would refill the fund: still refused, funds move in the order given
    vouchers = [_receipt(other[0], "5.00", "ok1"), _receipt(other[1], "6.00", "ok2"), bad]
    vouchers += [_receipt(fund, "100.00", "ok4"), _receipt(other[2], "7.00", "ok5")]
    before = _ledger()

    with pytest.raises(actions.VoucherRefused) as refused:
        actions.post_batch(by=by, vouchers=vouchers)

    assert refused.value.position == 3 and refused.value.reference == bad.reference
    assert refused.value.community_id == bad.community.pk
    text = " ".join(refused.value.messages)
    assert text.startswith(f"Voucher 3 of 5 ({bad.community}, reference {bad.reference or '—'}) is refused")
    assert message in text and message in " ".join(refused.value.error.messages)
    assert _ledger() == before


def test_a_voucher_posted_alone_is_refused_with_the_rules_own_message(county, community_a):
    fund = make_fund(community_a)
    with pytest.raises(ValidationError) as refused:
        actions.post_batch(by=f.official_of(county), vouchers=[_spend(fund, "1.00", "alone")])
    assert not isinstance(refused.value, actions.VoucherRefused)
    assert "would go below zero" in refused.value.messages[0]
    assert not JournalEntry.objects.exists()


def test_a_batch_reaching_outside_the_posters_scope_is_refused_before_anything(community_a, community_b, staff_a):
    vouchers = [_receipt(make_fund(community_a), "1", "mine"), _receipt(make_fund(community_b), "1", "theirs")]
    with pytest.raises(PermissionDenied):
        actions.post_batch(by=staff_a, vouchers=vouchers)
    assert not JournalEntry.objects.exists()


# --- once per reference ---------------------------------------------------------------------------------


def test_posting_the_same_references_again_posts_nothing_twice(county, community_a, community_b):
    by = f.official_of(county)
    a, b = make_fund(community_a), make_fund(community_b)
    first = actions.post_batch(by=by, vouchers=[_receipt(a, "10", "x1"), _receipt(b, "20", "x2")])
    written = _ledger()

    again = actions.post_batch(by=by, vouchers=[_receipt(a, "10", "x1"), _receipt(b, "20", "x2")])
    assert [e.pk for e in again] == [e.pk for e in first] and _ledger() == written

    # one new, one repeated within the batch, one posted before: only the new one is posted, once
    mixed = actions.post_batch(
        by=by,
        vouchers=[_receipt(a, "10", "x1"), _receipt(a, "3", "x3"), _receipt(a, "3", "x3"), _receipt(b, "1", "x2")],
    )
    assert mixed[0].pk == first[0].pk and mixed[3].pk == first[1].pk and mixed[1].pk == mixed[2].pk
    assert JournalEntry.objects.count() == 3 and JournalEntry.history.count() == 6
    assert FundBalance.objects.get(fund=a).balance == Decimal("13.00")
    assert FundBalance.objects.get(fund=b).balance == Decimal("20.00")


def test_a_redelivered_payroll_returns_the_vouchers_posted_the_first_time(county, community_a, community_b):
    by, split = f.official_of(county), CostSplit.objects.get(name=SPLIT)
    obligations = _obligations([community_a, community_b])
    first = actions.obligations_post(by=by, split=split, use="staff_pay", obligations=obligations)
    written = _ledger()
    again = actions.obligations_post(by=by, split=split, use="staff_pay", obligations=obligations)
    assert [e.pk for e in again] == [e.pk for e in first]
    assert _ledger() == written


# --- a constant number of queries -------------------------------------------------------------------


def _communities(town, n):
    return [f.CommunityFactory(town=town) for _ in range(n)]


def test_the_query_count_of_a_batch_does_not_grow_with_its_vouchers(county, town, count_queries):
    by = f.official_of(county)
    few_funds, many_funds = (
        [make_fund(c) for c in _communities(town, 5)],
        [make_fund(c) for c in _communities(town, 50)],
    )

    few_vouchers, many_vouchers = (
        [_receipt(f, "10", "q") for f in few_funds],
        [_receipt(f, "10", "q") for f in many_funds],
    )

    with count_queries() as few:
        actions.post_batch(by=by, vouchers=few_vouchers)
    with count_queries() as many:
        actions.post_batch(by=by, vouchers=many_vouchers)

    assert_flat(few, many)
    assert len(few) <= 8 * 5, few.dump()
    assert JournalEntry.objects.filter(status="posted").count() == 55


def test_the_query_count_of_a_county_payroll_does_not_grow_with_its_communities(county, town, count_queries):
    by, split = f.official_of(county), CostSplit.objects.get(name=SPLIT)
    few_places, many_places = _communities(town, 5), _communities(town, 50)

    with count_queries() as few:  # the first payroll: every community's funds are made too
        actions.obligations_post(by=by, split=split, use="staff_pay", obligations=_obligations(few_places))
    with count_queries() as many:
        actions.obligations_post(by=by, split=split, use="staff_pay", obligations=_obligations(many_places))
    assert_flat(few, many)
    assert len(few) <= 8 * 5, few.dump()

    with count_queries() as few:  # the next month: the funds are there
        actions.obligations_post(by=by, split=split, use="staff_pay", obligations=_obligations(few_places, "2026-03"))
    with count_queries() as many:
        actions.obligations_post(by=by, split=split, use="staff_pay", obligations=_obligations(many_places, "2026-03"))
    assert_flat(few, many)


def test_posting_one_voucher_by_rule_takes_a_fixed_handful_of_queries(county, community_a, count_queries):
    by = f.official_of(county)
    fund = make_fund(community_a)
    actions.post_by_rule(by=by, **_kwargs(_receipt(fund, "1", "warm")))  # the month's and sequence's rows exist
    voucher = _kwargs(_receipt(fund, "1", "one"))
    with count_queries() as one:
        actions.post_by_rule(by=by, **voucher)
    assert len(one) <= 14, one.dump()  # was 31 before the batch's posting core (see issue 22)


def _kwargs(voucher: actions.Voucher) -> dict:
    return {k: getattr(voucher, k) for k in ("community", "date", "memo", "lines", "kind", "reference", "rule")}


@pytest.mark.django_db(transaction=True)
def test_a_payroll_posted_twice_at_once_is_posted_once():
    """Two workers post the same county payroll (a redelivered job): the second waits on the month rows,
    finds the first one's vouchers and returns them."""
    import threading

    from django.db import connection
    from django.utils import translation

    from tests.funding.factories import ensure_defaults, ensure_roles

    ensure_defaults()
    ensure_roles()
    town = f.TownFactory()
    places = [f.CommunityFactory(town=town) for _ in range(3)]
    by, split = f.official_of(town.county), CostSplit.objects.get(name=SPLIT)
    obligations = _obligations(places)
    barrier = threading.Barrier(3)
    posted, errors = [], []

    def post():
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):
                entries = actions.obligations_post(by=by, split=split, use="staff_pay", obligations=obligations)
            posted.append(sorted(e.pk for e in entries))
        except Exception as exc:  # noqa: BLE001 - any failure of a worker fails the test below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and len(posted) == 3
    assert posted[0] == posted[1] == posted[2]
    assert JournalEntry.objects.count() == 3 and JournalEntry.history.count() == 6
    assert Fund.objects.count() == 6 and sorted(VoucherSequence.objects.values_list("last", flat=True)) == [1, 1, 1]


def test_the_posting_bench_runs_on_a_small_county_and_leaves_it_as_it_was(county, community_a, community_b):
    from tests.benchmarks import bench_funding, harness

    ctx = harness.BenchContext("full", county, harness.official_of(county, "bench_official"))
    before = _ledger()
    for bench in (bench_funding.POSTING, bench_funding.POSTING_SINGLE):
        bench.setup(ctx)
        assert bench.run(ctx) > 0 and "2 vouchers" in bench.note
        assert _ledger() == before  # rolled back: the run can be measured again
    met, goal = bench_funding.POSTING.check(harness.Result("posting", 0, 0, 22, 1.0, None))
    assert "vouchers/s" in goal and "queries/voucher" in goal

"""Bench rows of the funding app (``make bench``; the ledger comes from ``funding/generate.py``).

* the county's fund balances (opening/received/spent/released/lapsed/closing per fund), read from
  the balance rows kept at posting — against the bare SQL that aggregates the same figures from
  every posted journal line of the county;
* the county's source-and-use statement (收支表) over the generated span (all the lines): whole
  months read from the monthly totals kept at posting, the days of the current month from the
  lines — against the bare SQL of the same grouped aggregate over every line;
* posting throughput: the county's monthly payroll — one staff-pay obligation voucher per community
  (8 lines: county 80% / town 20%), as ``staffing.payroll.post_runs`` posts it — posted as one batch
  (``funding.actions.obligations_post`` → ``post_batch``) in one transaction, with every lock on (the
  month rows, the fund balance rows in fund order, the voucher sequences); vouchers per second and
  SQL queries per voucher, against issue 22's goal (>= 300 vouchers/s, <= 8 queries a voucher).  The
  same payroll posted one voucher at a time (``obligation_post``) is measured beside it.  Both run in a
  transaction that is rolled back, so the bench county is left as generated.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.benchmarks.harness import Bench, Result, run_sql

YEARS = 3
VOUCHERS_PER_S, QUERIES_PER_VOUCHER = 300, 8  # issue 22's goal for posting a county's payroll

LINES_SQL = """
SELECT COUNT(*) FROM funding_journalline l
JOIN funding_journalentry e ON e.id = l.entry_id
JOIN community_community c ON c.id = e.community_id
JOIN community_town t ON t.id = c.town_id
WHERE t.county_id = %s
"""

BALANCES_SQL = """
SELECT l.fund_id,
       SUM(CASE WHEN a.type IN ('asset', 'liability') THEN s.signed ELSE 0 END) AS closing,
       SUM(CASE WHEN a.type = 'income' THEN -s.signed ELSE 0 END) AS received,
       SUM(CASE WHEN a.type = 'expense' AND e.kind NOT IN ('lapse', 'refund') THEN s.signed ELSE 0 END) AS spent,
       SUM(CASE WHEN a.type IN ('net_restricted', 'net_unrestricted') THEN -s.signed ELSE 0 END) AS released,
       SUM(CASE WHEN a.type = 'expense' AND e.kind IN ('lapse', 'refund') THEN s.signed ELSE 0 END) AS lapsed
FROM funding_journalline l
CROSS JOIN LATERAL (SELECT CASE WHEN l.side = 'debit' THEN l.amount ELSE -l.amount END AS signed) s
JOIN funding_journalentry e ON e.id = l.entry_id
JOIN funding_account a ON a.id = l.account_id
JOIN community_community c ON c.id = e.community_id
JOIN community_town t ON t.id = c.town_id
WHERE t.county_id = %s AND e.status = 'posted'
GROUP BY l.fund_id
"""

STATEMENT_SQL = """
SELECT a.type, a.use, src.kind, f.restriction,
       SUM(CASE WHEN l.side = 'debit' THEN l.amount ELSE -l.amount END)
FROM funding_journalline l
JOIN funding_journalentry e ON e.id = l.entry_id
JOIN funding_account a ON a.id = l.account_id
JOIN funding_fund f ON f.id = l.fund_id
JOIN funding_fundingsource src ON src.id = f.source_id
JOIN community_community c ON c.id = e.community_id
JOIN community_town t ON t.id = c.town_id
WHERE t.county_id = %s AND e.status = 'posted' AND e.date BETWEEN %s AND %s
  AND a.type IN ('income', 'expense')
GROUP BY a.type, a.use, src.kind, f.restriction
"""


def _span() -> tuple[dt.date, dt.date]:
    today = dt.date.today()
    return dt.date(today.year - YEARS + 1, 1, 1), today


def county_lines(ctx) -> int:
    key = ("funding_lines", ctx.county.pk)
    if key not in ctx.data:
        ctx.data[key] = run_sql(LINES_SQL, [ctx.county.pk])[0][0]
    return ctx.data[key]


def _fund_balances(ctx):
    rows = ctx.get("/api/v1/funding/reports/fund-balances/").json()
    if county_lines(ctx) and not any(Decimal(str(r["closing"])) for r in rows):
        raise RuntimeError("the county's funds show no money although it has journal lines")
    return rows


def _source_and_use(ctx):
    start, end = _span()
    body = ctx.get("/api/v1/funding/reports/source-and-use/", {"start": start, "end": end}).json()
    if county_lines(ctx) and not any(Decimal(str(r["total"])) for r in body["income"]):
        raise RuntimeError("the statement shows no income although the county has journal lines")
    return body


def _statement_sql(ctx):
    start, end = _span()
    return STATEMENT_SQL, [ctx.county.pk, start, end]


class _Rollback(Exception):
    pass


MEASURED: dict[str, list[tuple[float, float]]] = {}  # (vouchers/s, queries/voucher) of each run, per county


def _posting_setup(ctx):
    """The county's communities (with their towns, as the payroll loads them) and the staff-pay split."""
    from community.models import Community
    from funding.selectors import staff_pay_split

    split = staff_pay_split()
    if split is None:
        raise RuntimeError("no cost split for staff pay: was the funding app's default data migrated?")
    communities = list(Community.objects.filter(town__county=ctx.county).select_related("town").order_by("code"))
    ctx.data["posting"] = (split, communities)


def _batch_setup(ctx):
    _posting_setup(ctx)
    MEASURED[ctx.label] = []


def _payroll(ctx):
    """One staff-pay obligation per community for this month, as the county's payroll posts it."""
    from funding import actions

    _split, communities = ctx.data["posting"]
    month = f"{dt.date.today():%Y-%m}"
    return [
        actions.Obligation(
            community=community,
            amount=Decimal(3500 * (5 + i % 4)),  # 5 to 8 community workers at 3500 yuan
            period_label=month,
            memo=f"{month} 社区工作者报酬（基准测试）",
            reference=f"bench-pay-{community.code}-{month}",
        )
        for i, community in enumerate(communities)
    ]


def _timed_and_rolled_back(post, *, prepare=None) -> tuple[float, int]:
    """Seconds and SQL queries of ``post()`` (after an untimed ``prepare()``), then all rolled back."""
    try:
        with transaction.atomic():
            if prepare is not None:
                prepare()
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                post()
                seconds = time.perf_counter() - start
            raise _Rollback(seconds, len(captured.captured_queries))
    except _Rollback as done:
        return done.args


def _staff_pay_funds(ctx):
    """Every community's staff-pay fund of each payer, as the county's first payroll leaves them (untimed)."""
    from funding import actions

    split, communities = ctx.data["posting"]
    shares = actions.split_shares(split)
    actions.funds_for(wanted=[(c, share.source, "staff_pay") for c in communities for share in shares])


def _post_payroll_batch(ctx):
    """The county's payroll posted as one batch (timed: checks, writes, locks and posting), rolled back."""
    from funding import actions

    split, _communities = ctx.data["posting"]
    obligations = _payroll(ctx)
    seconds, queries = _timed_and_rolled_back(
        lambda: actions.obligations_post(by=ctx.official, split=split, use="staff_pay", obligations=obligations),
        prepare=lambda: _staff_pay_funds(ctx),
    )
    n = len(obligations)
    MEASURED.setdefault(ctx.label, []).append((n / seconds, queries / n))
    POSTING.note = (
        f"{n / seconds:,.0f} vouchers/s, {queries / n:.2f} queries/voucher "
        f"({n} vouchers of 8 lines, {queries} queries in all, one transaction; the funds made untimed before)"
    )
    return n / seconds


def _post_payroll_one_by_one(ctx):
    """The same payroll, one ``obligation_post`` per community (each its own savepoint), rolled back."""
    from funding import actions

    split, _communities = ctx.data["posting"]
    obligations = _payroll(ctx)

    def post():
        for o in obligations:
            actions.obligation_post(
                by=ctx.official,
                community=o.community,
                split=split,
                amount=o.amount,
                use="staff_pay",
                period_label=o.period_label,
                memo=o.memo,
                reference=o.reference,
            )

    seconds, queries = _timed_and_rolled_back(post, prepare=lambda: _staff_pay_funds(ctx))
    n = len(obligations)
    POSTING_SINGLE.note = f"{n / seconds:,.0f} vouchers/s, {queries / n:.2f} queries/voucher ({n} vouchers)"
    return n / seconds


def _posting_goal(result: Result) -> tuple[bool, str] | None:
    """Issue 22: a county's payroll posts at >= 300 vouchers/s with <= 8 queries a voucher (median of the runs)."""
    runs = MEASURED.get("full")
    if not runs:
        return None
    rate, per_voucher = statistics.median(r for r, _q in runs), max(q for _r, q in runs)
    met = rate >= VOUCHERS_PER_S and per_voucher <= QUERIES_PER_VOUCHER
    return (
        met,
        f">= {VOUCHERS_PER_S} vouchers/s ({rate:,.0f}), <= {QUERIES_PER_VOUCHER} queries/voucher ({per_voucher:.2f})",
    )


POSTING = Bench(
    name="funding: posting a county payroll as one batch (one voucher per community; rolled back)",
    run=_post_payroll_batch,
    setup=_batch_setup,
    rows=county_lines,
    check=_posting_goal,
)

POSTING_SINGLE = Bench(
    name="funding: posting the same payroll one voucher at a time (obligation_post; rolled back)",
    run=_post_payroll_one_by_one,
    setup=_posting_setup,
    rows=county_lines,
    flat=False,
)

BENCHES = [
    Bench(
        name="funding: county fund balances (/api/v1/funding/reports/fund-balances/)",
        run=_fund_balances,
        bare_sql=BALANCES_SQL,
        rows=county_lines,
        note="bare SQL: the same figures aggregated from every posted line",
    ),
    Bench(
        name="funding: county source-and-use statement, 3 years (/api/v1/funding/reports/source-and-use/)",
        run=_source_and_use,
        bare_sql=_statement_sql,
        rows=county_lines,
        note="whole months from the monthly totals, the rest from the lines; bare SQL: the aggregate over the lines",
    ),
    POSTING,
    POSTING_SINGLE,
]

"""Bench rows of the funding app (``make bench``; the ledger comes from ``funding/generate.py``).

* the county's fund balances (opening/received/spent/released/lapsed/closing per fund), read from
  the balance rows kept at posting — against the bare SQL that aggregates the same figures from
  every posted journal line of the county;
* the county's source-and-use statement (收支表) over the generated span (all the lines): whole
  months read from the monthly totals kept at posting, the days of the current month from the
  lines — against the bare SQL of the same grouped aggregate over every line;
* posting throughput: vouchers posted per second with the locks on (period row, fund balance rows
  in fund order, the voucher sequence), measured inside a transaction that is rolled back, so the
  bench county is left as generated.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from django.db import transaction

from tests.benchmarks.harness import Bench, run_sql

YEARS = 3
POSTINGS = 50

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


def _posting_setup(ctx):
    from community.models import Community
    from funding.models import Fund

    community = Community.objects.filter(town__county=ctx.county).order_by("code").first()
    fund = Fund.objects.filter(community=community, restriction="none").order_by("pk").first()
    if fund is None:
        raise RuntimeError("the bench county has no unrestricted fund: was funding/generate.py run?")
    ctx.data["posting"] = (community, fund)


def _post_vouchers(ctx):
    """Draft and approve POSTINGS receipts, then post them one by one (timed), all rolled back."""
    from community.choices import ScopeLevel
    from community.models import User
    from funding import actions
    from funding.choices import Side

    community, fund = ctx.data["posting"]
    bank, income = actions.account(actions.CASH_BANK), actions.account(actions.INCOME_FOR_SOURCE[fund.source.kind])
    today = dt.date.today()
    try:
        with transaction.atomic():
            approver = User.objects.create(
                username="bench_funding_approver", scope_level=ScopeLevel.COUNTY, county=ctx.county
            )
            drafts = []
            for i in range(POSTINGS):
                amount = Decimal(i + 1)
                entry = actions.entry_create(
                    by=ctx.official,
                    community=community,
                    date=today,
                    memo="基准测试收款",
                    lines=[
                        actions.LineSpec(bank, fund, Side.DEBIT, amount),
                        actions.LineSpec(income, fund, Side.CREDIT, amount),
                    ],
                )
                actions.entry_approve(by=approver, entry_id=entry.pk)
                drafts.append(entry.pk)
            start = time.perf_counter()
            for pk in drafts:
                actions.entry_post(by=ctx.official, entry_id=pk)
            seconds = time.perf_counter() - start
            raise _Rollback(seconds)
    except _Rollback as done:
        seconds = done.args[0]
    rate = POSTINGS / seconds if seconds else 0.0
    POSTING.note = f"{rate:,.0f} vouchers/s posted ({POSTINGS} per run, locks on; drafting and approval not timed)"
    return rate


POSTING = Bench(
    name=f"funding: posting throughput ({POSTINGS} receipts drafted, approved, posted; rolled back)",
    run=_post_vouchers,
    setup=_posting_setup,
    rows=county_lines,
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
]

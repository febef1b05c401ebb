"""Scale data of the funding app for ``generate_county`` (see ``community/demo/generate.py``).

About 1,000,000 journal lines at 120,000 households (``--extra journal_lines=N`` to choose),
shared between the county's communities in proportion to their households, over the current year
and the two before it.  Each community gets its funds (county and town grants, one restricted to
the office and one to staff pay, an enterprise donation restricted to public-welfare works and
activities, the residents' fund-raising of a project, and its own income: property-management
fees, paid services, referral fees), then vouchers in date order: receipts (Dr bank / Cr income),
spending (Dr the use's expense / Cr bank, never beyond the fund's balance and, for a restricted
fund, only on its uses) and now and then a release from a restriction (four lines over two funds).
Every voucher balances per fund, is posted by the ``generate_county`` approval rule and carries a
gap-free number per community and year; the fund balance rows, the monthly totals, the voucher
sequences and the closed months (every month before the current one) are written to agree with the
lines.

Everything is written with ``ctx.copy_rows``/``ctx.writer`` (COPY), the journal inside
``ctx.bulk_load``.  The insert checks of migration 0002's guard triggers are made once for the whole
journal instead of row by row: the triggers are off while it is written (for this transaction only;
the tables are locked meanwhile), then on again, and the same rules are checked with set-based
queries before the commit — every posted voucher balances per fund, none lies in a closed month —
while each community's lines are written before its vouchers, so no line is ever added to a
voucher already posted.  The closed months come last.

``clear(county)`` deletes every funding row that points into the county.  Posted vouchers and
published disclosures are immutable to everyone else, so it disables their guard triggers for
its own transaction only (``ALTER TABLE … DISABLE TRIGGER`` takes the table's exclusive lock,
so no other session can write while they are off) and turns them on again before it returns.
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import import_module

from django.apps import apps
from django.db import IntegrityError, connections, transaction

from community import unit_columns
from community.demo.bulk import analyze, deleting
from community.models import User

from .choices import AccountType, EntryKind, EntryStatus, ProjectStatus, Restriction, Side, Use
from .models import (
    Account,
    FiscalPeriod,
    Fund,
    FundBalance,
    FundingSource,
    FundMonth,
    JournalEntry,
    JournalLine,
    Project,
    VoucherSequence,
)

LINES_PER_HOUSEHOLD = 1_000_000 / 120_000
YEARS = 3
RULE = "generate_county"
GENERATED_USER = "generated_bookkeeper"
RELEASE_RATE = 0.01

# key, name, source code, restriction, uses, voucher weight, receipt share, receipt yuan, spend yuan, spent on
FUNDS = [
    (
        "ops",
        "县级财政·社区工作经费",
        "county_budget",
        Restriction.NONE,
        [],
        3,
        0.15,
        (20_000, 80_000),
        (200, 6_000),
        [Use.ADMINISTRATION, Use.SERVICES, Use.ACTIVITIES, Use.OTHER],
    ),
    (
        "office",
        "县级财政·办公用房及设施",
        "county_budget",
        Restriction.PURPOSE,
        [Use.OFFICE],
        1,
        0.2,
        (10_000, 40_000),
        (500, 9_000),
        [Use.OFFICE],
    ),
    (
        "pay",
        "镇级财政·工作人员报酬",
        "town_budget",
        Restriction.PURPOSE,
        [Use.STAFF_PAY],
        2,
        0.3,
        (10_000, 30_000),
        (1_500, 4_500),
        [Use.STAFF_PAY],
    ),
    (
        "donation",
        "企业捐赠·公益与文体",
        "enterprise_donation",
        Restriction.PURPOSE,
        [Use.PUBLIC_WELFARE, Use.ACTIVITIES],
        1,
        0.2,
        (5_000, 50_000),
        (300, 8_000),
        [Use.PUBLIC_WELFARE, Use.ACTIVITIES],
    ),
    (
        "raising",
        "居民集资·小区公益项目",
        "resident_fundraising",
        Restriction.PURPOSE,
        [Use.PUBLIC_WELFARE],
        1,
        0.6,
        (100, 2_000),
        (200, 5_000),
        [Use.PUBLIC_WELFARE],
    ),
    (
        "property",
        "物业管理收费",
        "own_property",
        Restriction.NONE,
        [],
        3,
        0.6,
        (500, 5_000),
        (200, 4_000),
        [Use.SERVICES, Use.ADMINISTRATION],
    ),
    ("services", "有偿服务收入", "own_services", Restriction.NONE, [], 2, 0.6, (50, 800), (50, 1_000), [Use.SERVICES]),
    (
        "referral",
        "帮忙公司中介费",
        "own_referral",
        Restriction.NONE,
        [],
        1,
        0.6,
        (50, 500),
        (50, 800),
        [Use.ACTIVITIES, Use.ADMINISTRATION],
    ),
]
NAMES = {spec[0]: spec[1] for spec in FUNDS}
RELEASE_TO = "property"
DONORS = ["青山建材有限公司", "临溪食品有限公司", "平安物流有限公司", "兴隆超市", "金桥电器商行", "华庭置业有限公司"]
INCOME_ACCOUNT = {
    "county_budget": "4101",
    "town_budget": "4101",
    "enterprise_donation": "4201",
    "resident_fundraising": "4301",
    "own_services": "4401",
    "own_property": "4402",
    "own_referral": "4403",
}
RECEIPT_MEMO = {
    "county_budget": "收到县财政拨付{m}月{name}",
    "town_budget": "收到镇财政拨付{m}月{name}",
    "enterprise_donation": "收到企业捐赠款",
    "resident_fundraising": "收到居民集资款",
    "own_services": "收取{m}月有偿服务费",
    "own_property": "收取{m}月物业管理费",
    "own_referral": "收取帮忙公司{m}月中介费",
}
SPEND_MEMO = {
    Use.OFFICE: "购置办公设备",
    Use.STAFF_PAY: "发放{m}月社区工作者报酬",
    Use.PUBLIC_WELFARE: "小区公益设施维修",
    Use.SERVICES: "便民服务支出",
    Use.ACTIVITIES: "社区文体活动支出",
    Use.ADMINISTRATION: "购买办公用品",
    Use.OTHER: "其他零星支出",
}


@dataclass
class FundState:
    id: int
    key: str
    source: str
    restriction: str
    weight: int
    receipt_share: float
    receipt: tuple[int, int]
    spend: tuple[int, int]
    spends_on: list[str]
    received: int = 0  # cents
    spent: int = 0
    released: int = 0
    balance: int = 0


@dataclass
class Totals:
    entries: int = 0
    lines: int = 0
    funds: int = 0
    per_community: dict = field(default_factory=dict)


def cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def _accounts() -> dict[str, Account]:
    if not Account.objects.filter(code="1002").exists():  # a flushed test database: the migration's rows
        import_module("funding.migrations.0003_default_data").load(apps, None)
    return {a.code: a for a in Account.objects.all()}


def _expense_accounts(accounts: dict[str, Account]) -> dict[str, int]:
    found = {}
    for a in sorted(accounts.values(), key=lambda a: a.code):
        if a.type == AccountType.EXPENSE and a.active:
            found.setdefault(a.use, a.pk)
    return found


def _generated_user():

    user, created = User.objects.get_or_create(
        username=GENERATED_USER, defaults={"first_name": "生成数据记账员", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _months(start: dt.date, end: dt.date):
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def generate(ctx) -> Totals:
    households = sum(len(r) for r in ctx.community_households.values())
    wanted = ctx.args.get("journal_lines")
    total_lines = int(wanted) if wanted is not None else round(households * LINES_PER_HOUSEHOLD)
    totals = Totals()
    if total_lines <= 0 or not ctx.communities:
        ctx.say("funding: no journal lines asked for")
        return totals
    rng = ctx.rng
    accounts = _accounts()
    account_id = {code: a.pk for code, a in accounts.items()}
    expense_id = _expense_accounts(accounts)
    sources = {s.code: s.pk for s in FundingSource.objects.all()}
    user = _generated_user()
    today = ctx.today
    first_day = dt.date(today.year - YEARS + 1, 1, 1)
    span = (today - first_day).days + 1

    # lines per community, in proportion to its households (every community gets some)
    weights = [max(1, len(ctx.community_households.get(c.pk, ()))) for c in ctx.communities]
    weight_sum = sum(weights)
    shares = [total_lines * w // weight_sum for w in weights]
    for i in range(total_lines - sum(shares)):
        shares[i % len(shares)] += 1

    # projects and funds (few rows, ids reserved so the lines can point at them)
    project_ids = ctx.reserve_ids(Project, len(ctx.communities))
    fund_ids = iter(ctx.reserve_ids(Fund, len(ctx.communities) * len(FUNDS)))
    ctx.copy_rows(
        Project,
        ["id", "community_id", "name", "purpose", "status", "target_amount"],
        (
            (
                pk,
                c.pk,
                f"{c.name}小区公益设施改造",
                "居民集资、企业捐赠共建小区公益设施",
                ProjectStatus.IN_PROGRESS,
                cents(rng.randint(50_000, 300_000) * 100),
            )
            for pk, c in zip(project_ids, ctx.communities, strict=True)
        ),
    )
    states: dict[int, list[FundState]] = {}
    fund_rows = []
    for c, project_id in zip(ctx.communities, project_ids, strict=True):
        mine = []
        for key, name, source, restriction, uses, weight, share, receipt, spend, spends_on in FUNDS:
            pk = next(fund_ids)
            donor = rng.choice(DONORS) if source == "enterprise_donation" else ""
            uses_value = json.dumps(list(map(str, uses)))
            fund_rows.append(
                (
                    pk,
                    c.pk,
                    sources[source],
                    name,
                    restriction,
                    uses_value,
                    "；".join(str(Use(u).label) for u in uses),
                    project_id if source == "resident_fundraising" else None,
                    False,
                    donor,
                    bool(donor) and rng.random() < 0.5,
                )
            )
            mine.append(FundState(pk, key, source, restriction, weight, share, receipt, spend, spends_on))
        states[c.pk] = mine
    totals.funds = ctx.copy_rows(
        Fund,
        [
            "id",
            "community_id",
            "source_id",
            "name",
            "restriction",
            "uses",
            "purpose",
            "project_id",
            "lapses_at_year_end",
            "donor_name",
            "donor_public",
        ],
        fund_rows,
    )

    # the unit columns (community.unit_columns) given with each row: the bulk load checks them once
    line_writer = ctx.writer(
        JournalLine, ["entry_id", "account_id", "fund_id", "side", "amount", "memo", "community_id", "town_id"]
    )
    entry_writer = ctx.writer(
        JournalEntry,
        [
            "id",
            "community_id",
            "date",
            "year",
            "number",
            "memo",
            "kind",
            "status",
            "reference",
            "prepared_by_id",
            "approval_rule",
            "approved_at",
            "posted_by_id",
            "posted_at",
            "town_id",
        ],
    )
    months: dict[tuple[int, int, int, int], list[int]] = {}

    def line(entry_id, account, fund_id, side, amount, memo, date):
        line_writer.add((entry_id, account, fund_id, side, cents(amount), memo, *units))
        key = (fund_id, account, date.year, date.month)
        total = months.get(key)
        if total is None:
            total = months[key] = [0, 0]
        total[0 if side == Side.DEBIT else 1] += amount

    sequences = []
    units = (0, 0)  # the community's and its town's: set for each community below
    bank = account_id["1002"]
    written = range(0)  # the ids of the vouchers written
    user_id = user.pk
    with ctx.bulk_load(JournalLine, JournalEntry), _guards_off(ctx):
        for c, lines_wanted in zip(ctx.communities, shares, strict=True):
            units = (c.pk, c.town_id)
            funds = states[c.pk]
            by_key = {f.key: f for f in funds}
            pick = [f for f in funds for _ in range(f.weight)]
            n_vouchers = lines_wanted // 2
            if not n_vouchers:
                continue
            days = sorted(rng.randrange(span) for _ in range(n_vouchers))
            reserved = ctx.reserve_ids(JournalEntry, n_vouchers)
            written = range(written.start or reserved.start, reserved.stop)
            ids = iter(reserved)
            entries = []
            numbers: dict[int, int] = {}
            left = lines_wanted
            for offset in days:
                if left < 2:
                    break
                date = first_day + dt.timedelta(days=offset)
                pk = next(ids)
                fund = rng.choice(pick)
                month = date.month
                kind = EntryKind.NORMAL
                if (
                    left >= 4
                    and fund.restriction != Restriction.NONE
                    and fund.balance > 100_00
                    and (rng.random() < RELEASE_RATE)
                ):
                    to = by_key[RELEASE_TO]
                    amount = rng.randint(1, fund.balance // 10)
                    memo = f"经批准解除限定：{_name(fund)}转入{_name(to)}"
                    line(pk, account_id["3102"], fund.id, Side.DEBIT, amount, memo, date)
                    line(pk, bank, fund.id, Side.CREDIT, amount, memo, date)
                    line(pk, bank, to.id, Side.DEBIT, amount, memo, date)
                    line(pk, account_id["3101"], to.id, Side.CREDIT, amount, memo, date)
                    fund.released -= amount
                    fund.balance -= amount
                    to.released += amount
                    to.balance += amount
                    kind, left = EntryKind.RELEASE, left - 4
                else:
                    low_spend = fund.spend[0] * 100
                    if fund.balance < low_spend or rng.random() < fund.receipt_share:
                        amount = rng.randint(fund.receipt[0] * 100, fund.receipt[1] * 100)
                        memo = RECEIPT_MEMO[fund.source].format(m=month, name=_name(fund).split("·")[-1])
                        income = account_id[INCOME_ACCOUNT[fund.source]]
                        line(pk, bank, fund.id, Side.DEBIT, amount, memo, date)
                        if left % 2 and left >= 3 and amount > 1:  # an odd count: one receipt in two parts
                            part = amount // 2
                            line(pk, income, fund.id, Side.CREDIT, part, memo, date)
                            line(pk, income, fund.id, Side.CREDIT, amount - part, memo, date)
                            left -= 1
                        else:
                            line(pk, income, fund.id, Side.CREDIT, amount, memo, date)
                        fund.received += amount
                        fund.balance += amount
                    else:
                        amount = min(fund.balance, rng.randint(low_spend, fund.spend[1] * 100))
                        use = rng.choice(fund.spends_on)
                        memo = SPEND_MEMO[use].format(m=month)
                        line(pk, expense_id[use], fund.id, Side.DEBIT, amount, memo, date)
                        line(pk, bank, fund.id, Side.CREDIT, amount, memo, date)
                        fund.spent += amount
                        fund.balance -= amount
                    left -= 2
                number = numbers[date.year] = numbers.get(date.year, 0) + 1
                at = dt.datetime.combine(date, dt.time(9, 0), tzinfo=dt.UTC)
                entries.append(
                    (
                        pk,
                        c.pk,
                        date,
                        date.year,
                        number,
                        memo[:200],
                        kind,
                        EntryStatus.POSTED,
                        "",
                        user_id,
                        RULE,
                        at,
                        user_id,
                        at,
                        c.town_id,
                    )
                )
            # the lines first, then their posted vouchers: no line is added to a voucher already posted
            line_writer.flush()
            totals.lines += lines_wanted - left
            entry_writer.extend(entries)
            entry_writer.flush()
            totals.entries += len(entries)
            totals.per_community[c.pk] = lines_wanted - left
            sequences += [(c.pk, year, last) for year, last in sorted(numbers.items())]
        line_writer.close()
        entry_writer.close()
    _check_ledger(ctx, written)  # on the rebuilt indexes and fresh statistics

    ctx.copy_rows(VoucherSequence, ["community_id", "year", "last"], sequences)
    with ctx.bulk_load(FundMonth):
        ctx.copy_rows(
            FundMonth,
            ["fund_id", "account_id", "year", "month", "debit", "credit"],
            ((*key, cents(debit), cents(credit)) for key, (debit, credit) in sorted(months.items())),
        )
    ctx.copy_rows(
        FundBalance,
        ["fund_id", "received", "spent", "released", "lapsed", "balance"],
        (
            (f.id, cents(f.received), cents(f.spent), cents(f.released), Decimal("0.00"), cents(f.balance))
            for funds in states.values()
            for f in funds
        ),
    )
    closed_until = today.replace(day=1) - dt.timedelta(days=1)
    ctx.copy_rows(
        FiscalPeriod,
        ["community_id", "year", "month", "closed", "closed_by_id", "closed_at"],
        (
            (c.pk, year, month, True, user.pk, ctx.now)
            for c in ctx.communities
            for year, month in _months(first_day, closed_until)
        ),
    )
    analyze(
        [Account, FundingSource, Fund, FundBalance, FiscalPeriod, VoucherSequence], using=ctx.using, stats=ctx.stats
    )
    ctx.say(f"funding: {totals.funds:,} funds, {totals.entries:,} posted vouchers, {totals.lines:,} journal lines")
    return totals


@contextmanager
def _guards_off(ctx):
    """The guard triggers of the journal off while the generator writes it (this transaction only).

    With them the triggers that set the journal's unit columns (``community.unit_columns``): a line is
    written before its voucher, whose community it copies, so the writer gives them and
    :func:`_check_ledger` checks them.  ALTER TABLE takes the table's lock until the commit, so nobody
    else writes meanwhile; on leaving the block normally the triggers are on again (after an error the
    rollback turns them back on).
    """
    triggers = [*GUARDS[:2], *((table, unit_columns.SPECS[table].function) for table in JOURNAL)]
    with connections[ctx.using].cursor() as cursor:
        _no_pending_checks(cursor)
        for table, trigger in triggers:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    yield
    with connections[ctx.using].cursor() as cursor:
        _no_pending_checks(cursor)
        for table, trigger in triggers:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


def _check_ledger(ctx, entries: range) -> None:
    """What the guard triggers check on insert, once for the vouchers written (set-based).

    ``entries`` spans their ids: reserve_ids locks the table from the first reservation to the commit,
    so every voucher in it is one of them, all posted.  Each balances per fund, and none lies in a month
    closed when it was posted (the generated months are closed after the journal is written, so: none
    closed before).  The third rule, no line added to a voucher already posted, holds by the order of
    writing: lines before vouchers.
    """
    with connections[ctx.using].cursor() as cursor:
        cursor.execute(
            """
            SELECT entry_id FROM funding_journalline WHERE entry_id >= %s AND entry_id < %s
            GROUP BY entry_id, fund_id HAVING SUM(CASE WHEN side = 'debit' THEN amount ELSE -amount END) <> 0
            LIMIT 1
            """,
            [entries.start, entries.stop],
        )
        unbalanced = cursor.fetchone()
        if unbalanced is not None:
            raise IntegrityError(f"voucher {unbalanced[0]} does not balance per fund")
        cursor.execute(
            """
            SELECT e.id FROM funding_journalentry e JOIN funding_fiscalperiod p
              ON p.community_id = e.community_id AND p.closed
             AND p.year = EXTRACT(YEAR FROM e.date) AND p.month = EXTRACT(MONTH FROM e.date)
            WHERE e.id >= %s AND e.id < %s AND e.status = 'posted'
            LIMIT 1
            """,
            [entries.start, entries.stop],
        )
        closed = cursor.fetchone()
        if closed is not None:
            raise IntegrityError(f"the period of voucher {closed[0]} is closed: nothing may be posted into it")
        if ctx.bulk is None:  # a bulk load has checked the unit columns of the whole tables already
            for table, key in zip(JOURNAL, ("t.id", "t.entry_id"), strict=True):
                unit_columns.check(cursor, table, f"{key} >= %s AND {key} < %s", [entries.start, entries.stop])


def _name(fund: FundState) -> str:
    return NAMES[fund.key]


# --- clear ----------------------------------------------------------------------------------

JOURNAL = ("funding_journalentry", "funding_journalline")  # the journal's tables with unit columns
GUARDS = [
    ("funding_journalentry", "funding_entry_guard"),
    ("funding_journalline", "funding_line_guard"),
    ("funding_disclosure", "funding_disclosure_guard"),
]


def clear(county, *, using: str = "default") -> None:
    """Delete the funding rows of the county's communities (for ``generate_county --replace``)."""
    connection = connections[using]
    communities = (
        "SELECT c.id FROM community_community c JOIN community_town t ON t.id = c.town_id WHERE t.county_id = %s"
    )
    entries = f"SELECT id FROM funding_journalentry WHERE community_id IN ({communities})"
    funds = f"SELECT id FROM funding_fund WHERE community_id IN ({communities})"
    assessments = f"SELECT id FROM funding_facilityassessment WHERE community_id IN ({communities})"
    disclosures = f"SELECT id FROM funding_disclosure WHERE community_id IN ({communities})"
    budgets = f"SELECT id FROM funding_budget WHERE community_id IN ({communities})"
    statements = [
        f"DELETE FROM funding_facilityinvestment WHERE entry_id IN ({entries})",
        f"DELETE FROM funding_journalline WHERE entry_id IN ({entries})",
        f"DELETE FROM funding_journalentry WHERE community_id IN ({communities})",
        f"DELETE FROM funding_historicaljournalentry WHERE community_id IN ({communities})",
        f"DELETE FROM funding_fundbalance WHERE fund_id IN ({funds})",
        f"DELETE FROM funding_fundmonth WHERE fund_id IN ({funds})",
        f"DELETE FROM funding_fund WHERE community_id IN ({communities})",
        f"DELETE FROM funding_historicalfund WHERE community_id IN ({communities})",
        f"DELETE FROM funding_project WHERE community_id IN ({communities})",
        f"DELETE FROM funding_historicalproject WHERE community_id IN ({communities})",
        f"DELETE FROM funding_fiscalperiod WHERE community_id IN ({communities})",
        f"DELETE FROM funding_vouchersequence WHERE community_id IN ({communities})",
        f"DELETE FROM funding_budgetline WHERE budget_id IN ({budgets})",
        f"DELETE FROM funding_budget WHERE community_id IN ({communities})",
        f"DELETE FROM funding_historicalbudget WHERE community_id IN ({communities})",
        f"DELETE FROM funding_facilityassessment_items_met WHERE facilityassessment_id IN ({assessments})",
        f"DELETE FROM funding_facilityassessment WHERE community_id IN ({communities})",
        f"DELETE FROM funding_historicalfacilityassessment WHERE community_id IN ({communities})",
        f"DELETE FROM funding_disclosurequestion WHERE disclosure_id IN ({disclosures})",
        f"DELETE FROM funding_disclosure WHERE community_id IN ({communities})",
    ]
    with deleting(JournalEntry, using=using), transaction.atomic(using=using), connection.cursor() as cursor:
        # ALTER TABLE is transactional: if anything fails, the triggers are back on with the rollback
        _no_pending_checks(cursor)
        for table, trigger in GUARDS:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        for sql in statements:
            cursor.execute(sql, [county.pk])
        _no_pending_checks(cursor)
        for table, trigger in GUARDS:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


def _no_pending_checks(cursor) -> None:
    """Run the deferred foreign-key checks now (ALTER TABLE refuses a table with pending ones)."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")

"""Report selectors at a fixed query count, and the reference scenario's figures on the dashboard."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from community.scoping import scope_of
from funding import selectors
from funding.choices import Restriction, Use
from funding.models import PropertyFeeReceipt, ReferralFee
from tests import factories as f
from tests.funding.factories import make_fund, post, receive, spend_lines

pytestmark = pytest.mark.django_db

YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
SELECTORS = {
    "fund_balances_kept": (lambda s: selectors.fund_balances(scope=s), 1),
    "fund_balances_period": (lambda s: selectors.fund_balances(scope=s, start=YEAR[0], end=YEAR[1]), 2),
    "balances_by_source": (lambda s: selectors.balances_by_source(scope=s), 1),
    "source_and_use": (lambda s: selectors.source_and_use(scope=s, start=YEAR[0], end=YEAR[1]), 1),
    "budget_vs_actual": (lambda s: selectors.budget_vs_actual(scope=s, year=2026), 2),
    "project_accounts": (lambda s: selectors.project_accounts(scope=s), 2),
    "trial_balance": (lambda s: selectors.trial_balance(scope=s, end=YEAR[1]), 2),
    "voucher_register": (lambda s: list(selectors.voucher_register(scope=s, start=YEAR[0], end=YEAR[1])), 1),
    "facility_summary": (lambda s: selectors.facility_summary(scope=s), 2),
    "government_investment": (lambda s: selectors.government_investment(scope=s), 1),
}


def _activity(community, preparer, approver, n):
    for i in range(n):
        fund = make_fund(community, restriction=Restriction.PURPOSE, uses=[Use.OFFICE])
        receive(fund, 100 + i, preparer=preparer, approver=approver)
        post(spend_lines(fund, 10), community=community, preparer=preparer, approver=approver)
        f.SCOPED_FACTORIES["funding.FacilityAssessment"](community)


@pytest.mark.parametrize("name", sorted(SELECTORS))
def test_report_selectors_have_a_fixed_query_count(name, county, community_a, community_b, staff_a, approver_a):
    fn, budget = SELECTORS[name]
    scope = scope_of(f.official_of(county))
    _activity(community_a, staff_a, approver_a, 1)
    with CaptureQueriesContext(connection) as few:
        fn(scope)
    _activity(community_a, staff_a, approver_a, 4)
    _activity(community_b, f.staff_of(community_b), f.staff_of(community_b), 2)
    with CaptureQueriesContext(connection) as many:
        fn(scope)
    assert len(few) == len(many) == budget, "\n".join(q["sql"] for q in many.captured_queries)


def test_fund_balances_for_a_period_match_the_kept_rows(community_a, staff_a, approver_a):
    fund = make_fund(community_a)
    receive(fund, 500, preparer=staff_a, approver=approver_a, date=dt.date(2025, 12, 1))
    receive(fund, 200, preparer=staff_a, approver=approver_a, date=dt.date(2026, 2, 1))
    post(spend_lines(fund, 300), community=community_a, preparer=staff_a, approver=approver_a, date=dt.date(2026, 3, 1))
    scope = scope_of(staff_a)
    (row,) = selectors.fund_balances(scope=scope, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    assert (row.opening, row.received, row.spent, row.closing) == (
        Decimal(500),
        Decimal(200),
        Decimal(300),
        Decimal(400),
    )
    (kept,) = selectors.fund_balances(scope=scope)
    assert kept.closing == row.closing
    statement = selectors.source_and_use(scope=scope, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    assert statement.income_total.unrestricted == Decimal(200)
    assert statement.expense_total.total == Decimal(300)


def test_reference_scenario_is_idempotent_and_shown_on_the_dashboard(client):
    from community.dashboard import Period, collect
    from community.demo import reference as core_reference
    from funding import reference
    from funding.models import FacilityAssessment, Fund, JournalEntry, JournalLine

    ctx = core_reference.load_core()
    reference.load(ctx)
    counts = (
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        Fund.objects.count(),
        FacilityAssessment.objects.count(),
    )
    reference.load(ctx)
    assert counts == (
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        Fund.objects.count(),
        FacilityAssessment.objects.count(),
    )
    official = f.official_of(ctx.county)
    scope = scope_of(official)
    figures = {ind.key: ind.value for _section, inds in collect(scope, Period.parse("year", "2026")) for ind in inds}
    assert figures["government_investment"] == Decimal("136000.00")
    assert figures["meeting_standard"] == 5
    assert figures["average_office_area"] > 100
    assert figures["with_tv_and_vcd"] == 5
    by_source = {kind: amount for kind, _label, amount in selectors.balances_by_source(scope=scope)}
    assert by_source["enterprise_donation"] == Decimal("12000.00")
    assert by_source["resident_fundraising"] == Decimal("2000.00")
    # the seed's own income, plus the property fees the demo's 物业管理中心 collected and its referral fees
    fees = PropertyFeeReceipt.objects.aggregate(total=Sum("amount"))["total"]
    referrals = ReferralFee.objects.aggregate(total=Sum("amount"))["total"]
    assert fees > 0 and referrals > 0
    assert by_source["own_property"] == Decimal("40000.00") + fees
    assert by_source["own_referral"] == Decimal("7500.00") + referrals
    assert by_source["county_budget"] == by_source["town_budget"] == 0
    client.force_login(official)
    api = client.get("/api/v1/dashboard/", {"scope": "county", "id": ctx.county.pk, "period": "year", "value": "2026"})
    keys = {i["key"]: i["value"] for s in api.json()["sections"] for i in s["indicators"]}
    assert keys["government_investment"] == "136000.00" and keys["meeting_standard"] == 5
    page = client.get("/dashboard/", {"scope": "county", "id": ctx.county.pk, "period": "year", "value": "2026"})
    assert page.status_code == 200 and "136,000" in page.content.decode()  # the one number format
    first = ctx.communities[0]
    public = client.get(f"/funding/disclosure/{first.code}/2026/1/")
    assert public.status_code == 200 and "东风建材有限公司" in public.content.decode()

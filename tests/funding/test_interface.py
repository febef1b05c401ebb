"""The interface other apps call: cost splits and posted obligations / own income."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funding import actions
from funding.choices import EntryStatus, Use
from funding.models import CostSplit, CostSplitShare, FundBalance, FundingSource, JournalEntry
from tests import factories as f

SPLIT = "县80%/镇20%"


@pytest.fixture
def split(db):
    return CostSplit.objects.get(name=SPLIT)


def _three_way():
    split = CostSplit.objects.create(name="三方")
    for code in ("county_budget", "town_budget", "enterprise_donation"):
        CostSplitShare.objects.create(split=split, source=FundingSource.objects.get(code=code), basis_points=3333)
    CostSplitShare.objects.filter(split=split, source__code="county_budget").update(basis_points=3334)
    return split


def test_default_split_is_seeded_county_80_town_20(split):
    assert [(s.source.code, s.basis_points) for s in split.shares.order_by("-basis_points")] == [
        ("county_budget", 8000),
        ("town_budget", 2000),
    ]


@pytest.mark.parametrize(
    ("amount", "county", "town"),
    [("500.00", "400.00", "100.00"), ("0.01", "0.01", "0.00"), ("0.03", "0.02", "0.01"), ("333.33", "266.66", "66.67")],
)
def test_allocate_80_20_to_the_cent(split, amount, county, town):
    parts = actions.costsplit_allocate(split=split, amount=Decimal(amount))
    assert [(s.source.code, p) for s, p in parts] == [
        ("county_budget", Decimal(county)),
        ("town_budget", Decimal(town)),
    ]
    assert sum(p for _s, p in parts) == Decimal(amount)


@pytest.mark.django_db
def test_allocate_largest_remainder_three_ways():
    parts = actions.costsplit_allocate(split=_three_way(), amount=Decimal("100.00"))
    assert [p for _s, p in parts] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


@pytest.mark.django_db
def test_split_not_summing_to_100_is_refused():
    split = CostSplit.objects.create(name="坏的")
    CostSplitShare.objects.create(
        split=split, source=FundingSource.objects.get(code="county_budget"), basis_points=7000
    )
    with pytest.raises(ValidationError, match="100%"):
        actions.costsplit_allocate(split=split, amount=Decimal("10"))


def test_split_definition_refuses_bad_shares(county):
    official = f.official_of(county)
    county_src = FundingSource.objects.get(code="county_budget")
    town_src = FundingSource.objects.get(code="town_budget")
    with pytest.raises(ValidationError, match="100%"):
        actions.costsplit_define(by=official, name="九一", shares=[(county_src, 9000), (town_src, 900)])
    assert not CostSplit.objects.filter(name="九一").exists()
    split = actions.costsplit_define(by=official, name="九一", shares=[(county_src, 9000), (town_src, 1000)])
    assert split.shares.count() == 2


def test_obligation_post_records_each_payer_and_is_idempotent(split, community_a, staff_a):
    entry = actions.obligation_post(
        by=staff_a,
        community=community_a,
        split=split,
        amount=Decimal("500.00"),
        use=Use.STAFF_PAY,
        period_label="2026-11",
        memo="2026年11月社区工作者报酬",
        reference="payroll:2026-11:1",
    )
    assert entry.status == EntryStatus.POSTED and entry.number == 1
    assert entry.approval_rule and entry.approved_by is None
    expense = {
        line.fund.source.code: line.amount
        for line in entry.lines.select_related("fund__source", "account")
        if line.account.code == "5101"
    }
    assert expense == {"county_budget": Decimal("400.00"), "town_budget": Decimal("100.00")}
    again = actions.obligation_post(
        by=staff_a,
        community=community_a,
        split=split,
        amount=Decimal("500.00"),
        use=Use.STAFF_PAY,
        period_label="2026-11",
        memo="重复",
        reference="payroll:2026-11:1",
    )
    assert again.pk == entry.pk
    assert JournalEntry.objects.filter(community=community_a).count() == 1
    # obligations move no balance until paid, and every fund balances
    assert all(b.balance == 0 for b in FundBalance.objects.filter(fund__community=community_a))


def test_obligation_refuses_bad_input(split, community_a, staff_a, staff_b):
    kwargs = {
        "community": community_a,
        "split": split,
        "use": Use.STAFF_PAY,
        "period_label": "2026-11",
        "memo": "x",
        "reference": "r1",
    }
    with pytest.raises(ValidationError):
        actions.obligation_post(by=staff_a, amount=Decimal("-1"), **kwargs)
    with pytest.raises(ValidationError):
        actions.obligation_post(by=staff_a, amount=Decimal("1.001"), **kwargs)
    with pytest.raises(ValidationError):
        actions.obligation_post(by=staff_a, amount=Decimal("1"), **{**kwargs, "period_label": "someday"})
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.obligation_post(by=staff_b, amount=Decimal("1"), **kwargs)
    assert not JournalEntry.objects.exists()


def test_own_income_post(community_a, staff_a):
    entry = actions.own_income_post(
        by=staff_a, community=community_a, amount=Decimal("35.50"), use="家政服务", memo="家政服务费", reference="svc:1"
    )
    assert entry.status == EntryStatus.POSTED
    balance = FundBalance.objects.get(fund__community=community_a, fund__source__code="own_services")
    assert balance.balance == Decimal("35.50") and balance.received == Decimal("35.50")
    assert (
        actions.own_income_post(
            by=staff_a, community=community_a, amount=Decimal("35.50"), use="家政服务", memo="x", reference="svc:1"
        ).pk
        == entry.pk
    )

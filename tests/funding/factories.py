"""Funding rows made inside a community, registered for the generated isolation matrix."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
from decimal import Decimal

from community.choices import Role, ScopeLevel
from funding import actions
from funding.choices import Restriction, Use
from funding.models import (
    Account,
    Budget,
    BudgetLine,
    CostSplit,
    Disclosure,
    DisclosureQuestion,
    FacilityAssessment,
    FacilityInvestment,
    FacilityItem,
    FiscalPeriod,
    Fund,
    FundBalance,
    FundingSource,
    FundMonth,
    JournalEntry,
    JournalLine,
    Project,
)
from tests import factories as f

_n = itertools.count(1)
DAY = dt.date(2026, 3, 10)


def ensure_defaults() -> None:
    """The rows migration 0003 loads (a transactional test's flush erases them for the tests after it)."""
    if not FundingSource.objects.exists():
        from django.apps import apps

        importlib.import_module("funding.migrations.0003_default_data").load(apps, None)


def ensure_roles() -> None:
    """Role groups carrying this app's permissions (synced again if a fresh database missed them)."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from community.roles import sync_role_permissions

    if not Group.objects.filter(name=Role.COMMUNITY_STAFF, permissions__codename="add_journalentry").exists():
        sync_role_permissions(apps.get_app_configs())


def source(kind: str) -> FundingSource:
    ensure_defaults()
    return FundingSource.objects.get(code=kind)


def acct(code: str) -> Account:
    ensure_defaults()
    return Account.objects.get(code=code)


def make_fund(community, *, kind="county_budget", restriction=Restriction.NONE, uses=(), **extra) -> Fund:
    fund = Fund.objects.create(
        community=community,
        source=source(kind),
        name=extra.pop("name", f"资金{next(_n)}"),
        restriction=restriction,
        uses=list(uses),
        **extra,
    )
    FundBalance.objects.get_or_create(fund=fund)
    return fund


def bookkeepers(community):
    """A preparer and an approver of the same community."""
    return f.staff_of(community), f.staff_of(community)


def post(entry_lines, *, community, preparer, approver, date=DAY, memo="测试凭证", kind="normal"):
    entry = actions.entry_create(by=preparer, community=community, date=date, memo=memo, lines=entry_lines, kind=kind)
    actions.entry_approve(by=approver, entry_id=entry.pk)
    return actions.entry_post(by=preparer, entry_id=entry.pk)


def receive(fund, amount, *, preparer, approver, date=DAY):
    """Money comes into a fund: Dr bank / Cr the source's income."""
    income = actions.INCOME_FOR_SOURCE[fund.source.kind]
    return post(
        [
            {"account": acct("1002"), "fund": fund, "side": "debit", "amount": Decimal(amount)},
            {"account": acct(income), "fund": fund, "side": "credit", "amount": Decimal(amount)},
        ],
        community=fund.community,
        preparer=preparer,
        approver=approver,
        date=date,
        memo="收到资金",
    )


def spend_lines(fund, amount, *, expense="5201"):
    return [
        {"account": acct(expense), "fund": fund, "side": "debit", "amount": Decimal(amount)},
        {"account": acct("1002"), "fund": fund, "side": "credit", "amount": Decimal(amount)},
    ]


def _draft_entry(community):
    preparer = f.staff_of(community)
    fund = make_fund(community)
    return actions.entry_create(by=preparer, community=community, date=DAY, memo="草稿", lines=spend_lines(fund, 10))


def _line(community):
    return _draft_entry(community).lines.first()


def _budget(community):
    return Budget.objects.create(
        community=community, year=2000 + next(_n) % 100, version=1, prepared_by=f.staff_of(community)
    )


def _budget_line(community):
    return BudgetLine.objects.create(
        budget=_budget(community), source=source("county_budget"), use=Use.OFFICE, amount=1
    )


def _disclosure(community):
    ensure_defaults()
    return Disclosure.objects.create(
        community=community,
        year=2000 + next(_n) % 100,
        quarter=next(_n) % 4 + 1,
        content={"lines": [{"n": 1, "summary": "x"}]},
        sha256="0" * 64,
        published_by=f.staff_of(community),
    )


def _question(community):
    return DisclosureQuestion.objects.create(disclosure=_disclosure(community), line=1, question="这笔钱用在哪里？")


def _assessment(community):
    return FacilityAssessment.objects.create(
        community=community, assessed_on=dt.date(2025, 1, 1) + dt.timedelta(days=next(_n)), office_area=Decimal("120")
    )


def _investment(community):
    ensure_defaults()
    return FacilityInvestment.objects.create(
        entry=_draft_entry(community), item=FacilityItem.objects.order_by("pk").first(), amount=Decimal("10")
    )


def _period(community):
    return FiscalPeriod.objects.create(community=community, year=2020, month=next(_n) % 12 + 1)


f.SCOPED_FACTORIES.update(
    {
        "funding.Fund": lambda community: make_fund(community),
        "funding.FundBalance": lambda community: make_fund(community).balance,
        "funding.FundMonth": lambda community: FundMonth.objects.create(
            fund=make_fund(community), account=acct("1002"), year=2026, month=next(_n) % 12 + 1, debit=Decimal(5)
        ),
        "funding.Project": lambda community: Project.objects.create(community=community, name=f"项目{next(_n)}"),
        "funding.JournalEntry": _draft_entry,
        "funding.JournalLine": _line,
        "funding.Budget": _budget,
        "funding.BudgetLine": _budget_line,
        "funding.FiscalPeriod": _period,
        "funding.FacilityAssessment": _assessment,
        "funding.FacilityInvestment": _investment,
        "funding.Disclosure": _disclosure,
        "funding.DisclosureQuestion": _question,
    }
)


def make_user_of_county(county):
    return f.make_user(role=Role.COUNTY_OFFICIAL, scope_level=ScopeLevel.COUNTY, county=county)


# --- the county's chart, sources and facility list (county-wide data, for the role matrix) ---


def _split(community, dept) -> CostSplit:
    split = CostSplit.objects.create(name=f"分摊{next(_n)}", description="按户数")
    split.shares.create(source=source("county_budget"), basis_points=10000)
    return split


f.PLACED_FACTORIES.update(
    {
        "funding.Account": lambda c, dept: Account.objects.create(
            code=f"9{next(_n):04d}", name=f"测试科目{next(_n)}", type="expense", use=Use.OFFICE
        ),
        "funding.CostSplit": _split,
        "funding.FacilityItem": lambda c, dept: FacilityItem.objects.create(
            code=f"item{next(_n)}", name=f"设施{next(_n)}", group="办公"
        ),
        "funding.FundingSource": lambda c, dept: FundingSource.objects.create(
            code=f"src{next(_n)}", name=f"来源{next(_n)}", kind="social_donation"
        ),
    }
)

__all__ = ["JournalEntry", "JournalLine"]


# --- the community's own economy and the departments' grants (gov21) ---------------------------------

from funding.models import (  # noqa: E402
    DepartmentGrant,
    HouseholdArea,
    PartnerCompany,
    PropertyFeeBill,
    PropertyFeeReceipt,
    PropertyFeeSchedule,
    ReferralFee,
)


def fee_schedule(community, **extra) -> PropertyFeeSchedule:
    return PropertyFeeSchedule.objects.create(
        community=community,
        name=extra.pop("name", f"物业费标准{next(_n)}"),
        basis=extra.pop("basis", "household"),
        rate=extra.pop("rate", Decimal("30.00")),
        valid_from=extra.pop("valid_from", dt.date(2020, 1, 1) + dt.timedelta(days=next(_n))),
        **extra,
    )


def fee_bill(community, **extra) -> PropertyFeeBill:
    household = extra.pop("household", None) or f.SCOPED_FACTORIES["community.Household"](community)
    return PropertyFeeBill.objects.create(
        community=community,
        household=household,
        schedule=extra.pop("schedule", None) or fee_schedule(community),
        period=extra.pop("period", "2026-01"),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
        amount=extra.pop("amount", Decimal("30.00")),
        due_on=extra.pop("due_on", dt.date(2026, 3, 2)),
        issued_by=extra.pop("issued_by", None) or f.staff_of(community),
        **extra,
    )


def partner(community, **extra) -> PartnerCompany:
    return PartnerCompany.objects.create(
        community=community,
        name=extra.pop("name", f"家政公司{next(_n)}"),
        services=extra.pop("services", "家政、维修"),
        contact_phone=extra.pop("contact_phone", "13912345678"),
        **extra,
    )


def department_grant(community, dept=None) -> DepartmentGrant:
    from community.choices import DepartmentCode

    dept = dept or f.DepartmentFactory(county=community.town.county, code=DepartmentCode.JUSTICE)
    return DepartmentGrant.objects.create(
        community=community,
        department=dept,
        use=Use.SERVICES,
        purpose="法律援助站运行",
        amount=Decimal("1000.00"),
        granted_on=DAY,
        fund=make_fund(community),
        entry=_draft_entry(community),
        recorded_by=f.staff_of(community),
    )


f.SCOPED_FACTORIES.update(
    {
        "funding.PropertyFeeSchedule": fee_schedule,
        "funding.HouseholdArea": lambda c: HouseholdArea.objects.create(
            household=f.SCOPED_FACTORIES["community.Household"](c), area=Decimal("88.50")
        ),
        "funding.PropertyFeeBill": fee_bill,
        "funding.PropertyFeeReceipt": lambda c: PropertyFeeReceipt.objects.create(
            bill=fee_bill(c),
            number=1,
            amount=Decimal("10.00"),
            paid_on=DAY,
            entry=_draft_entry(c),
            received_by=f.staff_of(c),
        ),
        "funding.PartnerCompany": partner,
        "funding.ReferralFee": lambda c: ReferralFee.objects.create(
            company=partner(c),
            received_on=DAY,
            amount=Decimal("200.00"),
            description="介绍保洁服务",
            entry=_draft_entry(c),
            recorded_by=f.staff_of(c),
        ),
        "funding.DepartmentGrant": department_grant,
    }
)
f.PLACED_FACTORIES.update({"funding.DepartmentGrant": lambda c, dept: department_grant(c, dept)})

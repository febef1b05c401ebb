"""The reference scenario of DOMAIN.md §3, funding part (``seed_reference`` calls ``load(ctx)``).

* 136,000 yuan of government investment over two years (2025 county budget, 2026 town budget) spent
  on the five communities' offices; each office then meets the "四室两站六个一" standard, with an
  average office area over 100 m², TV and VCD and computerised management;
* an enterprise donation restricted to a purpose (东风社区 elderly activity room) and a small private
  donation whose donor did not agree to be named (西湖社区);
* a residents' fund-raising project with town matching (新华社区 stairwell lighting);
* property-management and referral-fee income in every community;
* the county 80% / town 20% cost split; an approved 2026 budget and a published 2026-Q1 disclosure for 东风社区.

Idempotent: each voucher carries a reference and is skipped when it exists; other rows are found by
their natural keys.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction

from community.choices import Role, ScopeLevel
from community.models import Department, User

from . import actions, economy, selectors
from .choices import BudgetStatus, ProjectStatus, Restriction, Side, SourceKind, Use
from .models import (
    Account,
    Budget,
    CostSplit,
    CostSplitShare,
    DepartmentGrant,
    Disclosure,
    FacilityAssessment,
    FacilityInvestment,
    FacilityItem,
    Fund,
    FundBalance,
    FundingSource,
    JournalEntry,
    PartnerCompany,
    Project,
    PropertyFeeBill,
    PropertyFeeReceipt,
    PropertyFeeSchedule,
    ReferralFee,
)

# (county grant 2025, town grant 2026, office area m²) per community, in the order of community.demo.reference
OFFICES = [
    (Decimal("20000"), Decimal("10000"), Decimal("120")),
    (Decimal("18000"), Decimal("10000"), Decimal("105")),
    (Decimal("17000"), Decimal("10000"), Decimal("98")),
    (Decimal("16000"), Decimal("10000"), Decimal("110")),
    (Decimal("15000"), Decimal("10000"), Decimal("102")),
]
GOVERNMENT_TOTAL = Decimal("136000")


def _users(ctx):
    def account(username, name):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": name, "scope_level": ScopeLevel.COUNTY, "county": ctx.county, "is_staff": False},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    return account("reference_bookkeeper", "参考记账员"), account("reference_approver", "参考审核员")


def _fund(community, name, source_code, **extra) -> Fund:
    fund, _created = Fund.objects.get_or_create(
        community=community,
        name=name,
        defaults={"source": FundingSource.objects.get(code=source_code), **extra},
    )
    FundBalance.objects.get_or_create(fund=fund)
    return fund


def _posted(*, community, reference, date, memo, lines, preparer, approver) -> JournalEntry:
    existing = JournalEntry.objects.filter(community=community, reference=reference).first()
    if existing is not None:
        return existing
    specs = [
        actions.LineSpec(Account.objects.get(code=code), fund, side, Decimal(amount))
        for code, fund, side, amount in lines
    ]
    entry = actions.entry_create(
        by=preparer, community=community, date=date, memo=memo, lines=specs, reference=reference
    )
    actions.entry_approve(by=approver, entry_id=entry.pk)
    return actions.entry_post(by=preparer, entry_id=entry.pk)


def _receive(fund, amount, *, date, memo, reference, preparer, approver):
    income = actions.INCOME_FOR_SOURCE[fund.source.kind]
    return _posted(
        community=fund.community,
        reference=reference,
        date=date,
        memo=memo,
        lines=[("1002", fund, Side.DEBIT, amount), (income, fund, Side.CREDIT, amount)],
        preparer=preparer,
        approver=approver,
    )


def _spend(fund, amount, *, expense, date, memo, reference, preparer, approver):
    return _posted(
        community=fund.community,
        reference=reference,
        date=date,
        memo=memo,
        lines=[(expense, fund, Side.DEBIT, amount), ("1002", fund, Side.CREDIT, amount)],
        preparer=preparer,
        approver=approver,
    )


@transaction.atomic
def load(ctx) -> None:
    preparer, approver = _users(ctx)
    _split()
    items = list(FacilityItem.objects.filter(active=True).order_by("order"))
    av_item = next((i for i in items if i.code == "one_av"), items[-1])
    for community, (county_part, town_part, area) in zip(ctx.communities, OFFICES, strict=True):
        _offices(community, county_part, town_part, area, items, av_item, preparer, approver)
        _own_income(community, preparer)
    first, second, third = ctx.communities[0], ctx.communities[1], ctx.communities[2]
    _donations(first, second, preparer, approver)
    _project(third, preparer, approver)
    _budget(first, preparer, approver)
    if not Disclosure.objects.filter(community=first, year=2026, quarter=1).exists():
        actions.disclosure_publish(by=preparer, community=first, year=2026, quarter=1)
    ctx.say("funding: 136,000 yuan of government investment, 5 offices to standard, donations, a project.\n")
    _economy(ctx)


def _split() -> CostSplit:
    split, _created = CostSplit.objects.get_or_create(
        name=selectors.STAFF_PAY_SPLIT, defaults={"description": "社区工作者报酬：县财政负担80%，镇财政负担20%"}
    )
    if not split.shares.exists():
        CostSplitShare.objects.create(
            split=split, source=FundingSource.objects.get(code="county_budget"), basis_points=8000
        )
        CostSplitShare.objects.create(
            split=split, source=FundingSource.objects.get(code="town_budget"), basis_points=2000
        )
    return split


def _offices(community, county_part, town_part, area, items, av_item, preparer, approver):
    office = {"restriction": Restriction.PURPOSE, "uses": [Use.OFFICE], "purpose": "社区办公用房和设施建设"}
    county_fund = _fund(community, "县级财政·办公用房建设", "county_budget", **office)
    town_fund = _fund(community, "镇级财政·办公用房建设", "town_budget", **office)
    code = community.code
    for fund, amount, year, label in (
        (county_fund, county_part, 2025, "县财政"),
        (town_fund, town_part, 2026, "镇财政"),
    ):
        _receive(
            fund,
            amount,
            date=dt.date(year, 3, 15),
            memo=f"{label}拨付社区办公用房建设资金",
            reference=f"ref:gov-in:{code}:{year}",
            preparer=preparer,
            approver=approver,
        )
        spent = _spend(
            fund,
            amount,
            expense="5201",
            date=dt.date(year, 6, 20),
            memo=f"社区办公用房改造及电视、VCD、电脑等设备购置（{year}年）",
            reference=f"ref:gov-out:{code}:{year}",
            preparer=preparer,
            approver=approver,
        )
        FacilityInvestment.objects.get_or_create(entry=spent, item=av_item, defaults={"amount": amount})
    assessment, created = FacilityAssessment.objects.get_or_create(
        community=community,
        assessed_on=dt.date(2026, 6, 30),
        defaults={
            "office_area": area,
            "has_tv": True,
            "has_vcd": True,
            "computerised": True,
            "note": "达到四室两站六个一标准",
        },
    )
    if created:
        assessment.items_met.set(items)


def _own_income(community, preparer):
    code = community.code
    actions.own_income_post(
        by=preparer,
        community=community,
        amount=Decimal("8000.00"),
        use="物业管理服务中心收费",
        memo="物业管理服务中心收取管理费",
        reference=f"ref:property:{code}:2026",
        source_kind=SourceKind.OWN_PROPERTY,
        date=dt.date(2026, 3, 31),
    )
    actions.own_income_post(
        by=preparer,
        community=community,
        amount=Decimal("1500.00"),
        use="帮忙公司中介服务",
        memo="合作帮忙公司交来中介费",
        reference=f"ref:referral:{code}:2026",
        source_kind=SourceKind.OWN_REFERRAL,
        date=dt.date(2026, 3, 31),
    )


def _donations(first, second, preparer, approver):
    donation = _fund(
        first,
        "企业捐赠·老年活动室",
        "enterprise_donation",
        restriction=Restriction.PURPOSE,
        uses=[Use.ACTIVITIES],
        purpose="老年活动室添置文体器材",
        donor_name="东风建材有限公司",
        donor_public=True,
    )
    _receive(
        donation,
        Decimal("20000"),
        date=dt.date(2026, 2, 10),
        memo="东风建材有限公司捐赠老年活动室建设资金",
        reference="ref:donation-in:1",
        preparer=preparer,
        approver=approver,
    )
    _spend(
        donation,
        Decimal("8000"),
        expense="5501",
        date=dt.date(2026, 3, 5),
        memo="老年活动室购置文体器材",
        reference="ref:donation-out:1",
        preparer=preparer,
        approver=approver,
    )
    private = _fund(
        second,
        "个人捐赠·困难居民帮扶",
        "social_donation",
        restriction=Restriction.PURPOSE,
        uses=[Use.SERVICES],
        purpose="困难居民帮扶",
        donor_name="李秀兰",
        donor_public=False,
    )
    _receive(
        private,
        Decimal("2000"),
        date=dt.date(2026, 2, 12),
        memo="李秀兰捐赠困难居民帮扶款",
        reference="ref:donation-in:2",
        preparer=preparer,
        approver=approver,
    )


def _project(community, preparer, approver):
    project, _created = Project.objects.get_or_create(
        community=community,
        name="楼道照明改造",
        defaults={
            "purpose": "居民集资、镇财政配套，改造1-6号楼楼道照明",
            "status": ProjectStatus.IN_PROGRESS,
            "target_amount": Decimal("18000"),
        },
    )
    welfare = {"restriction": Restriction.PURPOSE, "uses": [Use.PUBLIC_WELFARE], "project": project}
    residents = _fund(community, "居民集资·楼道照明改造", "resident_fundraising", purpose="楼道照明改造", **welfare)
    matching = _fund(community, "镇级财政配套·楼道照明改造", "town_budget", purpose="楼道照明改造", **welfare)
    _receive(
        residents,
        Decimal("12000"),
        date=dt.date(2026, 4, 8),
        memo="居民自愿集资（楼道照明改造）",
        reference="ref:project-in:residents",
        preparer=preparer,
        approver=approver,
    )
    _receive(
        matching,
        Decimal("6000"),
        date=dt.date(2026, 4, 20),
        memo="镇财政配套资金（楼道照明改造）",
        reference="ref:project-in:town",
        preparer=preparer,
        approver=approver,
    )
    _spend(
        residents,
        Decimal("10000"),
        expense="5301",
        date=dt.date(2026, 5, 18),
        memo="楼道照明改造工程款（居民集资部分）",
        reference="ref:project-out:residents",
        preparer=preparer,
        approver=approver,
    )
    _spend(
        matching,
        Decimal("6000"),
        expense="5301",
        date=dt.date(2026, 5, 18),
        memo="楼道照明改造工程款（镇配套部分）",
        reference="ref:project-out:town",
        preparer=preparer,
        approver=approver,
    )


def _budget(community, preparer, approver):
    if Budget.objects.filter(community=community, year=2026).exists():
        return
    sources = {s.code: s for s in FundingSource.objects.all()}
    budget = actions.budget_create(
        by=preparer,
        community=community,
        year=2026,
        reason="2026年度收支预算",
        lines=[
            (sources["town_budget"], Use.OFFICE, Decimal("10000")),
            (sources["enterprise_donation"], Use.ACTIVITIES, Decimal("15000")),
            (sources["own_property"], Use.ADMINISTRATION, Decimal("6000")),
        ],
    )
    if budget.status == BudgetStatus.DRAFT:
        actions.budget_approve(by=approver, budget_id=budget.pk)


# --- the community's own economy and the departments' grants ----------------------------------------

# (department code, use, purpose, yuan) granted to every community in 2026
GRANTS = [
    ("justice", Use.SERVICES, "社区法律援助工作站运行经费", Decimal("5000.00")),
    ("civil_affairs", Use.ACTIVITIES, "社区自治组织建设及居民会议经费", Decimal("8000.00")),
]
FEE_PERIOD = "2026-Q1"


def _economy_user(ctx):
    """County scope, with the staff's and the county's roles (the economy's actions check both)."""

    user, created = User.objects.get_or_create(
        username="reference_economy",
        defaults={"first_name": "参考数据（社区经济）", "scope_level": ScopeLevel.COUNTY, "county": ctx.county},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=Role.COUNTY_OFFICIAL), Group.objects.get(name=Role.COMMUNITY_STAFF))
    return User.objects.get(pk=user.pk)  # fresh: the permission cache knows the groups


def _economy(ctx) -> None:
    """Property fees billed for 2026-Q1 and mostly paid (the rest in arrears), a 帮忙公司 with a referral fee,
    and two departments' working funds granted to every community, each on that community's ledger."""

    by = _economy_user(ctx)
    departments = {d.code: d for d in Department.objects.filter(county=ctx.county)}
    for index, community in enumerate(ctx.communities):
        if not PropertyFeeSchedule.objects.filter(community=community).exists():
            economy.fee_schedule_save(
                by=by,
                schedule=PropertyFeeSchedule(
                    community=community, name="住宅物业管理费", rate=Decimal("25.00"), valid_from=dt.date(2026, 1, 1)
                ),
            )
        economy.fee_bill_period(by=by, community=community, period=FEE_PERIOD)
        bills = PropertyFeeBill.objects.filter(community=community, period=FEE_PERIOD).order_by("pk")
        # paid once: a second load finds the receipts and leaves the unpaid bills (the arrears) unpaid
        bills = [] if PropertyFeeReceipt.objects.filter(bill__in=bills).exists() else list(bills)
        for n, bill in enumerate(bills):
            if n % 4 == 3:
                continue  # one household in four has not paid: the arrears list
            amount = bill.amount if n % 7 else (bill.amount / 2).quantize(Decimal("0.01"))  # a few pay half
            economy.fee_pay(by=by, bill_id=bill.pk, amount=amount, paid_on=dt.date(2026, 4, 10), payer="住户")
        company = PartnerCompany.objects.filter(community=community, name="便民家政服务公司").first()
        if company is None:
            company = economy.partner_save(
                by=by,
                company=PartnerCompany(
                    community=community,
                    name="便民家政服务公司",
                    services="家政保洁、家电维修、搬家",
                    contact_name="王经理",
                    agreed_on=dt.date(2025, 12, 1),
                    referral_terms="每单介绍费按成交额5%",
                ),
            )
        if not ReferralFee.objects.filter(company=company).exists():
            economy.referral_fee_record(
                by=by,
                company_id=company.pk,
                amount=Decimal("600.00") + 100 * index,
                received_on=dt.date(2026, 6, 30),
                description="上半年介绍家政保洁服务",
            )
        for code, use, purpose, amount in GRANTS:
            department = departments.get(code)
            granted_on = dt.date(2026, 2, 20)
            if (
                department is None
                or DepartmentGrant.objects.filter(
                    community=community, department=department, granted_on=granted_on
                ).exists()
            ):
                continue
            economy.department_grant_record(
                by=by,
                community=community,
                department=department,
                use=use,
                purpose=purpose,
                amount=amount,
                granted_on=granted_on,
            )
    ctx.say("funding: property fees of 2026-Q1 billed and mostly paid, partner companies, department grants.\n")

"""The community's own economy: a fee period from billing to arrears, receipts on the ledger, partner companies'
referral fees, and the departments' grants on the receiving community's ledger.  Bad input is refused whole."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from community.choices import DepartmentCode, Role, ScopeLevel
from community.dashboard import SECTIONS, Period
from community.departments import department_review
from community.scoping import Scope
from funding import actions, economy
from funding.choices import BillStatus, EntryStatus, Restriction, SourceKind, Use
from funding.models import (
    DepartmentGrant,
    FundBalance,
    HouseholdArea,
    JournalEntry,
    JournalLine,
    PropertyFeeBill,
    PropertyFeeReceipt,
    PropertyFeeSchedule,
    ReferralFee,
)
from tests import factories as f
from tests.funding import factories as ff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _occupied(community, n=3):
    """``n`` households with someone living there, and one empty household (not billed)."""
    building = f.BuildingFactory(zone=f.ZoneFactory(community=community))
    households = []
    for _ in range(n):
        household = f.HouseholdFactory(building=building)
        f.ResidentFactory(household=household, id_number=f.next_id_number())
        households.append(household)
    f.HouseholdFactory(building=building)  # nobody lives here
    return households


def _schedule(community, **extra):
    values = {"name": "物业费", "rate": Decimal("25.00"), "valid_from": dt.date(2026, 1, 1), "due_days": 30}
    values.update(extra)
    return PropertyFeeSchedule.objects.create(community=community, **values)


# --- billing -----------------------------------------------------------------------------------


def test_a_period_bills_each_occupied_household_once(community_a, staff_a):
    households = _occupied(community_a)
    _schedule(community_a)
    result = economy.fee_bill_period(by=staff_a, community=community_a, period="2026-q1")
    assert (result.period, result.created, result.already_billed) == ("2026-Q1", 3, 0)
    bills = PropertyFeeBill.objects.filter(community=community_a)
    assert {b.household_id for b in bills} == {h.pk for h in households}
    bill = bills.first()
    assert bill.amount == Decimal("75.00")  # 25 a month for three months
    assert bill.due_on == dt.date(2026, 3, 31) + dt.timedelta(days=30)
    again = economy.fee_bill_period(by=staff_a, community=community_a, period="2026-Q1")
    assert (again.created, again.already_billed) == (0, 3)
    assert PropertyFeeBill.objects.filter(community=community_a).count() == 3


def test_per_area_schedule_needs_every_area_and_writes_nothing_otherwise(community_a, staff_a):
    households = _occupied(community_a, n=2)
    _schedule(community_a, basis="area", rate=Decimal("1.20"))
    HouseholdArea.objects.create(household=households[0], area=Decimal("80.50"))
    with pytest.raises(ValidationError, match="no billed area"):
        economy.fee_bill_period(by=staff_a, community=community_a, period="2026-05")
    assert not PropertyFeeBill.objects.exists()
    HouseholdArea.objects.create(household=households[1], area=Decimal("100"))
    economy.fee_bill_period(by=staff_a, community=community_a, period="2026-05")
    amounts = dict(PropertyFeeBill.objects.values_list("household_id", "amount"))
    assert amounts == {households[0].pk: Decimal("96.60"), households[1].pk: Decimal("120.00")}


@pytest.mark.parametrize("period", ["", "2026-13", "2026-Q5", "abc", "1999", "2026-1-1"])
def test_a_bad_period_is_refused(community_a, staff_a, period):
    _occupied(community_a)
    _schedule(community_a)
    with pytest.raises(ValidationError) as exc:
        economy.fee_bill_period(by=staff_a, community=community_a, period=period)
    assert "period" in exc.value.message_dict
    assert not PropertyFeeBill.objects.exists()


def test_no_schedule_in_force_is_refused(community_a, staff_a):
    _occupied(community_a)
    _schedule(community_a, valid_from=dt.date(2026, 6, 1))
    with pytest.raises(ValidationError, match="no property-fee schedule"):
        economy.fee_bill_period(by=staff_a, community=community_a, period="2026-05")


def test_billing_another_community_is_refused(community_a, community_b, staff_b):
    _occupied(community_a)
    _schedule(community_a)
    with pytest.raises(PermissionDenied):
        economy.fee_bill_period(by=staff_b, community=community_a, period="2026-Q1")


# --- payments and receipts ----------------------------------------------------------------------


@pytest.fixture
def bill(community_a, staff_a):
    _occupied(community_a, n=1)
    _schedule(community_a)
    economy.fee_bill_period(by=staff_a, community=community_a, period="2026-Q1")
    return PropertyFeeBill.objects.get(community=community_a)


def test_a_payment_posts_own_income_on_the_ledger_and_partial_payments_add_up(bill, staff_a, community_a):
    first = economy.fee_pay(by=staff_a, bill_id=bill.pk, amount="30.00", paid_on=dt.date(2026, 4, 5), payer="张")
    bill.refresh_from_db()
    assert (bill.paid, bill.status) == (Decimal("30.00"), BillStatus.PARTLY_PAID)
    entry = first.entry
    assert entry.community == community_a and entry.status == EntryStatus.POSTED
    income = entry.lines.get(side="credit")
    assert income.account.code == "4402" and income.fund.source.kind == SourceKind.OWN_PROPERTY
    assert income.amount == Decimal("30.00")
    economy.fee_pay(by=staff_a, bill_id=bill.pk, amount="45.00", paid_on=dt.date(2026, 4, 6))
    bill.refresh_from_db()
    assert (bill.paid, bill.status) == (Decimal("75.00"), BillStatus.PAID)
    assert FundBalance.objects.get(fund=income.fund).balance == Decimal("75.00")


def test_paying_twice_or_too_much_is_refused_and_nothing_is_posted(bill, staff_a):
    with pytest.raises(ValidationError, match="Only 75.00 yuan"):
        economy.fee_pay(by=staff_a, bill_id=bill.pk, amount="80", paid_on=dt.date(2026, 4, 5))
    economy.fee_pay(by=staff_a, bill_id=bill.pk, amount="75", paid_on=dt.date(2026, 4, 5))
    with pytest.raises(ValidationError, match="cannot be paid twice"):
        economy.fee_pay(by=staff_a, bill_id=bill.pk, amount="1", paid_on=dt.date(2026, 4, 5))
    assert PropertyFeeReceipt.objects.count() == 1 and JournalEntry.objects.count() == 1


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.234", "NaN"])
def test_a_bad_amount_is_refused(bill, staff_a, amount):
    with pytest.raises(ValidationError):
        economy.fee_pay(by=staff_a, bill_id=bill.pk, amount=amount, paid_on=dt.date(2026, 4, 5))
    bill.refresh_from_db()
    assert bill.paid == 0 and not PropertyFeeReceipt.objects.exists()


def test_a_payment_into_a_closed_month_is_refused_whole(bill, staff_a, community_a):
    actions.period_close(by=staff_a, community=community_a, year=2026, month=4)
    with pytest.raises(ValidationError, match="closed"):
        economy.fee_pay(by=staff_a, bill_id=bill.pk, amount="75", paid_on=dt.date(2026, 4, 5))
    bill.refresh_from_db()
    assert bill.paid == 0 and bill.status == BillStatus.UNPAID
    assert not PropertyFeeReceipt.objects.exists() and not JournalEntry.objects.exists()


# --- arrears: the list, the filter and the dashboard -----------------------------------------------


def test_arrears_are_listed_filtered_and_counted(client, community_a, staff_a):
    _occupied(community_a, n=3)
    _schedule(community_a)
    economy.fee_bill_period(by=staff_a, community=community_a, period="2026-01")
    bills = list(PropertyFeeBill.objects.order_by("pk"))
    economy.fee_pay(by=staff_a, bill_id=bills[0].pk, amount="25", paid_on=dt.date(2026, 2, 1))
    economy.fee_pay(by=staff_a, bill_id=bills[1].pk, amount="10", paid_on=dt.date(2026, 2, 1))
    today = dt.date(2026, 3, 15)  # due 2026-03-02
    from funding.economy_selectors import arrears_list

    owed = list(arrears_list(queryset=PropertyFeeBill.objects.all(), today=today))
    assert [(b.pk, b.owed) for b in owed] == [(bills[1].pk, Decimal("15.00")), (bills[2].pk, Decimal("25.00"))]
    assert not list(arrears_list(queryset=PropertyFeeBill.objects.all(), today=dt.date(2026, 3, 1)))

    client.force_login(staff_a)
    page = client.get(reverse("admin:funding_propertyfeebill_changelist"), {"arrears": "yes"})
    assert page.status_code == 200
    assert {b.pk for b in page.context["cl"].result_list} == {bills[1].pk, bills[2].pk}

    scope = Scope(ScopeLevel.COMMUNITY, community_id=community_a.pk, town_id=community_a.town_id)
    figures = {i.key: i for i in SECTIONS["own_economy"].fn(scope, Period.parse("year", "2026"))}
    assert figures["property_bills_in_arrears"].value == 2  # today is after 2026-03-02
    assert figures["property_arrears_amount"].value == Decimal("40.00")
    assert figures["property_bills_issued"].value == 3
    assert figures["property_fees_collected"].value == Decimal("35.00")
    assert "arrears=yes" in figures["property_bills_in_arrears"].link


def test_staff_run_a_fee_period_in_the_admin(client, community_a, staff_a):
    _occupied(community_a, n=2)
    _schedule(community_a)
    client.force_login(staff_a)
    url = reverse("admin:funding_propertyfeebill_bill_period")
    bad = client.post(url, {"community": community_a.pk, "period": "2026-Q9"})
    assert bad.status_code == 200 and "period" in bad.context["form"].errors
    done = client.post(url, {"community": community_a.pk, "period": "2026-Q1"})
    assert done.status_code == 302 and PropertyFeeBill.objects.count() == 2
    bill = PropertyFeeBill.objects.first()
    pay = reverse("admin:funding_propertyfeebill_pay", args=[bill.pk])
    too_much = client.post(pay, {"amount": "999", "paid_on": "2026-04-01"})
    assert too_much.status_code == 200 and "amount" in too_much.context["form"].errors
    assert not PropertyFeeReceipt.objects.exists()
    assert client.post(pay, {"amount": "75", "paid_on": "2026-04-01"}).status_code == 302
    changelist = reverse("admin:funding_propertyfeebill_changelist")
    client.post(
        changelist, {"action": "pay_in_full", "_selected_action": [b.pk for b in PropertyFeeBill.objects.all()]}
    )
    assert set(PropertyFeeBill.objects.values_list("status", flat=True)) == {BillStatus.PAID}
    assert PropertyFeeReceipt.objects.count() == 2  # the paid bill was not paid again


def test_the_admin_keeps_another_communitys_bill_out_of_reach(client, community_a, staff_a, staff_b):
    _occupied(community_a, n=1)
    _schedule(community_a)
    economy.fee_bill_period(by=staff_a, community=community_a, period="2026-Q1")
    bill = PropertyFeeBill.objects.get()
    client.force_login(staff_b)
    response = client.post(
        reverse("admin:funding_propertyfeebill_pay", args=[bill.pk]), {"amount": "75", "paid_on": "2026-04-01"}
    )
    assert response.status_code == 404 and not PropertyFeeReceipt.objects.exists()


# --- the API --------------------------------------------------------------------------------------


def test_the_api_bills_and_takes_payments_with_clear_refusals(client, community_a, community_b, staff_a, staff_b):
    _occupied(community_a, n=1)
    _schedule(community_a)
    client.force_login(staff_a)
    url = reverse("fee-billing-list")
    assert (
        client.post(url, {"community": community_a.pk, "period": "x"}, content_type="application/json").status_code
        == 400
    )
    refused = client.post(url, {"community": community_b.pk, "period": "2026-Q1"}, content_type="application/json")
    assert refused.status_code == 400 and "community" in refused.json()
    billed = client.post(url, {"community": community_a.pk, "period": "2026-Q1"}, content_type="application/json")
    assert billed.status_code == 200 and billed.json()["created"] == 1
    bill = PropertyFeeBill.objects.get()
    pay = reverse("fee-receipt-list")
    over = client.post(
        pay, {"bill": bill.pk, "amount": "100", "paid_on": "2026-04-01"}, content_type="application/json"
    )
    assert over.status_code == 400 and "amount" in over.json()
    paid = client.post(pay, {"bill": bill.pk, "amount": "75", "paid_on": "2026-04-01"}, content_type="application/json")
    assert paid.status_code == 201 and paid.json()["entry"]
    twice = client.post(pay, {"bill": bill.pk, "amount": "1", "paid_on": "2026-04-01"}, content_type="application/json")
    assert twice.status_code == 400 and "不能重复缴费" in str(twice.json())
    client.force_login(staff_b)
    assert (
        client.post(
            pay, {"bill": bill.pk, "amount": "1", "paid_on": "2026-04-01"}, content_type="application/json"
        ).status_code
        == 400
    )
    assert client.get(reverse("fee-bill-list")).json()["results"] == []


# --- partner companies and referral fees ----------------------------------------------------------


def test_a_referral_fee_is_own_income_and_a_bad_one_writes_nothing(client, community_a, staff_a):
    company = ff.partner(community_a)
    fee = economy.referral_fee_record(
        by=staff_a, company_id=company.pk, amount="600", received_on=dt.date(2026, 6, 30), description="介绍保洁"
    )
    credit = fee.entry.lines.get(side="credit")
    assert credit.account.code == "4403" and fee.entry.status == EntryStatus.POSTED
    client.force_login(staff_a)
    bad = client.post(
        reverse("referral-fee-list"),
        {"company": company.pk, "amount": "-1", "received_on": "2026-06-30", "description": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    blank = client.post(
        reverse("referral-fee-list"),
        {"company": company.pk, "amount": "50", "received_on": "2026-06-30", "description": "  "},
        content_type="application/json",
    )
    assert blank.status_code == 400 and ReferralFee.objects.count() == 1
    listed = client.get(reverse("partner-company-list")).json()["results"][0]
    assert listed["contact_phone_masked"] == "139****5678" and "contact_phone" not in listed


# --- the departments' grants ------------------------------------------------------------------------


def _justice(community):
    return f.DepartmentFactory(county=community.town.county, code=DepartmentCode.JUSTICE)


def test_a_department_grant_shows_on_the_receiving_communitys_ledger(community_a, community_b, staff_a):
    department = _justice(community_a)
    grant = economy.department_grant_record(
        by=staff_a,
        community=community_a,
        department=department,
        use=Use.SERVICES,
        purpose="法律援助工作站",
        amount="5000",
        granted_on=dt.date(2026, 2, 20),
    )
    assert grant.entry.community == community_a and grant.entry.status == EntryStatus.POSTED
    lines = JournalLine.objects.filter(entry__community=community_a, fund__source__kind=SourceKind.DEPARTMENT)
    assert {(line.account.code, line.side, line.amount) for line in lines} == {
        ("1002", "debit", Decimal("5000.00")),
        ("4101", "credit", Decimal("5000.00")),
    }
    assert not JournalLine.objects.filter(entry__community=community_b).exists()
    fund = grant.fund
    assert fund.restriction == Restriction.PURPOSE and fund.uses == [Use.SERVICES]
    assert fund.source.name == department.name and FundBalance.objects.get(fund=fund).balance == Decimal("5000.00")
    with pytest.raises(ValidationError, match="may only be spent on its purpose"):  # restricted to its purpose
        actions.entry_create(
            by=staff_a, community=community_a, date=dt.date(2026, 3, 1), memo="挪用", lines=ff.spend_lines(fund, 100)
        )


def test_bad_grants_are_refused_whole(community_a, staff_a):
    department = _justice(community_a)
    other_county = f.DepartmentFactory(county=f.CountyFactory(), code=DepartmentCode.JUSTICE)
    good = {
        "community": community_a,
        "department": department,
        "use": Use.SERVICES,
        "purpose": "站点经费",
        "amount": "100",
        "granted_on": dt.date(2026, 2, 20),
    }
    for change, field in [
        ({"department": other_county}, "department"),
        ({"use": "bribes"}, "use"),
        ({"purpose": " "}, "purpose"),
        ({"amount": "0"}, "amount"),
        ({"granted_on": None}, "granted_on"),
    ]:
        with pytest.raises(ValidationError) as exc:
            economy.department_grant_record(by=staff_a, **{**good, **change})
        assert field in exc.value.message_dict
    assert not DepartmentGrant.objects.exists() and not JournalEntry.objects.exists()


def test_a_liaison_reads_the_departments_grants_but_does_not_post_them(client, community_a, staff_a):
    department = _justice(community_a)
    liaison = f.make_user(role=Role.DEPARTMENT_LIAISON, scope_level=ScopeLevel.DEPARTMENT, department=department)
    with pytest.raises(PermissionDenied):
        economy.department_grant_record(
            by=liaison,
            community=community_a,
            department=department,
            use=Use.SERVICES,
            purpose="x",
            amount="1",
            granted_on=dt.date(2026, 2, 20),
        )
    economy.department_grant_record(
        by=staff_a,
        community=community_a,
        department=department,
        use=Use.SERVICES,
        purpose="站点",
        amount="300",
        granted_on=dt.date(2026, 2, 20),
    )
    client.force_login(liaison)
    listed = client.get(reverse("department-grant-list")).json()["results"]
    assert [row["amount"] for row in listed] == ["300.00"]
    scope = Scope(ScopeLevel.COUNTY, county_id=community_a.town.county_id)
    review = department_review(scope, Period.parse("year", "2026"))
    assert review.values["funds_granted"] == {department.pk: Decimal("300.00")}

"""Writes of the community's own economy and of the departments' grants; admin, API and the reference
scenario call these only.  Every one posts through the ledger's own actions (``own_income_post`` and the
system approval path), so money never reaches the books any other way.

* ``fee_schedule_save(*, by, schedule)``: a property-fee schedule, checked.
* ``fee_bill_period(*, by, community, period) -> BillingResult``: one bill per occupied household of the
  community for the period (``2026-11``, ``2026-Q4`` or ``2026``); billing a period again bills only the
  households that have none for it (idempotent per period).
* ``fee_pay(*, by, bill_id, amount, paid_on, payer) -> PropertyFeeReceipt``: a payment, in whole or in
  part, posted as own income (property-management fees); more than is outstanding, or a bill already
  paid, is refused.
* ``partner_save(*, by, company)``, ``referral_fee_record(*, by, company_id, amount, received_on,
  description) -> ReferralFee``: the 帮忙公司 register and its referral fees, posted as own income.
* ``department_grant_record(*, by, community, department, use, purpose, amount, granted_on)``: a
  department's working funds granted to a community, posted into the community's fund of that
  department restricted to the purpose.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from community.actions import record_save
from community.models import Household, Resident
from community.scoping import ADD, CHANGE, ensure_allowed
from utilities.periods import Period

from .actions import (
    CASH_BANK,
    CENT,
    INCOME_FOR_SOURCE,
    LineSpec,
    account,
    fund_for,
    money,
    own_income_post,
    post_by_rule,
    post_once,
)
from .choices import BillStatus, EntryKind, FeeBasis, Side, SourceKind, Use
from .models import (
    DepartmentGrant,
    FundingSource,
    HouseholdArea,
    PartnerCompany,
    PropertyFeeBill,
    PropertyFeeReceipt,
    PropertyFeeSchedule,
    ReferralFee,
)

# --- periods --------------------------------------------------------------------------------


def billing_period(label: str) -> Period:
    """``2026-11`` (a month), ``2026-Q4`` (a quarter) or ``2026`` (a year); anything else is refused."""
    try:
        return Period.from_label(label)
    except ValueError:
        raise ValidationError({"period": _("Give the period as 2026-11, 2026-Q4 or 2026.")}) from None


# --- property-management fees -------------------------------------------------------------------


@transaction.atomic
def fee_schedule_save(*, by, schedule: PropertyFeeSchedule) -> PropertyFeeSchedule:
    ensure_allowed(by, schedule, CHANGE if schedule.pk else ADD)
    schedule.rate = money(schedule.rate, field="rate")
    if schedule.pk and PropertyFeeBill.objects.filter(schedule_id=schedule.pk).exists():
        before = PropertyFeeSchedule.objects.filter(pk=schedule.pk).values("community_id", "basis", "rate").first()
        if before and (
            before["community_id"] != schedule.community_id
            or before["basis"] != schedule.basis
            or before["rate"] != schedule.rate
        ):
            raise ValidationError(
                _("Bills were issued under this schedule; add a new schedule from a later date instead.")
            )
    return record_save(by=by, instance=schedule)


def schedule_in_force(community, on: dt.date) -> PropertyFeeSchedule | None:
    return PropertyFeeSchedule.objects.filter(community=community, valid_from__lte=on).order_by("-valid_from").first()


def occupied_households(community):
    """The community's households with at least one resident living there now."""
    living = Resident.objects.filter(household=OuterRef("pk"), moved_out__isnull=True)
    return Household.objects.filter(building__zone__community=community).filter(Exists(living))


@dataclass(frozen=True)
class BillingResult:
    period: str
    created: int
    already_billed: int
    total: Decimal


@transaction.atomic
def fee_bill_period(*, by, community, period: str) -> BillingResult:
    """Bill every occupied household of ``community`` for ``period``, once (see the module docstring)."""
    ensure_allowed(by, PropertyFeeBill(community=community), ADD)
    found = billing_period(period)
    schedule = schedule_in_force(community, found.start)
    if schedule is None:
        raise ValidationError(
            {
                "period": _("%(community)s has no property-fee schedule in force on %(date)s; add one first.")
                % {"community": community, "date": found.start}
            }
        )
    households = list(occupied_households(community).select_related("building").order_by("pk"))
    billed = set(
        PropertyFeeBill.objects.filter(household__in=households, period=found.label).values_list(
            "household_id", flat=True
        )
    )
    to_bill = [h for h in households if h.pk not in billed]
    areas = {}
    if schedule.basis == FeeBasis.AREA:
        areas = dict(HouseholdArea.objects.filter(household__in=to_bill).values_list("household_id", "area"))
        missing = [str(h) for h in to_bill if h.pk not in areas]
        if missing:
            shown = "、".join(missing[:5]) + ("…" if len(missing) > 5 else "")
            raise ValidationError(
                {
                    "period": _(
                        "The schedule charges per m², but %(n)d households have no billed area (%(list)s); "
                        "record their areas first. Nothing was billed."
                    )
                    % {"n": len(missing), "list": shown}
                }
            )
    due_on = found.end + dt.timedelta(days=schedule.due_days)
    bills = []
    for household in to_bill:
        base = schedule.rate * found.months
        if schedule.basis == FeeBasis.AREA:
            base = base * areas[household.pk]
        amount = base.quantize(CENT, rounding=ROUND_HALF_UP)
        bills.append(
            PropertyFeeBill(
                community=community,
                household=household,
                schedule=schedule,
                period=found.label,
                period_start=found.start,
                period_end=found.end,
                amount=amount,
                due_on=due_on,
                issued_by=by,
            )
        )
    # a bill of the same household and period made meanwhile by someone else is skipped, not doubled
    PropertyFeeBill.objects.bulk_create(bills, ignore_conflicts=True)
    return BillingResult(found.label, len(bills), len(billed), sum((b.amount for b in bills), Decimal("0.00")))


@transaction.atomic
def fee_pay(*, by, bill_id: int, amount, paid_on: dt.date | None, payer: str = "") -> PropertyFeeReceipt:
    """Record a payment of a bill and post it as the community's own income (property-management fees)."""
    bill = (
        PropertyFeeBill.objects.select_for_update()
        .select_related("community", "household__building")
        .filter(pk=bill_id)
        .first()
    )
    if bill is None:
        raise ValidationError({"bill": _("Choose a bill.")})
    ensure_allowed(by, bill, CHANGE)
    if bill.status == BillStatus.PAID:
        raise ValidationError(
            _("The bill of %(bill)s is already paid in full; it cannot be paid twice.") % {"bill": bill}
        )
    amount = money(amount)
    outstanding = bill.amount - bill.paid
    if amount > outstanding:
        raise ValidationError(
            {
                "amount": _("Only %(outstanding)s yuan of this bill is outstanding; a payment cannot exceed it.")
                % {"outstanding": outstanding}
            }
        )
    if paid_on is None:
        raise ValidationError({"paid_on": _("Give the date the money was paid.")})
    number = bill.receipts.count() + 1
    entry = own_income_post(
        by=by,
        community=bill.community,
        amount=amount,
        use=_("Property-management fee %(period)s, %(household)s")
        % {"period": bill.period, "household": bill.household},
        memo=_("Property-management fee %(period)s received") % {"period": bill.period},
        reference=f"propfee:{bill.pk}:{number}",
        source_kind=SourceKind.OWN_PROPERTY,
        date=paid_on,
    )
    receipt = PropertyFeeReceipt.objects.create(
        bill=bill,
        number=number,
        amount=amount,
        paid_on=paid_on,
        payer=(payer or "").strip()[:40],
        entry=entry,
        received_by=by,
    )
    bill.paid += amount
    bill.status = BillStatus.PAID if bill.paid == bill.amount else BillStatus.PARTLY_PAID
    bill.save(update_fields=["paid", "status", "updated_at"])
    return receipt


# --- partner companies and referral fees ----------------------------------------------------


@transaction.atomic
def partner_save(*, by, company: PartnerCompany) -> PartnerCompany:
    ensure_allowed(by, company, CHANGE if company.pk else ADD)
    if not (company.name or "").strip():
        raise ValidationError({"name": _("Give the company's name.")})
    return record_save(by=by, instance=company)


@transaction.atomic
def referral_fee_record(*, by, company_id: int, amount, received_on: dt.date | None, description: str) -> ReferralFee:
    company = PartnerCompany.objects.select_related("community").filter(pk=company_id).first()
    if company is None:
        raise ValidationError({"company": _("Choose a partner company.")})
    ensure_allowed(by, ReferralFee(company=company), ADD)
    if not company.active:
        raise ValidationError({"company": _("%(company)s is no longer a partner company.") % {"company": company}})
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Say what the fee was for (what was referred).")})
    if received_on is None:
        raise ValidationError({"received_on": _("Give the date the fee was received.")})
    amount = money(amount)
    entry = own_income_post(
        by=by,
        community=company.community,
        amount=amount,
        use=f"{company.name}: {description}"[:200],
        memo=_("Referral fee from %(company)s") % {"company": company.name},
        reference=f"referral:{uuid.uuid4().hex}",
        source_kind=SourceKind.OWN_REFERRAL,
        date=received_on,
    )
    return ReferralFee.objects.create(
        company=company,
        received_on=received_on,
        amount=amount,
        description=description[:200],
        entry=entry,
        recorded_by=by,
    )


# --- department grants (工作经费到社区) -----------------------------------------------------------


def department_source(department) -> FundingSource:
    """The funding source of a county department's money (one per department, made on first need)."""
    source, _created = FundingSource.objects.get_or_create(
        code=f"dept_{department.pk}", defaults={"name": str(department.name)[:60], "kind": SourceKind.DEPARTMENT}
    )
    return source


@transaction.atomic
def department_grant_record(
    *, by, community, department, use: str, purpose: str, amount, granted_on: dt.date | None
) -> DepartmentGrant:
    """A department's funds received by ``community``: Dr bank / Cr government grants, in the community's
    fund of the department restricted to ``use`` (which it may then only be spent on), posted by rule."""
    if community is None:
        raise ValidationError({"community": _("Choose the community that receives the money.")})
    if department is None:
        raise ValidationError({"department": _("Choose the department that grants the money.")})
    ensure_allowed(by, DepartmentGrant(community=community, department=department), ADD)
    if department.county_id != community.town.county_id:
        raise ValidationError(
            {
                "department": _("%(department)s is not a department of this community's county.")
                % {"department": department.name}
            }
        )
    if use not in Use.values or use == Use.REFUND:
        raise ValidationError({"use": _("Choose what the money is restricted to.")})
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError({"purpose": _("Give the purpose the department granted the money for.")})
    if granted_on is None:
        raise ValidationError({"granted_on": _("Give the date the money was granted.")})
    amount = money(amount)
    source = department_source(department)
    fund = fund_for(community=community, source=source, use=use)
    reference = f"grant:{uuid.uuid4().hex}"

    def make():
        return post_by_rule(
            by=by,
            community=community,
            date=granted_on,
            memo=(_("%(department)s working funds: %(purpose)s") % {"department": department.name, "purpose": purpose})[
                :200
            ],
            lines=[
                LineSpec(account(CASH_BANK), fund, Side.DEBIT, amount, purpose[:200]),
                LineSpec(account(INCOME_FOR_SOURCE[SourceKind.DEPARTMENT]), fund, Side.CREDIT, amount, purpose[:200]),
            ],
            kind=EntryKind.NORMAL,
            reference=reference,
            rule=_("department grant"),
        )

    entry = post_once(community, reference, make)
    return DepartmentGrant.objects.create(
        community=community,
        department=department,
        use=use,
        purpose=purpose[:200],
        amount=amount,
        granted_on=granted_on,
        fund=fund,
        entry=entry,
        recorded_by=by,
    )

"""Reads of the community's own economy and of the departments' grants (dashboard figures, the arrears list)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Sum

from .choices import BillStatus
from .models import DepartmentGrant, PropertyFeeBill, PropertyFeeReceipt, ReferralFee

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class EconomySummary:
    bills_issued: int
    billed: Decimal
    collected: Decimal
    bills_in_arrears: int
    arrears_amount: Decimal
    referral_fees: Decimal


def arrears(queryset, today: dt.date):
    """Bills not paid in full whose due date has passed (the arrears filter of the admin and the API)."""
    return queryset.exclude(status=BillStatus.PAID).filter(due_on__lt=today)


def arrears_list(*, queryset, today: dt.date):
    """The arrears list: bills past due and not paid in full, the oldest first, with what is owed."""
    return (
        arrears(queryset, today)
        .select_related("household__building__zone__community", "community")
        .annotate(owed=F("amount") - F("paid"))
        .order_by("due_on", "community_id", "household_id")
    )


def economy_summary(*, scope, period, today: dt.date) -> EconomySummary:
    bills = PropertyFeeBill.objects.for_scope(scope)
    issued = bills.filter(period_start__gte=period.start, period_start__lte=period.end).aggregate(
        n=Count("id"), total=Sum("amount")
    )
    owed = arrears(bills, today).aggregate(n=Count("id"), total=Sum(F("amount") - F("paid")))
    collected = (
        PropertyFeeReceipt.objects.for_scope(scope)
        .filter(paid_on__gte=period.start, paid_on__lte=period.end)
        .aggregate(total=Sum("amount"))["total"]
    )
    referral = (
        ReferralFee.objects.for_scope(scope)
        .filter(received_on__gte=period.start, received_on__lte=period.end)
        .aggregate(total=Sum("amount"))["total"]
    )
    return EconomySummary(
        bills_issued=issued["n"] or 0,
        billed=issued["total"] or ZERO,
        collected=collected or ZERO,
        bills_in_arrears=owed["n"] or 0,
        arrears_amount=owed["total"] or ZERO,
        referral_fees=referral or ZERO,
    )


def grants_by_department(*, scope, period) -> dict[int, Decimal]:
    """Yuan each department granted the scope's communities during the period."""
    rows = (
        DepartmentGrant.objects.for_scope(scope)
        .filter(granted_on__gte=period.start, granted_on__lte=period.end)
        .values_list("department_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return dict(rows)

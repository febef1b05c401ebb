"""Reads of the resident units' obligations (驻区单位的权利与义务) for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from community.models import ResidentUnit

from .choices import FulfilmentStatus
from .models import ObligationFulfilment, UnitObligation


@dataclass(frozen=True)
class ObligationsSummary:
    units: int  # resident units with at least one duty agreed
    duties: int
    fulfilled: int  # yearly records of the period's years: fulfilled
    short: int  # … partly or not fulfilled


def period_years(period) -> tuple[int, int]:
    return period.start.year, period.end.year


def obligations_summary(*, scope, period) -> ObligationsSummary:
    """Three queries whatever the number of units, duties or years."""
    first, last = period_years(period)
    units = ResidentUnit.objects.for_scope(scope).filter(obligations__isnull=False).distinct().count()
    duties = UnitObligation.objects.for_scope(scope).count()
    records = (
        ObligationFulfilment.objects.for_scope(scope)
        .filter(year__gte=first, year__lte=last)
        .aggregate(
            fulfilled=Count("id", filter=Q(status=FulfilmentStatus.FULFILLED)),
            short=Count("id", filter=~Q(status=FulfilmentStatus.FULFILLED)),
        )
    )
    return ObligationsSummary(units, duties, records["fulfilled"], records["short"])

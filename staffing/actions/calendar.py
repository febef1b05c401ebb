"""Writes of the working-day calendar: the sync from chinesecalendar and the county's edits in the admin."""

from __future__ import annotations

import datetime as dt

from chinese_calendar import constants
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from community.choices import ScopeLevel
from community.scoping import scope_of

from ..calendar_models import CalendarYear, WorkdayOverride
from ..choices import CalendarSource


def library_schedule() -> dict[int, dict[dt.date, tuple[bool, str]]]:
    """What chinesecalendar knows, by year: {year: {date: (is_workday, holiday name)}}."""

    names = {h.value: h.chinese for h in constants.Holiday}
    years: dict[int, dict[dt.date, tuple[bool, str]]] = {}
    for day, holiday in constants.holidays.items():
        years.setdefault(day.year, {})[day] = (False, names.get(holiday, holiday)[:40])
    for day, holiday in constants.workdays.items():
        years.setdefault(day.year, {})[day] = (True, names.get(holiday, holiday)[:40])
    return years


@transaction.atomic
def calendar_sync(*, years: list[int] | None = None) -> list[int]:
    """Add the years chinesecalendar knows and the table lacks; a year already held is never touched
    (the county's edits win).  Idempotent; returns the years added."""
    schedule = library_schedule()
    wanted = sorted(schedule if years is None else set(years) & set(schedule))
    held = set(CalendarYear.objects.select_for_update().filter(year__in=wanted).values_list("year", flat=True))
    added = [year for year in wanted if year not in held]
    if not added:
        return []
    bulk_create_with_history(
        [CalendarYear(year=year, source=CalendarSource.LIBRARY, notice="chinesecalendar") for year in added],
        CalendarYear,
    )
    taken = set(
        WorkdayOverride.objects.filter(date__year__in=added).values_list("date", flat=True)
    )  # a local day entered before its year's schedule stays as entered
    days = [
        WorkdayOverride(date=day, is_workday=workday, holiday=name, source=CalendarSource.LIBRARY)
        for year in added
        for day, (workday, name) in sorted(schedule[year].items())
        if day not in taken
    ]
    bulk_create_with_history(days, WorkdayOverride, batch_size=500)
    return added


def ensure_county_level(user) -> None:
    """The calendar is edited by the county (or a superuser) only."""
    scope = scope_of(user)
    if scope is None or not (scope.is_all or scope.level == ScopeLevel.COUNTY):
        raise PermissionDenied(_("Only the county enters or changes the working-day calendar."))


@transaction.atomic
def calendar_year_save(*, by, year: CalendarYear) -> CalendarYear:
    ensure_county_level(by)
    if year.pk is None:
        year.source = CalendarSource.COUNTY
    year.full_clean()
    year.save()
    return year


@transaction.atomic
def calendar_day_save(*, by, day: WorkdayOverride) -> WorkdayOverride:
    ensure_county_level(by)
    if day.is_workday and day.date.weekday() < 5:
        raise ValidationError(
            {
                "is_workday": _("%(date)s is a weekday: only a weekend day can be a make-up working day.")
                % {"date": day.date}
            }
        )
    if not day.is_workday and day.date.weekday() >= 5 and not day.holiday:
        raise ValidationError({"holiday": _("A weekend day is already off: name the holiday it belongs to.")})
    day.source = CalendarSource.COUNTY
    day.full_clean()
    day.save()
    return day


@transaction.atomic
def calendar_day_delete(*, by, day: WorkdayOverride) -> None:
    ensure_county_level(by)
    day.delete()

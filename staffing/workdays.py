"""Working days over the platform's calendar table (``CalendarYear`` + ``WorkdayOverride``).

A day is a working day when the table says so (a holiday or a make-up day), otherwise when it is Monday to
Friday — but only inside a year whose holiday schedule the table holds.  Arithmetic that would enter any
other year is refused with a clear message: there is no silent Monday-to-Friday fallback.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .calendar_models import CalendarYear, WorkdayOverride

WARNING_DAYS = 60  # the system check and the dashboard warn this many days before the schedule runs out
ONE_DAY = dt.timedelta(days=1)


def missing_year(year: int) -> ValidationError:
    return ValidationError(
        _(
            "The working-day calendar has no holiday schedule for %(year)s, so working days cannot be counted "
            "into that year. The county enters the State Council's %(year)s schedule in the admin "
            "(Staff › Holiday schedules) first."
        )
        % {"year": year},
        code="calendar_missing",
    )


@dataclass
class Calendar:
    """The table, loaded for a range of dates (two queries); ``extend`` loads more when a walk runs past it."""

    start: dt.date
    end: dt.date
    years: set[int] = field(default_factory=set)
    days: dict[dt.date, bool] = field(default_factory=dict)

    @classmethod
    def load(cls, start: dt.date, end: dt.date) -> Calendar:
        calendar = cls(start, start - ONE_DAY)
        calendar.extend(end)
        return calendar

    def extend(self, end: dt.date) -> None:

        if end <= self.end:
            return
        first = self.end + ONE_DAY
        self.years |= set(
            CalendarYear.objects.filter(year__gte=first.year, year__lte=end.year).values_list("year", flat=True)
        )
        self.days.update(
            WorkdayOverride.objects.filter(date__gte=first, date__lte=end).values_list("date", "is_workday")
        )
        self.end = end

    def is_workday(self, day: dt.date) -> bool:
        if day > self.end:
            self.extend(day + dt.timedelta(days=60))
        if day.year not in self.years:
            raise missing_year(day.year)
        if day in self.days:
            return self.days[day]
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int, calendar: Calendar | None = None) -> dt.date:
    """The last day of a period of ``days`` working days beginning on ``start`` (or the next working day)."""
    if days < 1:
        raise ValidationError(_("A period lasts at least one working day."))
    calendar = calendar or Calendar.load(start, start + dt.timedelta(days=days * 2 + 30))
    day, counted = start, 0
    while True:
        if calendar.is_workday(day):
            counted += 1
            if counted == days:
                return day
        day += ONE_DAY


def count_working_days(start: dt.date, end: dt.date, calendar: Calendar | None = None) -> int:
    """Working days from ``start`` to ``end``, both included (0 if ``end`` is before ``start``)."""
    if end < start:
        return 0
    calendar = calendar or Calendar.load(start, end)
    total, day = 0, start
    while day <= end:
        total += calendar.is_workday(day)
        day += ONE_DAY
    return total


@dataclass(frozen=True)
class Coverage:
    last_year: int | None  # the last year of the unbroken run of scheduled years from this one
    days_left: int  # days from today to the end of that year (0 when this year itself has no schedule)

    @property
    def warn(self) -> bool:
        return self.days_left <= WARNING_DAYS


def coverage(today: dt.date | None = None) -> Coverage:
    """How far the calendar reaches from today (one query)."""

    today = today or timezone.localdate()
    years = set(CalendarYear.objects.filter(year__gte=today.year).values_list("year", flat=True))
    if today.year not in years:
        return Coverage(last_year=None, days_left=0)
    last = today.year
    while last + 1 in years:
        last += 1
    return Coverage(last_year=last, days_left=(dt.date(last, 12, 31) - today).days)


def coverage_message(cover: Coverage, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if cover.last_year is None:
        return _(
            "The working-day calendar has no holiday schedule for %(year)s: publicity periods cannot be counted. "
            "Enter the State Council's schedule in the admin (Staff › Holiday schedules)."
        ) % {"year": today.year}
    return _(
        "The working-day calendar runs out on 31 December %(year)s (%(days)s days from now): enter the State "
        "Council's holiday schedule for %(next)s in the admin (Staff › Holiday schedules)."
    ) % {"year": cover.last_year, "days": cover.days_left, "next": cover.last_year + 1}

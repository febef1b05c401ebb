"""Working days: the official calendar (chinesecalendar) corrected by the editable override table."""

from __future__ import annotations

import datetime as dt

import chinese_calendar


def _official_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the library has no data for: Monday to Friday
        return day.weekday() < 5


def is_workday(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> bool:
    if overrides and day in overrides:
        return overrides[day]
    return _official_workday(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The last day of a period of ``days`` working days beginning on ``start`` (or the next working day)."""
    from .models import WorkdayOverride

    horizon = start + dt.timedelta(days=days * 3 + 30)
    overrides = dict(
        WorkdayOverride.objects.filter(date__gte=start, date__lte=horizon).values_list("date", "is_workday")
    )
    day = start
    counted = 0
    while True:
        if is_workday(day, overrides):
            counted += 1
            if counted == days:
                return day
        day += dt.timedelta(days=1)

"""A reporting or billing period: a month, a quarter or a year (the dashboard, reports and ledgers use it)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def parse(cls, kind: str | None, value: str | None, today: dt.date | None = None) -> Period:
        """``month`` + ``2026-11``, ``quarter`` + ``2026-Q4``, ``year`` + ``2026``; defaults to this month."""
        today = today or timezone.localdate()
        kind = kind or "month"
        try:
            if kind == "year":
                year = int(value) if value else today.year
                return cls("year", dt.date(year, 1, 1), dt.date(year, 12, 31))
            if kind == "quarter":
                if value:
                    year_s, q_s = value.upper().split("-Q")
                    year, quarter = int(year_s), int(q_s)
                else:
                    year, quarter = today.year, (today.month - 1) // 3 + 1
                if not 1 <= quarter <= 4:
                    raise ValueError
                first = 3 * (quarter - 1) + 1
                last = first + 2
                return cls("quarter", dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1]))
            if kind == "month":
                if value:
                    year_s, month_s = value.split("-")
                    year, month = int(year_s), int(month_s)
                else:
                    year, month = today.year, today.month
                return cls("month", dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))
        except (ValueError, TypeError):
            pass
        raise ValueError(str(_("Unknown period: use month=YYYY-MM, quarter=YYYY-Qn or year=YYYY.")))

    @classmethod
    def last_complete_month(cls, today: dt.date | None = None) -> Period:
        """The month before this one: the default of reports (this month is not over yet)."""
        today = today or timezone.localdate()
        last = today.replace(day=1) - dt.timedelta(days=1)
        return cls.parse("month", f"{last:%Y-%m}")

    @classmethod
    def from_label(cls, label: str | None) -> Period:
        """``2026-11`` (a month), ``2026-Q4`` (a quarter) or ``2026`` (a year), years 2000–2100; else ValueError."""
        text = (label or "").strip().upper()
        if not text:
            raise ValueError(str(_("Unknown period: use month=YYYY-MM, quarter=YYYY-Qn or year=YYYY.")))
        period = cls.parse("quarter" if "Q" in text else ("month" if "-" in text else "year"), text)
        if not 2000 <= period.start.year <= 2100:
            raise ValueError(str(_("Unknown period: use month=YYYY-MM, quarter=YYYY-Qn or year=YYYY.")))
        return period

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

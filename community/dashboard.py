"""The dashboard registry: one source for the dashboard pages, the JSON API, snapshots and reports.

Each app's ``dashboard.py`` registers sections with ``@section(key, title)``; a section is a
function ``(scope, period) -> list[Indicator]``.  ``community`` never imports another app:
``autodiscover`` imports whichever ``<app>.dashboard`` modules exist.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from importlib import import_module

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ScopeLevel


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    value: int | Decimal | float | None
    unit: str = ""
    chart: dict | None = None
    link: str = ""

    def as_json(self) -> dict:
        data = asdict(self)
        data["label"] = str(self.label)
        data["unit"] = str(self.unit)
        if isinstance(self.value, Decimal):
            data["value"] = str(self.value)
        return data


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

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    order: int
    fn: Callable = field(compare=False)


SECTIONS: dict[str, Section] = {}


def section(key: str, title, order: int = 100):
    def register(fn):
        SECTIONS[key] = Section(key, title, order, fn)
        return fn

    return register


def autodiscover() -> None:
    for config in apps.get_app_configs():
        if config.name in {"community"}:
            continue
        try:
            import_module(f"{config.name}.dashboard")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.dashboard":
                raise


def sections() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))


def collect(scope, period: Period) -> list[tuple[Section, list[Indicator]]]:
    """Every registered section's indicators for a scope and period (the page, API and reports use this)."""
    return [(s, s.fn(scope, period)) for s in sections()]


@dataclass(frozen=True)
class Target:
    """What a dashboard is about: the county, a town or a community, as a Scope plus a name."""

    level: str
    obj: object

    @property
    def name(self) -> str:
        return str(self.obj)

    def scope(self):
        from .scoping import Scope

        if self.level == ScopeLevel.COUNTY:
            return Scope(ScopeLevel.COUNTY, county_id=self.obj.pk)
        if self.level == ScopeLevel.TOWN:
            return Scope(ScopeLevel.TOWN, county_id=self.obj.county_id, town_id=self.obj.pk)
        return Scope(
            ScopeLevel.COMMUNITY, county_id=self.obj.town.county_id, town_id=self.obj.town_id, community_id=self.obj.pk
        )


# the core's own sections live here because community imports no app
from . import core_dashboard  # noqa: E402,F401

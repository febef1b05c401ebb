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
from decimal import ROUND_HALF_UP, Decimal
from importlib import import_module

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ScopeLevel

# what a figure counts: a stock at the end of the period, a flow within it, or a state now
STOCK, FLOW, NOW = "stock", "flow", "now"
NO_DATA = "—"
YUAN_UNITS = {"yuan", "元"}


def number_text(value) -> str:
    """THE number format of the platform (screen, XLSX, PDF): thousands separators, at most two decimals.

    ``None`` (no data) is "—", never "None"; whole numbers show no decimals.
    """
    if value is None or value == "":
        return NO_DATA
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    amount = Decimal(str(value))
    places = _places(amount)
    return f"{amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,f}"


def _places(amount: Decimal) -> int:
    if amount == amount.to_integral_value():
        return 0
    return 1 if amount * 10 == (amount * 10).to_integral_value() else 2


def excel_format(value) -> str:
    """The XLSX number format that shows a value exactly as ``number_text`` does."""
    if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
        return "General"
    places = _places(Decimal(str(value)))
    return "#,##0" + ("." + "0" * places if places else "")


def wan_text(value, unit="") -> str:
    """An amount of 10,000 yuan or more also read in 万 (136,000 → "13.6万"), as officials say it."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return ""
    if str(unit) not in YUAN_UNITS or abs(Decimal(str(value))) < 10_000:
        return ""
    wan = (Decimal(str(value)) / 10_000).quantize(Decimal("0.01")).normalize()
    return f"{wan:,f}万"


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    value: int | Decimal | float | None
    unit: str = ""
    chart: dict | None = None
    link: str = ""
    basis: str = STOCK  # STOCK at the period's end, FLOW within the period, NOW (a state today)
    note: str = ""  # a short gloss beside the figure, e.g. the pay split's shares "80% / 20%"
    counted: bool = True  # the value is the number of rows its link lists (False: a sum, ratio or median of them)

    def as_json(self) -> dict:
        data = asdict(self)
        data["label"] = str(self.label)
        data["unit"] = str(self.unit)
        data["note"] = str(self.note)
        if isinstance(self.value, Decimal):
            data["value"] = str(self.value)
        return data

    @property
    def text(self) -> str:
        """The value as every output shows it: "136,000", "50", "—"."""
        return number_text(self.value)

    @property
    def wan(self) -> str:
        return wan_text(self.value, self.unit)

    def when(self, period: Period, today: dt.date | None = None) -> str:
        """What moment or span the figure is of, shown beside it."""
        today = today or timezone.localdate()
        if self.basis == NOW:
            return str(_("now (%(day)s)")) % {"day": f"{today:%Y-%m-%d}"}
        if self.basis == FLOW:
            end = min(period.end, today)
            return str(_("%(start)s to %(end)s")) % {"start": f"{period.start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}
        return str(_("at %(day)s")) % {"day": f"{min(period.end, today):%Y-%m-%d}"}


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

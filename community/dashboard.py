"""The dashboard registry: one source for the dashboard pages, the JSON API, snapshots and reports.

Each app's ``dashboard.py`` registers sections with ``@section(key, title)``; a section is a
function ``(scope, period) -> list[Indicator]``.  ``community`` never imports another app:
``autodiscover`` imports whichever ``<app>.dashboard`` modules exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import import_module
from inspect import signature

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from utilities.periods import Period

from .choices import ScopeLevel
from .scoping import Scope

# what a figure counts: a stock at the end of the period, a flow within it, or a state now
STOCK, FLOW, NOW = "stock", "flow", "now"
NO_DATA = "—"
BASIS_LABELS = {
    STOCK: _("stock at the end"),
    FLOW: _("flow within"),
    NOW: _("state now"),
}
YUAN_UNITS = {"yuan", "元"}
# what kind of number a figure is, which decides how every output formats it (see ``Indicator.text``)
COUNT, SHARE, MONEY, MEASURE = "count", "share", "money", "measure"
KINDS = (COUNT, SHARE, MONEY, MEASURE)


def kind_of(value, unit="") -> str:
    """The kind a figure declares when it does not say: "%" is a share, yuan money, a whole number a count."""
    unit = str(unit)
    if unit == "%":
        return SHARE
    if unit in YUAN_UNITS:
        return MONEY
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return COUNT
    return MEASURE


def figure_text(value, kind: str = "") -> str:
    """A figure as pages, API, XLSX and PDF show it: ``number_text``, with a share to at most one decimal,
    a count never with decimals, and money either whole ("136,000") or to the fen ("1,234.50")."""
    if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
        return number_text(value)
    amount = Decimal(str(value))
    if kind in (SHARE, COUNT):
        return number_text(amount.quantize(Decimal("0.1") if kind == SHARE else Decimal(1), rounding=ROUND_HALF_UP))
    if kind == MONEY and amount != amount.to_integral_value():
        return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,f}"  # yuan and fen: 1,234.50
    return number_text(amount)


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


def excel_format(value, kind: str = "") -> str:
    """The XLSX number format that shows a value exactly as ``figure_text`` does."""
    if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
        return "General"
    places = _places(Decimal(str(value)))
    if kind == SHARE:
        places = min(places, 1)
    elif kind == COUNT:
        places = 0
    elif kind == MONEY and places:
        places = 2
    return "#,##0" + ("." + "0" * places if places else "")


def wan_text(value, unit="", kind: str = "") -> str:
    """An amount of money of 10,000 yuan or more also read in 万 (136,000 → "13.6万"), as officials say it."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return ""
    if (kind or kind_of(value, unit)) != MONEY or abs(Decimal(str(value))) < 10_000:
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
    # a FLOW of its own span rather than the period's (a campaign from its announcement, one payroll month)
    since: str = ""  # YYYY-MM-DD
    until: str = ""  # YYYY-MM-DD
    kind: str = ""  # COUNT, SHARE, MONEY or MEASURE: how it is formatted (empty: ``kind_of`` its value and unit)

    def __post_init__(self):
        if not self.kind:
            object.__setattr__(self, "kind", kind_of(self.value, self.unit))
        if self.kind not in KINDS:
            raise ValueError(f"{self.key}: unknown kind {self.kind!r}")

    def as_json(self) -> dict:
        data = asdict(self)
        data["label"] = str(self.label)
        data["unit"] = str(self.unit)
        data["note"] = str(self.note)
        if isinstance(self.value, Decimal):
            data["value"] = str(self.value)
        data["text"] = self.text  # the platform's one format, for clients that show the figure as it is
        data["wan"] = self.wan
        return data

    @property
    def text(self) -> str:
        """The value as every output shows it: "136,000", "50", "—"."""
        return figure_text(self.value, self.kind)

    @property
    def wan(self) -> str:
        return wan_text(self.value, self.unit, self.kind)

    @property
    def basis_text(self) -> str:
        """What the figure counts: a stock at the period's end, a flow within a span, or a state now."""
        return str(BASIS_LABELS.get(self.basis, ""))

    def when(self, period: Period, today: dt.date | None = None) -> str:
        """What moment or span the figure is of, shown beside it."""
        today = today or timezone.localdate()
        if self.basis == NOW:
            return str(_("now (%(day)s)")) % {"day": f"{today:%Y-%m-%d}"}
        if self.basis == FLOW and self.since:
            return str(_("%(start)s to %(end)s")) % {"start": self.since, "end": self.until or self.since}
        if self.basis == FLOW:
            end = min(period.end, today)
            return str(_("%(start)s to %(end)s")) % {"start": f"{period.start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}
        return str(_("at %(day)s")) % {"day": f"{min(period.end, today):%Y-%m-%d}"}


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    order: int
    fn: Callable = field(compare=False)
    takes_campaigns: bool = False  # ``fn(scope, period, campaigns={kind: pk})``: its figures are of a campaign

    def compute(self, scope, period: Period, campaigns: dict | None = None) -> list[Indicator]:
        if self.takes_campaigns:
            return self.fn(scope, period, campaigns=campaigns or {})
        return self.fn(scope, period)


SECTIONS: dict[str, Section] = {}


def section(key: str, title, order: int = 100):
    def register(fn):
        SECTIONS[key] = Section(key, title, order, fn, "campaigns" in signature(fn).parameters)
        return fn

    return register


# --- the campaign picker: figures that belong to one campaign, never to all of history -------------


@dataclass(frozen=True)
class CampaignPicker:
    """One kind of campaign the official can pick (e.g. open recruitment): its campaigns, latest first."""

    kind: str
    title: str
    options: list  # [(pk, label)], latest first: the first is the default
    selected: int | None  # the campaign the figures are of (None: no campaign of this kind yet)

    @property
    def default(self) -> int | None:
        return self.options[0][0] if self.options else None


@dataclass(frozen=True)
class CampaignChoice:
    pickers: list[CampaignPicker]
    campaigns: dict  # kind -> the picked campaign's pk (only those picked; the rest are each kind's latest)
    refused: list[str]  # the values that are no campaign of this unit by the period's end

    @property
    def picked(self) -> bool:
        """A campaign other than the default was chosen (the precomputed figures are then not the ones)."""
        return any(p.selected != p.default for p in self.pickers)

    def query(self) -> str:
        """``campaign=3&campaign=7``: the picked campaigns, for links that keep them."""
        return "&".join(f"campaign={pk}" for pk in self.campaigns.values())


# kind-of-campaign providers: fn(scope, on) -> [(kind, title, [(pk, label), ...] latest first)]
CAMPAIGN_OPTIONS: list[Callable] = []


def campaign_options(fn):
    if fn not in CAMPAIGN_OPTIONS:
        CAMPAIGN_OPTIONS.append(fn)
    return fn


def campaign_choice(scope, period: Period, values=()) -> CampaignChoice:
    """Read ``?campaign=<pk>`` (one per kind) against the campaigns held in the scope by the period's end.

    A value that is not a number, or no campaign of this unit by then, is ``refused`` and ignored;
    two values of one kind keep the first.
    """
    on = min(period.end, timezone.localdate())
    kinds = [row for fn in CAMPAIGN_OPTIONS for row in fn(scope, on)]
    owner = {pk: kind for kind, _title, options in kinds for pk, _label in options}
    campaigns, refused = {}, []
    for value in values:
        value = str(value).strip()
        if not value:
            continue
        pk = int(value) if value.isascii() and value.isdigit() else None
        if pk is None or pk not in owner:
            refused.append(value)
        else:
            campaigns.setdefault(owner[pk], pk)
    pickers = [
        CampaignPicker(kind, title, options, campaigns.get(kind, options[0][0] if options else None))
        for kind, title, options in kinds
    ]
    return CampaignChoice(pickers, campaigns, refused)


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


def collect(scope, period: Period, campaigns: dict | None = None) -> list[tuple[Section, list[Indicator]]]:
    """Every registered section's indicators for a scope and period (the page, API and reports use this).

    ``campaigns`` ({kind: pk}, from ``campaign_choice``) picks the campaign each kind's figures are of;
    a kind not named shows its latest campaign by the period's end.
    """
    return [(s, s.compute(scope, period, campaigns)) for s in sections()]


@dataclass(frozen=True)
class Target:
    """What a dashboard is about: the county, a town or a community, as a Scope plus a name."""

    level: str
    obj: object

    @property
    def name(self) -> str:
        return str(self.obj)

    def scope(self):

        if self.level == ScopeLevel.COUNTY:
            return Scope(ScopeLevel.COUNTY, county_id=self.obj.pk)
        if self.level == ScopeLevel.TOWN:
            return Scope(ScopeLevel.TOWN, county_id=self.obj.county_id, town_id=self.obj.pk)
        return Scope(
            ScopeLevel.COMMUNITY, county_id=self.obj.town.county_id, town_id=self.obj.town_id, community_id=self.obj.pk
        )

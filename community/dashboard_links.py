"""Links from a dashboard figure to exactly its rows: the unit, the period and the figure's own filter.

``rows_link`` builds the address of an admin changelist; ``unit_filter`` is the list filter a target
changelist declares so that ``?unit=town-3`` keeps the rows of that town (its sidebar then names
the unit).  ``tests/community/test_dashboard_links.py`` follows every link of the registry and
asserts that the list's count equals the figure.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import ScopeLevel
from .scoping import scope_of, stored_lookup
from .selectors import unit_choices


def unit_value(scope) -> str:
    """``county-1``, ``town-3`` or ``community-5``: the unit a scope is about."""
    if scope.level == ScopeLevel.COMMUNITY:
        return f"community-{scope.community_id}"
    if scope.level == ScopeLevel.TOWN:
        return f"town-{scope.town_id}"
    return f"county-{scope.county_id}"


def rows_link(url: str, scope, period=None, *, date_field: str = "", date_only: bool = False, **filters) -> str:
    """The changelist ``url`` narrowed to the scope's unit, to the period on ``date_field`` and to ``filters``.

    ``date_field`` is a DateTimeField unless ``date_only`` (a DateField); the period's bounds are
    inclusive days in the project's time zone, as the selectors count them.
    """
    params = {"unit": unit_value(scope)}
    if period is not None and date_field:
        field = date_field if date_only else f"{date_field}__date"
        params[f"{field}__gte"] = f"{period.start:%Y-%m-%d}"
        params[f"{field}__lte"] = f"{period.end:%Y-%m-%d}"
    for key, value in filters.items():
        params[key] = ",".join(str(v) for v in value) if isinstance(value, list | tuple | set) else str(value)
    return f"{url}?{urlencode(params, safe=',')}"


def chosen_unit(request) -> tuple[str, int] | None:
    """The unit a list's ``?unit=`` chose (``("community", 5)``), or None; not checked against any scope."""
    return _parse(request.GET.get("unit"))


def _parse(value: str | None) -> tuple[str, int] | None:
    if not value or "-" not in value:
        return None
    level, _sep, pk = value.partition("-")
    if level not in {ScopeLevel.COUNTY, ScopeLevel.TOWN, ScopeLevel.COMMUNITY} or not pk.isdigit():
        return None
    return level, int(pk)


def unit_filter(community_path: str = "community", *, town_path: str = "", county_path: str = "", many: bool = False):
    """A changelist filter keeping the rows of one county, town or community (``?unit=town-3``).

    ``community_path`` leads from the model to its community (``"id"`` on Community itself);
    the town and county paths default to ``<community_path>__town`` and ``<town_path>__county``.
    ``many``: the path crosses a to-many relation (a task's assignments); each row is kept once.
    """
    town = town_path or f"{community_path}__town"
    county = county_path or f"{town}__county"
    paths = {ScopeLevel.COMMUNITY: community_path, ScopeLevel.TOWN: town, ScopeLevel.COUNTY: county}

    class UnitFilter(admin.SimpleListFilter):
        title = _("unit")
        parameter_name = "unit"

        community_path = paths[ScopeLevel.COMMUNITY]

        def lookups(self, request, model_admin):
            return unit_choices(scope=scope_of(request.user), unit=_parse(self.value()))

        def has_output(self):
            # Django applies only the filters it shows: a unit asked for is applied even with nothing to offer
            # (community staff following a link to another community get no rows, not their own list)
            return bool(self.lookup_choices) or self.value() is not None

        def queryset(self, request, queryset):
            unit = _parse(self.value())
            if unit is None:
                return queryset
            level, pk = unit
            if many:
                return queryset.filter(pk__in=queryset.model._base_manager.filter(**{paths[level]: pk}).values("pk"))
            return queryset.filter(**{stored_lookup(queryset.model, paths[level]): pk})

    return UnitFilter


def on_day_filter(start: str = "start", end: str = "end"):
    """A changelist filter keeping the rows in force on a day (``?on=2026-11-30``): started, not yet ended."""

    class OnDayFilter(admin.SimpleListFilter):
        title = _("in force on")
        parameter_name = "on"

        def _day(self):
            try:
                return dt.date.fromisoformat(self.value() or "")
            except ValueError:
                return None

        def lookups(self, request, model_admin):
            day = self._day()
            return [(self.value(), f"{day:%Y-%m-%d}")] if day else []

        def queryset(self, request, queryset):
            day = self._day()
            if day is None:
                return queryset
            return queryset.filter(
                Q(**{f"{start}__lte": day}), Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": day})
            )

    return OnDayFilter


def _iso_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


def day_filter(parameter: str, title, label, narrow):
    """A changelist filter ``?<parameter>=YYYY-MM-DD`` applying ``narrow(queryset, day)``: one selector for both.

    The figure and its list then count the same rows: e.g. the households nobody covers on a day.
    ``label`` names the choice in the sidebar, with ``%(day)s``.
    """

    class DayFilter(admin.SimpleListFilter):
        parameter_name = parameter

        def lookups(self, request, model_admin):
            day = _iso_day(self.value())
            return [(self.value(), str(label) % {"day": f"{day:%Y-%m-%d}"})] if day else []

        def queryset(self, request, queryset):
            day = _iso_day(self.value())
            return queryset if day is None else narrow(queryset, day)

    DayFilter.title = title
    return DayFilter


# list filters other apps add to a core changelist (community imports no app): model label -> filters
_CONTRIBUTED: dict[str, list] = {}


def contribute_filter(model, list_filter) -> None:
    """Offer ``list_filter`` on ``model``'s changelist from another app (e.g. partybuild's coverage)."""
    entries = _CONTRIBUTED.setdefault(model._meta.label, [])
    if list_filter not in entries:
        entries.append(list_filter)


def contributed_filters(model) -> list:
    return list(_CONTRIBUTED.get(model._meta.label, []))

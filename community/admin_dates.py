"""The admin's date drill-down (``date_hierarchy``) as Django's shows it, for one probe on an index per link.

Django's drill-down aggregates the list's first and last date and then takes the DISTINCT years (months, days)
of every row of the list: two scans of the whole scope on each page, 0.5 to 3 s at a county's half a million
vouchers.  For a list of at least ``EXACT_BELOW`` rows, filtered or not, the first and the last date are read
here by two ``ORDER BY … LIMIT 1`` on the date's index and each year (month, day) between them by one ``EXISTS``
probe, all in one statement, so the page costs what its links cost, whatever the rows; a smaller list or a search
is left to Django (``_probed``).  The choices, links and titles are Django's (``tests/community/test_admin_dates.py``
compares them at every level for every registered admin with a drill-down).
"""

from __future__ import annotations

import calendar
import datetime

from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.utils import get_fields_from_path
from django.db import connections, models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from utilities.pagination_admin import EXACT_BELOW


def _sql(queryset) -> tuple[str, list]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _row(queryset, parts: list[tuple[str, list]]) -> tuple:
    """One ``SELECT (part), (part), …`` on the list's database."""
    params = [param for _sql_text, part_params in parts for param in part_params]
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"({sql})" for sql, _params in parts), params)
        return cursor.fetchone()


def _probed(cl) -> bool:
    """Whether the list's links are probed: a list of at least ``EXACT_BELOW`` rows, its count read before the
    rows, whether a filter (or the drill-down itself) narrowed it or not, and no search.  A probe walks the
    date's index to the first row the list keeps, so it is short when the list keeps many rows: the posted
    vouchers of a county (475,000 of 498,000: 250 ms of aggregates, 2 ms of probes), its closed requests (87,000
    of 100,000).  A smaller list is Django's own: it scans only the rows left, where a walk along the date's
    index would pass every row the filter leaves out (a county's 1,000 open requests among 100,000: 30 ms
    walked from the oldest, 2 ms counted).  A search is Django's own too: its rows may repeat."""
    return not cl.query and _rows(cl) >= EXACT_BELOW


def _rows(cl) -> int:
    """The list's rows: its count, except where the count is the planner's estimate and the page shown is the
    list's last (not full): then the rows up to it.  An estimate can be wrong by any factor (the ledger lines of
    an account type no line has, estimated at 200,000: probing their dates walked every line, 2.5 s)."""
    if getattr(cl.paginator, "estimated", False) and len(cl.result_list) < cl.list_per_page:
        return (cl.page_num - 1) * cl.list_per_page + len(cl.result_list)
    return cl.result_count or 0


def _ends(queryset, field: str, is_datetime: bool):
    """The list's first and last date (None, None without one), each read on the date's index from its end."""
    dated = queryset.filter(**{f"{field}__isnull": False}).values(field)
    first, last = _row(queryset, [_sql(dated.order_by(field)[:1]), _sql(dated.order_by(f"-{field}")[:1])])
    if is_datetime and first is not None:
        first, last = (timezone.localtime(v) if timezone.is_aware(v) else v for v in (first, last))
    return first, last


def _present(queryset, field: str, buckets: list[tuple], is_datetime: bool) -> list[bool]:
    """For each ``(start, end)`` bucket, whether the list has a row with ``start <= field < end``."""
    if not buckets:
        return []
    parts = []
    for start, end in buckets:
        if is_datetime:
            start, end = (timezone.make_aware(datetime.datetime.combine(day, datetime.time())) for day in (start, end))
        probe = queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end}).order_by().values("pk")[:1]
        sql, params = _sql(probe)
        parts.append((f"EXISTS ({sql})", params))
    return list(_row(queryset, parts))


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def date_hierarchy(cl):
    """The context of ``admin/date_hierarchy.html``, as Django's ``{% date_hierarchy cl %}`` gives it."""
    if not cl.date_hierarchy:
        return None
    if not _probed(cl):
        return admin_list.date_hierarchy(cl)
    field_name = cl.date_hierarchy
    is_datetime = isinstance(get_fields_from_path(cl.model, field_name)[-1], models.DateTimeField)
    year_field, month_field, day_field = (f"{field_name}__{part}" for part in ("year", "month", "day"))
    year_lookup = cl.params.get(year_field)
    month_lookup = cl.params.get(month_field)
    day_lookup = cl.params.get(day_field)
    queryset = cl.queryset.order_by()

    def link(filters):
        return cl.get_query_string(filters, [f"{field_name}__"])

    ends = None
    if not (year_lookup or month_lookup or day_lookup):
        ends = first, last = _ends(queryset, field_name, is_datetime)
        if first is not None and first.year == last.year:
            year_lookup = first.year
            if first.month == last.month:
                month_lookup = first.month

    if year_lookup and month_lookup and day_lookup:
        day = datetime.date(int(year_lookup), int(month_lookup), int(day_lookup))
        return {
            "show": True,
            "back": {
                "link": link({year_field: year_lookup, month_field: month_lookup}),
                "title": capfirst(formats.date_format(day, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(formats.date_format(day, "MONTH_DAY_FORMAT"))}],
        }
    if year_lookup and month_lookup:
        year, month = int(year_lookup), int(month_lookup)
        days = [datetime.date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
        present = _present(queryset, field_name, [(d, d + datetime.timedelta(days=1)) for d in days], is_datetime)
        return {
            "show": True,
            "back": {"link": link({year_field: year_lookup}), "title": str(year_lookup)},
            "choices": [
                {
                    "link": link({year_field: year_lookup, month_field: month_lookup, day_field: day.day}),
                    "title": capfirst(formats.date_format(day, "MONTH_DAY_FORMAT")),
                }
                for day, kept in zip(days, present, strict=True)
                if kept
            ],
        }
    if year_lookup:
        months = [datetime.date(int(year_lookup), m, 1) for m in range(1, 13)]
        present = _present(queryset, field_name, [(m, _next_month(m)) for m in months], is_datetime)
        return {
            "show": True,
            "back": {"link": link({}), "title": _("All dates")},
            "choices": [
                {
                    "link": link({year_field: year_lookup, month_field: month.month}),
                    "title": capfirst(formats.date_format(month, "YEAR_MONTH_FORMAT")),
                }
                for month, kept in zip(months, present, strict=True)
                if kept
            ],
        }
    first, last = ends or _ends(queryset, field_name, is_datetime)  # (a month or day without its year)
    # an empty list probes this year, which it has not either: a list's queries are the same whatever its rows
    years = [timezone.localdate().year] if first is None else list(range(first.year, last.year + 1))
    buckets = [(datetime.date(y, 1, 1), datetime.date(y + 1, 1, 1)) for y in years]
    present = _present(queryset, field_name, buckets, is_datetime)
    return {
        "show": True,
        "back": None,
        "choices": [
            {"link": link({year_field: str(year)}), "title": str(year)}
            for year, kept in zip(years, present, strict=True)
            if kept
        ],
    }

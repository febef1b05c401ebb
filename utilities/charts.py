"""ECharts option builders shared by every app's dashboard section (plain dicts, JSON-ready)."""

from __future__ import annotations


def _text(value) -> str:
    return str(value)


def bar_chart(categories, series: dict, *, horizontal: bool = False, stack: bool = False) -> dict:
    category_axis = {"type": "category", "data": [_text(c) for c in categories]}
    value_axis = {"type": "value"}
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_text(name) for name in series]},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": [
            {
                "name": _text(name),
                "type": "bar",
                "data": [float(v) for v in values],
                **({"stack": "total"} if stack else {}),
            }
            for name, values in series.items()
        ],
    }


def pie_chart(pairs) -> dict:
    return {
        "tooltip": {"trigger": "item"},
        "series": [{"type": "pie", "radius": "60%", "data": [{"name": _text(n), "value": float(v)} for n, v in pairs]}],
    }


def line_chart(categories, series: dict) -> dict:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_text(name) for name in series]},
        "xAxis": {"type": "category", "data": [_text(c) for c in categories]},
        "yAxis": {"type": "value"},
        "series": [{"name": _text(n), "type": "line", "data": [float(v) for v in vals]} for n, vals in series.items()],
    }


def trend_chart(months, series: dict, *, shown: int = 4) -> dict:
    """Month-over-month lines of a section's indicators; the legend toggles them, the first few shown.

    A month with no snapshot is a gap (``None``), never a made-up zero.
    """
    names = [_text(name) for name in series]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "data": names, "selected": {name: i < shown for i, name in enumerate(names)}},
        "xAxis": {"type": "category", "data": [_text(m) for m in months]},
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": _text(name),
                "type": "line",
                "connectNulls": False,
                "data": [None if v is None else float(v) for v in values],
            }
            for name, values in series.items()
        ],
    }

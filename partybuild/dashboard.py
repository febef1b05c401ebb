"""The party liaison network's dashboard section: coverage, load, visits (one registry for page, API, reports)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from community.dashboard import FLOW, Indicator, section
from community.dashboard_links import rows_link
from utilities.charts import bar_chart, line_chart
from utilities.periods import Period

from . import selectors

HOUSEHOLDS = "/admin/community/household/"
MEMBERS = "/admin/partybuild/partymember/"
VISITS = "/admin/partybuild/visit/"
ASSIGNMENTS = "/admin/partybuild/assignment/"


@section("partybuild", _("Party liaison network (四联四包)"), order=20)
def coverage(scope, period):
    today = timezone.localdate()
    on = min(period.end, today)
    summary = selectors.coverage_summary(scope=scope, on=on, visits_from=period.start, visits_to=on)
    rows = summary.rows
    names = [r.name for r in rows]
    low, high = summary.band
    members = len(summary.members)
    in_band = sum(1 for m in summary.members if not m.flag)
    period_visits = summary.total("visits")
    months = max(1, (on.year - period.start.year) * 12 + on.month - period.start.month + 1)
    by_month = selectors.visits_by_month(scope=scope, months=6, on=on)
    loads: dict[int, int] = {}
    for m in summary.members:
        loads[m.load] = loads.get(m.load, 0) + 1
    load_axis = list(range(0, max([high + 1, *loads]) + 1))
    day = f"{on:%Y-%m-%d}"
    uncovered = rows_link(HOUSEHOLDS, scope, uncovered_on=day)
    visits_link = rows_link(VISITS, scope, Period(period.kind, period.start, on), date_field="date", date_only=True)
    return [
        Indicator(
            "households_uncovered",
            _("Households nobody covers"),
            summary.uncovered,
            _("households"),
            chart=bar_chart(
                names,
                {_("Covered"): [r.covered for r in rows], _("Not covered"): [r.uncovered for r in rows]},
                stack=True,
            ),
            link=uncovered,
        ),
        Indicator(
            "coverage_rate",
            _("Households covered"),
            summary.coverage_rate,
            "%",
            link=uncovered,
            counted=False,  # a share of the households; the link lists those nobody covers
        ),
        Indicator(
            "communities_uncovered",
            _("Communities nobody covers (包点)"),
            summary.communities_uncovered,
            _("communities"),
        ),
        Indicator(
            "zones_uncovered",
            _("Zones nobody covers (包片)"),
            summary.total("zones_uncovered"),
            _("zones"),
            chart=bar_chart(
                names,
                {
                    _("Zones nobody covers (包片)"): [r.zones_uncovered for r in rows],
                    _("Buildings nobody covers (包楼)"): [r.buildings_uncovered for r in rows],
                },
            ),
        ),
        Indicator(
            "buildings_uncovered",
            _("Buildings nobody covers (包楼)"),
            summary.total("buildings_uncovered"),
            _("buildings"),
        ),
        Indicator(
            "members", _("Active party members"), members, _("people"), link=rows_link(MEMBERS, scope, active_on=day)
        ),
        Indicator(
            "members_outside_band",
            _("Members covering fewer than %(low)d or more than %(high)d households") % {"low": low, "high": high},
            members - in_band,
            _("people"),
            chart=bar_chart([str(n) for n in load_axis], {_("Members"): [loads.get(n, 0) for n in load_axis]}),
        ),
        Indicator(
            "visits",
            _("Visits in the period"),
            period_visits,
            pgettext_lazy("unit", "visits"),
            chart=line_chart([label for label, _n in by_month], {_("Visits"): [n for _label, n in by_month]}),
            link=visits_link,
            basis=FLOW,
        ),
        Indicator(
            "visits_per_member_month",
            _("Visits per member per month"),
            round(period_visits / members / months, 2) if members else 0.0,
            pgettext_lazy("unit", "visits"),
            basis=FLOW,
        ),
        Indicator(
            "visited_30",
            _("Households visited in the last 30 days"),
            summary.share("visited_30"),
            "%",
            chart=bar_chart(
                names,
                {
                    _("Last 30 days"): [r.visited_30 for r in rows],
                    _("Last 90 days"): [r.visited_90 for r in rows],
                },
            ),
        ),
        Indicator("visited_90", _("Households visited in the last 90 days"), summary.share("visited_90"), "%"),
        Indicator(
            "ended_without_successor",
            _("Assignments ended without a successor"),
            summary.total("ended_without_successor"),
            _("assignments"),
            link=rows_link(ASSIGNMENTS, scope, unreplaced_on=day),
        ),
    ]

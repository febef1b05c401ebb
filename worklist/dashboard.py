"""Load and supervision indicators of the tasks handed down to the communities."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from community.dashboard import FLOW, NOW, Indicator, section
from community.dashboard_links import rows_link
from community.departments import ASKS, department_figure
from utilities.charts import bar_chart, pie_chart

from . import selectors

ASSIGNMENTS = "/admin/worklist/taskassignment/"
HANDED = "/admin/worklist/handedtask/"


def _months(period) -> int:
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1


@section("worklist", _("Tasks handed down to the communities"), order=60)
def worklist(scope, period):
    stats = selectors.load_stats(scope=scope, start=period.start, end=period.end)
    names = [name for name, _n, _late in stats.communities]
    per_month = None
    if stats.communities:
        per_month = (Decimal(stats.assignments) / len(stats.communities) / _months(period)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    issued = rows_link(ASSIGNMENTS, scope, period, date_field="task__created_at")
    return [
        Indicator(
            "tasks_per_community_month",
            _("Tasks per community per month"),
            per_month,
            _("tasks"),
            chart=bar_chart(names, {_("Tasks received"): [n for _name, n, _late in stats.communities]}),
            link=issued,
            basis=FLOW,
            counted=False,  # a ratio: the assignments of the period over communities and months
        ),
        Indicator(
            "tasks_handed_down",
            _("Tasks handed down"),
            stats.tasks,
            _("tasks"),
            link=rows_link(HANDED, scope, period, date_field="created_at"),
            basis=FLOW,
        ),
        Indicator(
            "outside_list_share",
            _("Share of tasks outside the work list"),
            selectors.percent(stats.outside_list, stats.tasks),
            "%",
            chart=pie_chart(
                [
                    (_("On the work list"), stats.tasks - stats.outside_list),
                    (_("Approved exceptions"), stats.outside_list),
                ]
            ),
        ),
        Indicator("on_time_rate", _("Reported on time"), selectors.percent(stats.on_time, stats.due), "%"),
        Indicator("average_days_to_report", _("Average days to report"), stats.average_days_to_report, _("days")),
        Indicator(
            "overdue_now",
            _("Overdue now"),
            stats.overdue,
            _("tasks"),
            chart=bar_chart(names, {_("Overdue"): [late for _name, _n, late in stats.communities]}),
            link=rows_link(ASSIGNMENTS, scope, overdue="yes"),
            basis=NOW,
        ),
        Indicator(
            "tasks_by_issuer",
            _("Tasks handed down per department or office"),
            len(stats.by_issuer),
            _("issuers"),
            chart=bar_chart([name for name, _n in stats.by_issuer], {_("Tasks"): [n for _name, n in stats.by_issuer]}),
        ),
    ]


@department_figure("tasks_handed_down", _("Task assignments handed down"), side=ASKS, order=10)
def tasks_handed_down(scope, period):
    return selectors.assignments_by_department(scope=scope, start=period.start, end=period.end)

"""The funding sections of the dashboard: money by source, government investment, the facility standard."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from community.charts import bar_chart, pie_chart
from community.dashboard import Indicator, section

from . import selectors


@section("funding", _("Money: multi-source funding"), order=40)
def funding(scope, period):
    by_source = selectors.balances_by_source(scope=scope)
    flows = selectors.period_flows(scope=scope, start=period.start, end=period.end)
    total = sum((amount for _kind, _label, amount in by_source), Decimal("0.00"))
    shown = [(label, amount) for _kind, label, amount in by_source if amount]
    return [
        Indicator(
            "government_investment",
            _("Government investment in offices (to date)"),
            selectors.government_investment(scope=scope, end=period.end),
            _("yuan"),
            link="/funding/reports/",
        ),
        Indicator(
            "fund_balance",
            _("Money held, all funds"),
            total,
            _("yuan"),
            chart=pie_chart(shown) if shown else None,
            link="/admin/funding/fundbalance/",
        ),
        Indicator("received", _("Received in the period"), flows["received"], _("yuan")),
        Indicator("spent", _("Spent in the period"), flows["spent"], _("yuan")),
    ]


@section("facilities", _("Office facilities (四室两站六个一)"), order=41)
def facilities(scope, period):
    summary = selectors.facility_summary(scope=scope, on=period.end)
    return [
        Indicator(
            "meeting_standard",
            _("Communities meeting the facility standard"),
            summary.meeting_standard,
            _("communities"),
            chart=bar_chart(
                [_("Assessed"), _("Meeting the standard"), _("TV and VCD"), _("Computerised")],
                {
                    _("Communities"): [
                        summary.assessed,
                        summary.meeting_standard,
                        summary.with_tv_and_vcd,
                        summary.computerised,
                    ]
                },
            ),
            link="/admin/funding/facilityassessment/",
        ),
        Indicator("average_office_area", _("Average office area"), summary.average_area, _("m²")),
        Indicator("with_tv_and_vcd", _("Offices with TV and VCD"), summary.with_tv_and_vcd, _("communities")),
    ]

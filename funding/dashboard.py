"""The funding sections of the dashboard: money by source, government investment, the facility standard."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.dashboard import FLOW, NOW, Indicator, section
from community.dashboard_links import rows_link
from community.departments import department_figure
from utilities.charts import bar_chart, pie_chart

from . import economy_selectors, selectors
from .choices import GOVERNMENT_KINDS, AccountType, EntryStatus, Use

LINES = "/admin/funding/journalline/"


def _lines(scope, period=None, **filters) -> str:
    return rows_link(LINES, scope, period, date_field="entry__date", date_only=True, **filters)


@section("funding", _("Money: multi-source funding"), order=40)
def funding(scope, period):
    on = min(period.end, timezone.localdate())
    by_source = selectors.balances_by_source(scope=scope)
    flows = selectors.period_flows(scope=scope, start=period.start, end=period.end)
    total = sum((amount for _kind, _label, amount in by_source), Decimal("0.00"))
    shown = [(label, amount) for _kind, label, amount in by_source if amount]
    span = selectors.government_investment_span(scope=scope, end=on)
    years = ""
    if span:
        first, last = span
        years = (
            _("%(first)d–%(last)d, over %(n)d years")
            % {"first": first.year, "last": last.year, "n": last.year - first.year + 1}
            if last.year > first.year
            else str(first.year)
        )
    posted = {"entry__status__exact": EntryStatus.POSTED}
    return [
        Indicator(
            "government_investment",
            _("Government investment in offices"),
            selectors.government_investment(scope=scope, end=on),
            _("yuan"),
            link=rows_link(
                LINES,
                scope,
                entry__date__lte=f"{on:%Y-%m-%d}",
                account__type__exact=AccountType.EXPENSE,
                account__use__exact=Use.OFFICE,
                fund__source__kind__in=[str(k) for k in GOVERNMENT_KINDS],
                **posted,
            ),
            note=years,
            counted=False,
        ),
        Indicator(
            "fund_balance",
            _("Money held, all funds"),
            total,
            _("yuan"),
            chart=pie_chart(shown) if shown else None,
            link=rows_link("/admin/funding/fundbalance/", scope),
            basis=NOW,
            counted=False,
        ),
        Indicator(
            "received",
            _("Received in the period"),
            flows["received"],
            _("yuan"),
            link=_lines(scope, period, account__type__exact=AccountType.INCOME, **posted),
            basis=FLOW,
            counted=False,
        ),
        Indicator(
            "spent",
            _("Spent in the period"),
            flows["spent"],
            _("yuan"),
            link=_lines(scope, period, account__type__exact=AccountType.EXPENSE, **posted),
            basis=FLOW,
            counted=False,
        ),
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
            link=rows_link("/admin/funding/facilityassessment/", scope, assessed_on__lte=f"{period.end:%Y-%m-%d}"),
            counted=False,  # the latest assessment of each community
        ),
        Indicator("average_office_area", _("Average office area"), summary.average_area, _("m²")),
        Indicator("with_tv_and_vcd", _("Offices with TV and VCD"), summary.with_tv_and_vcd, _("communities")),
    ]


# --- the community's own economy, and the departments' grants on the departments' review --------------

BILLS = "/admin/funding/propertyfeebill/"


@section("own_economy", _("The community's own economy: property fees and partner companies"), order=42)
def own_economy(scope, period):

    s = economy_selectors.economy_summary(scope=scope, period=period, today=timezone.localdate())
    return [
        Indicator(
            "property_bills_issued",
            _("Property-fee bills issued"),
            s.bills_issued,
            _("bills"),
            link=rows_link(BILLS, scope, period, date_field="period_start", date_only=True),
            basis=FLOW,
        ),
        Indicator(
            "property_fees_collected",
            _("Property fees collected"),
            s.collected,
            _("yuan"),
            link=rows_link("/admin/funding/propertyfeereceipt/", scope, period, date_field="paid_on", date_only=True),
            basis=FLOW,
            counted=False,
        ),
        Indicator(
            "property_bills_in_arrears",
            _("Property-fee bills in arrears"),
            s.bills_in_arrears,
            _("bills"),
            link=rows_link(BILLS, scope, arrears="yes"),
            basis=NOW,
        ),
        Indicator(
            "property_arrears_amount",
            _("Property fees owed past due"),
            s.arrears_amount,
            _("yuan"),
            link=rows_link(BILLS, scope, arrears="yes"),
            basis=NOW,
            counted=False,
        ),
        Indicator(
            "referral_fees",
            _("Referral fees from partner companies"),
            s.referral_fees,
            _("yuan"),
            link=rows_link("/admin/funding/referralfee/", scope, period, date_field="received_on", date_only=True),
            basis=FLOW,
            counted=False,
        ),
    ]


@department_figure("funds_granted", _("Working funds granted to communities (yuan)"), order=40)
def funds_granted(scope, period):

    return economy_selectors.grants_by_department(scope=scope, period=period)

"""Staffing's dashboard section: the latest campaigns, the roster's composition on a day, pay and its split."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.dashboard import COUNT, FLOW, MONEY, SHARE, Indicator, campaign_options, figure_text, section
from community.dashboard import Indicator as Figure
from community.dashboard_links import rows_link
from community.models import Community
from utilities.charts import bar_chart, pie_chart

from . import selectors
from .choices import CampaignKind, CertificateKind, Education, Origin, Payer, Stage
from .workdays import coverage, coverage_message

APPLICATIONS = "/admin/staffing/application/"
ROSTER = "/admin/staffing/staffmember/"


def _county_id(scope):
    if scope.county_id:
        return scope.county_id

    first = Community.objects.for_scope(scope).select_related("town").first()
    return first.town.county_id if first else None


def _share(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")).normalize()


@campaign_options
def campaign_kinds(scope, on):
    """The dashboard's campaign picker: each kind's campaigns held in the scope by ``on``, latest first."""
    return [
        (
            kind,
            label,
            [
                (c.pk, f"{c.title} ({c.announced_on:%Y-%m-%d})")
                for c in selectors.campaigns_of(scope=scope, kind=kind, on=on)
            ],
        )
        for kind, label in CampaignKind.choices
    ]


def _campaign(scope, kind, on, label, applicants_label, hired_label, keys, chosen=None):
    campaign = selectors.latest_campaign(scope=scope, kind=kind, on=on, chosen=chosen)
    f = selectors.campaign_figures_of(scope=scope, campaign=campaign)
    note = str(campaign) if campaign else ""
    apps = hired = ""  # no campaign in the period: nothing to list
    span = {}
    if campaign is not None:
        apps = rows_link(APPLICATIONS, scope, post__campaign__id__exact=campaign.pk)
        hired = rows_link(APPLICATIONS, scope, post__campaign__id__exact=campaign.pk, stage__exact=Stage.HIRED)
        # a campaign's figures are of the campaign, from its announcement, not of the period picked
        span = {"since": f"{campaign.announced_on:%Y-%m-%d}", "until": f"{on:%Y-%m-%d}"}
    return [
        Indicator(
            keys[0], applicants_label, f.applicants, _("people"), kind=COUNT, link=apps, basis=FLOW, note=note, **span
        ),
        Indicator(keys[1], label, f.places, _("places"), kind=COUNT, basis=FLOW, note=note, **span),
        Indicator(keys[2], hired_label, f.hired, _("people"), kind=COUNT, link=hired, basis=FLOW, note=note, **span),
    ]


@section("staffing", _("Community workers"), order=30)
def staffing(scope, period, campaigns: dict | None = None):
    """``campaigns`` maps a CampaignKind to the campaign the official picked (else each kind's latest)."""
    on = min(period.end, timezone.localdate())
    campaigns = campaigns or {}
    recruitment = _campaign(
        scope,
        CampaignKind.RECRUITMENT,
        on,
        _("Posts offered"),
        _("Applicants in open recruitment"),
        _("Hired through open recruitment"),
        ("recruitment_applicants", "recruitment_posts", "recruitment_hired"),
        campaigns.get(CampaignKind.RECRUITMENT),
    )
    placement = _campaign(
        scope,
        CampaignKind.PLACEMENT,
        on,
        _("Places in competitive placement"),
        _("Incumbents in competitive placement"),
        _("Kept through competitive placement"),
        ("placement_incumbents", "placement_places", "placement_kept"),
        campaigns.get(CampaignKind.PLACEMENT),
    )
    comp = selectors.composition(scope=scope, on=on)
    pay = selectors.pay_figures(scope=scope, county_id=_county_id(scope), on=on)
    rows = selectors.composition_by_community(scope=scope, on=on)
    names = [r["name"] for r in rows]
    day = f"{on:%Y-%m-%d}"

    def roster(**filters):
        return rows_link(ROSTER, scope, on=day, **filters)

    county_paid, town_paid = pay.shares.get(Payer.COUNTY, Decimal("0")), pay.shares.get(Payer.TOWN, Decimal("0"))
    county_share, town_share = _share(county_paid, pay.total), _share(town_paid, pay.total)
    pay_month = f"{pay.month:%Y-%m}" if pay.month else ""
    payroll = rows_link("/admin/staffing/payrollrun/", scope, month__exact=pay.month) if pay.month else ""
    # the pay figures are of the latest payroll month by the period's end: a flow within that month
    paid = {"basis": FLOW}
    if pay.month:
        last = (pay.month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        paid.update(since=f"{pay.month:%Y-%m-%d}", until=f"{last:%Y-%m-%d}")
    return [
        *recruitment,
        *placement,
        Indicator(
            "staff_total",
            _("Community workers"),
            comp.total,
            _("people"),
            kind=COUNT,
            chart=bar_chart(names, {_("Community workers"): [r["total"] for r in rows]}),
            link=roster(),
        ),
        Indicator(
            "party_members",
            _("Party members among them"),
            comp.party_members,
            _("people"),
            kind=COUNT,
            chart=bar_chart(names, {_("Party members"): [r["party_members"] for r in rows]}),
            link=roster(party_member__exact=1),
        ),
        Indicator(
            "party_share",
            _("Party-member share"),
            comp.party_share,
            "%",
            kind=SHARE,
            link=roster(party_member__exact=1),
            counted=False,
        ),
        Indicator(
            "technical_or_above",
            _("Technical secondary school (中专) or above"),
            comp.technical_or_above,
            _("people"),
            kind=COUNT,
            chart=pie_chart([(Education(e).label, n) for e, n in comp.education.items() if n]),
            link=roster(education__in=selectors.TECHNICAL_OR_ABOVE),
        ),
        Indicator(
            "senior_high",
            _("Senior high school"),
            comp.education[Education.SENIOR_HIGH],
            _("people"),
            kind=COUNT,
            link=roster(education__exact=Education.SENIOR_HIGH),
        ),
        Indicator(
            "junior_high",
            _("Junior high school"),
            comp.education[Education.JUNIOR_HIGH],
            _("people"),
            kind=COUNT,
            link=roster(education__exact=Education.JUNIOR_HIGH),
        ),
        Indicator(
            "computer_certificates",
            _("Holding a computer qualification certificate"),
            comp.certificates[CertificateKind.COMPUTER],
            _("people"),
            kind=COUNT,
            link=roster(certificates__kind=CertificateKind.COMPUTER),
        ),
        Indicator(
            "age_distribution",
            _("40 years old or younger"),
            comp.young,
            _("people"),
            kind=COUNT,
            chart=bar_chart(list(comp.ages), {_("Community workers"): list(comp.ages.values())}),
            link=roster(age=selectors.YOUNG_BAND),
        ),
        Indicator(
            "origin_recruited",
            _("On the roster through open recruitment"),
            comp.origins[Origin.RECRUITED],
            _("people"),
            kind=COUNT,
            chart=pie_chart([(Origin(o).label, n) for o, n in comp.origins.items() if n]),
            link=roster(origin__exact=Origin.RECRUITED),
        ),
        Indicator(
            "origin_placed",
            _("On the roster through competitive placement"),
            comp.origins[Origin.PLACED],
            _("people"),
            kind=COUNT,
            link=roster(origin__exact=Origin.PLACED),
        ),
        Indicator("pay_previous", _("Monthly pay before the raise"), pay.previous_scale, _("yuan"), kind=MONEY),
        Indicator("pay_current", _("Monthly pay now"), pay.current_scale, _("yuan"), kind=MONEY),
        Indicator(
            "payroll_total",
            _("Latest month's pay, all workers"),
            pay.total,
            _("yuan"),
            kind=MONEY,
            link=payroll,
            note=pay_month,
            counted=False,
            **paid,
        ),
        Indicator(
            "payroll_staff",
            _("Workers paid in the latest month"),
            pay.staff_paid,
            _("people"),
            kind=COUNT,
            link=payroll,
            note=pay_month,
            counted=False,
            **paid,
        ),
        Indicator(
            "payroll_county",
            _("Paid by the county"),
            county_paid,
            _("yuan"),
            kind=MONEY,
            link=payroll,
            note=f"{number_share(county_share)}",
            counted=False,
            **paid,
        ),
        Indicator(
            "payroll_town",
            _("Paid by the town"),
            town_paid,
            _("yuan"),
            kind=MONEY,
            chart=pie_chart([(Payer(k).label, v) for k, v in pay.shares.items()]),
            link=payroll,
            note=f"{number_share(town_share)}",
            counted=False,
            **paid,
        ),
        Indicator(
            "payroll_county_share",
            _("Share paid by the county"),
            county_share,
            "%",
            kind=SHARE,
            link=payroll,
            counted=False,
            **paid,
        ),
        Indicator(
            "payroll_town_share",
            _("Share paid by the town"),
            town_share,
            "%",
            kind=SHARE,
            link=payroll,
            counted=False,
            **paid,
        ),
    ]


def number_share(share) -> str:
    return "" if share is None else f"{figure_text(share, SHARE)}%"


@section("staffing_calendar", _("Working-day calendar"), order=31)
def working_day_calendar(scope, period):
    """A warning, from 60 days before it runs out, that the holiday schedule needs the next year entered."""

    cover = coverage()
    label = _("Warning: the holiday schedule runs out soon") if cover.warn else _("Days of holiday schedule left")
    fields = Figure.__dataclass_fields__
    extra = {"counted": False} if "counted" in fields else {}  # a number of days, not of rows
    if cover.warn and "note" in fields:
        extra["note"] = coverage_message(cover)
    return [
        Figure("calendar_days_left", label, cover.days_left, _("days"), link="/admin/staffing/calendaryear/", **extra)
    ]

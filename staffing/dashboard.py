"""Staffing's dashboard section: recruitment and placement, the roster's composition, pay and its split."""

from django.utils.translation import gettext_lazy as _

from community.charts import bar_chart, pie_chart
from community.dashboard import Indicator, section

from . import selectors
from .choices import CampaignKind, CertificateKind, Education, Origin, Payer


def _county_id(scope):
    if scope.county_id:
        return scope.county_id
    from community.models import Community

    first = Community.objects.for_user_scope(scope).select_related("town").first()
    return first.town.county_id if first else None


@section("staffing", _("Community workers"), order=30)
def staffing(scope, period):
    recruitment = selectors.campaign_figures(scope=scope, kind=CampaignKind.RECRUITMENT)
    placement = selectors.campaign_figures(scope=scope, kind=CampaignKind.PLACEMENT)
    comp = selectors.composition(scope=scope, on=period.end)
    pay = selectors.pay_figures(scope=scope, county_id=_county_id(scope), on=period.end)
    rows = selectors.composition_by_community(scope=scope, on=period.end)
    names = [r["name"] for r in rows]
    return [
        Indicator("recruitment_applicants", _("Applicants in open recruitment"), recruitment.applicants, _("people")),
        Indicator("recruitment_posts", _("Posts offered"), recruitment.places, _("places")),
        Indicator(
            "recruitment_hired",
            _("Hired through open recruitment"),
            recruitment.hired,
            _("people"),
            link="/admin/staffing/application/?stage__exact=hired",
        ),
        Indicator("placement_incumbents", _("Incumbents in competitive placement"), placement.applicants, _("people")),
        Indicator("placement_kept", _("Kept through competitive placement"), placement.hired, _("people")),
        Indicator(
            "staff_total",
            _("Community workers"),
            comp.total,
            _("people"),
            chart=bar_chart(names, {_("Community workers"): [r["total"] for r in rows]}),
            link="/admin/staffing/staffmember/",
        ),
        Indicator(
            "party_members",
            _("Party members among them"),
            comp.party_members,
            _("people"),
            chart=bar_chart(names, {_("Party members"): [r["party_members"] for r in rows]}),
        ),
        Indicator("party_share", _("Party-member share"), comp.party_share, "%"),
        Indicator(
            "technical_or_above",
            _("Technical secondary school (中专) or above"),
            comp.technical_or_above,
            _("people"),
            chart=pie_chart([(Education(e).label, n) for e, n in comp.education.items() if n]),
        ),
        Indicator("senior_high", _("Senior high school"), comp.education[Education.SENIOR_HIGH], _("people")),
        Indicator("junior_high", _("Junior high school"), comp.education[Education.JUNIOR_HIGH], _("people")),
        Indicator(
            "computer_certificates",
            _("Holding a computer qualification certificate"),
            comp.certificates[CertificateKind.COMPUTER],
            _("people"),
        ),
        Indicator(
            "age_distribution",
            _("Under 41 years old"),
            sum(n for label, n in comp.ages.items() if label in ("≤30", "31–40")),
            _("people"),
            chart=bar_chart(list(comp.ages), {_("Community workers"): list(comp.ages.values())}),
        ),
        Indicator(
            "origin_recruited",
            _("On the roster through open recruitment"),
            comp.origins[Origin.RECRUITED],
            _("people"),
            chart=pie_chart([(Origin(o).label, n) for o, n in comp.origins.items() if n]),
        ),
        Indicator(
            "origin_placed", _("On the roster through competitive placement"), comp.origins[Origin.PLACED], _("people")
        ),
        Indicator("pay_previous", _("Monthly pay before the raise"), pay.previous_scale, _("yuan")),
        Indicator("pay_current", _("Monthly pay now"), pay.current_scale, _("yuan")),
        Indicator("payroll_total", _("Latest month's pay, all workers"), pay.total, _("yuan")),
        Indicator("payroll_staff", _("Workers paid in the latest month"), pay.staff_paid, _("people")),
        Indicator("payroll_county", _("Paid by the county"), pay.shares.get(Payer.COUNTY, 0), _("yuan")),
        Indicator(
            "payroll_town",
            _("Paid by the town"),
            pay.shares.get(Payer.TOWN, 0),
            _("yuan"),
            chart=pie_chart([(Payer(k).label, v) for k, v in pay.shares.items()]),
        ),
    ]

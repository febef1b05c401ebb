"""Indicators of self-governance: notices published, meetings held with a quorum, election turnout."""

from django.utils.translation import gettext_lazy as _

from community.dashboard import FLOW, Indicator, section
from community.dashboard_links import rows_link
from community.departments import GIVES, department_figure

from . import selectors
from .choices import MeetingStatus

NOTICES = "/admin/governance/notice/"
MEETINGS = "/admin/governance/meeting/"


@section("governance", _("Self-governance: notices, meetings, elections"), order=80)
def governance(scope, period):
    s = selectors.summary(scope=scope, period=period)
    return [
        Indicator(
            "notices_published",
            _("Notices published"),
            s.notices,
            _("notices"),
            link=rows_link(NOTICES, scope, period, date_field="publish_at"),
            basis=FLOW,
        ),
        Indicator(
            "meetings_held",
            _("Residents' meetings held"),
            s.meetings,
            _("meetings"),
            link=rows_link(MEETINGS, scope, period, date_field="starts_at", status__exact=MeetingStatus.HELD),
            basis=FLOW,
        ),
        Indicator(
            "meetings_quorate",
            _("Meetings held with a quorum"),
            s.meetings_quorate,
            _("meetings"),
            link=rows_link(
                MEETINGS, scope, period, date_field="starts_at", status__exact=MeetingStatus.HELD, quorate__exact=1
            ),
            basis=FLOW,
        ),
        Indicator("elections_counted", _("Committee elections counted"), s.elections, _("elections")),
        Indicator("election_turnout", _("Election turnout"), s.turnout, "%"),
    ]


# --- the departments' review: staff placed in the communities, and the communities' evaluations ------


@department_figure("staff_placed", _("Department staff placed in communities"), side=GIVES, order=35)
def staff_placed(scope, period):
    return selectors.placements_by_department(scope=scope, period=period)


@department_figure("evaluation_score", _("Average score in the communities' evaluations"), order=90)
def evaluation_score(scope, period):
    return selectors.evaluation_score_by_department(scope=scope, period=period)

"""Indicators of the services app: requests, 六进社区, facility sharing and events."""

from django.utils.translation import gettext_lazy as _

from community.charts import bar_chart, pie_chart
from community.dashboard import Indicator, section
from community.departments import GIVES, department_figure

from . import selectors
from .choices import ActivityKind, Status


@section("requests", _("Residents' service requests"), order=50)
def requests(scope, period):
    s = selectors.request_summary(scope=scope, period=period)
    return [
        Indicator(
            "requests",
            _("Requests received"),
            s.total,
            _("requests"),
            chart=pie_chart([(s_.label, s.by_status.get(s_.value, 0)) for s_ in Status if s.by_status.get(s_.value)]),
            link="/admin/services/servicerequest/",
        ),
        Indicator(
            "requests_by_category",
            _("Requests by category"),
            len(s.by_category),
            _("categories"),
            chart=bar_chart(list(s.by_category), {_("Requests"): list(s.by_category.values())}, horizontal=True),
        ),
        Indicator(
            "requests_open",
            _("Open requests"),
            s.open,
            _("requests"),
            link="/admin/services/servicerequest/?status__exact=submitted",
        ),
        Indicator(
            "requests_overdue",
            _("Overdue requests"),
            s.overdue,
            _("requests"),
            link="/admin/services/servicerequest/?overdue=yes",
        ),
        Indicator("median_hours_to_resolve", _("Median time to resolve"), s.median_hours, _("hours")),
        Indicator("satisfaction_rate", _("Satisfaction rate"), s.satisfaction_rate, "%"),
        Indicator("follow_up_rate", _("Follow-up rate (回访率)"), s.follow_up_rate, "%"),
    ]


@section("six_into", _("六进社区: departments in the community"), order=60)
def six_into(scope, period):
    s = selectors.six_into_summary(scope=scope, period=period)
    departments = sorted({d for d, _k in s.by_department_kind})
    kinds = list(ActivityKind)
    quarters = list(s.by_quarter_department)
    return [
        Indicator(
            "activities",
            _("Department activities"),
            s.activities,
            _("activities"),
            chart=bar_chart(
                departments,
                {k.label: [s.by_department_kind.get((d, k.value), 0) for d in departments] for k in kinds},
                stack=True,
            ),
            link="/admin/services/activity/",
        ),
        Indicator(
            "activities_by_quarter",
            _("Activities by quarter and department"),
            len(quarters),
            _("quarters"),
            chart=bar_chart(
                quarters, {d: [s.by_quarter_department[q].get(d, 0) for q in quarters] for d in departments}
            ),
        ),
        Indicator("activity_participants", _("Participants in department activities"), s.participants, _("people")),
        Indicator("activity_spending", _("Spent on department activities"), s.spent, _("yuan")),
        Indicator(
            "commitments", _("Service commitments"), s.commitments, _("commitments"), link="/admin/services/commitment/"
        ),
        Indicator("commitments_fulfilled", _("Commitments fulfilled"), s.commitments_fulfilled, _("commitments")),
    ]


@section("sharing", _("Shared facilities and community life"), order=70)
def sharing(scope, period):
    s = selectors.sharing_summary(scope=scope, period=period)
    return [
        Indicator("units_sharing", _("Resident units sharing facilities"), s.units, _("units")),
        Indicator(
            "facilities", _("Facilities open to residents"), s.facilities, _("facilities"), link="/services/facilities/"
        ),
        Indicator("facility_uses", _("Facility uses"), s.bookings_used, _("times")),
        Indicator("facility_visitors", _("Residents using shared facilities"), s.facility_visitors, _("people")),
        Indicator("events_held", _("Community events held"), s.events_held, _("events")),
        Indicator("event_attendance", _("Attendance at community events"), s.event_attendance, _("people")),
        Indicator("meetings_held", _("Residents' meetings held"), s.meetings_held, _("meetings")),
    ]


@department_figure("commitments", _("Service commitments"), order=20)
def commitments(scope, period):
    return selectors.commitments_by_department(scope=scope, period=period)


@department_figure("activities_held", _("六进 activities held"), side=GIVES, order=30)
def activities_held(scope, period):
    return selectors.activities_by_department(scope=scope, period=period)

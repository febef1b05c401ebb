"""Indicators of the services app: requests, 六进社区, facility sharing and events."""

from django.utils.translation import gettext_lazy as _

from community.dashboard import FLOW, NOW, Indicator, section
from community.dashboard_links import rows_link
from community.departments import GIVES, department_figure
from utilities.charts import bar_chart, pie_chart

from . import obligations_selectors, selectors
from .choices import (
    OPEN_STATUSES,
    ActivityKind,
    BookingStatus,
    CommunityEventKind,
    CommunityEventStatus,
    FulfilmentStatus,
    Rating,
    Status,
)

REQUESTS = "/admin/services/servicerequest/"
ACTIVITIES = "/admin/services/activity/"


@section("requests", _("Residents' service requests"), order=50)
def requests(scope, period):
    s = selectors.request_summary(scope=scope, period=period)
    received = rows_link(REQUESTS, scope, period, date_field="submitted_at")
    return [
        Indicator(
            "requests",
            _("Requests received"),
            s.total,
            _("requests"),
            chart=pie_chart([(s_.label, s.by_status.get(s_.value, 0)) for s_ in Status if s.by_status.get(s_.value)]),
            link=received,
            basis=FLOW,
        ),
        Indicator(
            "requests_by_category",
            _("Requests by category"),
            len(s.by_category),
            _("categories"),
            chart=bar_chart(list(s.by_category), {_("Requests"): list(s.by_category.values())}, horizontal=True),
            basis=FLOW,
        ),
        Indicator(
            "requests_open",
            _("Of them still open"),
            s.open,
            _("requests"),
            link=rows_link(
                REQUESTS, scope, period, date_field="submitted_at", status__in=[str(x) for x in OPEN_STATUSES]
            ),
            basis=NOW,
        ),
        Indicator(
            "requests_overdue",
            _("Of them overdue now"),
            selectors.requests_overdue_now(scope=scope, period=period),
            _("requests"),
            link=rows_link(REQUESTS, scope, period, date_field="submitted_at", overdue="yes"),
            basis=NOW,
        ),
        Indicator(
            "median_hours_to_resolve",
            _("Median time to resolve"),
            s.median_hours,
            _("hours"),
            link=received,
            basis=FLOW,
            counted=False,
        ),
        Indicator(
            "satisfaction_rate",
            _("Satisfaction rate"),
            s.satisfaction_rate,
            "%",
            link=rows_link(REQUESTS, scope, period, date_field="submitted_at", rating__in=[r.value for r in Rating]),
            basis=FLOW,
            counted=False,
        ),
        Indicator(
            "follow_up_rate",
            _("Follow-up rate (回访率)"),
            s.follow_up_rate,
            "%",
            link=rows_link(
                REQUESTS, scope, period, date_field="submitted_at", status__in=[Status.RESOLVED, Status.CLOSED]
            ),
            basis=FLOW,
            counted=False,
        ),
    ]


@section("six_into", _("六进社区: departments in the community"), order=60)
def six_into(scope, period):
    s = selectors.six_into_summary(scope=scope, period=period)
    departments = sorted({d for d, _k in s.by_department_kind})
    kinds = list(ActivityKind)
    quarters = list(s.by_quarter_department)
    held = rows_link(ACTIVITIES, scope, period, date_field="date", date_only=True)
    years = list(range(period.start.year, period.end.year + 1))
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
            link=held,
            basis=FLOW,
        ),
        Indicator(
            "activities_by_quarter",
            _("Activities by quarter and department"),
            len(quarters),
            _("quarters"),
            chart=bar_chart(
                quarters, {d: [s.by_quarter_department[q].get(d, 0) for q in quarters] for d in departments}
            ),
            basis=FLOW,
        ),
        Indicator(
            "activity_participants",
            _("Participants in department activities"),
            s.participants,
            _("people"),
            link=held,
            basis=FLOW,
            counted=False,
        ),
        Indicator(
            "activity_spending",
            _("Spent on department activities"),
            s.spent,
            _("yuan"),
            link=held,
            basis=FLOW,
            counted=False,
        ),
        Indicator(
            "commitments",
            _("Service commitments of the period's years"),
            s.commitments,
            _("commitments"),
            link=rows_link("/admin/services/commitment/", scope, year__in=years),
            basis=FLOW,
        ),
        Indicator("commitments_fulfilled", _("Commitments fulfilled"), s.commitments_fulfilled, _("commitments")),
    ]


@section("sharing", _("Shared facilities and community life"), order=70)
def sharing(scope, period):
    s = selectors.sharing_summary(scope=scope, period=period)
    used = rows_link(
        "/admin/services/facilitybooking/", scope, period, date_field="date", date_only=True, status=BookingStatus.USED
    )
    events = "/admin/services/communityevent/"
    held = {"date_field": "starts_at", "status": CommunityEventStatus.HELD}
    return [
        Indicator(
            "units_sharing",
            _("Resident units sharing facilities"),
            s.units,
            _("units"),
            link=rows_link("/admin/community/residentunit/", scope, facilities__isnull="False"),
        ),
        Indicator(
            "facilities",
            _("Facilities open to residents"),
            s.facilities,
            _("facilities"),
            link=rows_link("/admin/services/facility/", scope),
        ),
        Indicator("facility_uses", _("Facility uses"), s.bookings_used, _("times"), link=used, basis=FLOW),
        Indicator(
            "facility_visitors",
            _("Residents using shared facilities"),
            s.facility_visitors,
            _("people"),
            link=used,
            basis=FLOW,
            counted=False,
        ),
        Indicator(
            "events_held",
            _("Community events held"),
            s.events_held,
            _("events"),
            link=rows_link(events, scope, period, **held),
            basis=FLOW,
        ),
        Indicator(
            "event_attendance",
            _("Attendance at community events"),
            s.event_attendance,
            _("people"),
            link=rows_link(events, scope, period, **held),
            basis=FLOW,
            counted=False,
        ),
        Indicator(
            "meetings_held",
            _("Residents' meetings held"),
            s.meetings_held,
            _("meetings"),
            link=rows_link(events, scope, period, kind=CommunityEventKind.RESIDENT_MEETING, **held),
            basis=FLOW,
        ),
    ]


@department_figure("commitments", _("Service commitments"), order=20)
def commitments(scope, period):
    return selectors.commitments_by_department(scope=scope, period=period)


@department_figure("activities_held", _("六进 activities held"), side=GIVES, order=30)
def activities_held(scope, period):
    return selectors.activities_by_department(scope=scope, period=period)


# --- 驻区单位的权利与义务: the duties the resident units agreed and how they kept them ---------------


@section("unit_obligations", _("Resident units' obligations"), order=72)
def unit_obligations(scope, period):

    s = obligations_selectors.obligations_summary(scope=scope, period=period)
    first, last = obligations_selectors.period_years(period)
    records = "/admin/services/obligationfulfilment/"
    years = {"year__gte": first, "year__lte": last}
    short = [FulfilmentStatus.PARTLY, FulfilmentStatus.NOT_FULFILLED]
    return [
        Indicator(
            "units_with_duties",
            _("Resident units with agreed duties"),
            s.units,
            _("units"),
            link=rows_link("/admin/community/residentunit/", scope, obligations__isnull="False"),
            basis=NOW,
        ),
        Indicator(
            "duties_agreed",
            _("Duties agreed"),
            s.duties,
            _("duties"),
            link=rows_link("/admin/services/unitobligation/", scope),
            basis=NOW,
        ),
        Indicator(
            "duties_fulfilled",
            _("Duties fulfilled in the year"),
            s.fulfilled,
            _("duties"),
            link=rows_link(records, scope, status=FulfilmentStatus.FULFILLED, **years),
            basis=FLOW,
        ),
        Indicator(
            "duties_short",
            _("Duties partly or not fulfilled in the year"),
            s.short,
            _("duties"),
            link=rows_link(records, scope, status__in=short, **years),
            basis=FLOW,
        ),
    ]

"""Reads of the services app: public views (no personal data), lists and dashboard figures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import caches
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from community import selectors as community_selectors
from community.masking import scrub_public_text
from community.models import Building, Community, Household, ResidentUnit, Zone

from .actions import DoorLookup, overdue_q, question_values
from .choices import OPEN_STATUSES, BookingStatus, CommunityEventKind, CommunityEventStatus, EventKind, Rating, Status
from .models import (
    Activity,
    Commitment,
    CommunityEvent,
    Facility,
    FacilityBooking,
    FollowUp,
    RequestEvent,
    ServiceCategory,
    ServiceRequest,
    due_at_expression,
    normalise_tracking_code,
)

# --- public -------------------------------------------------------------------------------------


def _id(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 18 else None


def _text(value, max_length: int) -> str | None:
    """A posted text as the column it is compared with can hold it; None for one that no row can have (too
    long, or with a NUL byte, which PostgreSQL refuses in any string)."""
    value = str(value or "").strip()
    return value if value and len(value) <= max_length and "\x00" not in value else None


def public_community(value) -> Community | None:
    """A community named by a public link: its 12-digit code (the landing page's links) or its id (the forms'
    own links); one query, the code winning over an equal id."""
    value = _text(value, 32)
    if value is None:
        return None
    matches = Q(code=value)
    if (pk := _id(value)) is not None:
        matches |= Q(pk=pk)
    found = list(Community.objects.filter(matches)[:2])
    return next((c for c in found if c.code == value), found[0] if found else None)


def public_category(value) -> ServiceCategory | None:
    """An active kind of request by its id, as the public form names it."""
    pk = _id(value)
    return None if pk is None else ServiceCategory.objects.active().filter(pk=pk).first()


# the rows the resident form names, kept in each worker by their ``updated_at``: a changed row is a new key
_KEPT_ROW_TIMEOUT = 600


def _kept_row(model, pk: int | None, changed):
    """The row ``pk`` of ``model`` as it was at ``changed`` (its ``updated_at``): from this worker's memory
    when it was loaded since, else one query."""
    if pk is None:
        return None
    kept = caches["fragments"]
    key = f"row:{model._meta.label_lower}:{pk}:{changed.timestamp():.6f}"
    row = kept.get(key)
    if row is None:
        row = model.objects.filter(pk=pk).first()
        if row is None or row.updated_at != changed:  # changed in between: not kept under this key
            return row
        kept.set(key, row, _KEPT_ROW_TIMEOUT)
    return row


@dataclass(frozen=True)
class FormTarget:
    """What the resident form's page or post names, read in one query (``public_form_page``,
    ``public_form_post``)."""

    community: Community | None
    category: ServiceCategory | None
    buildings: str | None = None  # the page: the community's ``buildings_version``
    building: Building | None = None  # the post: the posted building, if it is the community's (with its zone)
    door: DoorLookup | None = None  # the post: the household at that building's posted door


def public_form_page(community_value, category_value) -> FormTarget:
    """The community and the active kind of request the resident form names, as ``public_community`` and
    ``public_category`` find them, and the community's ``buildings_version`` (what the page's building list is
    kept under), from one query.

    The form is opened and posted by every resident of a county: its two rows are read from the worker's
    memory while their ``updated_at`` stands, where two ORM queries cost more CPU than the rest of a page
    view.  A row saved since is loaded again; a kind of request made inactive is refused at once (``active``
    is read by the query itself)."""
    return _form_target(community_value, category_value, page=True)


def public_form_post(community_value, category_value, building_value, door_value) -> FormTarget:
    """The community and kind of request as ``public_form_page`` finds them, the posted building (if it is the
    community's) and the household at its door, in one query: the form's post reads no other row before it
    writes (``PublicRequestForm`` takes the building, ``request_submit`` the household)."""
    door = _text(door_value, Household._meta.get_field("number").max_length) or ""
    return _form_target(community_value, category_value, building=_id(building_value), door=door)


_BUILDING_FIELDS = [field.attname for field in Building._meta.concrete_fields]
_ZONE_FIELDS = [field.attname for field in Zone._meta.concrete_fields]


def _form_target(community_value, category_value, *, page: bool = False, building=None, door: str = ""):
    code = _text(community_value, 32)
    community_id = _id(code) if code else None
    category_id = _id(category_value)
    columns = [f"b.{name} AS b_{name}" for name in _BUILDING_FIELDS] + [
        f"z.{name} AS z_{name}" for name in _ZONE_FIELDS
    ]
    # what is not asked for is joined on a false condition: not run at all
    sql = (
        "SELECT c.id, c.updated_at, k.id, k.updated_at, v.n, v.last, v.changed, v.zone_changed, h.id, bz.* "
        "FROM (SELECT 1) AS one "
        f"LEFT JOIN LATERAL (SELECT id, updated_at FROM {Community._meta.db_table} "
        "WHERE code = %s OR id = %s ORDER BY code = %s DESC LIMIT 1) AS c ON true "
        f"LEFT JOIN LATERAL (SELECT id, updated_at FROM {ServiceCategory._meta.db_table} "
        "WHERE id = %s AND active) AS k ON true "
        f"LEFT JOIN LATERAL ({community_selectors.buildings_version_sql('c.id')}) AS v ON %s "
        f"LEFT JOIN LATERAL (SELECT {', '.join(columns)} FROM {Building._meta.db_table} b "
        f"JOIN {Zone._meta.db_table} z ON z.id = b.zone_id WHERE b.id = %s AND z.community_id = c.id) AS bz ON %s "
        f"LEFT JOIN LATERAL (SELECT id FROM {Household._meta.db_table} "
        "WHERE building_id = bz.b_id AND number = %s) AS h ON %s"
    )
    posted = building is not None
    params = [code, community_id, code, category_id, page and code is not None]
    params += [building, posted, door, posted and bool(door)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    found_community, community_changed, found_category, category_changed = row[:4]
    aggregate, household_id, building_row = row[4:8], row[8], row[9:]
    community = _kept_row(Community, found_community, community_changed)
    category = _kept_row(ServiceCategory, found_category, category_changed)
    version = community_selectors.format_buildings_version(*aggregate) if page and community is not None else None
    chosen = None
    if building_row[0] is not None:  # the building's row and its zone's, as the ORM would build them
        chosen = Building.from_db(connection.alias, _BUILDING_FIELDS, building_row[: len(_BUILDING_FIELDS)])
        chosen.zone = Zone.from_db(connection.alias, _ZONE_FIELDS, building_row[len(_BUILDING_FIELDS) :])
    looked_up = DoorLookup(chosen.pk, door, household_id) if chosen is not None and door else None
    return FormTarget(community, category, version, chosen, looked_up)


def public_request(*, code: str):
    """A request for the resident's own page: only what may be shown publicly is loaded."""
    return (
        ServiceRequest.objects.select_related("category", "community")
        .only(
            "id",
            "tracking_code",
            "status",
            "submitted_at",
            "accept_due",
            "resolve_due",
            "resolved_at",
            "closed_at",
            "reject_reason",
            "rating",
            "rating_comment",
            "description",
            "address",
            "fee",
            "category__name",
            "category__accept_within_hours",
            "category__resolve_within_days",
            "category__paid",
            "category__price",
            "community__name",
        )
        .filter(tracking_code=normalise_tracking_code(code))
        .first()
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    title: str
    note: str


def public_timeline(*, request_id: int) -> list[TimelineEntry]:
    """Status changes and public notes only; never who did it."""
    events = (
        RequestEvent.objects.filter(request_id=request_id)
        .filter(Q(kind=EventKind.TRANSITION) | Q(public=True))
        .only("at", "kind", "new_status", "note", "public")
    )
    entries = []
    for event in events.order_by("at", "id"):
        if event.kind == EventKind.TRANSITION:
            title = Status(event.new_status).label
        else:
            title = EventKind(event.kind).label
        entries.append(TimelineEntry(event.at, str(title), scrub_public_text(event.note) if event.public else ""))
    return entries


def public_facilities(*, community=None):
    """Public facilities grouped by community: [(community, [facility, …]), …]."""
    facilities = (
        Facility.objects.filter(public=True)
        .select_related("unit__community")
        .order_by("unit__community__code", "unit__name", "name")
    )
    if community is not None:
        facilities = facilities.filter(unit__community=community)
    groups: dict = {}
    for facility in facilities:
        groups.setdefault(facility.unit.community, []).append(facility)
    return list(groups.items())


def public_events(*, community=None, days_back: int = 7):
    since = timezone.now() - dt.timedelta(days=days_back)
    events = (
        CommunityEvent.objects.filter(public=True, starts_at__gte=since)
        .exclude(status=CommunityEventStatus.CANCELLED)
        .select_related("community")
        .order_by("starts_at")
    )
    if community is not None:
        events = events.filter(community=community)
    return events[:200]


# --- staff lists --------------------------------------------------------------------------------


def request_list(*, user):
    return ServiceRequest.objects.for_user(user).select_related(
        "category", "community", "building", "assigned_department"
    )


# --- indicators ---------------------------------------------------------------------------------


def _period_bounds(period):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


class Median(Aggregate):
    """PostgreSQL's exact median (percentile_cont) of a duration."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass(frozen=True)
class RequestSummary:
    total: int
    by_status: dict
    by_category: dict
    open: int
    overdue: int
    median_hours: float | None
    rated: int
    satisfied: int
    finished: int
    followed_up: int

    @property
    def satisfaction_rate(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None

    @property
    def follow_up_rate(self) -> float | None:
        return round(100 * self.followed_up / self.finished, 1) if self.finished else None


def request_summary(*, scope, period) -> RequestSummary:
    """Requests submitted in the period within the scope: a fixed number of queries."""
    start, end = _period_bounds(period)
    qs = ServiceRequest.objects.for_scope(scope).filter(submitted_at__gte=start, submitted_at__lt=end)
    by_status = {row["status"]: row["n"] for row in qs.values("status").annotate(n=Count("id"))}
    by_category = {
        row["category__name"]: row["n"] for row in qs.values("category__name").annotate(n=Count("id")).order_by("-n")
    }
    now = timezone.now()
    overdue = qs.filter(
        Q(overdue=True)
        | Q(status__in=OPEN_STATUSES, resolve_due__lt=now)
        | Q(status=Status.SUBMITTED, accept_due__lt=now)
    ).count()
    resolved = qs.filter(resolved_at__isnull=False)
    duration = ExpressionWrapper(F("resolved_at") - F("submitted_at"), output_field=DurationField())
    median = resolved.aggregate(m=Median(duration))["m"]
    median_hours = round(median.total_seconds() / 3600, 1) if median is not None else None
    ratings = {row["rating"]: row["n"] for row in qs.exclude(rating="").values("rating").annotate(n=Count("id"))}
    finished_qs = qs.filter(status__in=[Status.RESOLVED, Status.CLOSED])
    finished = finished_qs.count()
    followed_up = finished_qs.filter(pk__in=FollowUp.objects.values("request_id")).count()
    return RequestSummary(
        total=sum(by_status.values()),
        by_status=by_status,
        by_category=by_category,
        open=sum(by_status.get(s, 0) for s in OPEN_STATUSES),
        overdue=overdue,
        median_hours=median_hours,
        rated=sum(ratings.values()),
        satisfied=ratings.get(Rating.SATISFIED, 0) + ratings.get(Rating.BASICALLY, 0),
        finished=finished,
        followed_up=followed_up,
    )


@dataclass(frozen=True)
class SixIntoSummary:
    activities: int
    participants: int
    spent: object
    by_department_kind: dict  # (department name, kind) -> count
    by_quarter_department: dict  # quarter label -> {department name: count}
    commitments: int
    commitments_fulfilled: int


def six_into_summary(*, scope, period) -> SixIntoSummary:
    activities = Activity.objects.for_scope(scope).filter(date__gte=period.start, date__lte=period.end)
    totals = activities.aggregate(n=Count("id"), people=Sum("participants"), spent=Sum("amount_spent"))
    by_dk: dict = {}
    by_q: dict = defaultdict(dict)
    rows = activities.values("department__name", "kind", "date__year", "date__quarter").annotate(n=Count("id"))
    for row in rows:
        key = (row["department__name"], row["kind"])
        by_dk[key] = by_dk.get(key, 0) + row["n"]
        label = f"{row['date__year']}-Q{row['date__quarter']}"
        by_q[label][row["department__name"]] = by_q[label].get(row["department__name"], 0) + row["n"]
    years = list(range(period.start.year, period.end.year + 1))
    commitments = list(
        Commitment.objects.for_scope(scope)
        .filter(year__in=years)
        .annotate(done=Count("activities", filter=Q(activities__date__year=F("year"))))
        .only("id", "times", "per", "year")
    )
    fulfilled = sum(1 for c in commitments if c.done >= c.target)
    return SixIntoSummary(
        activities=totals["n"] or 0,
        participants=totals["people"] or 0,
        spent=totals["spent"] or 0,
        by_department_kind=by_dk,
        by_quarter_department=dict(sorted(by_q.items())),
        commitments=len(commitments),
        commitments_fulfilled=fulfilled,
    )


def commitment_progress(*, commitments):
    """Annotate how many activities fulfil each commitment in its year."""
    return commitments.annotate(done=Count("activities", filter=Q(activities__date__year=F("year"))))


@dataclass(frozen=True)
class SharingSummary:
    units: int
    facilities: int
    bookings_used: int
    facility_visitors: int
    events_held: int
    event_attendance: int
    meetings_held: int


def sharing_summary(*, scope, period) -> SharingSummary:

    start, end = _period_bounds(period)
    facilities = Facility.objects.for_scope(scope)
    used = (
        FacilityBooking.objects.for_scope(scope)
        .filter(status=BookingStatus.USED, date__gte=period.start, date__lte=period.end)
        .aggregate(n=Count("id"), people=Sum("attendees"))
    )
    held = (
        CommunityEvent.objects.for_scope(scope)
        .filter(status=CommunityEventStatus.HELD, starts_at__gte=start, starts_at__lt=end)
        .aggregate(
            n=Count("id"),
            people=Sum("attendance"),
            meetings=Count("id", filter=Q(kind=CommunityEventKind.RESIDENT_MEETING)),
        )
    )
    return SharingSummary(
        units=ResidentUnit.objects.for_scope(scope).filter(facilities__isnull=False).distinct().count(),
        facilities=facilities.count(),
        bookings_used=used["n"] or 0,
        facility_visitors=used["people"] or 0,
        events_held=held["n"] or 0,
        event_attendance=held["people"] or 0,
        meetings_held=held["meetings"] or 0,
    )


def communities_in(scope):
    return Community.objects.for_scope(scope)


def commitments_by_department(*, scope, period) -> dict[int, int]:
    """Service commitments each department made to the scope's communities for the period's years."""
    years = list(range(period.start.year, period.end.year + 1))
    rows = Commitment.objects.for_scope(scope).filter(year__in=years).values_list("department_id")
    return dict(rows.annotate(n=Count("id")).order_by())


def activities_by_department(*, scope, period) -> dict[int, int]:
    """六进 activities each department held in the scope's communities during the period."""
    rows = (
        Activity.objects.for_scope(scope)
        .filter(date__gte=period.start, date__lte=period.end)
        .values_list("department_id")
    )
    return dict(rows.annotate(n=Count("id")).order_by())


def overdue_now_q(now: dt.datetime) -> Q:
    """Open requests past a deadline now, or flagged overdue and still open: what the admin's filter lists."""

    return overdue_q(now) | Q(overdue=True, status__in=OPEN_STATUSES)


def requests_overdue_now(*, scope, period) -> int:
    """Requests received in the period that are overdue now (the dashboard's figure and its list agree)."""
    start, end = _period_bounds(period)
    qs = ServiceRequest.objects.for_scope(scope).filter(submitted_at__gte=start, submitted_at__lt=end)
    return qs.filter(overdue_now_q(timezone.now())).count()


# --- the staff's queue and workbench ------------------------------------------------------------

#: a request "about to go overdue" is due within this time
DUE_SOON = dt.timedelta(hours=24)
#: the statuses in which a request is in someone's hands after it was handed over (交办)
IN_HAND_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED)


def with_due(queryset):
    """The requests with ``due_at``, the deadline each works towards now; ordered by it, a first page is read
    on the model's ``request_due_order`` index."""
    return queryset.annotate(due_at=due_at_expression())


def overdue_condition(now: dt.datetime) -> Q:
    """Open and past its deadline now, or already flagged overdue by the periodic task."""
    return (
        Q(status=Status.SUBMITTED, accept_due__lt=now)
        | Q(status__in=OPEN_STATUSES, resolve_due__lt=now)
        | Q(overdue=True, status__in=OPEN_STATUSES)
    )


def due_soon_condition(now: dt.datetime) -> Q:
    """Open, not overdue yet, and due within ``DUE_SOON``: about to go overdue."""
    until = now + DUE_SOON
    soon = Q(status=Status.SUBMITTED, accept_due__lte=until) | Q(
        status__in=[s for s in OPEN_STATUSES if s != Status.SUBMITTED], resolve_due__lte=until
    )
    return soon & ~overdue_condition(now)


def queue_search(queryset, term: str):
    """The triage list's search by tracking code (with or without dashes, any case) or the phone's last 4 digits.

    Returns ``None`` when the term is neither, so that the list's ordinary search applies.
    The phone itself is never shown: the last four digits only narrow the list.
    """
    term = (term or "").strip()
    if len(term) == 4 and term.isdigit():
        return queryset.filter(contact_phone__endswith=term)
    code = normalise_tracking_code(term)
    if code and len(code) >= 8 and len(term) <= 20 and code.isalnum() and not term.isdigit():
        found = queryset.filter(tracking_code=code)
        if found.exists():
            return found
    return None


def labelled_answers(req: ServiceRequest) -> list[tuple[str, str]]:
    """A request's extra answers under their question labels, choices by their names (损坏部位：楼道).

    Questions come from the category's definitions, in their order; an answer to a question the
    category no longer asks is kept under its code, so nothing the resident said is lost.
    """

    answers = dict(req.answers or {})
    rows = []
    for question in (req.category.questions if req.category_id else None) or []:
        code = str(question.get("code"))
        if code not in answers:
            continue
        value = answers.pop(code)
        names = dict(question_values(question))
        if isinstance(value, list):
            text = "、".join(names.get(str(v), str(v)) for v in value)
        else:
            text = names.get(str(value), str(value))
        rows.append((str(question.get("label", code)), text))
    rows += [(str(code), ", ".join(map(str, v)) if isinstance(v, list) else str(v)) for code, v in answers.items()]
    return rows


def request_timeline(req: ServiceRequest):
    """Every step of a request, oldest first, with who took it (the staff's timeline)."""
    return list(RequestEvent.objects.filter(request=req).select_related("by").order_by("at", "pk"))

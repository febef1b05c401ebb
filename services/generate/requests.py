"""Service requests with valid histories: events, follow-up calls, ratings, in every status."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from functools import cache

from django.utils.translation import get_language

from community.choices import DepartmentCode
from community.demo.names import MOBILE_PREFIXES
from community.models import Building, Household

from ..choices import (
    OPEN_STATUSES,
    Channel,
    EventKind,
    Rating,
    Status,
)
from ..models import (
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    FollowUp,
    RequestEvent,
    ServiceRequest,
)
from ..reference import DESCRIPTIONS
from .data import (
    ACCEPT_NOTES,
    ADDRESSING,
    CANCEL_REASONS,
    CATEGORY_WEIGHTS,
    CHANNELS,
    DAY,
    FATES,
    FOLLOW_UP_NOTES,
    HOUR,
    INTERNAL_NOTES,
    PUBLIC_NOTES,
    RATING_COMMENTS,
    REJECT_REASONS,
    RESIDENT_INFO,
    RESOLVE_NOTES,
    START_NOTES,
    SURNAMES,
    weighted,
)

# --- requests ------------------------------------------------------------------------------------

REQUEST_COLUMNS = [
    "id",
    "community",
    "category",
    "channel",
    "status",
    "building",
    "household",
    "address",
    "description",
    "answers",
    "contact_name",
    "contact_phone",
    "submitted_at",
    "accept_due",
    "resolve_due",
    "accepted_at",
    "resolved_at",
    "closed_at",
    "assigned_department",
    "duplicate_of",
    "reject_reason",
    "overdue",
    "escalated_at",
    "fee",
    "rating",
    "rating_comment",
    "rated_at",
    "created_by",
    "created_at",
    "updated_at",
    "tracking_code",
    "token",
]
EVENT_COLUMNS = ["request", "kind", "old_status", "new_status", "note", "public", "by", "at"]
FOLLOW_UP_COLUMNS = ["request", "by", "at", "reached", "satisfaction", "note"]


class _Life:
    """The drawn life of one request: its transitions and other timeline entries, cut at ``now``."""

    def __init__(self, submitted, now):
        self.now = now
        self.status = Status.SUBMITTED
        self.events = [(submitted, EventKind.TRANSITION, "", Status.SUBMITTED, "已收到您的诉求。", True, False)]
        self.transitions = [(submitted, Status.SUBMITTED)]
        self.times = {}
        self.follow_ups = []
        self.rating = None
        self.stopped = False

    def at(self, when) -> bool:
        """May something happen at ``when`` (not in the future)?"""
        if self.stopped or when > self.now:
            self.stopped = True
            return False
        return True

    def move(self, when, to, note="", *, public=True, staff=True) -> bool:
        if not self.at(when):
            return False
        self.events.append((when, EventKind.TRANSITION, self.status, to, note, public, staff))
        self.transitions.append((when, to))
        self.status = to
        if to == Status.ACCEPTED:
            self.times["accepted_at"] = when
        elif to == Status.RESOLVED:
            self.times["resolved_at"] = when
        elif to in (Status.CLOSED, Status.REJECTED, Status.DUPLICATE, Status.CANCELLED):
            self.times["closed_at"] = when
        elif to == Status.REOPENED:
            self.times.pop("resolved_at", None)
            self.times.pop("closed_at", None)
        return True

    def add(self, when, kind, note, *, public=False, staff=True) -> bool:
        if when > self.now:
            return False
        self.events.append((when, kind, "", "", note, public, staff))
        return True

    def status_at(self, when):
        status = Status.SUBMITTED
        for moment, to in self.transitions:
            if moment > when:
                break
            status = to
        return status

    def first_overdue(self, accept_due, resolve_due):
        """When the overdue job would first flag the request (open past its deadline), or None."""
        bounds = [*self.transitions, (self.now, None)]
        for (start, status), (end, _next) in zip(bounds, bounds[1:], strict=False):
            if status not in OPEN_STATUSES:
                continue
            due = min(accept_due, resolve_due) if status == Status.SUBMITTED else resolve_due
            moment = max(start, due)
            if moment < end:
                return moment
        return None


def write_requests(ctx, categories, staff, total) -> int:
    if not total or not categories or not ctx.communities:
        return 0
    rng, now = ctx.rng, ctx.now
    # where people live: households (with their building, door number and phone) per community
    households = {
        row[0]: row
        for row in Household.objects.filter(pk__gte=ctx.households.start, pk__lt=ctx.households.stop).values_list(
            "id", "building_id", "number", "phone"
        )
    }
    as_json = _json_encoder(ctx)
    building_names = dict(
        Building.objects.filter(pk__gte=ctx.buildings.start, pk__lt=ctx.buildings.stop).values_list("id", "name")
    )
    counts = _split_by_households(ctx, total)
    ids = ctx.reserve_ids(ServiceRequest, sum(counts))
    pick_category = weighted(rng, [(c, CATEGORY_WEIGHTS.get(c.code, 5)) for c in categories])
    pick_channel = weighted(rng, CHANNELS)
    pick_fate = weighted(rng, FATES)
    fallback_department = ctx.departments.get(DepartmentCode.CIVIL_AFFAIRS)
    codes = _tracking_codes()
    request_w = ctx.writer(ServiceRequest, REQUEST_COLUMNS)
    event_w = ctx.writer(RequestEvent, EVENT_COLUMNS)
    follow_w = ctx.writer(FollowUp, FOLLOW_UP_COLUMNS)
    year = 365 * DAY
    next_id = ids.start
    for community, n in zip(ctx.communities, counts, strict=True):
        homes = ctx.community_households.get(community.pk, range(0))
        moments = sorted(now - year * rng.random() for _ in range(n))
        earlier = []  # ids of this community's requests so far (originals for duplicates)
        for submitted in moments:
            request_id, next_id = next_id, next_id + 1
            category = pick_category()
            department = None
            if category.department_id:
                department = ctx.departments.get(category.department.code, fallback_department)
            else:
                department = fallback_department
            row, life = _one_request(
                rng,
                request_id=request_id,
                community=community,
                category=category,
                channel=pick_channel(),
                fate=pick_fate(),
                submitted=submitted,
                now=now,
                home=households.get(rng.choice(homes)) if homes and rng.random() < 0.9 else None,
                building_names=building_names,
                department=department,
                original=rng.choice(earlier[-50:]) if earlier else None,
                staff=staff,
                as_json=as_json,
            )
            request_w.add((*row, next(codes), uuid.uuid4()))
            by = staff.pk
            for when, kind, old, new, note, public, by_staff in sorted(life.events, key=lambda e: e[0]):
                event_w.add((request_id, kind, old, new, note, public, by if by_staff else None, when))
            for when, reached, satisfaction, note in life.follow_ups:
                follow_w.add((request_id, by, when, reached, satisfaction, note))
            if life.status != Status.DUPLICATE:  # an original is never itself a duplicate
                earlier.append(request_id)
    for writer in (request_w, event_w, follow_w):
        writer.close()
    return request_w.count


def _tracking_codes():
    """Tracking codes as ``new_tracking_code`` makes them (12 characters of its alphabet, from ``secrets``),
    but drawn four thousand at a time: one call of ``secrets`` where the model's makes twelve a code."""
    alphabet = TRACKING_ALPHABET.encode()
    even = 256 - 256 % len(alphabet)  # the bytes below this map onto the alphabet evenly; the rest are dropped
    table = bytes(alphabet[b % len(alphabet)] for b in range(256))
    while True:
        drawn = secrets.token_bytes(TRACKING_LENGTH * 4096).translate(table, bytes(range(even, 256))).decode()
        for start in range(0, len(drawn) - TRACKING_LENGTH + 1, TRACKING_LENGTH):
            yield drawn[start : start + TRACKING_LENGTH]


def _split_by_households(ctx, total) -> list[int]:
    sizes = [len(ctx.community_households.get(c.pk, range(0))) for c in ctx.communities]
    whole = sum(sizes)
    if not whole:
        sizes, whole = [1] * len(ctx.communities), len(ctx.communities)
    counts = [total * s // whole for s in sizes]
    for i in range(total - sum(counts)):  # the remainder, one each
        counts[i % len(counts)] += 1
    return counts


def _one_request(
    rng,
    *,
    request_id,
    community,
    category,
    channel,
    fate,
    submitted,
    now,
    home,
    building_names,
    department,
    original,
    staff,
    as_json,
):
    accept_due = submitted + category.accept_within_hours * HOUR
    resolve_due = submitted + category.resolve_within_days * DAY
    life = _Life(submitted, now)
    slow = 6 if fate == "stalled" else 1
    if fate == "duplicate" and original is None:
        fate = "rejected"
    t = submitted + HOUR * rng.expovariate(1 / (0.3 * category.accept_within_hours))
    if fate == "duplicate":
        life.move(t, Status.DUPLICATE, "与同一问题的诉求合并处理。", public=True)
    elif fate == "rejected":
        life.move(t, Status.REJECTED, rng.choice(REJECT_REASONS))
    elif fate == "cancelled" and rng.random() < 0.5:
        life.move(t, Status.CANCELLED, rng.choice(CANCEL_REASONS), staff=False)
    else:
        _work(rng, life, t, category, slow, fate)
    fee = None
    if category.paid and ("resolved_at" in life.times or life.status == Status.CLOSED):
        fee = category.price
    overdue_at = life.first_overdue(accept_due, resolve_due)
    escalated_at = None
    if overdue_at is not None:
        flagged = overdue_at + dt.timedelta(minutes=rng.randint(1, 15))
        if life.add(flagged, EventKind.OVERDUE, "超过办理时限。", staff=False):
            escalate = flagged + HOUR * rng.uniform(12, 96)
            if rng.random() < 0.3 and escalate < now and life.status_at(escalate) in OPEN_STATUSES:
                life.add(escalate, EventKind.ESCALATION, "超期未办结，提请镇（街道）督办。")
                escalated_at = escalate
        else:
            overdue_at = None
    if home is not None:
        household_id, building_id, number, phone = home
        if rng.random() < 0.05:  # a building but no door number: the household is not known
            household_id, number = None, ""
        address = f"{building_names.get(building_id, '')} {number}".strip()
    else:
        building_id = household_id = None
        phone = ""
        address = f"{community.address}附近" if community.address else "社区周边"
    if not phone:
        phone = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
    rating, comment, rated_at = life.rating or ("", "", None)
    last = max(e[0] for e in life.events)
    row = (
        request_id,
        community.pk,
        category.pk,
        channel.value,
        life.status.value,
        building_id,
        household_id,
        address[:200],
        rng.choice(DESCRIPTIONS.get(category.code) or [category.name]),
        as_json(_answers(rng, category)),
        rng.choice(SURNAMES) + rng.choice(ADDRESSING),
        phone,
        submitted,
        accept_due,
        resolve_due,
        life.times.get("accepted_at"),
        life.times.get("resolved_at"),
        life.times.get("closed_at"),
        department.pk if department is not None and life.status not in _NOT_WORKED and _was_assigned(life) else None,
        original if life.status == Status.DUPLICATE else None,
        next((e[4] for e in life.events if e[3] == Status.REJECTED), ""),
        overdue_at is not None,
        escalated_at,
        fee,
        rating,
        comment,
        rated_at,
        staff.pk if channel in (Channel.PHONE, Channel.COUNTER) else None,
        submitted,
        last,
    )
    return row, life


_NOT_WORKED = (Status.REJECTED, Status.DUPLICATE)


def _was_assigned(life) -> bool:
    return any(to == Status.ASSIGNED for _when, to in life.transitions)


def _json_encoder(ctx):
    """JSON text, as COPY takes it; remembered, since the answers to a category's questions are few."""
    seen: dict[str, str] = {}

    def as_json(value) -> str:
        key = repr(value)
        found = seen.get(key)
        if found is None:
            found = seen[key] = json.dumps(value, ensure_ascii=False)
        return found

    return as_json


def _work(rng, life, t, category, slow, fate) -> None:
    """Accept, assign, start, resolve; then a rating or a follow-up call, and perhaps a second round."""
    if not life.move(t, Status.ACCEPTED, rng.choice(ACCEPT_NOTES)):
        return
    if fate == "cancelled":
        life.move(t + HOUR * rng.uniform(1, 30), Status.CANCELLED, rng.choice(CANCEL_REASONS), staff=False)
        return
    for round_ in range(2):
        t += HOUR * rng.uniform(0.2, 8)
        if not life.move(
            t, Status.ASSIGNED, "转职能部门办理" if category.department_id else "安排社区工作人员办理", public=False
        ):
            return
        if rng.random() < 0.3:
            t += HOUR * rng.uniform(1, 24)
            life.add(t, EventKind.NOTE, rng.choice(INTERNAL_NOTES))
        t += HOUR * rng.uniform(0.5, 24) * slow
        if not life.move(t, Status.IN_PROGRESS, rng.choice(START_NOTES)):
            return
        if rng.random() < 0.15:
            life.add(t + HOUR * rng.uniform(1, 24), EventKind.NOTE, rng.choice(PUBLIC_NOTES), public=True)
        if rng.random() < 0.05:
            life.add(
                t + HOUR * rng.uniform(1, 24),
                EventKind.RESIDENT_INFO,
                rng.choice(RESIDENT_INFO),
                public=True,
                staff=False,
            )
        days = category.resolve_within_days
        t += DAY * rng.triangular(0.05, days * 1.1, days * 0.3) * slow
        if not life.move(t, Status.RESOLVED, rng.choice(RESOLVE_NOTES)):
            return
        if not _verdict(rng, life, t, final=round_ == 1):
            return
        if life.status != Status.REOPENED:
            return
        # a reopened request waits for the staff to take it up again
        t = max(e[0] for e in life.events) + HOUR * rng.uniform(24, 240)


def _verdict(rng, life, t, *, final) -> bool:
    """The resident rates (about half do) or staff call back (回访); 不满意 reopens (not twice)."""
    roll = rng.random()
    if roll < 0.5:
        when = t + HOUR * rng.uniform(2, 96)
        verdict = rng.choices([Rating.SATISFIED, Rating.BASICALLY, Rating.DISSATISFIED], [72, 20, 8])[0]
        if final and verdict == Rating.DISSATISFIED:
            verdict = Rating.BASICALLY
        if not life.at(when):
            return False
        comment = rng.choice(RATING_COMMENTS[verdict])
        life.rating = (verdict.value, comment, when)
        label = _label(verdict, get_language())
        life.add(when, EventKind.RATING, f"{label} {comment}".strip(), public=True, staff=False)
        if verdict == Rating.DISSATISFIED:
            life.move(when, Status.REOPENED, "居民不满意，重新办理。", staff=False)
            return True
        life.move(when, Status.CLOSED, "居民评价后办结。", staff=False)
        if rng.random() < 0.4:  # a follow-up call after closing as well
            _call(rng, life, when + HOUR * rng.uniform(24, 120), closing=False, final=True)
        return True
    if roll < 0.92:
        return _call(rng, life, t + HOUR * rng.uniform(12, 120), closing=True, final=final)
    # nobody rated or called back: staff close it after a while
    life.move(t + DAY * rng.uniform(5, 14), Status.CLOSED, "办结归档。", public=True)
    return True


def _call(rng, life, when, *, closing, final) -> bool:
    if not life.at(when):
        return False
    reached = rng.random() < 0.85
    satisfaction = ""
    if reached:
        satisfaction = rng.choices([Rating.SATISFIED, Rating.BASICALLY, Rating.DISSATISFIED], [75, 19, 6])[0]
        if final and satisfaction == Rating.DISSATISFIED:
            satisfaction = Rating.BASICALLY
    note = rng.choice(FOLLOW_UP_NOTES)
    life.follow_ups.append((when, reached, satisfaction.value if satisfaction else "", note))
    life.add(when, EventKind.FOLLOW_UP, _label(satisfaction, get_language()) if satisfaction else "未联系上居民。")
    if not closing:
        return True
    if satisfaction == Rating.DISSATISFIED:
        life.move(when, Status.REOPENED, "回访不满意，重新办理。")
    elif satisfaction:
        life.move(when, Status.CLOSED, "回访后办结。")
    else:
        life.move(when + DAY * rng.uniform(3, 10), Status.CLOSED, "办结归档。")
    return True


@cache
def _label(choice, language) -> str:
    """A choice's label as text in the active language (a lazy label costs a catalogue lookup each time)."""
    return str(Rating(choice).label)


def _answers(rng, category) -> dict:
    answers = {}
    for question in category.questions or []:
        values = [v["key"] if isinstance(v, dict) else str(v) for v in question.get("values") or []]
        kind = question.get("type", "string")
        if kind == "singlevaluelist" and values:
            answers[question["code"]] = rng.choice(values)
        elif kind == "multivaluelist" and values:
            answers[question["code"]] = rng.sample(values, rng.randint(1, len(values)))
        elif kind == "number":
            answers[question["code"]] = str(rng.randint(1, 4))
        elif question.get("required"):
            answers[question["code"]] = "见描述"
    return answers

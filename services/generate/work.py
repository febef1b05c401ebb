"""六进社区 commitments, activities and evaluations; units' facilities and bookings; community events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from community.models import ResidentUnit

from ..choices import (
    KIND_DEPARTMENT,
    ActivityKind,
    BookingStatus,
    CommitmentPeriod,
    CommunityEventKind,
    CommunityEventStatus,
    FacilityKind,
    Grade,
)
from ..models import (
    Activity,
    Commitment,
    CommunityEvent,
    Evaluation,
    Facility,
    FacilityBooking,
)
from ..reference import ACTIVITY_TITLES, COMMITMENTS
from .data import EVENT_PLANS, FACILITY_PLANS, HOUR, ORGANISERS, PURPOSES

# --- 六进社区: commitments, activities, evaluations -------------------------------------------------


def _slots(year, times, per, today) -> list[dt.date]:
    """The dates a commitment of ``times`` per ``per`` owes in ``year``, up to ``today``."""
    dates = []
    for month in range(1, 13):
        if per == CommitmentPeriod.MONTH:
            dates += [dt.date(year, month, min(28, 4 + 12 * t + (month % 3))) for t in range(times)]
        elif per == CommitmentPeriod.QUARTER and month % 3 == 2:
            dates += [dt.date(year, month, min(28, 10 + 8 * t)) for t in range(times)]
        elif per == CommitmentPeriod.YEAR and month == 6:
            dates += [dt.date(year, 3 + 3 * t if t < 3 else 11, 18) for t in range(times)]
    return [d for d in dates if d <= today]


def write_six_into(ctx) -> tuple[int, int, int]:
    rng, today, now = ctx.rng, ctx.today, ctx.now
    years = [today.year - 1, today.year]
    kinds = [(kind, ctx.departments.get(KIND_DEPARTMENT[kind])) for kind in ActivityKind]
    kinds = [(kind, department) for kind, department in kinds if department is not None]
    n_commitments = len(ctx.communities) * len(years) * len(kinds)
    commitment_ids = iter(ctx.reserve_ids(Commitment, n_commitments))
    commitment_w = ctx.writer(
        Commitment,
        ["id", "community", "department", "year", "kind", "title", "times", "per", "staff_assigned", "budget"],
    )
    activity_w = ctx.writer(
        Activity,
        [
            "community",
            "department",
            "commitment",
            "kind",
            "date",
            "title",
            "description",
            "participants",
            "staff_involved",
            "staff_count",
            "amount_spent",
            "fund",
            "created_at",
            "updated_at",
        ],
    )
    evaluation_w = ctx.writer(Evaluation, ["community", "department", "year", "score", "grade", "comment"])
    for community in ctx.communities:
        for year in years:
            for kind, department in kinds:
                title, times, per = COMMITMENTS[kind]
                if rng.random() < 0.25:  # some departments promise more in some communities
                    times += 1
                    title = f"{title}（加密）"
                commitment_id = next(commitment_ids)
                commitment_w.add(
                    (
                        commitment_id,
                        community.pk,
                        department.pk,
                        year,
                        kind.value,
                        title,
                        times,
                        per.value,
                        rng.randint(1, 3),
                        Decimal(rng.choice([2000, 3000, 5000, 8000])),
                    )
                )
                keep = rng.uniform(0.75, 1.0)  # how well this department keeps its word here
                for day in _slots(year, times, per, today):
                    if rng.random() > keep:
                        continue
                    activity_w.add(_activity(rng, community, department, commitment_id, kind, day, now))
                if rng.random() < 0.3:  # an activity beyond the commitment
                    day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
                    if day <= today:
                        activity_w.add(_activity(rng, community, department, None, kind, day, now))
        for _kind, department in kinds:
            score = rng.randint(68, 99)
            grade = Grade.EXCELLENT if score >= 90 else Grade.GOOD if score >= 80 else Grade.FAIR
            comment = "服务承诺兑现较好，居民反映良好" if score >= 80 else "活动次数不足，需加强"
            evaluation_w.add((community.pk, department.pk, today.year - 1, score, grade.value, comment))
    return commitment_w.close(), activity_w.close(), evaluation_w.close()


def _activity(rng, community, department, commitment_id, kind, day, now) -> tuple:
    spent = Decimal(rng.choice([0, 0, 0, 200, 350, 500, 800]))
    return (
        community.pk,
        department.pk,
        commitment_id,
        kind.value,
        day,
        ACTIVITY_TITLES[kind],
        f"{department.name}在{community.name}开展{ACTIVITY_TITLES[kind]}",
        rng.randint(12, 150),
        department.name,
        rng.randint(1, 5),
        spent,
        f"{department.name}社区工作经费" if spent else "",
        now,
        now,
    )


# --- resident units' facilities and their bookings ---------------------------------------------------


def write_facilities(ctx) -> tuple[int, int]:
    rng, today = ctx.rng, ctx.today
    units = list(
        ResidentUnit.objects.filter(community__in=[c.pk for c in ctx.communities])
        .order_by("id")
        .values_list("id", "kind")
    )
    plans = [(unit_id, plan) for unit_id, kind in units for plan in FACILITY_PLANS.get(kind, [])]
    ids = iter(ctx.reserve_ids(Facility, len(plans)))
    facility_w = ctx.writer(
        Facility, ["id", "unit", "name", "kind", "description", "opening_hours", "capacity", "free", "public"]
    )
    booking_w = ctx.writer(
        FacilityBooking, ["facility", "date", "start", "end", "organiser", "purpose", "status", "attendees"]
    )
    for unit_id, (name, kind, hours, capacity) in plans:
        facility_id = next(ids)
        free = kind != FacilityKind.PARKING or rng.random() < 0.5
        facility_w.add((facility_id, unit_id, name, kind.value, "", hours, capacity, free, rng.random() < 0.95))
        weekday = rng.randrange(7)
        every = rng.choice([1, 1, 2])  # weekly or fortnightly
        for week in range(-2, 52, every):
            day = today - dt.timedelta(days=7 * week + (today.weekday() - weekday) % 7)
            start = dt.time(rng.choice([9, 14, 19]), 0)
            end = dt.time(start.hour + 2, 0)
            if day > today:
                status, attendees = BookingStatus.BOOKED, 0
            elif rng.random() < 0.06:
                status, attendees = BookingStatus.CANCELLED, 0
            else:
                status, attendees = BookingStatus.USED, rng.randint(5, min(80, capacity))
            booking_w.add(
                (facility_id, day, start, end, rng.choice(ORGANISERS), rng.choice(PURPOSES), status.value, attendees)
            )
    return facility_w.close(), booking_w.close()


# --- community events and residents' meetings ---------------------------------------------------------


def write_events(ctx) -> int:
    rng, now = ctx.rng, ctx.now
    tz = timezone.get_current_timezone()
    writer = ctx.writer(
        CommunityEvent,
        [
            "community",
            "kind",
            "title",
            "description",
            "location",
            "starts_at",
            "ends_at",
            "status",
            "public",
            "capacity",
            "attendance",
            "minutes",
        ],
    )
    local_today = ctx.today
    for community in ctx.communities:
        for month_back in range(-1, 12):
            for kind, titles in EVENT_PLANS:
                if kind != CommunityEventKind.RESIDENT_MEETING and rng.random() < 0.4:
                    continue
                if kind == CommunityEventKind.RESIDENT_MEETING and month_back % 3:
                    continue  # a residents' meeting a quarter
                day = local_today - dt.timedelta(days=30 * month_back + rng.randint(0, 27))
                starts = dt.datetime.combine(day, dt.time(rng.choice([9, 14, 19]), 0), tzinfo=tz)
                capacity = rng.choice([None, 60, 100, 200])
                if starts > now:
                    status, attendance, minutes = CommunityEventStatus.SCHEDULED, None, ""
                elif rng.random() < 0.05:
                    status, attendance, minutes = CommunityEventStatus.CANCELLED, None, ""
                else:
                    top = capacity or 150
                    status, attendance = CommunityEventStatus.HELD, rng.randint(top // 4, top)
                    minutes = "会议形成决议，已在公示栏公布。" if kind == CommunityEventKind.RESIDENT_MEETING else ""
                writer.add(
                    (
                        community.pk,
                        kind.value,
                        rng.choice(titles),
                        "",
                        rng.choice(["社区居委会会议室", "社区广场", "社区居民学校", "社区活动中心"]),
                        starts,
                        starts + 2 * HOUR,
                        status.value,
                        True,
                        capacity,
                        attendance,
                        minutes,
                    )
                )
    return writer.close()

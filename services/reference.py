"""The services part of the reference scenario: the catalogue, a realistic month of requests in each
community (every status, follow-ups and ratings), the departments' 六进 commitments, activities and
evaluations, the resident units' facilities and bookings, and community events.

Idempotent: each part is found by its natural key (or skipped when the community already has it).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from community.choices import DepartmentCode, Role, ScopeLevel, UnitKind
from community.models import Building, Department, User

from . import actions
from .choices import (
    KIND_DEPARTMENT,
    ActivityKind,
    BookingStatus,
    Channel,
    CommitmentPeriod,
    CommunityEventKind,
    CommunityEventStatus,
    FacilityKind,
    Grade,
    Rating,
    Status,
)
from .models import (
    Activity,
    Commitment,
    CommunityEvent,
    Evaluation,
    Facility,
    FacilityBooking,
    ObligationFulfilment,
    Open311Client,
    RequestEvent,
    ServiceCategory,
    ServiceRequest,
    UnitObligation,
)

CATALOGUE = [
    # code, name, group, department, accept hours, resolve days, paid, price, questions
    (
        "repair",
        "房屋设施报修",
        "维修",
        DepartmentCode.URBAN_CONSTRUCTION,
        24,
        5,
        False,
        "0",
        [
            {
                "code": "location",
                "label": "损坏部位",
                "type": "singlevaluelist",
                "required": True,
                "values": [
                    {"key": "stair", "name": "楼道"},
                    {"key": "roof", "name": "屋顶"},
                    {"key": "pipe", "name": "公共管道"},
                    {"key": "light", "name": "路灯"},
                ],
            },
        ],
    ),
    ("environment", "环境卫生", "环境", DepartmentCode.URBAN_CONSTRUCTION, 24, 3, False, "0", []),
    (
        "dispute",
        "邻里纠纷调解",
        "调解",
        DepartmentCode.JUSTICE,
        12,
        7,
        False,
        "0",
        [
            {"code": "parties", "label": "涉及几户", "type": "number", "required": False},
        ],
    ),
    (
        "elderly",
        "老年人帮扶",
        "帮扶",
        DepartmentCode.CIVIL_AFFAIRS,
        8,
        3,
        False,
        "0",
        [
            {
                "code": "help",
                "label": "需要的帮助",
                "type": "multivaluelist",
                "required": True,
                "values": [
                    {"key": "meal", "name": "助餐"},
                    {"key": "clean", "name": "助洁"},
                    {"key": "doctor", "name": "助医"},
                ],
            },
        ],
    ),
    ("certificate", "证明和办事代理", "办事", DepartmentCode.CIVIL_AFFAIRS, 24, 5, False, "0", []),
    ("order", "治安隐患", "治安", DepartmentCode.PUBLIC_SECURITY, 4, 2, False, "0", []),
    ("housekeeping", "家政保洁（有偿）", "有偿服务", None, 24, 3, True, "50.00", []),
    ("plumbing", "管道疏通（有偿）", "有偿服务", None, 12, 2, True, "80.00", []),
]

DESCRIPTIONS = {
    "repair": ["楼道声控灯坏了，晚上看不见台阶", "三楼公共水管漏水，墙面渗水", "单元门门禁失灵，关不上"],
    "environment": ["小区垃圾桶满了两天没人清运", "绿化带里堆放建筑垃圾", "楼下有积水发臭"],
    "dispute": ["楼上装修噪音影响休息，沟通无果", "邻居在楼道堆放杂物，影响通行"],
    "elderly": ["独居老人行动不便，需要助餐服务", "老人需要陪同去医院复查"],
    "certificate": ["需要开具居住证明办理入学", "咨询低保申请需要的材料"],
    "order": ["小区后门晚上常有陌生人聚集", "电动车在楼道充电，担心火灾"],
    "housekeeping": ["需要家政保洁，两室一厅", "老人家里需要大扫除"],
    "plumbing": ["厨房下水道堵塞", "卫生间马桶堵了"],
}

# the month each community lives through: (status to reach, days ago submitted)
PLAN = [
    (Status.SUBMITTED, 0),
    (Status.SUBMITTED, 1),
    (Status.SUBMITTED, 4),
    (Status.ACCEPTED, 1),
    (Status.ACCEPTED, 2),
    (Status.ASSIGNED, 2),
    (Status.ASSIGNED, 3),
    (Status.ASSIGNED, 9),
    (Status.IN_PROGRESS, 3),
    (Status.IN_PROGRESS, 5),
    (Status.IN_PROGRESS, 12),
    (Status.RESOLVED, 4),
    (Status.RESOLVED, 6),
    (Status.RESOLVED, 8),
    ("closed_rated", 10),
    ("closed_rated", 13),
    ("closed_rated", 16),
    ("closed_rated", 20),
    ("closed_basic", 22),
    ("closed_follow_up", 18),
    ("closed_follow_up", 25),
    (Status.REOPENED, 14),
    (Status.REJECTED, 7),
    (Status.DUPLICATE, 11),
    (Status.CANCELLED, 15),
]

COMMITMENTS = {
    ActivityKind.SCIENCE_EDUCATION: ("每季度一次科普讲座", 1, CommitmentPeriod.QUARTER),
    ActivityKind.CULTURE_SPORTS: ("每月一次文体活动", 1, CommitmentPeriod.MONTH),
    ActivityKind.LAW: ("每月两次法律咨询和援助", 2, CommitmentPeriod.MONTH),
    ActivityKind.HEALTH: ("每月一次义诊和健康讲座", 1, CommitmentPeriod.MONTH),
    ActivityKind.COMMERCE: ("每季度一次消费维权宣传", 1, CommitmentPeriod.QUARTER),
    ActivityKind.TRAFFIC: ("每季度一次交通安全课", 1, CommitmentPeriod.QUARTER),
}
ACTIVITY_TITLES = {
    ActivityKind.SCIENCE_EDUCATION: "科普知识讲座",
    ActivityKind.CULTURE_SPORTS: "居民文体活动",
    ActivityKind.LAW: "法律咨询进社区",
    ActivityKind.HEALTH: "义诊和健康讲座",
    ActivityKind.COMMERCE: "消费维权宣传",
    ActivityKind.TRAFFIC: "交通安全进社区",
}


def load(ctx) -> None:
    rng = random.Random(20261128)
    loader = _loader(ctx)
    categories = _catalogue(ctx)
    Open311Client.objects.get_or_create(name="示范县市民服务平台", defaults={"contact": "县民政局"})
    today = timezone.localdate()
    for community in ctx.communities:
        _requests(community, categories, loader, rng)
        _six_into(ctx, community, today, rng)
        _civil_affairs(ctx, community, today)
        _facilities(community, today, rng)
        _obligations(community, today)
        _events(community, today)
    actions.requests_mark_overdue()
    ctx.say("services: catalogue, requests, 六进社区, facilities and events loaded\n")


def _loader(ctx) -> User:
    """The account the reference data is recorded by (no password: it cannot sign in)."""
    user, created = User.objects.get_or_create(
        username="reference_loader",
        defaults={"first_name": "参考数据", "scope_level": ScopeLevel.COUNTY, "county": ctx.county},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    # county-wide, and doing the staff's work in every community (triage, progress, follow-up calls)
    user.groups.add(Group.objects.get(name=Role.COUNTY_OFFICIAL), Group.objects.get(name=Role.COMMUNITY_STAFF))
    return user


def _catalogue(ctx) -> dict[str, ServiceCategory]:
    categories = {}
    for order, (code, name, group, department, hours, days, paid, price, questions) in enumerate(CATALOGUE, 1):
        categories[code], _ = ServiceCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "group": group,
                "department": ctx.departments.get(department) if department else None,
                "accept_within_hours": hours,
                "resolve_within_days": days,
                "paid": paid,
                "price": Decimal(price),
                "questions": questions,
                "order": order * 10,
                "description": f"{name}：社区受理，{days}天内办结。",
            },
        )
    return categories


def _answers(category):
    answers = {}
    for question in category.questions:
        values = [v["key"] for v in question.get("values", [])]
        if question["type"] == "singlevaluelist":
            answers[question["code"]] = values[0]
        elif question["type"] == "multivaluelist":
            answers[question["code"]] = values[:1]
        elif question["type"] == "number":
            answers[question["code"]] = "2"
    return answers


def _requests(community, categories, by, rng) -> None:
    if ServiceRequest.objects.filter(community=community).exists():
        return
    buildings = list(Building.objects.filter(zone__community=community).prefetch_related("households"))
    codes = list(categories)
    now = timezone.now()
    staff_department = {c.department_id for c in categories.values() if c.department_id}
    made = []
    for index, (target, days_ago) in enumerate(PLAN):
        category = categories[codes[index % len(codes)]]
        if target in (Status.RESOLVED, "closed_rated") and index % 5 == 0:
            category = categories["housekeeping"]
        building = rng.choice(buildings) if buildings else None
        household = rng.choice(list(building.households.all())) if building else None
        submitted = now - dt.timedelta(days=days_ago, hours=rng.randint(1, 9))
        with transaction.atomic():
            req = actions.request_submit(
                by=by,
                community=community,
                category=category,
                channel=rng.choice([Channel.WEB, Channel.WEB, Channel.WEB, Channel.PHONE, Channel.COUNTER]),
                building=building,
                door_number=household.number if household else "",
                address="" if building else community.address,
                description=rng.choice(DESCRIPTIONS[category.code]),
                contact_name=rng.choice("王李张刘陈杨") + rng.choice(["先生", "女士", "阿姨", "师傅"]),
                contact_phone=f"139{rng.randint(10000000, 99999999)}",
                answers=_answers(category),
                submitted_at=submitted,
            )
        made.append(req)
        try:
            _advance(req, target, by, made, staff_department)
        except ValidationError:
            continue  # e.g. the ledger refused a fee: the request stays where it got to
        _backdate(req, submitted, rng)


def _advance(req, target, by, made, _departments) -> None:
    if target == Status.SUBMITTED:
        return
    if target == Status.REJECTED:
        actions.request_reject(by=by, request_id=req.pk, reason="不属于社区受理范围，已告知居民向物业公司反映")
        return
    if target == Status.DUPLICATE:
        actions.request_mark_duplicate(by=by, request_id=req.pk, original_id=made[0].pk)
        return
    if target == Status.CANCELLED:
        actions.request_cancel(request_id=req.pk, reason="问题已自行解决")
        return
    actions.request_move(by=by, request_id=req.pk, to=Status.ACCEPTED, note="已受理", public=True)
    if target == Status.ACCEPTED:
        return
    if req.category.department_id:
        actions.request_assign(by=by, request_id=req.pk, department=req.category.department, note="转职能部门办理")
    else:
        staff = User.objects.filter(scope_level=ScopeLevel.COMMUNITY, community=req.community, is_active=True).first()
        if staff is not None:
            actions.request_assign(by=by, request_id=req.pk, user=staff)
        else:
            actions.request_assign(by=by, request_id=req.pk, department=_any_department(req))
    if target == Status.ASSIGNED:
        return
    actions.request_move(by=by, request_id=req.pk, to=Status.IN_PROGRESS, note="工作人员已上门查看", public=True)
    if target == Status.IN_PROGRESS:
        return
    actions.request_resolve(by=by, request_id=req.pk, note="已处理完毕，请您确认", fee=req.category.price or None)
    if target == Status.RESOLVED:
        return
    if target == "closed_rated":
        actions.request_rate(request_id=req.pk, rating=Rating.SATISFIED, comment="处理及时，谢谢")
        actions.request_follow_up(by=by, request_id=req.pk, reached=True, satisfaction=Rating.SATISFIED)
    elif target == "closed_basic":
        actions.request_rate(request_id=req.pk, rating=Rating.BASICALLY, comment="基本解决")
    elif target == "closed_follow_up":
        actions.request_follow_up(
            by=by, request_id=req.pk, reached=True, satisfaction=Rating.SATISFIED, note="电话回访"
        )
    elif target == Status.REOPENED:
        actions.request_rate(request_id=req.pk, rating=Rating.DISSATISFIED, comment="问题没有根本解决，又坏了")


def _any_department(req):

    return Department.objects.filter(county_id=req.community.town.county_id).order_by("code").first()


def _backdate(req, submitted, rng) -> None:
    """Spread the request's timeline over the days since it was submitted (realistic durations)."""
    events = list(RequestEvent.objects.filter(request=req).order_by("at", "id"))
    span = max((timezone.now() - submitted).total_seconds(), 3600)
    step = span / (len(events) + 1)
    for i, event in enumerate(events):
        event.at = submitted + dt.timedelta(seconds=step * i * rng.uniform(0.6, 1.0))
    RequestEvent.objects.bulk_update(events, ["at"])
    times = {}
    for event in events:
        if event.new_status == Status.ACCEPTED:
            times["accepted_at"] = event.at
        elif event.new_status == Status.RESOLVED:
            times["resolved_at"] = event.at
        elif event.new_status in (Status.CLOSED, Status.REJECTED, Status.DUPLICATE, Status.CANCELLED):
            times["closed_at"] = event.at
    if req.rated_at or ServiceRequest.objects.filter(pk=req.pk, rated_at__isnull=False).exists():
        times["rated_at"] = events[-1].at
    ServiceRequest.objects.filter(pk=req.pk).update(**times)


def _six_into(ctx, community, today, rng) -> None:
    year = today.year
    for kind, (title, times, per) in COMMITMENTS.items():
        department = ctx.departments[KIND_DEPARTMENT[kind]]
        commitment, created = Commitment.objects.get_or_create(
            community=community,
            department=department,
            year=year,
            title=title,
            defaults={"kind": kind, "times": times, "per": per, "staff_assigned": 1, "budget": Decimal("2000.00")},
        )
        if not created:
            continue
        # activities so far this year: mostly kept, sometimes one short
        months = range(1, today.month + 1)
        dates = []
        for month in months:
            if per == CommitmentPeriod.MONTH:
                dates += [dt.date(year, month, min(28, 5 + 10 * t)) for t in range(times)]
            elif per == CommitmentPeriod.QUARTER and month % 3 == 2:
                dates.append(dt.date(year, month, 15))
        dates = [d for d in dates if d <= today]
        if rng.random() < 0.3 and dates:
            dates.pop()  # a missed one
        activities = []
        for day in dates:
            spent = Decimal(rng.choice([0, 0, 200, 350, 500]))
            activities.append(
                Activity(
                    community=community,
                    department=department,
                    commitment=commitment,
                    kind=kind,
                    date=day,
                    title=ACTIVITY_TITLES[kind],
                    participants=rng.randint(15, 80),
                    staff_involved=department.name,
                    staff_count=rng.randint(1, 4),
                    amount_spent=spent,
                    fund=f"{department.name}社区工作经费" if spent else "",
                )
            )
        Activity.objects.bulk_create(activities)
        Evaluation.objects.get_or_create(
            community=community,
            department=department,
            year=year - 1,
            defaults={
                "score": (score := rng.randint(78, 98)),
                "grade": Grade.EXCELLENT if score >= 90 else Grade.GOOD,
                "comment": "服务承诺兑现较好，居民反映良好",
            },
        )


def _civil_affairs(ctx, community, today) -> None:
    """民政局 guides the committees' self-government and services: a quarterly training, held so far this year."""
    department = ctx.departments[DepartmentCode.CIVIL_AFFAIRS]
    commitment, created = Commitment.objects.get_or_create(
        community=community,
        department=department,
        year=today.year,
        title="每季度一次居民自治和社区服务培训",
        defaults={
            "kind": ActivityKind.SCIENCE_EDUCATION,
            "times": 1,
            "per": CommitmentPeriod.QUARTER,
            "staff_assigned": 1,
            "budget": Decimal("1600.00"),
        },
    )
    if not created:
        return
    days = [dt.date(today.year, month, 20) for month in (2, 5, 8, 11) if dt.date(today.year, month, 20) <= today]
    Activity.objects.bulk_create(
        Activity(
            community=community,
            department=department,
            commitment=commitment,
            kind=ActivityKind.SCIENCE_EDUCATION,
            date=day,
            title="居民自治和社区服务培训",
            participants=30 + 5 * i,
            staff_involved=department.name,
            staff_count=2,
            amount_spent=Decimal("400.00"),
            fund=f"{department.name}社区工作经费",
        )
        for i, day in enumerate(days)
    )


def _facilities(community, today, rng) -> None:
    plans = {
        UnitKind.SCHOOL: [
            ("操场", FacilityKind.GYM, "周末及寒暑假 6:00–8:00、17:00–20:00", 300),
            ("图书室", FacilityKind.LIBRARY, "周六 9:00–16:00", 40),
        ],
        UnitKind.HOSPITAL: [("康复室", FacilityKind.CLINIC, "工作日 14:00–17:00", 15)],
    }
    for unit in community.resident_units.all():
        for name, kind, hours, capacity in plans.get(unit.kind, []):
            facility, created = Facility.objects.get_or_create(
                unit=unit, name=name, defaults={"kind": kind, "opening_hours": hours, "capacity": capacity}
            )
            if not created:
                continue
            for week in range(1, 5):
                day = today - dt.timedelta(days=7 * week)
                FacilityBooking.objects.create(
                    facility=facility,
                    date=day,
                    start=dt.time(9, 0),
                    end=dt.time(11, 0),
                    organiser="社区老年活动队" if kind != FacilityKind.LIBRARY else "社区读书会",
                    purpose="居民活动",
                    status=BookingStatus.USED,
                    attendees=rng.randint(8, min(60, capacity)),
                )


def _events(community, today) -> None:
    tz = timezone.get_current_timezone()
    plans = [
        (CommunityEventKind.RESIDENT_MEETING, "居民会议：讨论小区停车管理", -20, 65, "社区居委会会议室"),
        (CommunityEventKind.CULTURE_SPORTS, "社区广场舞展演", -10, 120, "社区广场"),
        (CommunityEventKind.EDUCATION, "居民学校：防范电信诈骗", 7, None, "社区居民学校"),
    ]
    for kind, title, offset, attendance, location in plans:
        starts = dt.datetime.combine(today + dt.timedelta(days=offset), dt.time(19, 0), tzinfo=tz)
        CommunityEvent.objects.get_or_create(
            community=community,
            title=title,
            defaults={
                "kind": kind,
                "location": location,
                "starts_at": starts,
                "ends_at": starts + dt.timedelta(hours=2),
                "status": CommunityEventStatus.HELD if attendance else CommunityEventStatus.SCHEDULED,
                "attendance": attendance,
            },
        )


# the duties a resident unit agrees to as a member of the community (驻区单位的权利与义务), by kind of unit
OBLIGATIONS = {
    UnitKind.SCHOOL: [
        ("facilities", "节假日向社区居民开放操场和图书室"),
        ("volunteering", "每学期组织师生志愿者参加社区服务不少于两次"),
    ],
    UnitKind.HOSPITAL: [
        ("facilities", "康复室每周向社区老年人开放三个下午"),
        ("volunteering", "每季度到社区开展一次义诊"),
    ],
}
DEFAULT_OBLIGATIONS = [("environment", "门前三包，参加社区环境卫生整治")]


def _obligations(community, today) -> None:

    for unit in community.resident_units.all():
        for category, duty in OBLIGATIONS.get(unit.kind, DEFAULT_OBLIGATIONS):
            obligation, _created = UnitObligation.objects.get_or_create(
                unit=unit, duty=duty, defaults={"category": category, "agreed_on": dt.date(2025, 1, 10)}
            )
            status, note = ("fulfilled", "") if unit.pk % 3 else ("partly", "寒假期间未按约开放")
            ObligationFulfilment.objects.get_or_create(
                obligation=obligation, year=2025, defaults={"status": status, "note": note}
            )

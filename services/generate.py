"""Scale data of the services app for ``generate_county`` (see the docstring of community/generate.py).

For the generated county: the service catalogue when there is none yet (it is county-wide and shared),
a year of residents' requests (``--extra requests=N``; by default 5 for every 6 households, i.e. 100,000
for the 120,000-household county) spread over the communities by their households, with every status,
the status history of each (its transitions, at realistic times), internal and public notes, information
added by residents, overdue flags, escalations, follow-up calls and ratings; the departments' 六进社区
commitments of last year and this year with the activities that fulfil them and last year's evaluations;
the resident units' shared facilities with a year of bookings; community events and residents' meetings.

A request's life is drawn as a whole (accept, assign, start, resolve, then a rating or a follow-up call,
perhaps a reopening) and cut at the present, so recent requests are still open and old ones finished, the
way a real queue looks.  Everything is written with ``ctx.copy_rows`` / ``ctx.writer`` (COPY on
PostgreSQL); ``clear(county)`` removes it again with a few set-based DELETEs.
"""

from __future__ import annotations

import datetime as dt
import json
from bisect import bisect
from decimal import Decimal
from itertools import accumulate

from django.db import connections
from django.utils import timezone

from community.choices import DepartmentCode, UnitKind
from community.generate import MOBILE_PREFIXES
from community.models import Building, Household, ResidentUnit, User

from .choices import (
    KIND_DEPARTMENT,
    OPEN_STATUSES,
    ActivityKind,
    BookingStatus,
    Channel,
    CommitmentPeriod,
    CommunityEventKind,
    CommunityEventStatus,
    EventKind,
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
    FollowUp,
    RequestEvent,
    ServiceCategory,
    ServiceRequest,
)
from .reference import ACTIVITY_TITLES, CATALOGUE, COMMITMENTS, DESCRIPTIONS

GENERATOR_USERNAME = "services_generator"  # records the generated staff work; no scope, cannot sign in
REQUESTS_PER_HOUSEHOLD = 5 / 6  # 100,000 requests a year in a county of 120,000 households
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)

CATEGORY_WEIGHTS = {
    "repair": 25,
    "environment": 18,
    "dispute": 8,
    "elderly": 12,
    "certificate": 15,
    "order": 6,
    "housekeeping": 8,
    "plumbing": 8,
}
CHANNELS = [(Channel.WEB, 60), (Channel.PHONE, 25), (Channel.COUNTER, 12), (Channel.OPEN311, 3)]
# what becomes of a request: the usual path, refused, a duplicate, withdrawn, or stuck for a long time
FATES = [("normal", 82), ("rejected", 5), ("duplicate", 3), ("cancelled", 3), ("stalled", 7)]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
ADDRESSING = ["先生", "女士", "阿姨", "师傅", "大爷", "奶奶"]
REJECT_REASONS = [
    "不属于社区受理范围，已告知居民向物业公司反映",
    "属于商品房质保范围，请联系开发商维修",
    "诉求内容不清，多次联系未果",
    "涉及司法程序，已引导居民通过法律途径解决",
]
CANCEL_REASONS = ["问题已自行解决", "已找物业处理", "重复提交，撤回", ""]
ACCEPT_NOTES = ["已受理", "已受理，将尽快安排", "社区已受理您的诉求"]
START_NOTES = ["工作人员已上门查看", "已联系相关部门，正在处理", "已安排人员处理"]
RESOLVE_NOTES = ["已处理完毕，请您确认", "已维修完成", "已协调解决，如有问题请再联系社区", "已办结"]
INTERNAL_NOTES = [
    "已电话联系居民，约定上门时间",
    "需要物业配合，已发函",
    "材料不全，已告知居民补充",
    "部门反馈需排队处理",
    "网格员已现场核实",
]
PUBLIC_NOTES = ["预计本周内处理完毕", "已联系维修单位，请耐心等待", "需要您在家配合，工作人员会提前电话联系"]
RESIDENT_INFO = ["补充一下：问题在晚上更严重", "我下午都在家，可以上门", "照片拍不清楚，具体在二单元门口"]
RATING_COMMENTS = {
    Rating.SATISFIED: ["处理及时，谢谢", "工作人员态度很好", "很满意", ""],
    Rating.BASICALLY: ["基本解决", "时间有点长", ""],
    Rating.DISSATISFIED: ["问题没有根本解决，又坏了", "处理太慢", "没有人联系我"],
}
FOLLOW_UP_NOTES = ["电话回访", "电话回访，居民表示认可", "上门回访", ""]
FACILITY_PLANS = {
    UnitKind.SCHOOL: [
        ("操场", FacilityKind.GYM, "周末及寒暑假 6:00–8:00、17:00–20:00", 300),
        ("图书室", FacilityKind.LIBRARY, "周六 9:00–16:00", 40),
    ],
    UnitKind.HOSPITAL: [("康复室", FacilityKind.CLINIC, "工作日 14:00–17:00", 15)],
    UnitKind.PUBLIC_INSTITUTION: [
        ("多功能活动室", FacilityKind.HALL, "每天 8:30–20:30", 80),
        ("阅览室", FacilityKind.LIBRARY, "周二至周日 9:00–17:00", 30),
    ],
    UnitKind.GOVERNMENT: [("会议室", FacilityKind.HALL, "周末 9:00–17:00（需预约）", 50)],
    UnitKind.ENTERPRISE: [("职工食堂", FacilityKind.CANTEEN, "工作日 11:00–13:00 为老人提供助餐", 60)],
    UnitKind.SOCIAL_ORG: [("活动中心", FacilityKind.HALL, "每天 9:00–17:00", 40)],
    UnitKind.OTHER: [("停车场", FacilityKind.PARKING, "夜间 19:00–次日 7:00", 120)],
}
ORGANISERS = ["社区老年活动队", "社区读书会", "社区舞蹈队", "青少年假日课堂", "社区志愿者服务队", "楼道议事会"]
PURPOSES = ["居民活动", "文艺排练", "健康讲座", "读书分享", "志愿服务培训", "议事协商"]
EVENT_PLANS = [
    (CommunityEventKind.RESIDENT_MEETING, ["居民会议：讨论小区停车管理", "居民会议：年度工作报告", "居民议事会"]),
    (CommunityEventKind.CULTURE_SPORTS, ["社区广场舞展演", "邻里节文艺汇演", "社区趣味运动会"]),
    (CommunityEventKind.EDUCATION, ["居民学校：防范电信诈骗", "居民学校：垃圾分类", "居民学校：家庭急救"]),
    (CommunityEventKind.VOLUNTEERING, ["志愿者环境清洁日", "楼道杂物清理行动"]),
]


def _weighted(rng, pairs):
    """A chooser over ``[(value, weight), …]`` (one bisect a draw)."""
    values = [v for v, _w in pairs]
    cum = list(accumulate(w for _v, w in pairs))

    def choose():
        return values[bisect(cum, rng.random() * cum[-1])]

    return choose


# --- the hook ------------------------------------------------------------------------------------


def generate(ctx) -> None:
    staff = _generator_user()
    categories = _catalogue(ctx)
    total = ctx.args.get("requests")
    if total is None:
        total = round(len(ctx.households) * REQUESTS_PER_HOUSEHOLD)
    total = max(0, int(total))
    written = _requests(ctx, categories, staff, total)
    commitments, activities, evaluations = _six_into(ctx)
    facilities, bookings = _facilities(ctx)
    events = _events(ctx)
    _analyze(ctx)
    ctx.say(
        f"services: {len(categories)} categories, {written:,} requests, {commitments:,} commitments, "
        f"{activities:,} activities, {evaluations:,} evaluations, {facilities:,} facilities, "
        f"{bookings:,} bookings, {events:,} community events"
    )


def clear(county) -> None:
    """Delete the services rows that point into ``county`` (before the core deletes the county)."""
    connection = connections[ServiceRequest.objects.db]
    quote = connection.ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    communities = (
        "SELECT c.id FROM community_community c JOIN community_town t ON t.id = c.town_id WHERE t.county_id = %s"
    )
    requests = f"SELECT id FROM {table(ServiceRequest)} WHERE community_id IN ({communities})"
    units = f"SELECT id FROM {table(ResidentUnit)} WHERE community_id IN ({communities})"
    facilities = f"SELECT id FROM {table(Facility)} WHERE unit_id IN ({units})"
    activities = f"SELECT id FROM {table(Activity)} WHERE community_id IN ({communities})"
    departments = "SELECT id FROM community_department WHERE county_id = %s"
    from .models import ActivityPhoto, Notification, RequestPhoto

    statements = [
        f"DELETE FROM {table(FollowUp)} WHERE request_id IN ({requests})",
        f"DELETE FROM {table(RequestEvent)} WHERE request_id IN ({requests})",
        f"DELETE FROM {table(RequestPhoto)} WHERE request_id IN ({requests})",
        f"DELETE FROM {table(Notification)} WHERE request_id IN ({requests})",
        f"DELETE FROM {table(ServiceRequest.history.model)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(ServiceRequest)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(ActivityPhoto)} WHERE activity_id IN ({activities})",
        f"DELETE FROM {table(Activity)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(Commitment)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(Evaluation)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(FacilityBooking)} WHERE facility_id IN ({facilities})",
        f"DELETE FROM {table(Facility)} WHERE unit_id IN ({units})",
        f"DELETE FROM {table(CommunityEvent)} WHERE community_id IN ({communities})",
        # the catalogue is shared: it stays, without the county's departments
        f"UPDATE {table(ServiceCategory)} SET department_id = NULL WHERE department_id IN ({departments})",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, [county.pk] * sql.count("%s"))


def _generator_user() -> User:
    user, created = User.objects.get_or_create(
        username=GENERATOR_USERNAME, defaults={"first_name": "规模数据", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _catalogue(ctx) -> list[ServiceCategory]:
    """The active catalogue; made from the reference catalogue (with this county's departments) when empty."""
    if not ServiceCategory.objects.exists():
        for order, (code, name, group, department, hours, days, paid, price, questions) in enumerate(CATALOGUE, 1):
            ServiceCategory.objects.create(
                code=code,
                name=name,
                group=group,
                department=ctx.departments.get(department) if department else None,
                accept_within_hours=hours,
                resolve_within_days=days,
                paid=paid,
                price=Decimal(price),
                questions=questions,
                order=order * 10,
                description=f"{name}：社区受理，{days}天内办结。",
            )
    return list(ServiceCategory.objects.filter(active=True).select_related("department").order_by("order", "code"))


def _analyze(ctx) -> None:
    connection = connections[ctx.using]
    with connection.cursor() as cursor:
        for model in (
            ServiceCategory,
            ServiceRequest,
            RequestEvent,
            FollowUp,
            Commitment,
            Activity,
            Evaluation,
            Facility,
            FacilityBooking,
            CommunityEvent,
        ):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


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


def _requests(ctx, categories, staff, total) -> int:
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
    pick_category = _weighted(rng, [(c, CATEGORY_WEIGHTS.get(c.code, 5)) for c in categories])
    pick_channel = _weighted(rng, CHANNELS)
    pick_fate = _weighted(rng, FATES)
    fallback_department = ctx.departments.get(DepartmentCode.CIVIL_AFFAIRS)
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
            request_w.add(row)
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
    """JSON text, as COPY takes it."""
    return lambda value: json.dumps(value, ensure_ascii=False)


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
        life.add(when, EventKind.RATING, f"{verdict.label} {comment}".strip(), public=True, staff=False)
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
    life.add(when, EventKind.FOLLOW_UP, Rating(satisfaction).label if satisfaction else "未联系上居民。")
    if not closing:
        return True
    if satisfaction == Rating.DISSATISFIED:
        life.move(when, Status.REOPENED, "回访不满意，重新办理。")
    elif satisfaction:
        life.move(when, Status.CLOSED, "回访后办结。")
    else:
        life.move(when + DAY * rng.uniform(3, 10), Status.CLOSED, "办结归档。")
    return True


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


def _six_into(ctx) -> tuple[int, int, int]:
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


def _facilities(ctx) -> tuple[int, int]:
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


def _events(ctx) -> int:
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

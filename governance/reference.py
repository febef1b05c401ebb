"""Governance's part of the reference scenario: each community's notice board, a residents' meeting with its
resolutions, and a finished committee election (result published), all made through the actions.

Idempotent: notices, meetings and elections are found by their titles.  The election stops at the published
result: seating it would add five members per community to the staffing roster, whose composition is the
seed's figure (30 people), so the roster is left as staffing's reference made it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from community.actions import record_save
from community.choices import ScopeLevel
from community.models import Department, Household, User

from . import actions
from .actions.elections import eligible_voters
from .choices import CommitteePost, MeetingKind, NoticeCategory
from .models import AgendaItem, BallotBox, DepartmentPlacement, Election, Meeting, Notice

NOTICES = [
    (
        NoticeCategory.AFFAIRS,
        "社区第四季度工作安排",
        "本季度重点：老旧小区楼道照明改造、冬季消防安全检查、居民代表会议筹备。",
        True,
        3,
    ),
    (NoticeCategory.PARTY, "党员冬训安排", "社区党总支将于下月组织党员冬训，学习时间和地点另行通知。", False, 10),
    (
        NoticeCategory.SERVICE,
        "冬季暖气报修服务",
        "居民可通过服务热线或网上诉求报修暖气，社区在24小时内受理。",
        False,
        20,
    ),
    (
        NoticeCategory.FINANCE,
        "社区公益金使用情况说明",
        "本年度社区公益金主要用于楼道照明改造和困难家庭慰问，明细见财务公开。",
        False,
        30,
    ),
]
MEETING_TITLE = "居民会议：楼道照明改造和停车管理"
AGENDA = [
    ("楼道照明改造方案", "由社区公益金和居民集资共同承担。"),
    ("小区停车管理办法", "划定停车位，收费标准由居民会议决定。"),
]
RESOLUTIONS = [
    (
        "关于楼道照明改造的决议",
        "同意实施楼道照明改造，费用由社区公益金承担百分之七十，居民集资承担百分之三十。",
        (0.8, 0.1, 0.05),
    ),
    ("关于小区停车收费的决议", "停车收费标准为每月三十元，所得用于小区公共设施维护。", (0.4, 0.45, 0.1)),
]
ELECTION_TITLE = "第七届社区居民委员会换届选举"
SEATS = 5
SHARES = [0.92, 0.88, 0.81, 0.75, 0.66, 0.31, 0.22]  # of the valid ballots, per candidate
POSTS = [CommitteePost.DIRECTOR, CommitteePost.DEPUTY] + [CommitteePost.MEMBER] * 5
EDUCATION = [
    "college",
    "technical_secondary",
    "senior_high",
    "technical_secondary",
    "bachelor",
    "senior_high",
    "college",
]


def _loader(ctx) -> User:
    """The account the reference data is recorded by (no password: it cannot sign in)."""
    user, created = User.objects.get_or_create(
        username="reference_governance",
        defaults={"first_name": "参考数据（居务）", "scope_level": ScopeLevel.COUNTY, "county": ctx.county},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load(ctx) -> None:
    by = _loader(ctx)
    now = timezone.now()
    for community in ctx.communities:
        _notices(by, community, now)
        _meeting(by, community, now)
        _election(by, community, timezone.localdate())
        _placements(by, community)
    ctx.say("governance: notices, a residents' meeting and an election per community loaded\n")


def _notices(by, community, now) -> None:
    for category, title, body, pinned, days_ago in NOTICES:
        if Notice.objects.filter(community=community, title=title).exists():
            continue
        notice = actions.notice_save(
            by=by, notice=Notice(community=community, category=category, title=title, body=body, pinned=pinned)
        )
        actions.notice_publish(by=by, notice_id=notice.pk, at=now - dt.timedelta(days=days_ago))


def _meeting(by, community, now) -> None:
    if Meeting.objects.filter(community=community, title=MEETING_TITLE).exists():
        return
    meeting = actions.meeting_create(
        by=by,
        community=community,
        kind=MeetingKind.RESIDENTS,
        title=MEETING_TITLE,
        starts_at=(now - dt.timedelta(days=14)).replace(hour=1, minute=0, second=0, microsecond=0),
        location=f"{community.name}居委会会议室",
    )
    items = [
        AgendaItem.objects.create(meeting=meeting, order=n, title=title, description=text)
        for n, (title, text) in enumerate(AGENDA, 1)
    ]
    households = list(
        Household.objects.filter(building__zone__community=community, residents__moved_out__isnull=True)
        .distinct()
        .order_by("pk")
    )
    for household in households[: len(households) * 2 // 3]:
        actions.attendee_add(by=by, meeting_id=meeting.pk, household=household)
    meeting = actions.meeting_record_held(by=by, meeting_id=meeting.pk, minutes="会议由居委会主任主持，逐项表决。")
    present = meeting.attendee_count
    for item, (title, text, (yes, no, abstain)) in zip(items, RESOLUTIONS, strict=True):
        resolution = actions.resolution_record(
            by=by,
            meeting_id=meeting.pk,
            title=title,
            text=text,
            votes_for=int(present * yes),
            votes_against=int(present * no),
            abstentions=int(present * abstain),
            agenda_item=item,
        )
        actions.resolution_publish(by=by, resolution_id=resolution.pk, at=meeting.starts_at + dt.timedelta(days=1))


def _election(by, community, today) -> None:
    if Election.objects.filter(community=community, title=ELECTION_TITLE).exists():
        return
    day = today - dt.timedelta(days=120)
    term_start = day + dt.timedelta(days=15)
    election = actions.election_create(
        by=by,
        election=Election(
            community=community,
            title=ELECTION_TITLE,
            election_day=day,
            seats=SEATS,
            term_start=term_start,
            term_end=term_start.replace(year=term_start.year + 5) - dt.timedelta(days=1),
        ),
    )
    actions.roll_generate(by=by, election_id=election.pk)
    actions.roll_publish(by=by, election_id=election.pk, objection_deadline=day - dt.timedelta(days=5))
    adults = list(eligible_voters(election).filter(birth_date__lte=day.replace(year=day.year - 30)).order_by("pk"))
    candidates = []
    for n, resident in enumerate(adults[: len(SHARES)]):
        candidates.append(
            actions.candidate_add(
                by=by,
                election_id=election.pk,
                resident=resident,
                post=POSTS[n],
                education=EDUCATION[n],
                party_member=n < 4,
            )
        )
    actions.voting_open(by=by, election_id=election.pk)
    election.refresh_from_db()
    for name, share, spoilt in (("中心投票站", 0.62, 1), ("流动票箱", 0.22, 0)):
        issued = int(election.voters * share)
        box = actions.box_save(by=by, box=BallotBox(election=election, name=name, ballots_issued=issued))
        returned = issued - (2 if spoilt else 0)
        valid = returned - spoilt
        actions.tally_record(
            by=by,
            box_id=box.pk,
            ballots_returned=returned,
            invalid_ballots=spoilt,
            votes={c.pk: int(valid * s) for c, s in zip(candidates, SHARES, strict=False)},
        )
    actions.election_count(by=by, election_id=election.pk)
    actions.election_publish(by=by, election_id=election.pk, at=timezone.now() - dt.timedelta(days=100))


# (department code, staff member, duties) placed in every community from 2026-01-01: 工作人员配置到社区
PLACEMENTS = [
    ("justice", "司法所联络员", "每周二上午驻社区法律咨询、人民调解指导"),
    ("public_security", "社区民警", "社区警务室值守、治安巡查"),
    ("civil_affairs", "民政专干", "指导居委会自治、社区服务和低保审核"),
]


def _placements(by, community) -> None:

    for code, role_name, duty in PLACEMENTS:
        department = Department.objects.filter(county=community.town.county, code=code).first()
        if department is None:
            continue
        name = f"{department.name}{role_name}"[:40]
        if DepartmentPlacement.objects.filter(department=department, community=community, person_name=name).exists():
            continue
        record_save(
            by=by,
            instance=DepartmentPlacement(
                department=department,
                community=community,
                person_name=name,
                duty=duty,
                phone=f"1390571{community.pk % 1000:03d}{len(code) % 10}",
                start=dt.date(2026, 1, 1),
            ),
        )

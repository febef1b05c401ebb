"""Staffing's part of the reference scenario (DOMAIN.md §2), run through the actions like a real year.

* competitive placement (竞争上岗) of the 51 incumbents, keeping 17;
* open recruitment (公开招考) of 112 applicants for 8 posts, through every stage to 8 hires;
* a roster of 30: 5 elected secretaries + 17 placed + 8 recruited, whose composition is exactly the
  seed's (15 party members = 50%; 16 technical secondary or above, 13 senior high, 1 junior high;
  4 computer certificates);
* pay raised from 220 to 500 yuan a month, each month's payroll split county 80% / town 20%;
* the working-day calendar: the years chinesecalendar knows, and 2027 entered as the county would enter it.

Dated as of the reform, 2025 (the years the 136,000 yuan of funding covers, 2025–2026): the campaigns run from
February to August 2025, the raise applies from July 2025, and the people's birth dates give the ages the seed
implies, so the "now" view's roster is the new, younger committee.

Idempotent: a campaign found by its title is not run again; payroll runs are one per community and month.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from community.choices import ScopeLevel
from community.idnumbers import make_id_number
from community.models import User

from . import actions
from .actions import calendar as calendar_actions
from .calendar_models import CalendarYear, WorkdayOverride
from .choices import CampaignKind, CertificateKind, Education, Origin, StaffPost, Stage
from .models import Application, Campaign, Certificate, Examiner, PayScale, StaffMember

E = Education
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["伟", "芳", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞"]

# (party member, education, computer certificate) of the people who end up on the roster
ELECTED = [
    (True, E.TECHNICAL_SECONDARY, True),
    (True, E.TECHNICAL_SECONDARY, False),
    (True, E.TECHNICAL_SECONDARY, False),
    (True, E.COLLEGE, False),
    (True, E.COLLEGE, False),
]
PLACED = (
    [(True, E.SENIOR_HIGH, False)] * 5
    + [(True, E.TECHNICAL_SECONDARY, True)]
    + [(False, E.SENIOR_HIGH, False)] * 7
    + [(False, E.JUNIOR_HIGH, False)]
    + [(False, E.TECHNICAL_SECONDARY, False)] * 3
)
RECRUITED = [
    (True, E.BACHELOR, True),
    (True, E.COLLEGE, True),
    (True, E.COLLEGE, False),
    (True, E.TECHNICAL_SECONDARY, False),
    (False, E.COLLEGE, False),
    (False, E.TECHNICAL_SECONDARY, False),
    (False, E.TECHNICAL_SECONDARY, False),
    (False, E.SENIOR_HIGH, False),
]
PLACEMENT_TITLE = "城关镇社区居委会工作人员竞争上岗"
RECRUITMENT_TITLE = "城关镇2025年社区工作者公开招考"
PLACEMENT_PLACES = [4, 4, 3, 3, 3]  # 17
INCUMBENTS = [11, 10, 10, 10, 10]  # 51
RECRUITMENT_POSTS = [2, 2, 2, 1, 1]  # 8 posts of one place each
APPLICANTS_PER_POST = 14  # 112
PAY = [
    (Decimal("220"), dt.date(2022, 1, 1), "原补贴标准"),
    (Decimal("500"), dt.date(2025, 7, 1), "提高到每人每月500元"),
]
PAYROLL_MONTHS = ["2025-06", "2025-07", "2025-08", "2025-09"]

# 2027: chinesecalendar 1.11 stops at 2026 and the State Council's 2027 notice is not in the platform, so the
# scenario enters the main holidays as the county would, following the usual pattern (除夕 off since 2025, a
# weekend make-up day for each weekday taken beyond the statutory days).  Clearly labelled: to be checked
# against the notice and corrected in the admin (Staff › Holidays and make-up days) once it is published.
CALENDAR_2027_NOTICE = "参考数据：按往年惯例预排，待国务院办公厅2027年部分节假日安排通知发布后核对更正"
CALENDAR_2027_NOTE = "参考数据（按惯例预排，待核对）"
CALENDAR_2027 = [  # (holiday, first day off, last day off, make-up working days)
    ("元旦", dt.date(2027, 1, 1), dt.date(2027, 1, 3), []),
    ("春节", dt.date(2027, 2, 5), dt.date(2027, 2, 12), [dt.date(2027, 1, 30), dt.date(2027, 2, 20)]),
    ("清明", dt.date(2027, 4, 3), dt.date(2027, 4, 5), []),
    ("劳动节", dt.date(2027, 5, 1), dt.date(2027, 5, 5), [dt.date(2027, 5, 8)]),
    ("端午", dt.date(2027, 6, 9), dt.date(2027, 6, 9), []),
    ("中秋", dt.date(2027, 9, 15), dt.date(2027, 9, 15), []),
    ("国庆节", dt.date(2027, 10, 1), dt.date(2027, 10, 7), [dt.date(2027, 9, 26), dt.date(2027, 10, 9)]),
]


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + ("" if i % 3 else GIVEN[(i * 5) % len(GIVEN)])


def _id(i: int, born: dt.date) -> str:
    return make_id_number(region="110105", birth_date=born, sequence=i, male=i % 2 == 0)


def _system_user(ctx) -> User:
    """The county organisation office account the scenario acts as (no password: cannot sign in)."""
    user, created = User.objects.get_or_create(
        username="reference_organisation_office",
        defaults={"first_name": "县委组织部（参考数据）", "scope_level": ScopeLevel.COUNTY, "county": ctx.county},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load(ctx) -> None:
    by = _system_user(ctx)
    _calendar(by)
    for amount, start, note in PAY:
        if not PayScale.objects.filter(county=ctx.county, effective_from=start).exists():
            actions.payscale_save(
                by=by, scale=PayScale(county=ctx.county, monthly_amount=amount, effective_from=start, note=note)
            )
    _elected(ctx)
    incumbents = _incumbents(ctx)
    if not Campaign.objects.filter(town=ctx.town, title=PLACEMENT_TITLE).exists():
        _placement(ctx, by, incumbents)
    if not Campaign.objects.filter(town=ctx.town, title=RECRUITMENT_TITLE).exists():
        _recruitment(ctx, by)
    for month in PAYROLL_MONTHS:
        actions.payroll_run_scope(by=by, month=month, community_ids=[c.pk for c in ctx.communities])
    ctx.say("staffing: placement 51→17, recruitment 112→8, roster 30, pay 220→500 (80/20)\n")


def _calendar(by) -> None:
    """The years chinesecalendar knows, then 2027 as county-entered rows (once: a year held is not redone)."""
    calendar_actions.calendar_sync()
    if CalendarYear.objects.filter(year=2027).exists():
        return
    calendar_actions.calendar_year_save(by=by, year=CalendarYear(year=2027, notice=CALENDAR_2027_NOTICE))
    for holiday, first, last, makeups in CALENDAR_2027:
        day = first
        while day <= last:
            calendar_actions.calendar_day_save(
                by=by, day=WorkdayOverride(date=day, is_workday=False, holiday=holiday, note=CALENDAR_2027_NOTE)
            )
            day += dt.timedelta(days=1)
        for makeup in makeups:
            calendar_actions.calendar_day_save(
                by=by, day=WorkdayOverride(date=makeup, is_workday=True, holiday=holiday, note=CALENDAR_2027_NOTE)
            )


def _staff(community, i, profile, *, post, origin, start, born) -> StaffMember:
    party, education, computer = profile
    number = _id(i, born)
    member = StaffMember.objects.filter(id_number=number).order_by("-start").first()
    if member is not None:
        return member
    member = StaffMember.objects.create(
        community=community,
        name=_name(i),
        id_number=number,
        post=post,
        party_member=party,
        education=education,
        origin=origin,
        start=start,
    )
    if computer:
        Certificate.objects.create(staff=member, kind=CertificateKind.COMPUTER, obtained=start)
    return member


def _elected(ctx) -> None:
    for index, community in enumerate(ctx.communities):
        _staff(
            community,
            9000 + index,
            ELECTED[index],
            post=StaffPost.SECRETARY,
            origin=Origin.ELECTED,
            start=dt.date(2023, 6, 1),
            born=dt.date(1983 + index, 3, 1 + index),
        )


def _incumbents(ctx) -> list[list[StaffMember]]:
    """The old committees' 51 cadres (before placement); the winners' profiles are fixed by their rank."""
    result, n = [], 0
    placed_profiles = iter(PLACED)
    for community, count, places in zip(ctx.communities, INCUMBENTS, PLACEMENT_PLACES, strict=True):
        people = []
        for k in range(count):
            profile = next(placed_profiles) if k < places else (k % 2 == 0, E.SENIOR_HIGH, False)
            people.append(
                _staff(
                    community,
                    8000 + n,
                    profile,
                    post=StaffPost.MEMBER,
                    origin=Origin.OTHER,
                    start=dt.date(2019, 1, 1),
                    born=dt.date(1976 + n % 20, 1 + n % 12, 1 + n % 27),
                )
            )
            n += 1
        result.append(people)
    return result


def _panel(by, campaign, size: int = 7) -> list[Examiner]:
    return [
        actions.examiner_add(
            by=by, campaign=campaign, name=f"考官{j + 1}", organisation="县委组织部" if j < 3 else "镇党委"
        )
        for j in range(size)
    ]


def _interview(by, app: Application, examiners, centre: Decimal) -> None:
    scores = {e.pk: centre + (j - 3) for j, e in enumerate(examiners)}
    related = set(app.applicant.examiner_relations.values_list("examiner_id", flat=True))
    actions.interview_panel_record(
        by=by, application_id=app.pk, scores={k: v for k, v in scores.items() if k not in related}
    )


def _placement(ctx, by, incumbents) -> None:
    d = dt.date
    campaign = actions.campaign_create(
        by=by,
        town=ctx.town,
        kind=CampaignKind.PLACEMENT,
        title=PLACEMENT_TITLE,
        announcement="按照“公开平等、竞争择优”的原则，对现有51名社区居委会工作人员实行竞争上岗，择优录用17名。"
        "程序：民主测评、演讲答辩、组织考察、公示。",
        opening_ratio=Decimal("1"),
        interview_ratio=3,
        written_weight=Decimal("0.40"),
        interview_weight=Decimal("0.60"),
    )
    posts = [
        actions.post_add(
            by=by,
            campaign_id=campaign.pk,
            community=community,
            title="社区居委会委员",
            headcount=places,
            staff_post=StaffPost.MEMBER,
            min_education=E.JUNIOR_HIGH,
            max_age=55,
        )
        for community, places in zip(ctx.communities, PLACEMENT_PLACES, strict=True)
    ]
    actions.campaign_announce(by=by, campaign_id=campaign.pk, on=d(2025, 2, 2))
    apps_by_post = []
    for post, people in zip(posts, incumbents, strict=True):
        apps_by_post.append(
            [
                actions.applicant_register(
                    by=by,
                    post_id=post.pk,
                    name=m.name,
                    id_number=m.id_number,
                    education=m.education,
                    party_member=m.party_member,
                    computer_certificate=m.certificates.filter(kind=CertificateKind.COMPUTER).exists(),
                    incumbent=m,
                    on=d(2025, 2, 3),
                )
                for m in people
            ]
        )
    actions.eligibility_review(by=by, campaign_id=campaign.pk, on=d(2025, 2, 10))
    # democratic evaluation (民主测评) takes the written exam's place
    scores = {a.exam_number: Decimal(95 - 3 * k) for apps in apps_by_post for k, a in enumerate(apps)}
    actions.written_scores_record(by=by, campaign_id=campaign.pk, scores=scores, on=d(2025, 2, 20))
    actions.written_scores_publish(by=by, campaign_id=campaign.pk, on=d(2025, 2, 21))
    examiners = _panel(by, campaign)
    for apps in apps_by_post:
        for k, app in enumerate(apps):
            app.refresh_from_db()
            if app.stage == Stage.SHORTLISTED:
                _interview(by, app, examiners, Decimal(90 - 2 * k))
    actions.interview_publish(by=by, campaign_id=campaign.pk, on=d(2025, 2, 26))
    actions.campaign_rank(by=by, campaign_id=campaign.pk, on=d(2025, 2, 26))
    actions.inspection_start(by=by, campaign_id=campaign.pk, on=d(2025, 2, 27))
    actions.publicity_start(by=by, campaign_id=campaign.pk, on=d(2025, 3, 1))
    actions.publicity_conclude(by=by, campaign_id=campaign.pk, on=d(2025, 3, 10))
    actions.campaign_close(by=by, campaign_id=campaign.pk, on=d(2025, 3, 10))


def _recruitment(ctx, by) -> None:
    d = dt.date
    campaign = actions.campaign_create(
        by=by,
        town=ctx.town,
        kind=CampaignKind.RECRUITMENT,
        title=RECRUITMENT_TITLE,
        announcement="面向社会公开招考社区工作者8名。报名条件：高中及以上学历，35周岁以下，本县户籍。"
        "程序：报名、资格审查、笔试、面试、组织考察、公示、签订合同（试用期3个月）、试用期考核、正式聘用。",
    )
    posts = []
    for community, count in zip(ctx.communities, RECRUITMENT_POSTS, strict=True):
        for p in range(count):
            posts.append(
                actions.post_add(
                    by=by,
                    campaign_id=campaign.pk,
                    community=community,
                    title=f"专职社区工作者{p + 1}",
                    headcount=1,
                    staff_post=StaffPost.FULLTIME,
                    min_education=E.SENIOR_HIGH,
                    max_age=35,
                    local_registration_required=True,
                )
            )
    actions.campaign_announce(by=by, campaign_id=campaign.pk, on=d(2025, 3, 15))
    apps_by_post, n = [], 0
    for index, post in enumerate(posts):
        apps = []
        for k in range(APPLICANTS_PER_POST):
            if k == 0:
                party, education, computer = RECRUITED[index]
            else:
                party, education, computer = (k % 4 == 0, E.JUNIOR_HIGH if k == 13 else E.COLLEGE, False)
            apps.append(
                actions.applicant_register(
                    by=by,
                    post_id=post.pk,
                    name=_name(7000 + n),
                    id_number=_id(7000 + n, d(1993 + n % 12, 1 + n % 12, 1 + n % 28)),
                    phone=f"139{n:08d}",
                    education=education,
                    party_member=party,
                    computer_certificate=computer,
                    on=d(2025, 3, 20),
                )
            )
            n += 1
        apps_by_post.append(apps)
    actions.bonus_add(by=by, application_id=apps_by_post[0][0].pk, reason="退役军人", points=Decimal("2"))
    actions.bonus_add(by=by, application_id=apps_by_post[0][0].pk, reason="优秀社区志愿者", points=Decimal("1"))
    actions.eligibility_review(by=by, campaign_id=campaign.pk, on=d(2025, 3, 25))  # k = 13: junior high, refused
    scores = {}
    for apps in apps_by_post:
        for k, app in enumerate(apps[:13]):
            scores[app.exam_number] = "" if k == 12 else Decimal(88 - 2 * k)  # k = 12 absent
    actions.written_scores_record(by=by, campaign_id=campaign.pk, scores=scores, on=d(2025, 4, 3))
    actions.written_scores_publish(by=by, campaign_id=campaign.pk, on=d(2025, 4, 6))
    examiners = _panel(by, campaign)
    # 回避: the first examiner is the cousin of the runner-up of the first post
    actions.relation_declare(
        by=by, examiner_id=examiners[0].pk, applicant_id=apps_by_post[0][1].applicant_id, relation="表兄弟"
    )
    for apps in apps_by_post:
        for k, app in enumerate(apps):
            app.refresh_from_db()
            if app.stage == Stage.SHORTLISTED:
                _interview(by, app, examiners, Decimal(85 - 3 * k))
    actions.interview_publish(by=by, campaign_id=campaign.pk, on=d(2025, 4, 12))
    actions.campaign_rank(by=by, campaign_id=campaign.pk, on=d(2025, 4, 12))
    actions.inspection_start(by=by, campaign_id=campaign.pk, on=d(2025, 4, 13))
    actions.publicity_start(by=by, campaign_id=campaign.pk, on=d(2025, 4, 26))
    objection = actions.objection_lodge(
        campaign_id=campaign.pk, exam_number=apps_by_post[0][0].exam_number, text="该考生加分依据是否属实？"
    )
    actions.objection_resolve(
        by=by, objection_id=objection.pk, upheld=False, resolution="经核查，退役军人证书真实有效，加分符合规定。"
    )
    actions.publicity_conclude(by=by, campaign_id=campaign.pk, on=d(2025, 5, 10))
    for apps in apps_by_post:
        actions.probation_assess(by=by, application_id=apps[0].pk, passed=True, on=d(2025, 8, 10))
        actions.application_move(by=by, application_id=apps[0].pk, to=Stage.HIRED, on=d(2025, 8, 11))
    actions.campaign_close(by=by, campaign_id=campaign.pk, on=d(2025, 8, 11))

"""Scale data of the staffing app, written with COPY by ``generate_county`` (see ``community/demo/generate.py``).

* the **roster** of every community: 3–6 community workers each (a party secretary, a director,
  committee members and full-time workers), with a realistic composition — about half party
  members; mostly technical secondary school (中专) or above, many senior high, a few junior high;
  some computer and social-work certificates; recruited, placed, elected or other; ages 25–58;
* the county's **pay scale**: 220 yuan a month from 2001, 500 from July 2004;
* **one open-recruitment campaign** in the first town, announced, with its frozen rules, a panel of
  seven examiners, posts in the town's communities and ``applicants`` applicants (``--extra
  applicants=N``; by default 5,000, or as many as the county has households when it has fewer, at
  least 24).  Every application has passed the eligibility review (a few were refused) and has its
  written-exam score entered (a few were absent) — not yet published: publishing them ranks each
  post's applicants and draws the interview shortlist (that is what ``make bench`` measures).

Every row is written through ``ctx.copy_rows`` with ids reserved up front; the stage history of
each application (registered → reviewed → examined) is written as well, by an account that has no
scope (``generated_data``, no password).  ``clear(county)`` removes all of the app's rows of a county.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.db import connections, transaction

from community.demo.names import MOBILE_PREFIXES, faker_names
from community.idnumbers import make_id_number
from community.models import User

from .choices import (
    EDUCATION_LEVEL,
    CampaignKind,
    CampaignStatus,
    CertificateKind,
    Education,
    Origin,
    RulesStatus,
    StaffPost,
    Stage,
)
from .models import (
    Applicant,
    Application,
    BonusPoint,
    Campaign,
    CampaignNote,
    CampaignRules,
    Certificate,
    Examiner,
    ExaminerRelation,
    InterviewScore,
    Objection,
    PayrollLine,
    PayrollRun,
    PayrollShare,
    PayScale,
    Post,
    ScoreCorrection,
    StaffMember,
    StageChange,
    default_tie_break,
)

CAMPAIGN_TITLE = "社区专职工作者公开招考（生成数据）"
DEFAULT_APPLICANTS = 5000
MIN_APPLICANTS = 24
GENERATED_USER = "generated_data"
PAY = [
    (Decimal("220.00"), dt.date(2001, 1, 1), "原补贴标准"),
    (Decimal("500.00"), dt.date(2004, 7, 1), "提高到每人每月500元"),
]
POST_TITLES = [
    ("社区专职工作者", StaffPost.FULLTIME, Education.TECHNICAL_SECONDARY),
    ("社区网格员", StaffPost.FULLTIME, Education.SENIOR_HIGH),
    ("社区居委会委员", StaffPost.MEMBER, Education.COLLEGE),
    ("社区财务人员", StaffPost.FULLTIME, Education.COLLEGE),
]
APPLICANTS_PER_POST = 100
# education of the roster, as the reference committees: 53% technical secondary or above, 43% senior high
ROSTER_EDUCATION = [
    (Education.JUNIOR_HIGH, 0.04),
    (Education.SENIOR_HIGH, 0.42),
    (Education.TECHNICAL_SECONDARY, 0.24),
    (Education.COLLEGE, 0.20),
    (Education.BACHELOR, 0.10),
]
APPLICANT_EDUCATION = [
    (Education.SENIOR_HIGH, 0.15),
    (Education.TECHNICAL_SECONDARY, 0.20),
    (Education.COLLEGE, 0.35),
    (Education.BACHELOR, 0.30),
]
BONUS_GROUNDS = [
    ("退役军人", Decimal("2.00")),
    ("优秀社区志愿者", Decimal("1.00")),
    ("大学生村官服务期满", Decimal("3.00")),
]
EXAMINERS = [("县委组织部", 3), ("县民政局", 2), ("镇党委", 2)]
ID_SEQUENCE_START = 250  # order codes from the middle of the range: few clashes with residents' numbers


def _pick(rng, weighted):
    roll, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return weighted[-1][0]


def _applicant_count(ctx) -> int:
    asked = ctx.args.get("applicants")
    if asked is not None:
        return max(0, int(asked))
    return min(DEFAULT_APPLICANTS, max(MIN_APPLICANTS, int(ctx.args.get("households", 0))))


class _People:
    """Names and ID numbers (unique within what this module writes for the county)."""

    def __init__(self, ctx):

        self.rng = ctx.rng
        self.region = ctx.args.get("county_code") or ctx.county.code
        self.surnames, _cum, male, female = faker_names()
        self.surnames = self.surnames[:120]
        self.male, self.female = male, female
        self.counters: dict[tuple[dt.date, bool], int] = {}

    def person(self, *, age_from: int, age_to: int, today: dt.date) -> tuple[str, str, dt.date, bool]:
        rng = self.rng
        male = rng.random() < 0.5
        given = rng.choice(self.male if male else self.female)
        name = rng.choice(self.surnames) + given
        born = today - dt.timedelta(days=rng.randint(age_from * 365 + 10, age_to * 365 + 300))
        key = (born, male)
        used = self.counters.get(key, 0)
        while used >= 499 - ID_SEQUENCE_START:  # that day and sex are used up: the day before
            born -= dt.timedelta(days=1)
            key = (born, male)
            used = self.counters.get(key, 0)
        self.counters[key] = used + 1
        number = make_id_number(region=self.region, birth_date=born, sequence=ID_SEQUENCE_START + used, male=male)
        return name, number, born, male


def _system_user():

    user, created = User.objects.get_or_create(username=GENERATED_USER, defaults={"first_name": "生成数据"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def generate(ctx) -> None:
    people = _People(ctx)
    _pay_scale(ctx)
    _roster(ctx, people)
    _campaign(ctx, people)


def _pay_scale(ctx) -> None:
    rows = [(ctx.county.pk, amount, start, note) for amount, start, note in PAY]
    ctx.copy_rows(PayScale, ["county", "monthly_amount", "effective_from", "note"], rows)


def _roster(ctx, people: _People) -> None:
    rng, today = ctx.rng, ctx.today
    sizes = [rng.randint(3, 6) for _ in ctx.communities]
    ids = ctx.reserve_ids(StaffMember, sum(sizes))
    staff_rows, certificate_rows = [], []
    next_id = iter(ids)
    for community, size in zip(ctx.communities, sizes, strict=True):
        for k in range(size):
            post = (
                StaffPost.SECRETARY
                if k == 0
                else StaffPost.DIRECTOR
                if k == 1
                else StaffPost.MEMBER
                if k < 4
                else StaffPost.FULLTIME
            )
            name, number, born, _male = people.person(age_from=25, age_to=58, today=today)
            party = rng.random() < (0.95 if post in (StaffPost.SECRETARY, StaffPost.DIRECTOR) else 0.35)
            education = _pick(rng, ROSTER_EDUCATION)
            if post == StaffPost.SECRETARY and EDUCATION_LEVEL[education] < EDUCATION_LEVEL[Education.SENIOR_HIGH]:
                education = Education.SENIOR_HIGH
            origin = _pick(
                rng,
                [(Origin.ELECTED, 0.25), (Origin.RECRUITED, 0.35), (Origin.PLACED, 0.30), (Origin.OTHER, 0.10)]
                if post != StaffPost.SECRETARY
                else [(Origin.ELECTED, 0.8), (Origin.PLACED, 0.2)],
            )
            earliest = max(born + dt.timedelta(days=22 * 365), dt.date(2000, 1, 1))
            start = earliest + dt.timedelta(days=rng.randrange(max(1, (today - earliest).days)))
            staff_id = next(next_id)
            staff_rows.append(
                (staff_id, community.pk, name, number, born, post.value, party, education, origin.value, start, None)
            )
            if rng.random() < 0.15:
                certificate_rows.append((staff_id, CertificateKind.COMPUTER.value, start))
            if rng.random() < 0.20:
                certificate_rows.append((staff_id, CertificateKind.SOCIAL_WORK.value, start))
            if rng.random() < 0.05:
                certificate_rows.append((staff_id, CertificateKind.ACCOUNTING.value, start))
    ctx.copy_rows(
        StaffMember,
        [
            "id",
            "community",
            "name",
            "id_number",
            "birth_date",
            "post",
            "party_member",
            "education",
            "origin",
            "start",
            "end",
        ],
        staff_rows,
    )
    ctx.copy_rows(Certificate, ["staff", "kind", "obtained"], certificate_rows)
    ctx.say(f"staffing: roster of {len(staff_rows):,} workers in {len(ctx.communities):,} communities")


def _campaign(ctx, people: _People) -> None:
    rng, today, now = ctx.rng, ctx.today, ctx.now
    applicants = _applicant_count(ctx)
    if not applicants or not ctx.towns:
        return
    town = ctx.towns[0]
    communities = [c for c in ctx.communities if c.town_id == town.pk]
    if not communities:
        return
    by = _system_user()
    announced = today - dt.timedelta(days=40)
    reviewed_on, examined_on = today - dt.timedelta(days=20), today - dt.timedelta(days=6)
    campaign_id = ctx.reserve_ids(Campaign, 1)[0]
    ctx.copy_rows(
        Campaign,
        [
            "id",
            "town",
            "kind",
            "title",
            "announcement",
            "status",
            "announced_on",
            "scores_published",
            "interview_published",
        ],
        [
            (
                campaign_id,
                town.pk,
                CampaignKind.RECRUITMENT.value,
                CAMPAIGN_TITLE,
                f"面向社会公开招考社区专职工作者，报名{applicants}人。程序：资格审查、笔试、面试、组织考察、公示、试用期考核。",
                CampaignStatus.ANNOUNCED.value,
                announced,
                False,
                False,
            )
        ],
    )
    tie_break = json.dumps(default_tie_break())  # COPY takes the JSON text
    ctx.copy_rows(
        CampaignRules,
        ["campaign", "version", "frozen", "status", "reason", "tie_break", "created_by", "created_at"],
        [(campaign_id, 1, True, RulesStatus.ADOPTED.value, "", tie_break, by.pk, now)],
    )
    # posts: as many as make about 100 applicants each, across the town's communities
    wanted = max(2, applicants // APPLICANTS_PER_POST)
    slots = [(c, title) for title in POST_TITLES for c in communities][:wanted]
    post_ids = ctx.reserve_ids(Post, len(slots))
    post_rows, posts = [], []
    for post_id, (community, (title, staff_post, min_education)) in zip(post_ids, slots, strict=True):
        headcount = 1 if rng.random() < 0.7 else 2
        post_rows.append(
            (post_id, campaign_id, community.pk, title, staff_post.value, headcount, min_education.value, 35, False, "")
        )
        posts.append((post_id, min_education))
    ctx.copy_rows(
        Post,
        [
            "id",
            "campaign",
            "community",
            "title",
            "staff_post",
            "headcount",
            "min_education",
            "max_age",
            "local_registration_required",
            "other_conditions",
        ],
        post_rows,
    )
    examiner_ids = ctx.reserve_ids(Examiner, sum(n for _org, n in EXAMINERS))
    organisations = [org for org, n in EXAMINERS for _ in range(n)]
    ctx.copy_rows(
        Examiner,
        ["id", "campaign", "name", "organisation"],
        [
            (pk, campaign_id, f"考官{j + 1}", org)
            for j, (pk, org) in enumerate(zip(examiner_ids, organisations, strict=True))
        ],
    )
    applicant_ids = ctx.reserve_ids(Applicant, applicants)
    application_ids = ctx.reserve_ids(Application, applicants)
    applicant_w = ctx.writer(
        Applicant,
        [
            "id",
            "campaign",
            "name",
            "id_number",
            "birth_date",
            "phone",
            "education",
            "local_registration",
            "party_member",
            "computer_certificate",
            "incumbent",
        ],
    )
    application_w = ctx.writer(
        Application,
        [
            "id",
            "applicant",
            "post",
            "exam_number",
            "stage",
            "exit_reason",
            "written_score",
            "bonus",
            "interview_score",
            "composite_score",
            "rank",
            "stage_date",
            "publicity_end",
        ],
    )
    change_w = ctx.writer(StageChange, ["application", "old", "new", "by", "at", "on", "reason"])
    bonus_w = ctx.writer(BonusPoint, ["application", "reason", "points"])

    for n, (applicant_id, application_id) in enumerate(zip(applicant_ids, application_ids, strict=True)):
        post_id, min_education = posts[n % len(posts)]
        name, number, born, _male = people.person(age_from=22, age_to=34, today=today)
        education = _pick(rng, APPLICANT_EDUCATION)
        eligible = EDUCATION_LEVEL[education] >= EDUCATION_LEVEL[min_education]
        applicant_w.add(
            (
                applicant_id,
                campaign_id,
                name,
                number,
                born,
                f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}",
                education,
                rng.random() < 0.8,
                rng.random() < 0.3,
                rng.random() < 0.4,
                None,
            )
        )
        exam_number = f"{campaign_id:03d}{n + 1:05d}"
        change_w.add(
            (
                application_id,
                Stage.REGISTERED.value,
                Stage.REVIEWED.value if eligible else Stage.REFUSED.value,
                by.pk,
                now,
                reviewed_on,
                "" if eligible else "学历低于岗位要求",
            )
        )
        if not eligible:
            application_w.add(
                (
                    application_id,
                    applicant_id,
                    post_id,
                    exam_number,
                    Stage.REFUSED.value,
                    "学历低于岗位要求",
                    None,
                    Decimal("0"),
                    None,
                    None,
                    None,
                    reviewed_on,
                    None,
                )
            )
            continue
        if rng.random() < 0.05:  # absent from the written exam
            reason = "缺考"
            application_w.add(
                (
                    application_id,
                    applicant_id,
                    post_id,
                    exam_number,
                    Stage.FAILED.value,
                    reason,
                    None,
                    Decimal("0"),
                    None,
                    None,
                    None,
                    examined_on,
                    None,
                )
            )
            change_w.add((application_id, Stage.REVIEWED.value, Stage.FAILED.value, by.pk, now, examined_on, reason))
            continue
        score = Decimal(str(round(min(99.5, max(20.0, rng.gauss(66, 11))) * 2) / 2)).quantize(Decimal("0.01"))
        application_w.add(
            (
                application_id,
                applicant_id,
                post_id,
                exam_number,
                Stage.EXAMINED.value,
                "",
                score,
                Decimal("0"),
                None,
                None,
                None,
                examined_on,
                None,
            )
        )
        change_w.add((application_id, Stage.REVIEWED.value, Stage.EXAMINED.value, by.pk, now, examined_on, ""))
        if rng.random() < 0.06:
            ground, points = rng.choice(BONUS_GROUNDS)
            bonus_w.add((application_id, ground, points))
            if rng.random() < 0.3:  # a second ground: only the highest counts (non-cumulative rule)
                ground2, points2 = rng.choice(BONUS_GROUNDS)
                if ground2 != ground:
                    bonus_w.add((application_id, ground2, points2))
    written = applicant_w.close()
    application_w.close()
    change_w.close()
    bonus_w.close()
    ctx.say(f"staffing: campaign “{CAMPAIGN_TITLE}” with {written:,} applicants for {len(posts)} posts")


def clear(county) -> None:
    """Delete every staffing row of the county (campaigns of its towns, its communities' roster and pay)."""
    connection = connections["default"]
    quote = connection.ops.quote_name

    def t(model):
        return quote(model._meta.db_table)

    towns = "SELECT id FROM community_town WHERE county_id = %s"
    communities = (
        "SELECT c.id FROM community_community c JOIN community_town t ON t.id = c.town_id WHERE t.county_id = %s"
    )
    campaigns = f"SELECT id FROM {t(Campaign)} WHERE town_id IN ({towns})"
    posts = f"SELECT id FROM {t(Post)} WHERE campaign_id IN ({campaigns}) OR community_id IN ({communities})"
    applications = f"SELECT id FROM {t(Application)} WHERE post_id IN ({posts})"
    applicants = f"SELECT id FROM {t(Applicant)} WHERE campaign_id IN ({campaigns})"
    staff = f"SELECT id FROM {t(StaffMember)} WHERE community_id IN ({communities})"
    runs = f"SELECT id FROM {t(PayrollRun)} WHERE community_id IN ({communities})"
    statements = [  # each takes the county id wherever it says %s
        f"DELETE FROM {t(PayrollShare)} WHERE run_id IN ({runs})",
        f"DELETE FROM {t(PayrollLine)} WHERE run_id IN ({runs}) OR staff_id IN ({staff})",
        f"DELETE FROM {t(PayrollRun)} WHERE community_id IN ({communities})",
        f"DELETE FROM {t(Certificate)} WHERE staff_id IN ({staff})",
        f"UPDATE {t(Applicant)} SET incumbent_id = NULL WHERE incumbent_id IN ({staff})",
        f"UPDATE {t(StaffMember)} SET source_application_id = NULL WHERE source_application_id IN ({applications})",
        f"DELETE FROM {t(StaffMember)} WHERE community_id IN ({communities})",
        f"DELETE FROM {t(StageChange)} WHERE application_id IN ({applications})",
        f"DELETE FROM {t(BonusPoint)} WHERE application_id IN ({applications})",
        f"DELETE FROM {t(ScoreCorrection)} WHERE application_id IN ({applications})",
        f"DELETE FROM {t(InterviewScore)} WHERE application_id IN ({applications})",
        f"DELETE FROM {t(Application)} WHERE post_id IN ({posts})",
        f"DELETE FROM {t(ExaminerRelation)} WHERE examiner_id IN "
        f"(SELECT id FROM {t(Examiner)} WHERE campaign_id IN ({campaigns})) OR applicant_id IN ({applicants})",
        f"DELETE FROM {t(Examiner)} WHERE campaign_id IN ({campaigns})",
        f"DELETE FROM {t(Applicant)} WHERE campaign_id IN ({campaigns})",
        f"DELETE FROM {t(Objection)} WHERE campaign_id IN ({campaigns})",
        f"DELETE FROM {t(Post)} WHERE campaign_id IN ({campaigns}) OR community_id IN ({communities})",
        f"DELETE FROM {t(CampaignNote)} WHERE campaign_id IN ({campaigns})",
        f"DELETE FROM {t(CampaignRules)} WHERE campaign_id IN ({campaigns})",
        f"DELETE FROM {t(Campaign)} WHERE town_id IN ({towns})",
        f"DELETE FROM {t(PayScale)} WHERE county_id = %s",
    ]
    with transaction.atomic(using="default"), connection.cursor() as cursor:
        # the frozen-rules trigger lets this transaction delete the rules of this county's campaigns only
        cursor.execute("SELECT set_config('staffing.purge_county', %s, true)", [str(county.pk)])
        for sql in statements:
            cursor.execute(sql, [county.pk] * sql.count("%s"))

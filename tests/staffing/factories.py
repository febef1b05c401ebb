"""Factories of the staffing app, registered for the generated isolation matrix."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from staffing.calendar_models import CalendarYear, WorkdayOverride
from staffing.choices import Education, Payer, Stage
from staffing.models import (
    Applicant,
    Application,
    BonusPoint,
    Campaign,
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
)
from tests.factories import PLACED_FACTORIES, SCOPED_FACTORIES, make_user, next_id_number

_n = itertools.count(1)


def campaign_in(town, **extra) -> Campaign:
    campaign = Campaign.objects.create(town=town, title=extra.pop("title", f"招考{next(_n)}"), **extra)
    CampaignRules.objects.create(campaign=campaign, version=1)
    return campaign


def post_in(community, campaign=None, **extra) -> Post:
    campaign = campaign or campaign_in(community.town)
    return Post.objects.create(
        campaign=campaign, community=community, title=extra.pop("title", f"岗位{next(_n)}"), **extra
    )


def application_in(community, post=None, **extra) -> Application:
    post = post or post_in(community)
    n = next(_n)
    applicant = Applicant.objects.create(
        campaign=post.campaign,
        name=extra.pop("name", f"考生{n}"),
        id_number=next_id_number(birth=dt.date(1990, 1, 1) + dt.timedelta(days=n)),
        education=Education.COLLEGE,
    )
    return Application.objects.create(applicant=applicant, post=post, exam_number=f"X{n:07d}", **extra)


def staff_in(community, **extra) -> StaffMember:
    return StaffMember.objects.create(
        community=community,
        name=extra.pop("name", f"工作者{next(_n)}"),
        id_number=next_id_number(),
        education=extra.pop("education", Education.SENIOR_HIGH),
        start=extra.pop("start", dt.date(2020, 1, 1)),
        **extra,
    )


def _examiner(campaign) -> Examiner:
    return Examiner.objects.create(campaign=campaign, name=f"考官{next(_n)}")


def _payroll(community) -> PayrollRun:
    n = next(_n)
    return PayrollRun.objects.create(
        community=community,
        month=dt.date(2000 + n % 50, 1 + n % 12, 1),
        created_by=make_user(role="county_official"),
        ledger_reference=f"test-{community.pk}-{n}",
    )


def _stage_change(community):
    app = application_in(community)
    return StageChange.objects.create(
        application=app, old=Stage.REGISTERED, new=Stage.REVIEWED, by=make_user(role="town_cadre"), on=dt.date.today()
    )


def _score(community):
    app = application_in(community)
    return InterviewScore.objects.create(application=app, examiner=_examiner(app.post.campaign), score=Decimal("80"))


def _correction(community):
    app = application_in(community, written_score=Decimal("70"))
    return ScoreCorrection.objects.create(
        application=app,
        kind="written",
        old=Decimal("70"),
        new=Decimal("71"),
        reason="复核",
        by=make_user(role="town_cadre"),
    )


SCOPED_FACTORIES.update(
    {
        "staffing.Post": post_in,
        "staffing.Application": application_in,
        "staffing.StageChange": _stage_change,
        "staffing.BonusPoint": lambda c: BonusPoint.objects.create(
            application=application_in(c), reason="退役军人", points=Decimal("2")
        ),
        "staffing.InterviewScore": _score,
        "staffing.ScoreCorrection": _correction,
        "staffing.StaffMember": staff_in,
        "staffing.Certificate": lambda c: Certificate.objects.create(staff=staff_in(c), kind="computer"),
        "staffing.PayrollRun": _payroll,
        "staffing.PayrollLine": lambda c: PayrollLine.objects.create(
            run=_payroll(c),
            staff=staff_in(c),
            amount=Decimal("500"),
            county_share=Decimal("400"),
            town_share=Decimal("100"),
        ),
        "staffing.PayrollShare": lambda c: PayrollShare.objects.create(
            run=_payroll(c), payer="县级财政", payer_kind=Payer.COUNTY, basis_points=8000, amount=Decimal("400")
        ),
    }
)


# --- rows a town or the county owns, and the county's calendar (the role matrix) ---


def applicant_in(campaign, **extra) -> Applicant:
    n = next(_n)
    return Applicant.objects.create(
        campaign=campaign,
        name=extra.pop("name", f"报名者{n}"),
        id_number=next_id_number(birth=dt.date(1991, 1, 1) + dt.timedelta(days=n)),
        education=Education.COLLEGE,
        **extra,
    )


def _relation(community, department) -> ExaminerRelation:
    campaign = campaign_in(community.town)
    return ExaminerRelation.objects.create(
        examiner=_examiner(campaign), applicant=applicant_in(campaign), relation="同学"
    )


PLACED_FACTORIES.update(
    {
        "staffing.Campaign": lambda community, department: campaign_in(community.town),
        "staffing.CampaignRules": lambda community, department: campaign_in(community.town).rule_versions.get(),
        "staffing.Applicant": lambda community, department: applicant_in(campaign_in(community.town)),
        "staffing.Examiner": lambda community, department: _examiner(campaign_in(community.town)),
        "staffing.ExaminerRelation": _relation,
        "staffing.Objection": lambda community, department: Objection.objects.create(
            campaign=campaign_in(community.town), text="笔试成绩有误", contact="13800000000"
        ),
        "staffing.PayScale": lambda community, department: PayScale.objects.create(
            county=community.town.county,
            monthly_amount=Decimal("3000"),
            effective_from=dt.date(1990, 1, 1) + dt.timedelta(days=next(_n)),
            note="县定标准",
        ),
        "staffing.CalendarYear": lambda community, department: CalendarYear.objects.create(
            year=2101 + next(_n) % 99, notice="国务院办公厅通知"
        ),
        "staffing.WorkdayOverride": lambda community, department: WorkdayOverride.objects.create(
            date=dt.date(2200, 1, 1) + dt.timedelta(days=next(_n)), is_workday=False, holiday="春节", note="调休"
        ),
    }
)

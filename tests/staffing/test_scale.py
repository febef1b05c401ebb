"""Scale data (staffing/generate.py), set-based publishing and ranking, and the bench rows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count

from community.models import County, User
from staffing import actions, generate
from staffing.choices import CampaignStatus, Education, StaffPost, Stage
from staffing.models import (
    Applicant,
    Application,
    BonusPoint,
    Campaign,
    Certificate,
    PayScale,
    Post,
    StaffMember,
    StageChange,
)
from tests import factories as f
from tests.conftest import assert_flat
from tests.staffing.conftest import Builder

pytestmark = pytest.mark.django_db
CODE = "140121"


def _generate(applicants: int, *extra: str) -> County:
    call_command(
        "generate_county",
        "--towns",
        "1",
        "--communities",
        "3",
        "--households",
        "60",
        "--county-code",
        CODE,
        "--no-progress",
        "--extra",
        f"applicants={applicants}",
        *extra,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    return County.objects.get(code=CODE)


def _town_office(campaign):
    return f.town_cadre_of(campaign.town)


def test_generated_roster_pay_and_campaign():
    county = _generate(300)
    staff = StaffMember.objects.filter(community__town__county=county)
    per_community = list(staff.values("community").annotate(n=Count("id")).values_list("n", flat=True))
    assert len(per_community) == 3 and all(3 <= n <= 6 for n in per_community)
    assert staff.filter(post=StaffPost.SECRETARY).count() == 3
    assert all(member.birth_date.year < 2004 for member in staff)
    for member in staff:
        member.full_clean()  # valid ID numbers, birth dates that match them
    assert set(staff.values_list("education", flat=True)) <= set(Education.values)
    assert not Certificate.objects.filter(staff__in=staff).exclude(obtained__gte=dt.date(2000, 1, 1)).exists()
    assert list(
        PayScale.objects.filter(county=county).order_by("effective_from").values_list("monthly_amount", flat=True)
    ) == [
        Decimal("220.00"),
        Decimal("500.00"),
    ]
    campaign = Campaign.objects.get(town__county=county, title=generate.CAMPAIGN_TITLE)
    assert campaign.status == CampaignStatus.ANNOUNCED and not campaign.scores_published
    rules = actions.current_rules(campaign)
    assert rules.frozen and rules.tie_break == ["interview", "written", "exam_number"]
    apps = Application.objects.filter(post__campaign=campaign)
    assert apps.count() == Applicant.objects.filter(campaign=campaign).count() == 300
    assert set(apps.values_list("stage", flat=True)) <= {Stage.EXAMINED, Stage.REFUSED, Stage.FAILED}
    assert not apps.filter(stage=Stage.EXAMINED, written_score__isnull=True).exists()
    assert not apps.exclude(stage=Stage.EXAMINED).filter(written_score__isnull=False).exists()
    assert apps.filter(stage=Stage.EXAMINED).count() > 200  # most are eligible and sat the exam
    for app in apps.select_related("applicant")[:50]:
        app.applicant.full_clean()
        app.full_clean()
    # every application's history is there: registered → reviewed (→ examined)
    assert StageChange.objects.filter(application__in=apps, old=Stage.REGISTERED).count() == 300
    # publishing the written scores ranks every post and draws the shortlist
    result = actions.written_scores_publish(by=_town_office(campaign), campaign_id=campaign.pk)
    shortlisted = apps.filter(stage=Stage.SHORTLISTED)
    assert result["shortlisted"] == shortlisted.count() > 0
    for post in Post.objects.filter(campaign=campaign):
        chosen = list(shortlisted.filter(post=post))
        passing = apps.filter(post=post, written_score__isnull=False).exclude(stage=Stage.REFUSED)
        passing = [a for a in passing if a.written_total >= rules.written_pass_line]
        assert len(chosen) >= min(post.headcount * rules.interview_ratio, len(passing))
        assert all(a.written_total >= rules.written_pass_line for a in chosen)
    with_bonus = apps.filter(pk__in=BonusPoint.objects.values("application_id")).exclude(stage=Stage.REFUSED)
    assert with_bonus.exists()
    for app in with_bonus:
        assert app.bonus == max(app.bonuses.values_list("points", flat=True))  # non-cumulative, under the cap
    post = Post.objects.filter(campaign=campaign).first()
    # --replace clears every staffing row of the county first (the town office's account unscoped first)
    User.objects.filter(county=county).update(scope_level="", county=None, town=None)
    _generate(30, "--replace")
    county = County.objects.get(code=CODE)
    assert Campaign.objects.filter(town__county=county).count() == 1
    assert Application.objects.filter(post__campaign__town__county=county).count() == 30
    assert not Post.objects.filter(pk=post.pk).exists()


def test_clear_removes_hires_and_pay_of_the_county(settings, county, community_a, cadre, build):
    b = build(n=3).upto("publicise")
    first = b.apps[0]
    after = first.publicity_end + dt.timedelta(days=1)
    actions.application_move(by=cadre, application_id=first.pk, to=Stage.PROBATION, on=after)
    actions.application_move(by=cadre, application_id=first.pk, to=Stage.ASSESSED, on=after + dt.timedelta(days=95))
    actions.application_move(by=cadre, application_id=first.pk, to=Stage.HIRED, on=after + dt.timedelta(days=96))
    PayScale.objects.create(county=county, monthly_amount=Decimal("500"), effective_from=dt.date(2004, 7, 1))
    actions.payroll_run_counties(month="2024-12")
    other = f.CountyFactory(code="330998")
    other_town = f.TownFactory(county=other)
    untouched = Builder(f.town_cadre_of(other_town), f.CommunityFactory(town=other_town), n=1)
    generate.clear(county)
    assert not Campaign.objects.filter(town__county=county).exists()
    assert not StaffMember.objects.filter(community__town__county=county).exists()
    assert not PayScale.objects.filter(county=county).exists()
    assert Campaign.objects.filter(pk=untouched.campaign.pk).exists()


def test_publishing_written_scores_is_set_based(cadre, community_a, community_b, count_queries):
    """Publishing (bonuses, pass line, ranking, shortlist) costs the same queries for 3 or 28 applicants."""

    def ready(community, n):
        b = Builder(cadre, community, n=n, places=1).review()
        scores = {a.exam_number: Decimal(40 + (k * 7) % 60) for k, a in enumerate(b.apps)}
        actions.written_scores_record(by=cadre, campaign_id=b.campaign.pk, scores=scores, on=dt.date(2024, 3, 9))
        for app in b.apps[:3]:
            actions.bonus_add(by=cadre, application_id=app.pk, reason="退役军人", points=Decimal("2"))
        return b

    small, big = ready(community_a, 3), ready(community_b, 28)
    with count_queries() as few:
        actions.written_scores_publish(by=cadre, campaign_id=small.campaign.pk, on=dt.date(2024, 3, 10))
    with count_queries() as many:
        result = actions.written_scores_publish(by=cadre, campaign_id=big.campaign.pk, on=dt.date(2024, 3, 10))
    assert result["shortlisted"] + result["failed"] == 28
    assert_flat(few, many)
    changes = StageChange.objects.filter(application__post=big.post, old=Stage.EXAMINED)
    assert changes.count() == 28 and all(c.by_id == cadre.pk and c.at is not None for c in changes)


def test_bench_rows_run_on_a_generated_county():
    from tests.benchmarks import bench_staffing, harness

    county = _generate(40)
    official = harness.official_of(county, "bench_official")
    ctx = harness.BenchContext("full", county, official)
    publish, scores, changelist = bench_staffing.BENCHES
    publish.setup(ctx)
    queries, result = harness.count_queries(publish.run, ctx)
    assert result["shortlisted"] > 0
    campaign = Campaign.objects.get(town__county=county, title=generate.CAMPAIGN_TITLE)
    assert not campaign.scores_published  # rolled back: the run can be measured again
    assert publish.run(ctx) == result
    scores.setup(ctx)
    page = scores.run(ctx).content.decode()
    assert Application.objects.filter(post__campaign=campaign, stage=Stage.SHORTLISTED).first().exam_number in page
    assert changelist.run(ctx).status_code == 200
    for bench in bench_staffing.BENCHES:
        sql, params = harness.resolve_sql(bench.bare_sql, ctx)
        assert harness.run_sql(sql, params)
    publish.setup(ctx)  # resets what the score-list row published
    campaign.refresh_from_db()
    assert not campaign.scores_published
    assert not Application.objects.filter(post__campaign=campaign, stage=Stage.SHORTLISTED).exists()

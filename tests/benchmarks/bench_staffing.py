"""``make bench`` rows of the staffing app: the generated 5,000-applicant campaign (``staffing/generate.py``).

* publishing its written scores: bonuses counted (non-cumulative, capped), the pass line applied,
  every post's applicants ranked and the interview shortlist drawn — set-based, a fixed number of
  queries whatever the number of applicants; each run is rolled back, so it can be measured again;
* the public score list of the campaign once published (every applicant's exam number, masked name
  and score on one page);
* the admin changelist of its applications as a county official.
"""

from __future__ import annotations

from django.db import transaction

from tests.benchmarks.harness import LIST_MS, LIST_RATIO, Bench

APPLICATION_PAGE_SQL = """
SELECT a.id, a.exam_number, a.stage, a.written_score, a.bonus, a.interview_score, a.composite_score, a.rank,
       a.publicity_end, p.id, p.title, c.id, c.name, ap.id, ap.name
FROM staffing_application a
JOIN staffing_post p ON p.id = a.post_id
JOIN staffing_campaign k ON k.id = p.campaign_id
JOIN community_community c ON c.id = p.community_id
JOIN community_town t ON t.id = c.town_id
JOIN staffing_applicant ap ON ap.id = a.applicant_id
WHERE t.county_id = %s AND p.campaign_id = %s
ORDER BY p.campaign_id, p.community_id, p.title, a.exam_number
LIMIT 50
"""

PUBLISH_SQL = """
WITH bonus AS (
    SELECT b.application_id, MAX(b.points) AS points FROM staffing_bonuspoint b
    JOIN staffing_application a ON a.id = b.application_id JOIN staffing_post p ON p.id = a.post_id
    WHERE p.campaign_id = %s GROUP BY b.application_id
),
ranked AS (
    SELECT a.id, a.written_score + LEAST(COALESCE(bonus.points, 0), 5) AS total,
           RANK() OVER (PARTITION BY a.post_id ORDER BY a.written_score + LEAST(COALESCE(bonus.points, 0), 5) DESC)
               AS position,
           p.headcount * 3 AS seats
    FROM staffing_application a JOIN staffing_post p ON p.id = a.post_id
    LEFT JOIN bonus ON bonus.application_id = a.id
    WHERE p.campaign_id = %s AND a.stage = 'examined'
)
SELECT COUNT(*) FILTER (WHERE total >= 60 AND position <= seats), COUNT(*) FROM ranked
"""

SCORES_SQL = """
SELECT a.exam_number, ap.name, p.title, c.name, a.written_score, a.bonus, a.stage
FROM staffing_application a
JOIN staffing_applicant ap ON ap.id = a.applicant_id
JOIN staffing_post p ON p.id = a.post_id
JOIN community_community c ON c.id = p.community_id
WHERE p.campaign_id = %s AND p.id = %s AND a.written_score IS NOT NULL
ORDER BY c.code, p.id, a.exam_number
"""


class _Rollback(Exception):
    pass


def _campaign(ctx):
    from staffing.generate import CAMPAIGN_TITLE
    from staffing.models import Campaign

    key = ("staffing_campaign", ctx.county.pk)
    if key not in ctx.data:
        campaign = Campaign.objects.filter(town__county=ctx.county, title=CAMPAIGN_TITLE).first()
        if campaign is None:
            raise RuntimeError("no generated campaign in this county: run generate_county (staffing/generate.py)")
        ctx.data[key] = campaign
    return ctx.data[key]


def _applications(ctx) -> int:
    from staffing.models import Application

    return Application.objects.filter(post__campaign=_campaign(ctx)).count()


def _reset(ctx):
    """Back to "written scores entered, not published" (a run that was not rolled back, e.g. an older bench)."""
    from staffing.choices import Stage
    from staffing.models import Application, StageChange

    campaign = _campaign(ctx)
    published = Application.objects.filter(post__campaign=campaign, written_score__isnull=False).exclude(
        stage=Stage.EXAMINED
    )
    StageChange.objects.filter(application__in=published.values("pk"), old=Stage.EXAMINED).delete()
    published.update(stage=Stage.EXAMINED, exit_reason="", bonus=0)
    type(campaign).objects.filter(pk=campaign.pk).update(scores_published=False, interview_published=False)
    campaign.refresh_from_db()


def _publish(ctx):
    """As the county official (the county may run its towns' campaigns; no extra account to block --replace)."""
    from staffing import actions

    campaign = _campaign(ctx)
    try:
        with transaction.atomic():
            result = actions.written_scores_publish(by=ctx.official, campaign_id=campaign.pk)
            if not result["shortlisted"]:
                raise RuntimeError(f"nobody shortlisted: {result}")
            ctx.data["staffing_result"] = result
            raise _Rollback
    except _Rollback:
        pass
    return ctx.data["staffing_result"]


def _publish_sql(ctx):
    campaign = _campaign(ctx)
    return PUBLISH_SQL, [campaign.pk, campaign.pk]


def _published(ctx):
    """Publish for real (once) so the public score list has something to show."""
    from staffing import actions

    campaign = _campaign(ctx)
    campaign.refresh_from_db()
    if not campaign.scores_published:
        _reset(ctx)
        actions.written_scores_publish(by=ctx.official, campaign_id=campaign.pk)


def _first_post(campaign) -> int:
    """The list of one post, as a resident opens it: a campaign of one post shows it at once, a campaign of
    many asks for the post first, so the small and the full county are measured on the same page."""
    return campaign.posts.order_by("community__code", "pk").values_list("pk", flat=True).first()


def _scores_page(ctx):
    campaign = _campaign(ctx)
    response = ctx.get(f"/staffing/{campaign.pk}/scores/", {"post": _first_post(campaign)})
    if campaign.applicants.first().name in response.content.decode():
        raise RuntimeError("the public score list shows an unmasked name")
    return response


def _scores_sql(ctx):
    campaign = _campaign(ctx)
    return SCORES_SQL, [campaign.pk, _first_post(campaign)]


def _changelist(ctx):
    campaign = _campaign(ctx)
    response = ctx.get("/admin/staffing/application/", {"post__campaign__id__exact": campaign.pk})
    if b"exam_number" not in response.content and campaign.title.encode() not in response.content:
        raise RuntimeError("the changelist shows no application")
    return response


def _changelist_sql(ctx):
    return APPLICATION_PAGE_SQL, [ctx.county.pk, _campaign(ctx).pk]


BENCHES = [
    Bench(
        name="staffing: publish written scores, rank and shortlist the campaign (rolled back)",
        run=_publish,
        setup=_reset,
        bare_sql=_publish_sql,
        rows=_applications,
        note="bare SQL: the same ranking (window function) counted in one statement",
    ),
    Bench(
        name="staffing: public score list of the campaign",
        run=_scores_page,
        setup=_published,
        bare_sql=_scores_sql,
        rows=_applications,
    ),
    Bench(
        name="staffing: admin application changelist of the campaign (county official)",
        run=_changelist,
        bare_sql=_changelist_sql,
        rows=_applications,
        goal_ms=LIST_MS,
        goal_ratio=LIST_RATIO,
    ),
]

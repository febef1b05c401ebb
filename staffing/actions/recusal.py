"""Recusal (回避) at any time: a relation recorded after scoring voids that examiner's scores.

The void score is deleted (its history keeps it, with the reason); the panel score (highest and lowest
dropped), the composite score and the post's ranking are recomputed as the ranking step computes them; and
once publicity has started the recomputation is noted on the campaign's public record.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from community.scoping import ensure_in_scope

from .. import ranking
from ..models import Applicant, Application, CampaignNote, Examiner, ExaminerRelation, InterviewScore
from .common import current_rules, day_or_today, lock_campaign


@transaction.atomic
def relation_declare(
    *, by, examiner_id: int, applicant_id: int, relation: str, on: dt.date | None = None
) -> ExaminerRelation:
    """Record an examiner's relation to an applicant; any score already given by them is voided."""
    examiner = Examiner.objects.select_related("campaign__town").get(pk=examiner_id)
    campaign = lock_campaign(examiner.campaign_id)
    ensure_in_scope(by, campaign.town)
    applicant = Applicant.objects.filter(pk=applicant_id).first()
    if applicant is None:
        raise ValidationError({"applicant": _("No applicant with id %(id)s.") % {"id": applicant_id}})
    if applicant.campaign_id != examiner.campaign_id:
        raise ValidationError(_("The examiner and the applicant belong to different campaigns."))
    if not relation.strip():
        raise ValidationError({"relation": _("Say what the relation is.")})
    record, _created = ExaminerRelation.objects.update_or_create(
        examiner=examiner, applicant=applicant, defaults={"relation": relation.strip()[:60]}
    )
    voided = list(
        InterviewScore.objects.select_for_update()
        .filter(examiner=examiner, application__applicant=applicant)
        .select_related("application")
    )
    if voided:
        _void(by=by, campaign=campaign, examiner=examiner, scores=voided, on=day_or_today(on))
    return record


def _void(*, by, campaign, examiner, scores: list[InterviewScore], on: dt.date) -> None:
    reason = _("Recusal (回避): %(name)s declared a relation with the applicant after scoring; score voided.") % {
        "name": examiner.name
    }
    rules = current_rules(campaign)
    apps = list(
        Application.objects.select_for_update()
        .filter(pk__in=[s.application_id for s in scores])
        .select_related("post__community")
    )
    for score in scores:
        score._change_reason = reason
        score.delete()
    for app in apps:
        if app.interview_score is None:  # not published yet: the panel average is taken at publication
            continue
        remaining = list(InterviewScore.objects.filter(application=app).values_list("score", flat=True))
        if len(remaining) < 3:
            raise ValidationError(
                _(
                    "Application %(number)s would keep only %(n)s examiners' scores after the recusal; at least three "
                    "are needed. Add an examiner's score before recording the relation."
                )
                % {"number": app.exam_number, "n": len(remaining)}
            )
        old = (app.interview_score, app.composite_score, app.rank)
        app.interview_score = ranking.panel_average(remaining)
        if app.composite_score is not None:
            app.composite_score = ranking.composite(
                written_total=app.written_total,
                interview=app.interview_score,
                written_weight=rules.written_weight,
                interview_weight=rules.interview_weight,
            )
        app._change_reason = reason
        app.save(update_fields=["interview_score", "composite_score"])
        rerank_post(post_id=app.post_id, tie_break=rules.tie_break)
        app.refresh_from_db(fields=["rank"])
        if campaign.publicity_start is not None:
            _note(by=by, campaign=campaign, app=app, old=old, on=on)


def rerank_post(*, post_id: int, tie_break) -> None:
    """Rank again every ranked application of a post (the ranking step's order), ranks updated in place."""
    apps = list(
        Application.objects.select_for_update().filter(
            post_id=post_id, rank__isnull=False, composite_score__isnull=False
        )
    )
    ordered = ranking.rank(
        [
            ranking.Ranked(
                key=a.pk,
                composite=a.composite_score,
                interview=a.interview_score,
                written=a.written_score,
                bonus=a.bonus,
                exam_number=a.exam_number,
            )
            for a in apps
        ],
        tie_break=tie_break,
    )
    by_pk = {a.pk: a for a in apps}
    for position, item in enumerate(ordered, start=1):
        app = by_pk[item.key]
        if app.rank != position:
            app.rank = position
            app.save(update_fields=["rank"])


def _note(*, by, campaign, app: Application, old, on: dt.date) -> CampaignNote:
    text = _(
        "Recusal recorded on %(on)s after scoring: one examiner's score of %(number)s (%(post)s) was voided. "
        "Interview score %(old_interview)s → %(interview)s; composite score %(old_composite)s → %(composite)s; "
        "rank in the post %(old_rank)s → %(rank)s."
    ) % {
        "on": on.isoformat(),
        "number": app.exam_number,
        "post": f"{app.post.community.name} {app.post.title}",
        "old_interview": old[0],
        "interview": app.interview_score,
        "old_composite": old[1] if old[1] is not None else "-",
        "composite": app.composite_score if app.composite_score is not None else "-",
        "old_rank": old[2] if old[2] is not None else "-",
        "rank": app.rank if app.rank is not None else "-",
    }
    return CampaignNote.objects.create(campaign=campaign, on=on, text=text, by=by)

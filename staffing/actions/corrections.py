"""Published scores change only by a correction with a reason; objections and their resolution."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.scoping import ensure_in_scope

from .. import ranking
from ..choices import (
    ObjectionStatus,
    ScoreKind,
    Stage,
)
from ..models import (
    Application,
    Campaign,
    InterviewScore,
    Objection,
    ScoreCorrection,
)
from .common import current_rules
from .moves import application_move

# --- published scores: corrections only, with a reason ------------------------------------------


@transaction.atomic
def score_correct(
    *, by, application_id: int, kind: str, new, reason: str, examiner_id: int | None = None
) -> ScoreCorrection:
    """Correct a published score: the old value, the new one and the reason are kept."""
    app = (
        Application.objects.select_for_update()
        .select_related("post__community", "post__campaign__town")
        .get(pk=application_id)
    )
    ensure_in_scope(by, app.post.community)
    campaign = app.post.campaign
    ensure_in_scope(by, campaign.town)
    if not reason.strip():
        raise ValidationError({"reason": _("A correction of a published score needs a reason.")})
    score = ranking.check_score(new)
    rules = current_rules(campaign)
    if kind == ScoreKind.WRITTEN:
        if not campaign.scores_published or app.written_score is None:
            raise ValidationError(_("Only a published written score is corrected; before that, enter it again."))
        old = app.written_score
        app.written_score = score
    elif kind == ScoreKind.INTERVIEW:
        if not campaign.interview_published:
            raise ValidationError(_("Only a published interview score is corrected; before that, enter it again."))
        record = InterviewScore.objects.select_for_update().filter(application=app, examiner_id=examiner_id).first()
        if record is None:
            raise ValidationError(_("This examiner gave this application no score."))
        old = record.score
        record.score = score
        record._change_reason = reason
        record.save(update_fields=["score"])
        scores = list(app.interview_scores.values_list("score", flat=True))
        app.interview_score = ranking.panel_average(scores)
    else:
        raise ValidationError(_("Unknown score: %(kind)s.") % {"kind": kind})
    if app.composite_score is not None and app.interview_score is not None:
        app.composite_score = ranking.composite(
            written_total=app.written_total,
            interview=app.interview_score,
            written_weight=rules.written_weight,
            interview_weight=rules.interview_weight,
        )
    app._change_reason = reason
    app.save()
    return ScoreCorrection.objects.create(
        application=app, kind=kind, examiner_id=examiner_id, old=old, new=score, reason=reason.strip()[:200], by=by
    )


# --- objections ----------------------------------------------------------------------------------


@transaction.atomic
def objection_lodge(*, campaign_id: int, text: str, exam_number: str = "", contact: str = "") -> Objection:
    """Anyone may object to a publicity list while it runs (public form)."""
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.publicity_start is None:
        raise ValidationError(_("This campaign has no publicity list to object to yet."))
    if not text.strip():
        raise ValidationError({"text": _("Write what the objection is about.")})
    exam_number = (exam_number or "").strip()
    if (
        exam_number
        and not Application.objects.filter(
            post__campaign=campaign, exam_number=exam_number, publicity_end__isnull=False
        ).exists()
    ):
        raise ValidationError({"exam_number": _("No one on this publicity list has that exam number.")})
    return Objection.objects.create(
        campaign=campaign, exam_number=exam_number, text=text.strip(), contact=contact.strip()[:60]
    )


@transaction.atomic
def objection_resolve(*, by, objection_id: int, upheld: bool, resolution: str, on: dt.date | None = None) -> Objection:
    objection = Objection.objects.select_for_update().select_related("campaign__town").get(pk=objection_id)
    ensure_in_scope(by, objection.campaign.town)
    if objection.status != ObjectionStatus.OPEN:
        raise ValidationError(_("This objection is already resolved."))
    if not resolution.strip():
        raise ValidationError({"resolution": _("Record how the objection was resolved.")})
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.resolution = resolution.strip()
    objection.resolved_by = by
    objection.resolved_at = timezone.now()
    objection.save()
    if upheld and objection.exam_number:
        app = Application.objects.filter(
            post__campaign=objection.campaign, exam_number=objection.exam_number, stage=Stage.PUBLICITY
        ).first()
        if app is not None:
            application_move(
                by=by,
                application_id=app.pk,
                to=Stage.FAILED,
                reason=_("Objection upheld: %(resolution)s") % {"resolution": resolution.strip()[:150]},
                on=on,
            )
    return objection

"""Written and interview scores: recording, the score sheet, publishing; examiners' relations."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from community.scoping import ensure_in_scope

from .. import ranking
from ..choices import (
    Stage,
)
from ..models import (
    Application,
    BonusPoint,
    Examiner,
    ExaminerRelation,
    InterviewScore,
    Post,
)
from .common import current_rules, day_or_today, lock_campaign
from .moves import apply_move, bulk_move, campaign_apps, check_move, record_change, save_bulk


def _parse_scores(scores: dict) -> dict[str, Decimal | None]:
    parsed, errors = {}, []
    for number, value in scores.items():
        if value in (None, ""):
            parsed[str(number)] = None
            continue
        try:
            parsed[str(number)] = ranking.check_score(value)
        except ValidationError as exc:
            errors.append(_("Exam number %(number)s: %(error)s") % {"number": number, "error": exc.messages[0]})
    if errors:
        raise ValidationError(errors, code="score_range")
    return parsed


@transaction.atomic
def written_scores_record(*, by, campaign_id: int, scores: dict, on: dt.date | None = None) -> int:
    """笔试成绩 by exam number (entry or import); an empty score means absent. All or nothing."""
    on = day_or_today(on)
    campaign = lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    if campaign.scores_published:
        raise ValidationError(
            _("The written scores are published and can no longer be entered; correct a score with a reason."),
            code="scores_published",
        )
    rules = current_rules(campaign)
    parsed = _parse_scores(scores)
    apps = {a.exam_number: a for a in campaign_apps(campaign, [Stage.REVIEWED, Stage.EXAMINED])}
    unknown = sorted(set(parsed) - set(apps))
    if unknown:
        raise ValidationError(
            _("No application awaiting the written exam has the exam number(s): %(numbers)s.")
            % {"numbers": ", ".join(unknown[:20])}
        )
    changes = []
    touched = []
    for number, score in parsed.items():
        app = apps[number]
        if score is None:
            app.written_score = None
            reason = _("Absent from the written exam.")
            check_move(app, campaign, rules, Stage.FAILED, on, reason)
            old = app.stage
            apply_move(app, Stage.FAILED, on, reason, rules, {})
            changes.append(record_change(app, old, by, on, reason))
        else:
            app.written_score = score
            if app.stage == Stage.REVIEWED:
                check_move(app, campaign, rules, Stage.EXAMINED, on, "")
                old = app.stage
                apply_move(app, Stage.EXAMINED, on, "", rules, {})
                changes.append(record_change(app, old, by, on, ""))
        touched.append(app)
    save_bulk(touched, changes)
    return len(touched)


def read_score_sheet(upload) -> dict[str, object]:
    """An Excel sheet with the exam number in column A and the score in column B (a header row allowed)."""

    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception:
        raise ValidationError(_("The file is not an Excel workbook (.xlsx)."))
    rows = {}
    for index, row in enumerate(book.active.iter_rows(values_only=True), start=1):
        if not row or row[0] is None:
            continue
        number = str(row[0]).strip()
        value = row[1] if len(row) > 1 else None
        if index == 1 and not any(ch.isdigit() for ch in number):
            continue  # header
        if number in rows:
            raise ValidationError(_("Exam number %(number)s appears twice in the sheet.") % {"number": number})
        rows[number] = "" if value is None else str(value).strip()
    return rows


@transaction.atomic
def written_scores_publish(*, by, campaign_id: int, on: dt.date | None = None) -> dict:
    """Publish the written scores: bonuses counted, the pass line applied, the interview shortlist drawn."""
    on = day_or_today(on)
    campaign = lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    if campaign.scores_published:
        raise ValidationError(_("The written scores are already published."))
    rules = current_rules(campaign)
    if Application.objects.filter(post__campaign=campaign, stage=Stage.REVIEWED).exists():
        raise ValidationError(_("Some applications have no written score yet: enter it, or record them absent."))
    apps = campaign_apps(campaign, [Stage.EXAMINED])
    bonuses = defaultdict(list)
    examined = BonusPoint.objects.filter(application__post__campaign=campaign, application__stage=Stage.EXAMINED)
    for app_id, points in examined.values_list("application_id", "points"):  # a join, not a list of 5,000 ids
        bonuses[app_id].append(points)
    by_post = defaultdict(list)
    for app in apps:
        app.bonus = ranking.bonus_total(bonuses[app.pk], cap=rules.bonus_cap, cumulative=rules.bonus_cumulative)
        by_post[app.post_id].append(app)
    campaign.scores_published = True
    campaign.save(update_fields=["scores_published"])
    posts = {p.pk: p for p in campaign.posts.all()}
    short, out, reasons = [], [], {}
    for post_id, group in by_post.items():
        passing = [a for a in group if a.written_total >= rules.written_pass_line]
        chosen = ranking.shortlist(
            [(a.pk, a.written_total) for a in passing], places=posts[post_id].headcount, ratio=rules.interview_ratio
        )
        for app in group:
            if app.pk in chosen:
                short.append(app)
            else:
                out.append(app)
                reasons[app.pk] = (
                    _("Below the written exam pass line.")
                    if app.written_total < rules.written_pass_line
                    else _("Not within the interview entry ratio.")
                )
    changes = bulk_move(by=by, apps=short, to=Stage.SHORTLISTED, on=on, rules=rules, campaign=campaign)
    changes += bulk_move(by=by, apps=out, to=Stage.FAILED, on=on, reasons=reasons, rules=rules, campaign=campaign)
    save_bulk(apps, changes)
    return {"shortlisted": len(short), "failed": len(out)}


# --- examiners and interview scores ----------------------------------------------------------


@transaction.atomic
def interview_panel_record(*, by, application_id: int, scores: dict) -> list[InterviewScore]:
    """Record the examiners' scores of one interviewee ({examiner_id: score}); all or nothing."""
    app = (
        Application.objects.select_for_update()
        .select_related("post__community", "post__campaign__town", "applicant")
        .get(pk=application_id)
    )
    ensure_in_scope(by, app.post.community)
    campaign = app.post.campaign
    ensure_in_scope(by, campaign.town)
    if campaign.interview_published:
        raise ValidationError(
            _("The interview scores are published and can no longer be entered; correct a score with a reason."),
            code="scores_published",
        )
    if app.stage != Stage.SHORTLISTED:
        raise ValidationError(
            _("Only a shortlisted application can be interviewed (this one is “%(stage)s”).")
            % {"stage": Stage(app.stage).label}
        )
    rules = current_rules(campaign)
    examiners = {e.pk: e for e in Examiner.objects.filter(campaign=campaign, pk__in=list(scores))}
    missing = {int(k) for k in scores} - set(examiners)
    if missing:
        raise ValidationError(_("An examiner is not on this campaign's panel."))
    related = set(
        ExaminerRelation.objects.filter(applicant=app.applicant, examiner__in=list(examiners)).values_list(
            "examiner__name", flat=True
        )
    )
    if related:
        raise ValidationError(
            _("Recusal (回避): %(names)s declared a relation with this applicant and cannot score them.")
            % {"names": ", ".join(sorted(related))},
            code="recusal",
        )
    parsed = {}
    errors = []
    for examiner_id, value in scores.items():
        try:
            parsed[int(examiner_id)] = ranking.check_score(value)
        except ValidationError as exc:
            errors.append(
                _("Examiner %(name)s: %(error)s") % {"name": examiners[int(examiner_id)].name, "error": exc.messages[0]}
            )
    if errors:
        raise ValidationError(errors, code="score_range")
    existing = set(app.interview_scores.values_list("examiner_id", flat=True))
    if len(existing | set(parsed)) > rules.panel_size:
        raise ValidationError(_("A panel has %(n)s examiners: no more scores can be given.") % {"n": rules.panel_size})
    current = {s.examiner_id: s for s in app.interview_scores.select_for_update()}
    saved, new = [], []
    for examiner_id, score in parsed.items():
        record = current.get(examiner_id)
        if record is None:
            new.append(InterviewScore(application=app, examiner=examiners[examiner_id], score=score))
        elif record.score != score:
            record.score = score
            record.save(update_fields=["score"])
            saved.append(record)
        else:
            saved.append(record)
    if new:
        saved += bulk_create_with_history(new, InterviewScore, default_user=by)
    return saved


@transaction.atomic
def interview_grid_record(*, by, post_id: int, scores: dict) -> dict:
    """The interview panel's grid for one post: ``{(application_id, examiner_id): score}``, entered at once.

    Every cell is checked before anything is written (0-100, two decimals; the applicant shortlisted for
    this post; the examiner on the campaign's panel and not related to the applicant; no more examiners
    than the panel has); all or nothing.  An empty cell (``None`` or ``""``) removes a score given earlier.
    A fixed number of queries, whatever the size of the grid.
    """
    post = Post.objects.select_related("community", "campaign__town").get(pk=post_id)
    ensure_in_scope(by, post.community)
    campaign = lock_campaign(post.campaign_id)
    ensure_in_scope(by, campaign.town)
    if campaign.interview_published:
        raise ValidationError(
            _("The interview scores are published and can no longer be entered; correct a score with a reason."),
            code="scores_published",
        )
    rules = current_rules(campaign)
    cells = {(int(app_id), int(examiner_id)): value for (app_id, examiner_id), value in scores.items()}
    apps = {
        a.pk: a
        for a in Application.objects.select_for_update(of=("self",))
        .filter(post=post, pk__in={a for a, _e in cells})
        .select_related("applicant")
    }
    examiners = {e.pk: e for e in Examiner.objects.filter(campaign=campaign, pk__in={e for _a, e in cells})}
    related = set(
        ExaminerRelation.objects.filter(
            examiner__in=list(examiners), applicant_id__in=[a.applicant_id for a in apps.values()]
        ).values_list("examiner_id", "applicant_id")
    )
    errors, parsed = [], {}
    for (app_id, examiner_id), value in sorted(cells.items()):
        app, examiner = apps.get(app_id), examiners.get(examiner_id)
        if app is None:
            errors.append(_("An application in the grid is not one of this post's."))
            continue
        if examiner is None:
            errors.append(_("An examiner in the grid is not on this campaign's panel."))
            continue
        if app.stage != Stage.SHORTLISTED:
            errors.append(
                _("%(number)s: only a shortlisted application can be interviewed (this one is “%(stage)s”).")
                % {"number": app.exam_number, "stage": Stage(app.stage).label}
            )
            continue
        if value in (None, ""):
            parsed[(app_id, examiner_id)] = None
            continue
        if (examiner_id, app.applicant_id) in related:
            errors.append(
                _("%(number)s: recusal (回避): %(name)s declared a relation with this applicant and cannot score them.")
                % {"number": app.exam_number, "name": examiner.name}
            )
            continue
        try:
            parsed[(app_id, examiner_id)] = ranking.check_score(value)
        except ValidationError as exc:
            errors.append(
                _("%(number)s, examiner %(name)s: %(error)s")
                % {"number": app.exam_number, "name": examiner.name, "error": exc.messages[0]}
            )
    if errors:
        raise ValidationError(errors, code="grid")
    current = {
        (s.application_id, s.examiner_id): s
        for s in InterviewScore.objects.select_for_update().filter(application_id__in=list(apps))
    }
    given = {key for key in current if parsed.get(key, current[key].score) is not None}
    given |= {key for key, score in parsed.items() if score is not None}
    per_app = defaultdict(set)
    for app_id, examiner_id in given:
        per_app[app_id].add(examiner_id)
    crowded = sorted(apps[a].exam_number for a, panel in per_app.items() if len(panel) > rules.panel_size)
    if crowded:
        raise ValidationError(
            _("A panel has %(n)s examiners: %(numbers)s would have more scores than that.")
            % {"n": rules.panel_size, "numbers": ", ".join(crowded)},
            code="panel_size",
        )
    new, changed, removed = [], [], []
    for key, score in parsed.items():
        record = current.get(key)
        if score is None:
            if record is not None:
                removed.append(record)
        elif record is None:
            new.append(InterviewScore(application=apps[key[0]], examiner=examiners[key[1]], score=score))
        elif record.score != score:
            record.score = score
            changed.append(record)
    if new:
        bulk_create_with_history(new, InterviewScore, default_user=by)
    if changed:
        bulk_update_with_history(changed, InterviewScore, ["score"], default_user=by)
    for record in removed:
        record.delete()
    return {"added": len(new), "changed": len(changed), "removed": len(removed)}


@transaction.atomic
def interview_publish(*, by, campaign_id: int, on: dt.date | None = None) -> dict:
    """Publish interview scores: panel average (highest and lowest dropped), pass mark, composite score."""
    on = day_or_today(on)
    campaign = lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    if campaign.interview_published:
        raise ValidationError(_("The interview scores are already published."))
    if not campaign.scores_published:
        raise ValidationError(_("Publish the written exam scores first."))
    rules = current_rules(campaign)
    apps = campaign_apps(campaign, [Stage.SHORTLISTED])
    panel = defaultdict(list)
    for app_id, score in InterviewScore.objects.filter(application__in=apps).values_list("application_id", "score"):
        panel[app_id].append(score)
    contested = defaultdict(int)
    for app in apps:
        contested[app.post_id] += 1
    posts = {p.pk: p for p in campaign.posts.all()}
    done, out, reasons = [], [], {}
    for app in apps:
        scores = panel.get(app.pk, [])
        if not scores:
            out.append(app)
            reasons[app.pk] = _("Absent from the interview.")
            continue
        try:
            app.interview_score = ranking.panel_average(scores)
        except ValidationError:
            raise ValidationError(
                _("Application %(number)s has only %(n)s examiners' scores; at least three are needed.")
                % {"number": app.exam_number, "n": len(scores)}
            )
        uncontested = contested[app.post_id] <= posts[app.post_id].headcount
        mark = rules.interview_pass_mark_uncontested if uncontested else rules.interview_pass_mark
        if app.interview_score < mark:
            out.append(app)
            reasons[app.pk] = _("Interview score below the pass mark of %(mark)s.") % {"mark": mark}
            continue
        app.composite_score = ranking.composite(
            written_total=app.written_total,
            interview=app.interview_score,
            written_weight=rules.written_weight,
            interview_weight=rules.interview_weight,
        )
        done.append(app)
    campaign.interview_published = True
    campaign.save(update_fields=["interview_published"])
    changes = bulk_move(by=by, apps=done, to=Stage.INTERVIEWED, on=on, rules=rules, campaign=campaign)
    changes += bulk_move(by=by, apps=out, to=Stage.FAILED, on=on, reasons=reasons, rules=rules, campaign=campaign)
    save_bulk(apps, changes)
    return {"interviewed": len(done), "failed": len(out)}

"""Moving applications through the stages: one at a time or many at once, with every rule checked."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.scoping import ensure_in_scope

from ..choices import (
    EDUCATION_LEVEL,
    EXIT_STAGES,
    CampaignKind,
    Education,
    ObjectionStatus,
    Origin,
    RefillPolicy,
    Stage,
)
from ..models import (
    Applicant,
    Application,
    Campaign,
    CampaignRules,
    Certificate,
    Objection,
    Post,
    StaffMember,
    StageChange,
)
from ..workdays import add_working_days
from .common import EXITS, REFILLABLE, TRANSITIONS, current_rules, day_or_today, lock_campaign

# --- moving an application -----------------------------------------------------------------


def eligibility_problem(applicant: Applicant, post: Post, on: dt.date) -> str | None:
    """The first condition of the post the applicant does not meet, as a message, or None."""
    if EDUCATION_LEVEL[applicant.education] < EDUCATION_LEVEL[post.min_education]:
        return _("Education below the post's minimum (%(level)s).") % {"level": Education(post.min_education).label}
    if post.max_age is not None and applicant.age_on(on) > post.max_age:
        return _("Older than the post's age limit of %(age)s.") % {"age": post.max_age}
    if post.local_registration_required and not applicant.local_registration:
        return _("The post requires local household registration.")
    return None


def _publicity_end(on: dt.date, days: int, cache: dict) -> dt.date:
    key = (on, days)
    if key not in cache:
        cache[key] = add_working_days(on + dt.timedelta(days=0), days)
    return cache[key]


def check_move(app: Application, campaign: Campaign, rules: CampaignRules, to: str, on: dt.date, reason: str) -> None:
    """Refuse an out-of-order transition, or one whose rule is not met, with a message naming the rule."""
    TRANSITIONS[campaign.kind].check(
        app.stage,
        to,
        message=_("Application %(number)s is “%(now)s” and cannot become “%(to)s” (the stages go in order)."),
        number=app.exam_number,
    )
    if to in EXIT_STAGES and not reason.strip():
        raise ValidationError(_("Give the reason for this application leaving the campaign."), code="reason")
    if to == Stage.REVIEWED:
        problem = eligibility_problem(app.applicant, app.post, on)
        if problem:
            raise ValidationError(
                _("Application %(number)s is not eligible: %(problem)s")
                % {"number": app.exam_number, "problem": problem}
            )
    if to == Stage.EXAMINED and app.written_score is None:
        raise ValidationError(_("Record the written exam score first."))
    if to == Stage.SHORTLISTED and not campaign.scores_published:
        raise ValidationError(_("Publish the written exam scores before shortlisting."))
    if to == Stage.INTERVIEWED and app.interview_score is None:
        raise ValidationError(_("Publish the interview scores first."))
    if to == Stage.RANKED and app.composite_score is None:
        raise ValidationError(_("A composite score is needed to rank."))
    hiring = app.stage == Stage.PUBLICITY and to in {Stage.PROBATION, Stage.HIRED}
    if hiring and (app.publicity_end is None or on <= app.publicity_end):
        raise ValidationError(
            _("Hiring is blocked until the publicity period has run out (it ends on %(end)s).")
            % {"end": app.publicity_end},
            code="publicity",
        )
    if to == Stage.ASSESSED:
        due = _add_months(app.stage_date, rules.probation_months)
        if on < due:
            raise ValidationError(
                _("The probation of %(months)s months runs until %(due)s; assess it after that.")
                % {"months": rules.probation_months, "due": due}
            )


def open_objections(campaign: Campaign, exam_numbers) -> set[str]:
    """Exam numbers (and "" for the whole list) that still have an unresolved objection."""
    return set(
        Objection.objects.filter(campaign=campaign, status=ObjectionStatus.OPEN)
        .filter(exam_number__in=["", *exam_numbers])
        .values_list("exam_number", flat=True)
    )


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def apply_move(app: Application, to: str, on: dt.date, reason: str, rules: CampaignRules, cache: dict) -> None:
    app.stage = to
    app.stage_date = on
    if to in EXIT_STAGES:
        app.exit_reason = reason.strip()[:200]
    if to == Stage.PUBLICITY:
        app.publicity_end = _publicity_end(on, rules.publicity_working_days, cache)


def record_change(app: Application, old: str, by, on: dt.date, reason: str) -> StageChange:
    return StageChange(application=app, old=old, new=app.stage, by=by, on=on, reason=reason.strip()[:200])


@transaction.atomic
def application_move(*, by, application_id: int, to: str, reason: str = "", on: dt.date | None = None) -> Application:
    """The one way an application changes stage (manual moves from the admin and the API)."""
    on = day_or_today(on)
    app = (
        Application.objects.select_for_update()
        .select_related("applicant", "post__community", "post__campaign__town")
        .get(pk=application_id)
    )
    ensure_in_scope(by, app.post.community)
    campaign = app.post.campaign
    ensure_in_scope(by, campaign.town)
    rules = current_rules(campaign)
    if to not in Stage.values:
        raise ValidationError(_("Unknown stage: %(stage)s.") % {"stage": to})
    check_move(app, campaign, rules, to, on, reason)
    hiring = app.stage == Stage.PUBLICITY and to in {Stage.PROBATION, Stage.HIRED}
    if hiring and open_objections(campaign, [app.exam_number]):
        raise ValidationError(
            _("An objection to the publicity list is still open: resolve it before hiring."), code="objection"
        )
    old = app.stage
    apply_move(app, to, on, reason, rules, {})
    app.save()
    record_change(app, old, by, on, reason).save()
    if to == Stage.HIRED:
        roster_from(app, on)
    if to in EXITS and old in REFILLABLE:
        _refill(by=by, post=app.post, rules=rules, on=on)
    return app


def _refill(*, by, post: Post, rules: CampaignRules, on: dt.date) -> Application | None:
    """递补: the best-ranked candidate still waiting for the same post moves into inspection."""
    if rules.refill_policy != RefillPolicy.NEXT_RANKED:
        return None
    nxt = (
        Application.objects.select_for_update()
        .filter(post=post, stage=Stage.RANKED, rank__isnull=False)
        .order_by("rank")
        .first()
    )
    if nxt is None:
        return None
    old = nxt.stage
    apply_move(nxt, Stage.INSPECTION, on, "", rules, {})
    nxt.save()
    record_change(nxt, old, by, on, _("Refill (递补) for a place left open")).save()
    return nxt


def roster_from(app: Application, on: dt.date) -> StaffMember:
    """Hiring creates the roster entry (a placed incumbent's old entry is closed and a new one opened)."""
    applicant = app.applicant
    post = app.post
    origin = Origin.PLACED if post.campaign.kind == CampaignKind.PLACEMENT else Origin.RECRUITED
    start = on
    if applicant.incumbent_id:
        StaffMember.objects.filter(pk=applicant.incumbent_id, end__isnull=True).update(
            end=max(on - dt.timedelta(days=1), applicant.incumbent.start)
        )
    elif origin == Origin.RECRUITED:
        probation = app.stage_changes.filter(new=Stage.PROBATION).values_list("on", flat=True).first()
        start = probation or on
    if StaffMember.objects.filter(id_number=applicant.id_number, end__isnull=True).exists():
        raise ValidationError(_("This person is already on a community's roster."))
    member = StaffMember.objects.create(
        community=post.community,
        name=applicant.name,
        id_number=applicant.id_number,
        post=post.staff_post,
        party_member=applicant.party_member,
        education=applicant.education,
        origin=origin,
        source_application=app,
        start=start,
    )
    if applicant.computer_certificate:
        Certificate.objects.create(staff=member, kind="computer")
    return member


def bulk_move(*, by, apps: list[Application], to: str, on: dt.date, reasons: dict | None = None, rules, campaign):
    """Move many locked applications at once; all are checked before any is written."""
    reasons = reasons or {}
    cache: dict = {}
    olds = []
    for app in apps:
        check_move(app, campaign, rules, to, on, reasons.get(app.pk, ""))
    for app in apps:
        olds.append(app.stage)
        apply_move(app, to, on, reasons.get(app.pk, ""), rules, cache)
    return [record_change(app, old, by, on, reasons.get(app.pk, "")) for app, old in zip(apps, olds, strict=True)]


UPDATE_FIELDS = {
    "stage": "text",
    "stage_date": "date",
    "exit_reason": "text",
    "written_score": "numeric",
    "bonus": "numeric",
    "interview_score": "numeric",
    "composite_score": "numeric",
    "rank": "integer",
    "publicity_end": "date",
}


def save_bulk(apps: list[Application], changes: list[StageChange]) -> None:
    """Write many applications' stage and scores in one statement, and their stage changes in another.

    One ``UPDATE … FROM unnest(arrays)`` (linear in the rows, whatever their number).
    """
    if apps:
        table = Application._meta.db_table
        names = list(UPDATE_FIELDS)
        assignments = ", ".join(f'"{name}" = v."{name}"' for name in names)
        arrays = ", ".join(f"%s::{kind}[]" for kind in UPDATE_FIELDS.values())
        columns = ", ".join(f'"{name}"' for name in names)
        sql = (
            f'UPDATE "{table}" AS a SET {assignments} '
            f'FROM unnest(%s::bigint[], {arrays}) AS v("id", {columns}) WHERE a."id" = v."id"'
        )
        params = [[app.pk for app in apps]] + [[getattr(app, name) for app in apps] for name in names]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    if changes:
        _insert_changes(changes)


def _insert_changes(changes: list[StageChange]) -> None:
    """All the stage changes in one ``INSERT … SELECT FROM unnest(arrays)`` (one statement whatever their number)."""
    table = StageChange._meta.db_table
    now = timezone.now()
    columns = {
        "application_id": ("bigint", [c.application_id for c in changes]),
        "old": ("text", [c.old for c in changes]),
        "new": ("text", [c.new for c in changes]),
        "by_id": ("bigint", [c.by_id for c in changes]),
        "at": ("timestamptz", [now] * len(changes)),
        "on": ("date", [c.on for c in changes]),
        "reason": ("text", [c.reason for c in changes]),
    }
    names = ", ".join(f'"{name}"' for name in columns)
    arrays = ", ".join(f"%s::{kind}[]" for kind, _values in columns.values())
    sql = f'INSERT INTO "{table}" ({names}) SELECT * FROM unnest({arrays})'
    with connection.cursor() as cursor:
        cursor.execute(sql, [values for _kind, values in columns.values()])


def campaign_apps(campaign: Campaign, stages) -> list[Application]:
    return list(
        Application.objects.select_for_update(of=("self",))
        .filter(post__campaign=campaign, stage__in=list(stages))
        .select_related("applicant", "post__community")
        .order_by("post_id", "exam_number")
    )


# --- stage steps done for many at once -------------------------------------------------------


@transaction.atomic
def eligibility_review(*, by, campaign_id: int, on: dt.date | None = None) -> dict:
    """资格审查 of every registered application; then the opening ratio (开考比例) per post."""
    on = day_or_today(on)
    campaign = lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    rules = current_rules(campaign)
    apps = campaign_apps(campaign, [Stage.REGISTERED])
    passed, refused = [], []
    reasons = {}
    for app in apps:
        problem = eligibility_problem(app.applicant, app.post, on)
        if problem:
            refused.append(app)
            reasons[app.pk] = problem
        else:
            passed.append(app)
    changes = bulk_move(by=by, apps=passed, to=Stage.REVIEWED, on=on, rules=rules, campaign=campaign)
    changes += bulk_move(by=by, apps=refused, to=Stage.REFUSED, on=on, reasons=reasons, rules=rules, campaign=campaign)
    # the opening ratio: a post without enough eligible applicants loses places, or is cancelled
    by_post = defaultdict(list)
    for app in passed:
        by_post[app.post].append(app)
    cancelled = []
    for post in campaign.posts.select_for_update():
        eligible = by_post.get(post, [])
        if campaign.kind == CampaignKind.PLACEMENT:
            continue
        places = min(post.headcount, int(Decimal(len(eligible)) / rules.opening_ratio))
        if places == post.headcount:
            continue
        if places >= 1:
            post.headcount = places
            post.save(update_fields=["headcount"])
            continue
        post.cancelled = True
        post.save(update_fields=["cancelled"])
        cancelled.append(post)
        reason = _("The post was not opened: fewer eligible applicants than the opening ratio requires.")
        for app in eligible:
            old = app.stage
            apply_move(app, Stage.WITHDRAWN, on, reason, rules, {})
            changes.append(record_change(app, old, by, on, reason))
    save_bulk(apps, changes)
    return {"reviewed": len(passed), "refused": len(refused), "cancelled_posts": len(cancelled)}

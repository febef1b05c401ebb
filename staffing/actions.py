"""Writes of the staffing app: campaigns and their rules, the application stages, scores, roster, pay.

Every write with a rule lives here; the admin, the API, the public pages, the tasks and the
reference scenario call these functions and nothing else.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from community import validators
from community.choices import ScopeLevel
from community.models import Community
from community.scoping import ensure_in_scope, scope_of

from . import payroll, ranking
from .choices import (
    EDUCATION_LEVEL,
    EXIT_STAGES,
    IN_FORCE,
    CampaignKind,
    CampaignStatus,
    Education,
    ObjectionStatus,
    Origin,
    PayrollStatus,
    RefillPolicy,
    RulesStatus,
    ScoreKind,
    Stage,
    TieBreak,
)
from .models import (
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
from .workdays import add_working_days

# --- the one transition table --------------------------------------------------------------

EXITS = {Stage.FAILED, Stage.WITHDRAWN}
RECRUITMENT_TRANSITIONS: dict[str, set[str]] = {
    Stage.REGISTERED: {Stage.REVIEWED, Stage.REFUSED, Stage.WITHDRAWN},
    Stage.REVIEWED: {Stage.EXAMINED, Stage.REFUSED, *EXITS},
    Stage.EXAMINED: {Stage.SHORTLISTED, *EXITS},
    Stage.SHORTLISTED: {Stage.INTERVIEWED, *EXITS},
    Stage.INTERVIEWED: {Stage.RANKED, *EXITS},
    Stage.RANKED: {Stage.INSPECTION, *EXITS},
    Stage.INSPECTION: {Stage.PUBLICITY, *EXITS},
    Stage.PUBLICITY: {Stage.PROBATION, *EXITS},
    Stage.PROBATION: {Stage.ASSESSED, *EXITS},
    Stage.ASSESSED: {Stage.HIRED, Stage.WITHDRAWN},
}
# competitive placement runs on the same engine: the incumbent is placed straight after publicity
PLACEMENT_TRANSITIONS: dict[str, set[str]] = {
    **{k: v for k, v in RECRUITMENT_TRANSITIONS.items() if k not in {Stage.PROBATION, Stage.ASSESSED}},
    Stage.PUBLICITY: {Stage.HIRED, *EXITS},
}
TRANSITIONS = {CampaignKind.RECRUITMENT: RECRUITMENT_TRANSITIONS, CampaignKind.PLACEMENT: PLACEMENT_TRANSITIONS}
REFILLABLE = {Stage.INSPECTION, Stage.PUBLICITY, Stage.PROBATION}


def _today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


def current_rules(campaign: Campaign) -> CampaignRules:
    """The rules in force: the latest draft or adopted version (a correction counts once approved)."""
    rules = campaign.rule_versions.filter(status__in=IN_FORCE).order_by("-version").first()
    if rules is None:
        raise ValidationError(_("This campaign has no rules yet."))
    return rules


def _lock_campaign(campaign_id: int) -> Campaign:
    return Campaign.objects.select_for_update().select_related("town").get(pk=campaign_id)


# --- campaigns and rules -------------------------------------------------------------------

RULE_FIELDS = [
    "opening_ratio",
    "written_pass_line",
    "interview_ratio",
    "interview_pass_mark",
    "interview_pass_mark_uncontested",
    "written_weight",
    "interview_weight",
    "bonus_cap",
    "bonus_cumulative",
    "tie_break",
    "refill_policy",
    "publicity_working_days",
    "probation_months",
    "panel_size",
]


def _check_rules(rules: CampaignRules) -> None:
    ranking.check_weights(rules.written_weight, rules.interview_weight)
    valid = set(TieBreak.values)
    if not isinstance(rules.tie_break, list) or any(r not in valid for r in rules.tie_break):
        raise ValidationError(
            {"tie_break": _("The tie-break chain may only use: %(rules)s.") % {"rules": ", ".join(TieBreak.values)}}
        )
    rules.full_clean(exclude=["campaign", "created_by"])


@transaction.atomic
def campaign_create(*, by, town, title: str, kind: str = CampaignKind.RECRUITMENT, announcement: str = "", **rules):
    ensure_in_scope(by, town)
    unknown = set(rules) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown rule: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    campaign = Campaign(town=town, kind=kind, title=title, announcement=announcement)
    campaign.full_clean()
    campaign.save()
    version = CampaignRules(campaign=campaign, version=1, created_by=by, **rules)
    _check_rules(version)
    version.save()
    return campaign


@transaction.atomic
def rules_update(*, by, campaign_id: int, reason: str = "", **changes) -> CampaignRules:
    """Change the rules: in place while a draft; once announced only by a correction (see ``staffing.rulebook``)."""
    campaign = _lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown rule: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    rules = current_rules(campaign)
    if rules.frozen:
        from .rulebook import rules_correction_propose  # the rulebook builds on this module's helpers

        return rules_correction_propose(by=by, campaign_id=campaign.pk, reason=reason, **changes)
    for name, value in changes.items():
        setattr(rules, name, value)
    _check_rules(rules)
    rules.save()
    return rules


@transaction.atomic
def campaign_edit(*, by, campaign_id: int, **changes) -> Campaign:
    """Title and announcement text may change only while the campaign is a draft."""
    campaign = _lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    allowed = {"title", "announcement"}
    if set(changes) - allowed - {"town", "kind"}:
        raise ValidationError(_("Only the title and the announcement text can be edited."))
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("The announcement is published: the campaign can no longer be edited."))
    for name in ("town", "kind"):
        if name in changes and changes[name] != getattr(campaign, name):
            raise ValidationError({name: _("The town and the kind of a campaign cannot change.")})
    for name in allowed & set(changes):
        setattr(campaign, name, changes[name])
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def examiner_add(*, by, campaign, name: str, organisation: str = "") -> Examiner:
    ensure_in_scope(by, campaign.town)
    if campaign.interview_published:
        raise ValidationError(_("The interview scores are published: the panel is closed."))
    examiner = Examiner(campaign=campaign, name=name, organisation=organisation)
    examiner.full_clean()
    examiner.save()
    return examiner


@transaction.atomic
def post_add(*, by, campaign_id: int, community: Community, title: str, headcount: int = 1, **conditions) -> Post:
    campaign = _lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("Posts are fixed once the announcement is published."))
    if community.town_id != campaign.town_id:
        raise ValidationError({"community": _("A post must be in a community of the campaign's town.")})
    post = Post(campaign=campaign, community=community, title=title, headcount=headcount, **conditions)
    post.full_clean()
    post.save()
    return post


@transaction.atomic
def post_update(*, by, post_id: int, community: Community, **fields) -> Post:
    """Change a post of a campaign still in draft (its conditions are fixed by the announcement)."""
    post = Post.objects.select_for_update().select_related("campaign").get(pk=post_id)
    ensure_in_scope(by, post.campaign.town)
    if post.campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("Posts are fixed once the announcement is published."))
    if community.town_id != post.campaign.town_id:
        raise ValidationError({"community": _("A post must be in a community of the campaign's town.")})
    for name, value in fields.items():
        setattr(post, name, value)
    post.community = community
    post.full_clean()
    post.save()
    return post


@transaction.atomic
def campaign_announce(*, by, campaign_id: int, on: dt.date | None = None) -> Campaign:
    """Publish the announcement (公告): the rules freeze from now on."""
    campaign = _lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("This campaign's announcement is already published."))
    if not campaign.posts.exists():
        raise ValidationError(_("Add at least one post before publishing the announcement."))
    if not campaign.announcement.strip():
        raise ValidationError({"announcement": _("Write the announcement text before publishing it.")})
    current_rules(campaign)
    campaign.rule_versions.update(frozen=True, status=RulesStatus.ADOPTED)
    campaign.status = CampaignStatus.ANNOUNCED
    campaign.announced_on = _today(on)
    campaign.save(update_fields=["status", "announced_on"])
    return campaign


# --- applicants -----------------------------------------------------------------------------


@transaction.atomic
def applicant_register(
    *,
    by,
    post_id: int,
    name: str,
    id_number: str,
    education: str,
    phone: str = "",
    local_registration: bool = True,
    party_member: bool = False,
    computer_certificate: bool = False,
    incumbent: StaffMember | None = None,
    on: dt.date | None = None,
) -> Application:
    """Register one applicant for one post; one applicant per ID number per campaign."""
    post = Post.objects.select_related("campaign", "community").get(pk=post_id)
    campaign = _lock_campaign(post.campaign_id)
    ensure_in_scope(by, post.community)
    if campaign.status != CampaignStatus.ANNOUNCED:
        raise ValidationError(_("Applications are taken only while the campaign's announcement is published."))
    if post.cancelled:
        raise ValidationError(_("This post was cancelled."))
    number = validators.normalise_id_number(id_number)
    validators.validate_id_number(number)
    if Applicant.objects.filter(campaign=campaign, id_number=number).exists():
        raise ValidationError(
            {"id_number": _("This ID number is already registered in this campaign (one applicant per ID number).")},
            code="duplicate_applicant",
        )
    if campaign.kind == CampaignKind.PLACEMENT and incumbent is None:
        raise ValidationError({"incumbent": _("Competitive placement is open to incumbent staff only.")})
    if incumbent is not None and incumbent.id_number != number:
        raise ValidationError({"incumbent": _("The roster entry is another person's.")})
    applicant = Applicant(
        campaign=campaign,
        name=name,
        id_number=number,
        phone=validators.normalise_phone(phone),
        education=education,
        local_registration=local_registration,
        party_member=party_member,
        computer_certificate=computer_certificate,
        incumbent=incumbent,
    )
    applicant.full_clean(exclude=["birth_date", "campaign"])
    applicant.save()
    sequence = Application.objects.filter(post__campaign=campaign).count() + 1
    application = Application.objects.create(
        applicant=applicant,
        post=post,
        exam_number=f"{campaign.pk:03d}{sequence:05d}",
        stage_date=_today(on),
    )
    return application


@transaction.atomic
def bonus_add(*, by, application_id: int, reason: str, points) -> BonusPoint:
    app = (
        Application.objects.select_for_update()
        .select_related("post__community", "post__campaign__town")
        .get(pk=application_id)
    )
    ensure_in_scope(by, app.post.community)
    ensure_in_scope(by, app.post.campaign.town)
    if app.post.campaign.scores_published:
        raise ValidationError(_("Bonus points are fixed once the written scores are published."))
    bonus = BonusPoint(application=app, reason=reason, points=points)
    bonus.full_clean()
    bonus.save()
    return bonus


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


def _check(app: Application, campaign: Campaign, rules: CampaignRules, to: str, on: dt.date, reason: str) -> None:
    """Refuse an out-of-order transition, or one whose rule is not met, with a message naming the rule."""
    allowed = TRANSITIONS[campaign.kind].get(app.stage, set())
    if to not in allowed:
        raise ValidationError(
            _("Application %(number)s is “%(now)s” and cannot become “%(to)s” (the stages go in order).")
            % {"number": app.exam_number, "now": Stage(app.stage).label, "to": Stage(to).label},
            code="transition",
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


def _open_objections(campaign: Campaign, exam_numbers) -> set[str]:
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


def _apply(app: Application, to: str, on: dt.date, reason: str, rules: CampaignRules, cache: dict) -> None:
    app.stage = to
    app.stage_date = on
    if to in EXIT_STAGES:
        app.exit_reason = reason.strip()[:200]
    if to == Stage.PUBLICITY:
        app.publicity_end = _publicity_end(on, rules.publicity_working_days, cache)


def _record(app: Application, old: str, by, on: dt.date, reason: str) -> StageChange:
    return StageChange(application=app, old=old, new=app.stage, by=by, on=on, reason=reason.strip()[:200])


@transaction.atomic
def application_move(*, by, application_id: int, to: str, reason: str = "", on: dt.date | None = None) -> Application:
    """The one way an application changes stage (manual moves from the admin and the API)."""
    on = _today(on)
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
    _check(app, campaign, rules, to, on, reason)
    hiring = app.stage == Stage.PUBLICITY and to in {Stage.PROBATION, Stage.HIRED}
    if hiring and _open_objections(campaign, [app.exam_number]):
        raise ValidationError(
            _("An objection to the publicity list is still open: resolve it before hiring."), code="objection"
        )
    old = app.stage
    _apply(app, to, on, reason, rules, {})
    app.save()
    _record(app, old, by, on, reason).save()
    if to == Stage.HIRED:
        _roster_from(app, on)
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
    _apply(nxt, Stage.INSPECTION, on, "", rules, {})
    nxt.save()
    _record(nxt, old, by, on, _("Refill (递补) for a place left open")).save()
    return nxt


def _roster_from(app: Application, on: dt.date) -> StaffMember:
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


def _bulk_move(*, by, apps: list[Application], to: str, on: dt.date, reasons: dict | None = None, rules, campaign):
    """Move many locked applications at once; all are checked before any is written."""
    reasons = reasons or {}
    cache: dict = {}
    olds = []
    for app in apps:
        _check(app, campaign, rules, to, on, reasons.get(app.pk, ""))
    for app in apps:
        olds.append(app.stage)
        _apply(app, to, on, reasons.get(app.pk, ""), rules, cache)
    return [_record(app, old, by, on, reasons.get(app.pk, "")) for app, old in zip(apps, olds, strict=True)]


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


def _save_bulk(apps: list[Application], changes: list[StageChange]) -> None:
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


def _campaign_apps(campaign: Campaign, stages) -> list[Application]:
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
    on = _today(on)
    campaign = _lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    rules = current_rules(campaign)
    apps = _campaign_apps(campaign, [Stage.REGISTERED])
    passed, refused = [], []
    reasons = {}
    for app in apps:
        problem = eligibility_problem(app.applicant, app.post, on)
        if problem:
            refused.append(app)
            reasons[app.pk] = problem
        else:
            passed.append(app)
    changes = _bulk_move(by=by, apps=passed, to=Stage.REVIEWED, on=on, rules=rules, campaign=campaign)
    changes += _bulk_move(by=by, apps=refused, to=Stage.REFUSED, on=on, reasons=reasons, rules=rules, campaign=campaign)
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
            _apply(app, Stage.WITHDRAWN, on, reason, rules, {})
            changes.append(_record(app, old, by, on, reason))
    _save_bulk(apps, changes)
    return {"reviewed": len(passed), "refused": len(refused), "cancelled_posts": len(cancelled)}


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
    on = _today(on)
    campaign = _lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    if campaign.scores_published:
        raise ValidationError(
            _("The written scores are published and can no longer be entered; correct a score with a reason."),
            code="scores_published",
        )
    rules = current_rules(campaign)
    parsed = _parse_scores(scores)
    apps = {a.exam_number: a for a in _campaign_apps(campaign, [Stage.REVIEWED, Stage.EXAMINED])}
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
            _check(app, campaign, rules, Stage.FAILED, on, reason)
            old = app.stage
            _apply(app, Stage.FAILED, on, reason, rules, {})
            changes.append(_record(app, old, by, on, reason))
        else:
            app.written_score = score
            if app.stage == Stage.REVIEWED:
                _check(app, campaign, rules, Stage.EXAMINED, on, "")
                old = app.stage
                _apply(app, Stage.EXAMINED, on, "", rules, {})
                changes.append(_record(app, old, by, on, ""))
        touched.append(app)
    _save_bulk(touched, changes)
    return len(touched)


def read_score_sheet(upload) -> dict[str, object]:
    """An Excel sheet with the exam number in column A and the score in column B (a header row allowed)."""
    from openpyxl import load_workbook

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
    on = _today(on)
    campaign = _lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    if campaign.scores_published:
        raise ValidationError(_("The written scores are already published."))
    rules = current_rules(campaign)
    if Application.objects.filter(post__campaign=campaign, stage=Stage.REVIEWED).exists():
        raise ValidationError(_("Some applications have no written score yet: enter it, or record them absent."))
    apps = _campaign_apps(campaign, [Stage.EXAMINED])
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
    changes = _bulk_move(by=by, apps=short, to=Stage.SHORTLISTED, on=on, rules=rules, campaign=campaign)
    changes += _bulk_move(by=by, apps=out, to=Stage.FAILED, on=on, reasons=reasons, rules=rules, campaign=campaign)
    _save_bulk(apps, changes)
    return {"shortlisted": len(short), "failed": len(out)}


# --- examiners and interview scores ----------------------------------------------------------


def relation_declare(
    *, by, examiner_id: int, applicant_id: int, relation: str, on: dt.date | None = None
) -> ExaminerRelation:
    """回避 at any time: record an examiner's relation to an applicant (see ``staffing.recusal``)."""
    from .recusal import relation_declare as declare  # the recusal module builds on this one's helpers

    return declare(by=by, examiner_id=examiner_id, applicant_id=applicant_id, relation=relation, on=on)


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
    campaign = _lock_campaign(post.campaign_id)
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
    on = _today(on)
    campaign = _lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    if campaign.interview_published:
        raise ValidationError(_("The interview scores are already published."))
    if not campaign.scores_published:
        raise ValidationError(_("Publish the written exam scores first."))
    rules = current_rules(campaign)
    apps = _campaign_apps(campaign, [Stage.SHORTLISTED])
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
    changes = _bulk_move(by=by, apps=done, to=Stage.INTERVIEWED, on=on, rules=rules, campaign=campaign)
    changes += _bulk_move(by=by, apps=out, to=Stage.FAILED, on=on, reasons=reasons, rules=rules, campaign=campaign)
    _save_bulk(apps, changes)
    return {"interviewed": len(done), "failed": len(out)}


@transaction.atomic
def campaign_rank(*, by, campaign_id: int, on: dt.date | None = None) -> int:
    """Rank every interviewed application within its post (a fixed number of queries whatever the size)."""
    on = _today(on)
    campaign = _lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    rules = current_rules(campaign)
    apps = _campaign_apps(campaign, [Stage.INTERVIEWED])
    by_post = defaultdict(list)
    for app in apps:
        by_post[app.post_id].append(app)
    index = {app.pk: app for app in apps}
    for group in by_post.values():
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
                for a in group
            ],
            tie_break=rules.tie_break,
        )
        for position, item in enumerate(ordered, start=1):
            index[item.key].rank = position
    changes = _bulk_move(by=by, apps=apps, to=Stage.RANKED, on=on, rules=rules, campaign=campaign)
    _save_bulk(apps, changes)
    return len(apps)


@transaction.atomic
def inspection_start(*, by, campaign_id: int, on: dt.date | None = None) -> int:
    """组织考察 for the best-ranked candidates of each post, as many as it has places."""
    on = _today(on)
    campaign = _lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    rules = current_rules(campaign)
    apps = _campaign_apps(campaign, [Stage.RANKED])
    taken = defaultdict(int)
    for post_id in Application.objects.filter(
        post__campaign=campaign,
        stage__in=[Stage.INSPECTION, Stage.PUBLICITY, Stage.PROBATION, Stage.ASSESSED, Stage.HIRED],
    ).values_list("post_id", flat=True):
        taken[post_id] += 1
    chosen = []
    for app in sorted(apps, key=lambda a: (a.post_id, a.rank)):
        if taken[app.post_id] < app.post.headcount:
            taken[app.post_id] += 1
            chosen.append(app)
    changes = _bulk_move(by=by, apps=chosen, to=Stage.INSPECTION, on=on, rules=rules, campaign=campaign)
    _save_bulk(chosen, changes)
    return len(chosen)


@transaction.atomic
def publicity_start(*, by, campaign_id: int, on: dt.date | None = None) -> dict:
    """公示 of everyone who passed inspection, for the rules' number of working days."""
    on = _today(on)
    campaign = _lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    rules = current_rules(campaign)
    apps = _campaign_apps(campaign, [Stage.INSPECTION])
    if not apps:
        raise ValidationError(_("Nobody is in organisational inspection: there is nothing to publicise."))
    changes = _bulk_move(by=by, apps=apps, to=Stage.PUBLICITY, on=on, rules=rules, campaign=campaign)
    _save_bulk(apps, changes)
    campaign.publicity_start = on
    campaign.publicity_end = apps[0].publicity_end
    campaign.save(update_fields=["publicity_start", "publicity_end"])
    return {"publicised": len(apps), "ends": campaign.publicity_end}


@transaction.atomic
def publicity_conclude(*, by, campaign_id: int, on: dt.date | None = None) -> int:
    """After publicity: contract and probation (recruitment) or placement (competitive placement), for all."""
    on = _today(on)
    campaign = _lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    rules = current_rules(campaign)
    apps = _campaign_apps(campaign, [Stage.PUBLICITY])
    if not apps:
        raise ValidationError(_("Nobody is in publicity."))
    if _open_objections(campaign, [a.exam_number for a in apps]):
        raise ValidationError(
            _("An objection to the publicity list is still open: resolve it before hiring."), code="objection"
        )
    to = Stage.HIRED if campaign.kind == CampaignKind.PLACEMENT else Stage.PROBATION
    changes = _bulk_move(by=by, apps=apps, to=to, on=on, rules=rules, campaign=campaign)
    _save_bulk(apps, changes)
    if to == Stage.HIRED:
        for app in apps:
            _roster_from(app, on)
    return len(apps)


@transaction.atomic
def probation_assess(
    *, by, application_id: int, passed: bool, reason: str = "", on: dt.date | None = None
) -> Application:
    if passed:
        return application_move(by=by, application_id=application_id, to=Stage.ASSESSED, reason=reason, on=on)
    return application_move(
        by=by,
        application_id=application_id,
        to=Stage.FAILED,
        reason=reason or _("Failed the probation assessment."),
        on=on,
    )


@transaction.atomic
def campaign_close(*, by, campaign_id: int, on: dt.date | None = None) -> Campaign:
    """Close a campaign: waiting candidates are not placed; unplaced incumbents leave the roster."""
    on = _today(on)
    campaign = _lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    rules = current_rules(campaign)
    if campaign.status != CampaignStatus.ANNOUNCED:
        raise ValidationError(_("Only an announced campaign can be closed."))
    busy = Application.objects.filter(
        post__campaign=campaign,
        stage__in=[Stage.INSPECTION, Stage.PUBLICITY, Stage.PROBATION, Stage.ASSESSED],
    )
    if busy.exists():
        raise ValidationError(_("Some candidates are still in inspection, publicity or probation."))
    waiting = [
        a
        for a in _campaign_apps(campaign, set(Stage.values) - EXIT_STAGES - {Stage.HIRED})
        if a.stage in TRANSITIONS[campaign.kind] and Stage.FAILED in TRANSITIONS[campaign.kind][a.stage]
    ]
    reason = _("Not placed: the campaign closed with its places filled.")
    changes = _bulk_move(
        by=by,
        apps=waiting,
        to=Stage.FAILED,
        on=on,
        reasons={a.pk: reason for a in waiting},
        rules=rules,
        campaign=campaign,
    )
    _save_bulk(waiting, changes)
    if campaign.kind == CampaignKind.PLACEMENT:
        for member in StaffMember.objects.select_for_update().filter(
            placement_applicants__campaign=campaign, end__isnull=True
        ):
            member.end = max(on, member.start)
            member.save(update_fields=["end"])
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status"])
    return campaign


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


# --- pay -----------------------------------------------------------------------------------------


def payscale_on(*, county_id: int, on: dt.date) -> PayScale | None:
    return PayScale.objects.filter(county_id=county_id, effective_from__lte=on).order_by("-effective_from").first()


def month_start(value) -> dt.date:
    if isinstance(value, str):
        try:
            year, month = (int(part) for part in value.split("-")[:2])
            return dt.date(year, month, 1)
        except (ValueError, TypeError):
            raise ValidationError(_("Give the month as YYYY-MM."))
    return value.replace(day=1)


@transaction.atomic
def payroll_run(*, by, community_id: int, month) -> PayrollRun:
    """One month's pay of one community's roster and each payer's share; idempotent per (community, month)."""
    month = month_start(month)
    community = Community.objects.select_for_update().select_related("town__county").get(pk=community_id)
    ensure_in_scope(by, community)
    existing = PayrollRun.objects.filter(community=community, month=month).first()
    if existing is not None:
        if existing.status != PayrollStatus.POSTED:
            payroll.post_run(by=by, run=existing)
        return existing
    last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    scale = payscale_on(county_id=community.town.county_id, on=last_day)
    if scale is None:
        raise ValidationError(_("No pay scale is in force for %(month)s.") % {"month": f"{month:%Y-%m}"})
    staff = list(
        StaffMember.objects.filter(community=community, start__lte=last_day).exclude(end__lt=month).order_by("pk")
    )
    split = payroll.split_for(county=community.town.county)
    run = PayrollRun.objects.create(
        community=community,
        month=month,
        created_by=by,
        ledger_reference=f"staffing-pay-{community.code}-{month:%Y%m}",
    )
    lines = []
    parts = {kind: amount for _label, kind, _bp, amount in payroll.allocate(split, scale.monthly_amount)}
    for member in staff:
        lines.append(
            PayrollLine(
                run=run,
                staff=member,
                amount=scale.monthly_amount,
                county_share=parts.get("county", Decimal("0")),
                town_share=parts.get("town", Decimal("0")),
            )
        )
    PayrollLine.objects.bulk_create(lines)
    run.total = sum((line.amount for line in lines), Decimal("0.00"))
    run.save(update_fields=["total"])
    PayrollShare.objects.bulk_create(
        PayrollShare(run=run, payer=label, payer_kind=kind, basis_points=bp, amount=amount)
        for label, kind, bp, amount in payroll.allocate(split, run.total)
    )
    payroll.post_run(by=by, run=run)
    return run


def payroll_run_scope(*, by, month, community_ids) -> list[PayrollRun]:
    """Every community of a scope, each in its own transaction (a retry redoes only what is missing)."""
    runs = []
    for community_id in community_ids:
        try:
            runs.append(payroll_run(by=by, community_id=community_id, month=month))
        except IntegrityError:  # a concurrent run made it first: fetch it
            runs.append(PayrollRun.objects.get(community_id=community_id, month=month_start(month)))
    return runs


PAYROLL_ACCOUNT = "staffing_payroll_{code}"


def payroll_system_user(county):
    """The account the scheduled payroll of a county acts as: county scope, no password (cannot sign in)."""
    from community.models import User

    user, created = User.objects.get_or_create(
        username=PAYROLL_ACCOUNT.format(code=county.code),
        defaults={
            "first_name": _("Monthly payroll (scheduled)")[:150],
            "scope_level": ScopeLevel.COUNTY,
            "county": county,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def previous_month(today: dt.date | None = None) -> dt.date:
    return (_today(today).replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def payroll_run_counties(*, month=None, county_ids=None) -> dict:
    """The scheduled job (the 1st of each month): last month's payroll of every community of every county.

    Idempotent per (community, month): a second run, or a redelivered job, finds the runs already made
    and makes no second one (a run left unposted is posted).  A county with no pay scale in force is
    skipped; a community whose run is refused (e.g. its ledger period is closed) is reported and the
    others go on, each in its own transaction.
    """
    from community.models import County

    month = month_start(month) if month is not None else previous_month()
    last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    counties = County.objects.order_by("pk")
    if county_ids is not None:
        counties = counties.filter(pk__in=list(county_ids))
    summary = {"month": f"{month:%Y-%m}", "runs": 0, "skipped_counties": [], "refused": []}
    for county in counties:
        if payscale_on(county_id=county.pk, on=last_day) is None:
            summary["skipped_counties"].append(county.code)
            continue
        by = payroll_system_user(county)
        community_ids = Community.objects.filter(town__county=county).order_by("pk").values_list("pk", flat=True)
        for community_id in community_ids:
            try:
                payroll_run_scope(by=by, month=month, community_ids=[community_id])
            except ValidationError as exc:
                summary["refused"].append((community_id, " ".join(exc.messages)))
                continue
            summary["runs"] += 1
    return summary


@transaction.atomic
def payscale_save(*, by, scale: PayScale) -> PayScale:
    """Pay scales are set by the county (or a superuser) for its own county."""
    scope = scope_of(by)
    if scope is None or not (scope.is_all or (scope.level == ScopeLevel.COUNTY and scope.county_id == scale.county_id)):
        raise PermissionDenied(_("Only the county sets the pay scale."))
    scale.full_clean()
    scale.save()
    return scale

"""Rules frozen at the announcement: the one way they may still change is a correction.

A correction is proposed at county level with a reason, and takes effect only when a second person at
county level approves it — and only while no score of the campaign has been entered.  Every version (the
announced one, each correction, adopted or rejected) is kept and shown on the public announcement page;
a database trigger refuses any UPDATE or DELETE of a frozen version.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.choices import ScopeLevel
from community.scoping import ensure_in_scope, scope_of

from .. import ranking
from ..choices import CampaignStatus, RulesStatus, TieBreak
from ..models import Application, Campaign, CampaignRules, InterviewScore
from .common import current_rules, lock_campaign

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


def check_rules(rules: CampaignRules) -> None:
    ranking.check_weights(rules.written_weight, rules.interview_weight)
    valid = set(TieBreak.values)
    if not isinstance(rules.tie_break, list) or any(r not in valid for r in rules.tie_break):
        raise ValidationError(
            {"tie_break": _("The tie-break chain may only use: %(rules)s.") % {"rules": ", ".join(TieBreak.values)}}
        )
    rules.full_clean(exclude=["campaign", "created_by"])


@transaction.atomic
def rules_update(*, by, campaign_id: int, reason: str = "", **changes) -> CampaignRules:
    """Change the rules: in place while a draft; once announced only by a correction (below)."""
    campaign = lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown rule: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    rules = current_rules(campaign)
    if rules.frozen:
        return rules_correction_propose(by=by, campaign_id=campaign.pk, reason=reason, **changes)
    for name, value in changes.items():
        setattr(rules, name, value)
    check_rules(rules)
    rules.save()
    return rules


def scores_entered(campaign: Campaign) -> bool:
    """Has any score of this campaign been entered (a written score or an examiner's interview score)?"""
    return (
        Application.objects.filter(post__campaign=campaign, written_score__isnull=False).exists()
        or InterviewScore.objects.filter(application__post__campaign=campaign).exists()
    )


def is_county_level(user, campaign: Campaign) -> bool:
    scope = scope_of(user)
    return scope is not None and (
        scope.is_all or (scope.level == ScopeLevel.COUNTY and scope.county_id == campaign.town.county_id)
    )


def _refuse_if_scored(campaign: Campaign) -> None:
    if scores_entered(campaign):
        raise ValidationError(
            _("Scores have been entered in this campaign: its rules can no longer be corrected."), code="rules_scored"
        )


@transaction.atomic
def rules_correction_propose(*, by, campaign_id: int, reason: str = "", **changes) -> CampaignRules:
    """Propose a correction of announced rules: a new version, not in force until a second person approves."""
    campaign = lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    if campaign.status == CampaignStatus.DRAFT:
        return rules_update(by=by, campaign_id=campaign.pk, reason=reason, **changes)
    if not is_county_level(by, campaign):
        raise ValidationError(
            _(
                "The rules were frozen when the announcement was published. Only a correction proposed at county "
                "level and approved by a second person at county level can change them, before any score is entered."
            ),
            code="rules_frozen",
        )
    _refuse_if_scored(campaign)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown rule: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    if not reason.strip():
        raise ValidationError(
            {"reason": _("A correction of frozen rules needs a recorded reason.")}, code="rules_frozen"
        )
    if campaign.rule_versions.filter(status=RulesStatus.PROPOSED).exists():
        raise ValidationError(_("A correction of these rules is already awaiting approval: decide on it first."))
    current = current_rules(campaign)
    latest = campaign.rule_versions.order_by("-version").values_list("version", flat=True).first()
    proposal = CampaignRules(
        campaign=campaign,
        version=latest + 1,
        status=RulesStatus.PROPOSED,
        reason=reason.strip()[:200],
        created_by=by,
        **{name: getattr(current, name) for name in RULE_FIELDS},
    )
    for name, value in changes.items():
        setattr(proposal, name, value)
    check_rules(proposal)
    if all(getattr(proposal, name) == getattr(current, name) for name in RULE_FIELDS):
        raise ValidationError(_("The correction changes no rule."))
    proposal.save()
    return proposal


def _pending(rules_id: int, by) -> CampaignRules:
    rules = CampaignRules.objects.select_for_update().get(pk=rules_id)
    campaign = lock_campaign(rules.campaign_id)
    rules.campaign = campaign
    if rules.status != RulesStatus.PROPOSED:
        raise ValidationError(_("This version is not a correction awaiting approval."))
    if not is_county_level(by, campaign):
        raise ValidationError(_("A correction of frozen rules is approved or rejected at county level only."))
    if rules.created_by_id == by.pk:
        raise ValidationError(_("A second person must decide on a correction: you proposed this one."))
    return rules


def _decide(rules: CampaignRules, by, status: str) -> CampaignRules:
    rules.status, rules.frozen = status, True
    rules.approved_by, rules.approved_at = by, timezone.now()
    rules.save(update_fields=["status", "frozen", "approved_by", "approved_at"])
    return rules


@transaction.atomic
def rules_correction_approve(*, by, rules_id: int) -> CampaignRules:
    """A second county official approves the correction: it becomes the rules in force (and is frozen)."""
    rules = _pending(rules_id, by)
    _refuse_if_scored(rules.campaign)
    return _decide(rules, by, RulesStatus.ADOPTED)


@transaction.atomic
def rules_correction_reject(*, by, rules_id: int) -> CampaignRules:
    """A second county official rejects the correction: it stays on the record, frozen, never in force."""
    return _decide(_pending(rules_id, by), by, RulesStatus.REJECTED)

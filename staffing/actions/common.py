"""The transition tables of recruitment and placement, and what every staffing write starts from."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from utilities.transitions import Transitions

from ..choices import (
    IN_FORCE,
    CampaignKind,
    Stage,
)
from ..models import (
    Campaign,
    CampaignRules,
)

EXITS = {Stage.FAILED, Stage.WITHDRAWN}
_RECRUITMENT_STEPS = {
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
RECRUITMENT_TRANSITIONS = Transitions(Stage, _RECRUITMENT_STEPS)
# competitive placement runs on the same engine: the incumbent is placed straight after publicity
PLACEMENT_TRANSITIONS = Transitions(
    Stage,
    {
        **{k: v for k, v in _RECRUITMENT_STEPS.items() if k not in {Stage.PROBATION, Stage.ASSESSED}},
        Stage.PUBLICITY: {Stage.HIRED, *EXITS},
    },
)
TRANSITIONS = {CampaignKind.RECRUITMENT: RECRUITMENT_TRANSITIONS, CampaignKind.PLACEMENT: PLACEMENT_TRANSITIONS}
REFILLABLE = {Stage.INSPECTION, Stage.PUBLICITY, Stage.PROBATION}


def day_or_today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


def current_rules(campaign: Campaign) -> CampaignRules:
    """The rules in force: the latest draft or adopted version (a correction counts once approved)."""
    rules = campaign.rule_versions.filter(status__in=IN_FORCE).order_by("-version").first()
    if rules is None:
        raise ValidationError(_("This campaign has no rules yet."))
    return rules


def lock_campaign(campaign_id: int) -> Campaign:
    return Campaign.objects.select_for_update().select_related("town").get(pk=campaign_id)

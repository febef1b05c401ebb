"""The campaign's later steps: ranking, inspection, publicity, probation and closing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from community.scoping import ensure_in_scope

from .. import ranking
from ..choices import (
    EXIT_STAGES,
    CampaignKind,
    CampaignStatus,
    Stage,
)
from ..models import (
    Application,
    Campaign,
    StaffMember,
)
from .common import TRANSITIONS, current_rules, day_or_today, lock_campaign
from .moves import application_move, bulk_move, campaign_apps, open_objections, roster_from, save_bulk


@transaction.atomic
def campaign_rank(*, by, campaign_id: int, on: dt.date | None = None) -> int:
    """Rank every interviewed application within its post (a fixed number of queries whatever the size)."""
    on = day_or_today(on)
    campaign = lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    rules = current_rules(campaign)
    apps = campaign_apps(campaign, [Stage.INTERVIEWED])
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
    changes = bulk_move(by=by, apps=apps, to=Stage.RANKED, on=on, rules=rules, campaign=campaign)
    save_bulk(apps, changes)
    return len(apps)


@transaction.atomic
def inspection_start(*, by, campaign_id: int, on: dt.date | None = None) -> int:
    """组织考察 for the best-ranked candidates of each post, as many as it has places."""
    on = day_or_today(on)
    campaign = lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    rules = current_rules(campaign)
    apps = campaign_apps(campaign, [Stage.RANKED])
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
    changes = bulk_move(by=by, apps=chosen, to=Stage.INSPECTION, on=on, rules=rules, campaign=campaign)
    save_bulk(chosen, changes)
    return len(chosen)


@transaction.atomic
def publicity_start(*, by, campaign_id: int, on: dt.date | None = None) -> dict:
    """公示 of everyone who passed inspection, for the rules' number of working days."""
    on = day_or_today(on)
    campaign = lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    rules = current_rules(campaign)
    apps = campaign_apps(campaign, [Stage.INSPECTION])
    if not apps:
        raise ValidationError(_("Nobody is in organisational inspection: there is nothing to publicise."))
    changes = bulk_move(by=by, apps=apps, to=Stage.PUBLICITY, on=on, rules=rules, campaign=campaign)
    save_bulk(apps, changes)
    campaign.publicity_start = on
    campaign.publicity_end = apps[0].publicity_end
    campaign.save(update_fields=["publicity_start", "publicity_end"])
    return {"publicised": len(apps), "ends": campaign.publicity_end}


@transaction.atomic
def publicity_conclude(*, by, campaign_id: int, on: dt.date | None = None) -> int:
    """After publicity: contract and probation (recruitment) or placement (competitive placement), for all."""
    on = day_or_today(on)
    campaign = lock_campaign(campaign_id)
    ensure_in_scope(by, campaign.town)
    rules = current_rules(campaign)
    apps = campaign_apps(campaign, [Stage.PUBLICITY])
    if not apps:
        raise ValidationError(_("Nobody is in publicity."))
    if open_objections(campaign, [a.exam_number for a in apps]):
        raise ValidationError(
            _("An objection to the publicity list is still open: resolve it before hiring."), code="objection"
        )
    to = Stage.HIRED if campaign.kind == CampaignKind.PLACEMENT else Stage.PROBATION
    changes = bulk_move(by=by, apps=apps, to=to, on=on, rules=rules, campaign=campaign)
    save_bulk(apps, changes)
    if to == Stage.HIRED:
        for app in apps:
            roster_from(app, on)
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
    on = day_or_today(on)
    campaign = lock_campaign(campaign_id)
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
        for a in campaign_apps(campaign, set(Stage.values) - EXIT_STAGES - {Stage.HIRED})
        if TRANSITIONS[campaign.kind].allows(a.stage, Stage.FAILED)
    ]
    reason = _("Not placed: the campaign closed with its places filled.")
    changes = bulk_move(
        by=by,
        apps=waiting,
        to=Stage.FAILED,
        on=on,
        reasons={a.pk: reason for a in waiting},
        rules=rules,
        campaign=campaign,
    )
    save_bulk(waiting, changes)
    if campaign.kind == CampaignKind.PLACEMENT:
        for member in StaffMember.objects.select_for_update().filter(
            placement_applicants__campaign=campaign, end__isnull=True
        ):
            member.end = max(on, member.start)
            member.save(update_fields=["end"])
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status"])
    return campaign

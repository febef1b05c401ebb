"""Campaigns, their frozen rules, posts, examiners, the announcement, applicants and bonus points."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from community import validators
from community.models import Community
from community.scoping import ensure_in_scope

from ..choices import (
    CampaignKind,
    CampaignStatus,
    RulesStatus,
)
from ..models import (
    Applicant,
    Application,
    BonusPoint,
    Campaign,
    CampaignRules,
    Examiner,
    Post,
    StaffMember,
)
from .common import current_rules, day_or_today, lock_campaign
from .rules import RULE_FIELDS, check_rules

# --- campaigns and rules -------------------------------------------------------------------


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
    check_rules(version)
    version.save()
    return campaign


@transaction.atomic
def campaign_edit(*, by, campaign_id: int, **changes) -> Campaign:
    """Title and announcement text may change only while the campaign is a draft."""
    campaign = lock_campaign(campaign_id)
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
    campaign = lock_campaign(campaign_id)
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
    campaign = lock_campaign(campaign_id)
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
    campaign.announced_on = day_or_today(on)
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
    campaign = lock_campaign(post.campaign_id)
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
        stage_date=day_or_today(on),
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

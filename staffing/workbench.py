"""Recruitment's part of the admin home's to-do (``utilities.workbench``): applications waiting for the
eligibility review and objections lodged during publicity (the town), rule corrections waiting for the
county's approval.

Registered from ``StaffingConfig.ready``; each figure counts ``Model.objects.restrict(user, ...)`` and
links to the admin list filtered to exactly those rows.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils.translation import gettext as _

from community.choices import ScopeLevel
from community.scoping import permitted, scope_of
from utilities.workbench import Item, contributes, link

from .choices import ObjectionStatus, RulesStatus, Stage
from .models import Application, CampaignRules, Objection

APPLICATIONS_ADMIN = "/admin/staffing/application/"
OBJECTIONS_ADMIN = "/admin/staffing/objection/"
RULES_ADMIN = "/admin/staffing/campaignrules/"


@contributes("staffing", order=60)
def workbench_recruitment(user, now: dt.datetime) -> list[Item]:
    items = []
    if permitted(user, Application, "change"):
        registered = Application.objects.restrict(user, "view").filter(stage=Stage.REGISTERED)
        items.append(
            Item(
                "applications_to_review",
                _("Applications waiting for the eligibility review"),
                registered.count(),
                link(APPLICATIONS_ADMIN, stage__exact=Stage.REGISTERED),
            )
        )
    if permitted(user, Objection, "change"):
        lodged = Objection.objects.restrict(user, "view").filter(status=ObjectionStatus.OPEN)
        count = lodged.count()
        items.append(
            Item(
                "recruitment_objections",
                _("Objections to a recruitment waiting for an answer"),
                count,
                link(OBJECTIONS_ADMIN, status__exact=ObjectionStatus.OPEN),
                due=lodged.aggregate(first=Min("campaign__publicity_end"))["first"] if count else None,
            )
        )
    scope = scope_of(user)
    county = scope is not None and (scope.is_all or scope.level == ScopeLevel.COUNTY)
    if county and permitted(user, CampaignRules, "change"):
        proposed = CampaignRules.objects.restrict(user, "view").filter(status=RulesStatus.PROPOSED)
        items.append(
            Item(
                "rule_corrections",
                _("Corrections of recruitment rules waiting for your approval"),
                proposed.count(),
                link(RULES_ADMIN, status__exact=RulesStatus.PROPOSED),
            )
        )
    return items

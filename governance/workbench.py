"""The committee's part of the admin home's to-do (``utilities.workbench``): objections to the voter roll
waiting for a decision, and disputes still being mediated.

Registered from ``GovernanceConfig.ready``; each figure counts ``Model.objects.restrict(user, ...)`` and
links to the admin list filtered to exactly those rows, the oldest first.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils.translation import gettext as _

from community.scoping import permitted
from utilities.workbench import Item, contributes, link

from .choices import MediationOutcome, ObjectionStatus
from .models import MediationCase, RollObjection

OBJECTIONS_ADMIN = "/admin/governance/rollobjection/"
MEDIATION_ADMIN = "/admin/governance/mediationcase/"
#: the lists' columns that sort oldest first (``list_display``, 1-based): lodged at / received on
OBJECTION_LODGED_COLUMN = 4
MEDIATION_RECEIVED_COLUMN = 3


@contributes("governance", order=50)
def workbench_governance(user, now: dt.datetime) -> list[Item]:
    items = []
    if permitted(user, RollObjection, "change"):
        pending = RollObjection.objects.restrict(user, "view").filter(status=ObjectionStatus.PENDING)
        count = pending.count()
        due = pending.aggregate(first=Min("election__election_day"))["first"] if count else None
        items.append(
            Item(
                "roll_objections_to_decide",
                _("Objections to the voter roll waiting for a decision"),
                count,
                link(OBJECTIONS_ADMIN, status__exact=ObjectionStatus.PENDING, o=OBJECTION_LODGED_COLUMN),
                due=due,
                note=_("decide before election day"),
            )
        )
    if permitted(user, MediationCase, "change"):
        open_cases = MediationCase.objects.restrict(user, "view").filter(outcome=MediationOutcome.OPEN)
        items.append(
            Item(
                "mediation_open",
                _("Disputes still being mediated"),
                open_cases.count(),
                link(MEDIATION_ADMIN, outcome__exact=MediationOutcome.OPEN, o=MEDIATION_RECEIVED_COLUMN),
            )
        )
    return items

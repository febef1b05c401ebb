"""Party building's part of the admin home's to-do (utilities.workbench): households due a visit."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import Household
from community.scoping import permitted
from utilities.workbench import Item, contributes, link

from .models import Visit
from .selectors import visit_due_days, visits_due_qs

HOUSEHOLDS_ADMIN = "/admin/community/household/"


@contributes("partybuild", order=30)
def workbench_visits(user, now: dt.datetime):
    if not permitted(user, Visit, "add") or not permitted(user, Household, "view"):
        return []
    today = timezone.localtime(now).date()
    due = visits_due_qs(Household.objects.restrict(user, "view"), today)
    return [
        Item(
            "visits_due",
            _("Households due a visit (not visited for %(days)d days)") % {"days": visit_due_days()},
            due.count(),
            link(HOUSEHOLDS_ADMIN, visit_due_on=f"{today:%Y-%m-%d}"),
            due=today,
        )
    ]

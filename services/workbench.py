"""Services' part of the admin home's to-do (utilities.workbench): the requests waiting for this user."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils.translation import gettext as _

from community.choices import ScopeLevel
from community.scoping import permitted, scope_of
from utilities.workbench import Item, contributes, link

from .choices import Status
from .models import ServiceRequest
from .selectors import IN_HAND_STATUSES, due_soon_condition, overdue_condition, with_due

REQUESTS_ADMIN = "/admin/services/servicerequest/"


def _earliest(queryset, field_name: str):

    return queryset.aggregate(first=Min(field_name))["first"]


@contributes("services", order=10)
def workbench_requests(user, now: dt.datetime):
    """The service requests waiting for ``user``: to accept, to hand over, in hand, overdue, due soon."""
    if not permitted(user, ServiceRequest, "view"):
        return []
    mine = with_due(ServiceRequest.objects.restrict(user, "view"))
    items = []
    if permitted(user, ServiceRequest, "triage"):
        waiting = mine.filter(status=Status.SUBMITTED)
        items.append(
            Item(
                "requests_to_accept",
                _("Requests waiting for acceptance"),
                waiting.count(),
                link(REQUESTS_ADMIN, status__exact=Status.SUBMITTED),
                due=_earliest(waiting, "due_at"),
            )
        )
        accepted = mine.filter(status=Status.ACCEPTED)
        items.append(
            Item(
                "requests_to_hand_over",
                _("Accepted requests to hand over"),
                accepted.count(),
                link(REQUESTS_ADMIN, status__exact=Status.ACCEPTED),
                due=_earliest(accepted, "due_at"),
            )
        )
    if permitted(user, ServiceRequest, "progress") and not permitted(user, ServiceRequest, "triage"):
        in_hand = mine.filter(status__in=IN_HAND_STATUSES)
        items.append(
            Item(
                "requests_in_hand",
                _("Requests handed over to you to finish"),
                in_hand.count(),
                link(REQUESTS_ADMIN, status__in=[s.value for s in IN_HAND_STATUSES]),
                due=_earliest(in_hand, "due_at"),
            )
        )
    scope = scope_of(user)
    supervises = scope is not None and scope.level in (ScopeLevel.COUNTY, ScopeLevel.TOWN)
    if permitted(user, ServiceRequest, "change") or supervises:
        overdue = mine.filter(overdue_condition(now))
        count = overdue.count()
        items.append(
            Item(
                "requests_overdue",
                _("Overdue requests"),
                count,
                link(REQUESTS_ADMIN, overdue="yes"),
                due=_earliest(overdue, "due_at"),
                urgent=count > 0,
            )
        )
        soon = mine.filter(due_soon_condition(now))
        items.append(
            Item(
                "requests_due_soon",
                _("Requests due within 24 hours"),
                soon.count(),
                link(REQUESTS_ADMIN, overdue="soon"),
                due=_earliest(soon, "due_at"),
            )
        )
    return items

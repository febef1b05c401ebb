"""The roster (社区工作者名册) as other apps write it: people join and leave a community's committee.

Hiring adds people inside the recruitment's own stage machine (``staffing.actions``); these two actions are
for the other ways onto the roster, such as a committee elected by the residents (``governance``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from community.scoping import ADD, CHANGE, ensure_in_scope

from .models import StaffMember


@transaction.atomic
def staff_member_add(
    *, by, community, name: str, id_number: str, post: str, party_member: bool, education: str, origin: str,
    start: dt.date,
) -> StaffMember:  # fmt: skip
    """Put a person on the community's roster from ``start``; a person holds one current post at a time."""
    current = StaffMember.objects.select_for_update().filter(id_number=id_number, end__isnull=True).first()
    if current is not None:
        raise ValidationError(
            _("%(name)s already holds a post on the roster of %(community)s since %(day)s.")
            % {"name": current.name, "community": current.community, "day": current.start}
        )
    member = StaffMember(
        community=community,
        name=name,
        id_number=id_number,
        post=post,
        party_member=party_member,
        education=education,
        origin=origin,
        start=start,
    )
    ensure_in_scope(by, member, ADD)
    member.full_clean(exclude=["birth_date"])
    member.save()
    return member


@transaction.atomic
def staff_member_end(*, by, member_id: int, on: dt.date) -> StaffMember:
    """Take a person off the roster on ``on`` (the last day in post)."""
    member = StaffMember.objects.select_for_update().select_related("community__town").get(pk=member_id)
    ensure_in_scope(by, member, CHANGE)
    if member.end is not None:
        raise ValidationError(_("%(name)s left the roster on %(day)s.") % {"name": member.name, "day": member.end})
    member.end = max(on, member.start)
    member.save(update_fields=["end"])
    return member


def roster_current(*, community=None, id_numbers=(), origin: str = "", before: dt.date | None = None):
    """Current roster entries (open-ended), by community and origin or by people's ID numbers."""
    rows = StaffMember.objects.filter(end__isnull=True)
    if community is not None:
        rows = rows.filter(community=community)
    if id_numbers:
        rows = rows.filter(id_number__in=list(id_numbers))
    if origin:
        rows = rows.filter(origin=origin)
    if before is not None:
        rows = rows.filter(start__lt=before)
    return list(rows.order_by("pk"))

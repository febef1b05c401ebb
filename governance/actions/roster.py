"""Putting an election's elected members on the staffing roster, through staffing's roster actions."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from staffing.choices import Origin, StaffPost
from staffing.roster import roster_current, staff_member_add, staff_member_end

from ..choices import CommitteePost
from ..models import Candidate, Election

ROSTER_POST = {
    CommitteePost.DIRECTOR: StaffPost.DIRECTOR,
    CommitteePost.DEPUTY: StaffPost.MEMBER,
    CommitteePost.MEMBER: StaffPost.MEMBER,
}


def seat_elected(*, by, election: Election) -> list:
    """Close the outgoing elected committee's entries and each newly elected member's old entry; open the new."""
    elected = list(Candidate.objects.filter(election=election, elected=True).select_related("resident"))
    if not elected:
        raise ValidationError(_("Nobody was elected: there is no committee to seat."))
    day_before = election.term_start - dt.timedelta(days=1)
    outgoing = roster_current(community=election.community, origin=Origin.ELECTED, before=election.term_start)
    for member in outgoing:
        staff_member_end(by=by, member_id=member.pk, on=day_before)
    for member in roster_current(id_numbers={c.resident.id_number for c in elected}):
        if member.start >= election.term_start:
            raise ValidationError(
                _("%(name)s is already on a roster from %(day)s.") % {"name": member.name, "day": member.start}
            )
        staff_member_end(by=by, member_id=member.pk, on=day_before)
    return [
        staff_member_add(
            by=by,
            community=election.community,
            name=candidate.resident.name,
            id_number=candidate.resident.id_number,
            post=ROSTER_POST[candidate.post],
            party_member=candidate.party_member,
            education=candidate.education,
            origin=Origin.ELECTED,
            start=election.term_start,
        )
        for candidate in elected
    ]

"""走访: visits of the coverers to the households they cover."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from community.models import Household
from community.scoping import ensure_in_scope

from .. import selectors
from ..choices import (
    CoverageRole,
    VisitWay,
)
from ..models import (
    Assignment,
    PartyMember,
    Visit,
)
from .common import today
from .summaries import rebuild_coverage_summaries

# --- 走访: visits -----------------------------------------------------------------------


def visit_check(*, member: PartyMember, date: dt.date, way: str) -> None:
    if way not in VisitWay.values:
        raise ValidationError({"way": _("Choose how the visit was made.")})
    if date > today():
        raise ValidationError({"date": _("A visit cannot be recorded for a future date.")})
    if member.left is not None and date > member.left:
        raise ValidationError({"date": _("%(name)s had left by then.") % {"name": member}})


def visit_by_coverer(*, member_id: int, household_id: int, date: dt.date) -> bool:
    """Did this member cover this household on that day?"""
    return Assignment.objects.filter(
        selectors.active_q(date), member_id=member_id, household_id=household_id, role=CoverageRole.HOUSEHOLD
    ).exists()


@transaction.atomic
def visit_record(
    *,
    by,
    member_id: int,
    household_id: int,
    date: dt.date,
    way: str = VisitWay.DOOR,
    raised: str = "",
    needs_follow_up: bool = False,
) -> Visit:
    """Record a visit.  A visit by a member who does not cover the household is kept, but flagged."""
    household = Household.objects.select_related("building__zone__community__town").filter(pk=household_id).first()
    if household is None:
        raise ValidationError({"household": _("There is no such household.")})
    ensure_in_scope(by, household.building.zone.community)
    members = PartyMember.objects.for_user(by) if by is not None else PartyMember.objects.all()
    member = members.filter(pk=member_id).first()
    if member is None:
        raise ValidationError({"member": _("There is no such party member in your scope.")})
    visit_check(member=member, date=date, way=way)
    raised = (raised or "").strip()
    visit = Visit.objects.create(
        member=member,
        household=household,
        date=date,
        way=way,
        raised=raised,
        needs_follow_up=needs_follow_up or bool(raised),
        by_coverer=visit_by_coverer(member_id=member.pk, household_id=household.pk, date=date),
        recorded_by=by,
    )
    rebuild_coverage_summaries(communities=[household.building.zone.community_id])
    return visit


@transaction.atomic
def visit_link_request(*, by, visit_id: int, request_code: str) -> Visit:
    """Link what a visit raised to the service request made from it (called by the services app)."""
    code = (request_code or "").strip()
    if not code:
        raise ValidationError({"request_code": _("Give the service request's tracking code.")})
    if len(code) > Visit._meta.get_field("service_request_code").max_length:
        raise ValidationError({"request_code": _("This tracking code is too long.")})
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("household__building__zone__community__town")
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        raise ValidationError({"visit": _("There is no such visit.")})
    if by is not None:
        ensure_in_scope(by, visit.household.building.zone.community)
    if visit.service_request_code and visit.service_request_code != code:
        raise ValidationError(
            _("This visit is already linked to service request %(code)s.") % {"code": visit.service_request_code}
        )
    if visit.service_request_code != code:
        visit.service_request_code = code
        visit.save(update_fields=["service_request_code", "updated_at"])
    return visit

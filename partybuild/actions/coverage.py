"""四包: who covers which household, building, zone or resident unit; hand-overs and rebalancing."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from community.models import Building, Community, Household, Zone
from community.scoping import ensure_in_scope

from .. import selectors
from ..choices import (
    COVERAGE_POSITIONS,
    CoverageRole,
    EndReason,
    PositionRole,
)
from ..models import (
    Assignment,
    PartyMember,
    Position,
)
from .common import today
from .summaries import communities_of_assignments, rebuild_coverage_summaries

# --- 四包: coverage ---------------------------------------------------------------------

_TARGET_MODELS = {
    CoverageRole.POINT: Community,
    CoverageRole.ZONE: Zone,
    CoverageRole.BUILDING: Building,
    CoverageRole.HOUSEHOLD: Household,
}
_TARGET_PATHS = {
    CoverageRole.POINT: ("", ["town"]),
    CoverageRole.ZONE: ("community", ["community__town"]),
    CoverageRole.BUILDING: ("zone__community", ["zone__community__town"]),
    CoverageRole.HOUSEHOLD: ("building__zone__community", ["building__zone__community__town"]),
}


def target_fields(role: str, target) -> dict:
    """community/zone/building/household for an assignment of ``role`` to ``target``."""
    if role == CoverageRole.POINT:
        return {"community": target}
    if role == CoverageRole.ZONE:
        return {"community": target.community, "zone": target}
    if role == CoverageRole.BUILDING:
        return {"community": target.zone.community, "building": target}
    return {"community": target.building.zone.community, "household": target}


def _lock_target(role: str, target_id):
    if role not in CoverageRole.values:
        raise ValidationError({"role": _("Choose one of the four coverage duties.")})
    model = _TARGET_MODELS[role]
    _path, related = _TARGET_PATHS[role]
    try:
        return model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=target_id)
    except (model.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"target": _("There is no such %(what)s.") % {"what": model._meta.verbose_name}})


def assignment_check(*, member: PartyMember, role: str, target, on: dt.date) -> None:
    """The coverage rules, without writing: the role matches the level, the target lies in the member's scope."""
    if member.left is not None:
        raise ValidationError({"member": _("%(name)s has left and can cover nothing.") % {"name": member}})
    if on < member.registered:
        raise ValidationError({"start": _("Coverage cannot start before the member registered here.")})
    community = target_fields(role, target)["community"]
    needed = COVERAGE_POSITIONS[role]
    if needed:
        roles = set(
            Position.objects.filter(member=member, end__isnull=True, role__in=needed)
            .filter(
                organisation__town_id=community.town_id,
                **({} if role == CoverageRole.POINT else {"organisation__community_id": community.pk}),
            )
            .values_list("role", flat=True)
        )
        if not roles:
            raise ValidationError(
                {
                    "role": _("%(duty)s is a duty of a %(positions)s; %(name)s holds no such position here.")
                    % {
                        "duty": CoverageRole(role).label,
                        "positions": _(" or ").join(str(PositionRole(p).label) for p in needed),
                        "name": member,
                    }
                }
            )
        return
    home = member.organisation
    if home.community_id != community.pk:
        raise ValidationError(
            {
                "household": _(
                    "%(name)s belongs to the party organisation of another community and cannot cover "
                    "a household of %(community)s."
                )
                % {"name": member, "community": community}
            }
        )


def active_on_target(role: str, fields: dict, *, lock: bool = True) -> Assignment | None:
    """The assignment currently holding this duty on this target, if any."""
    key = {CoverageRole.POINT: "community"}.get(role, role)
    queryset = Assignment.objects.filter(role=role, end__isnull=True, **{key: fields[key]}).select_related("member")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.first()


def already_covered_error(role: str, target, current: Assignment) -> ValidationError:
    return ValidationError(
        _("%(target)s is already covered (%(duty)s) by %(name)s; end or hand over that assignment first.")
        % {"target": target, "duty": CoverageRole(role).label, "name": current.member}
    )


@transaction.atomic
def assignment_create(
    *,
    by,
    member_id: int,
    role: str,
    target_id: int,
    start: dt.date | None = None,
    replaces: Assignment | None = None,
) -> Assignment:
    """Give a member a coverage duty (包点/包片/包楼/包户); one active coverer per target and duty."""
    assignment = _create(by=by, member_id=member_id, role=role, target_id=target_id, start=start, replaces=replaces)
    rebuild_coverage_summaries(visits=False, communities=communities_of_assignments([assignment.pk]))
    return assignment


def _create(*, by, member_id: int, role: str, target_id: int, start: dt.date | None, replaces: Assignment | None):
    """``assignment_create`` without the summary rebuild (its callers rebuild once, after all their writes)."""
    start = start or today()
    target = _lock_target(role, target_id)
    fields = target_fields(role, target)
    ensure_in_scope(by, fields["community"])
    member = (
        PartyMember.objects.select_for_update(of=("self",)).select_related("organisation").filter(pk=member_id).first()
    )
    if member is None:
        raise ValidationError({"member": _("There is no such party member.")})
    if by is not None and not PartyMember.objects.for_user(by).filter(pk=member.pk).exists():
        raise ValidationError({"member": _("This party member lies outside your scope.")})
    assignment_check(member=member, role=role, target=target, on=start)
    current = active_on_target(role, fields)
    if current is not None:
        raise already_covered_error(role, target, current)
    try:
        with transaction.atomic():
            return Assignment.objects.create(
                member=member, role=role, start=start, replaces=replaces, created_by=by, **fields
            )
    except IntegrityError:
        raise ValidationError(_("%(target)s was covered by someone else at the same moment.") % {"target": target})


def end_assignment(assignment: Assignment, *, on: dt.date, reason: str, by, note: str = "") -> Assignment:
    assignment.end = max(on, assignment.start)
    assignment.end_reason = reason
    assignment.end_note = str(note)[:200]
    assignment.ended_by = by
    assignment.save(update_fields=["end", "end_reason", "end_note", "ended_by", "updated_at"])
    return assignment


@transaction.atomic
def assignment_end(*, by, assignment_id: int, reason: str, on: dt.date | None = None, note: str = "") -> Assignment:
    """End a duty with a recorded reason (nothing is silently orphaned)."""
    assignment = _end(by=by, assignment_id=assignment_id, reason=reason, on=on, note=note)
    rebuild_coverage_summaries(visits=False, communities=communities_of_assignments([assignment.pk]))
    return assignment


def _end(*, by, assignment_id: int, reason: str, on: dt.date | None, note: str) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update(of=("self",)).select_related("community__town").get(pk=assignment_id)
    )
    ensure_in_scope(by, assignment.community)
    if assignment.end is not None:
        raise ValidationError(_("This assignment already ended on %(date)s.") % {"date": assignment.end})
    if reason not in EndReason.values:
        raise ValidationError({"reason": _("Give the reason the assignment ends.")})
    on = on or today()
    if on < assignment.start:
        raise ValidationError({"on": _("The end date cannot be before the start date.")})
    return end_assignment(assignment, on=on, reason=reason, by=by, note=note)


@transaction.atomic
def assignment_handover(
    *,
    by,
    assignment_id: int,
    to_member_id: int,
    on: dt.date | None = None,
    reason: str = EndReason.REBALANCED,
    note: str = "",
) -> Assignment:
    """End an assignment and give the same target to another member, in one step (the successor is recorded)."""
    successor = _handover(
        by=by, assignment_id=assignment_id, to_member_id=to_member_id, on=on, reason=reason, note=note
    )
    rebuild_coverage_summaries(
        visits=False, communities=communities_of_assignments([successor.pk, successor.replaces_id])
    )
    return successor


def _handover(*, by, assignment_id: int, to_member_id: int, on: dt.date | None, reason: str, note: str) -> Assignment:
    old = _end(by=by, assignment_id=assignment_id, reason=reason, on=on, note=note)
    if old.member_id == int(to_member_id):
        raise ValidationError({"member": _("Hand the assignment over to another member.")})
    target_id = {
        CoverageRole.POINT: old.community_id,
        CoverageRole.ZONE: old.zone_id,
        CoverageRole.BUILDING: old.building_id,
        CoverageRole.HOUSEHOLD: old.household_id,
    }[old.role]
    return _create(by=by, member_id=to_member_id, role=old.role, target_id=target_id, start=old.end, replaces=old)


@transaction.atomic
def coverage_bulk_assign_building(
    *, by, building_id: int, member_ids: list[int], start: dt.date | None = None
) -> list[Assignment]:
    """Share a building's uncovered households among members, lightest load first; all or nothing."""
    building = (
        Building.objects.select_for_update(of=("self",))
        .select_related("zone__community__town")
        .filter(pk=building_id)
        .first()
    )
    if building is None:
        raise ValidationError({"building": _("There is no such building.")})
    ensure_in_scope(by, building.zone.community)
    member_ids = list(dict.fromkeys(int(m) for m in member_ids))
    if not member_ids:
        raise ValidationError({"members": _("Choose at least one party member.")})
    members = (
        list(
            PartyMember.objects.for_user(by)
            .select_for_update(of=("self",))
            .select_related("organisation")
            .filter(pk__in=member_ids)
        )
        if by is not None
        else list(PartyMember.objects.select_related("organisation").filter(pk__in=member_ids))
    )
    if len(members) != len(member_ids):
        raise ValidationError({"members": _("Some of the chosen members do not exist or lie outside your scope.")})
    households = list(
        selectors.uncovered_households_qs(Household.objects.filter(building=building))
        .select_for_update(of=("self",))
        .order_by("number", "pk")
    )
    if not households:
        raise ValidationError(_("Every household of %(building)s is already covered.") % {"building": building})
    start = start or today()
    for member in members:
        assignment_check(member=member, role=CoverageRole.HOUSEHOLD, target=households[0], on=start)
    loads = selectors.member_loads(member_ids=[m.pk for m in members])
    created = []
    for household in households:
        member = min(members, key=lambda m: (loads.get(m.pk, 0), m.name, m.pk))
        created.append(
            _create(
                by=by,
                member_id=member.pk,
                role=CoverageRole.HOUSEHOLD,
                target_id=household.pk,
                start=start,
                replaces=None,
            )
        )
        loads[member.pk] = loads.get(member.pk, 0) + 1
    rebuild_coverage_summaries(visits=False, communities=communities_of_assignments([a.pk for a in created]))
    return created


@transaction.atomic
def coverage_rebalance(
    *, by, community_id: int, band: tuple[int, int] | None = None, on: dt.date | None = None
) -> list[Assignment]:
    """Hand households from members above the band to the lightest members of the same community.

    A household moves to a member who lives in, or already covers, the same building or zone where one
    can take it; returns the new assignments (each records the one it replaces).
    """
    community = Community.objects.select_related("town").filter(pk=community_id).first()
    if community is None:
        raise ValidationError({"community": _("There is no such community.")})
    ensure_in_scope(by, community)
    _low, high = band or selectors.load_band()
    members = list(
        PartyMember.objects.active()
        .select_for_update(of=("self",))
        .filter(organisation__community=community)
        .order_by("name", "pk")
    )
    if not members:
        raise ValidationError(_("%(community)s has no active party members.") % {"community": community})
    loads = selectors.member_loads(member_ids=[m.pk for m in members])
    affinity = selectors.member_affinity(member_ids=[m.pk for m in members])
    moved = []
    saturated = False  # nobody left below the band's top
    for giver in sorted(members, key=lambda m: -loads.get(m.pk, 0)):
        excess = loads.get(giver.pk, 0) - high
        if saturated:
            break
        if excess <= 0:
            continue
        held = list(
            Assignment.objects.select_for_update(of=("self",))
            .filter(member=giver, role=CoverageRole.HOUSEHOLD, end__isnull=True)
            .select_related("household__building")
            .order_by("-start", "-pk")
        )
        for assignment in held[:excess]:
            building = assignment.household.building
            takers = [m for m in members if m.pk != giver.pk and loads.get(m.pk, 0) < high]
            if not takers:
                saturated = True
                break
            taker = min(
                takers, key=lambda m: (selectors.affinity_rank(affinity, m.pk, building), loads.get(m.pk, 0), m.pk)
            )
            moved.append(
                _handover(
                    by=by,
                    assignment_id=assignment.pk,
                    to_member_id=taker.pk,
                    on=on,
                    reason=EndReason.REBALANCED,
                    note=_("Load above %(high)d households") % {"high": high},
                )
            )
            loads[giver.pk] -= 1
            loads[taker.pk] = loads.get(taker.pk, 0) + 1
    touched = [pk for a in moved for pk in (a.pk, a.replaces_id)]
    rebuild_coverage_summaries(visits=False, communities={community.pk, *communities_of_assignments(touched)})
    return moved

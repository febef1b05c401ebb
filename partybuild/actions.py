"""Writes of the party liaison network.  Admin, API, pages and tasks call these and nothing else.

Every function is keyword-only, runs in one transaction, locks the rows it decides on and
raises ``ValidationError`` naming the rule it refuses on (``PermissionDenied`` outside the scope).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import Building, Community, Household, Zone
from community.scoping import ensure_in_scope

from . import selectors
from .choices import (
    COVERAGE_POSITIONS,
    POSITION_LEVEL,
    SINGLE_HOLDER,
    CoverageRole,
    EndReason,
    LeaveReason,
    LiaisonKind,
    OrgKind,
    PositionRole,
    VisitWay,
)
from .models import (
    Assignment,
    CoverageReport,
    Liaison,
    PartyMember,
    PartyOrganisation,
    Position,
    Visit,
    VisitsDueNotice,
)

# --- scope ------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _check_dates(start: dt.date, end: dt.date | None) -> None:
    if end is not None and end < start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})


# --- organisations and members ----------------------------------------------------------


def organisation_check(org: PartyOrganisation) -> None:
    """The tree rule: committee (town level) → branch (in a community) → group (in its branch's community)."""
    if org.kind == OrgKind.COMMITTEE:
        if org.parent_id or org.community_id:
            raise ValidationError(_("A town party committee sits at town level: it has no parent and no community."))
        return
    if org.community_id is None:
        raise ValidationError({"community": _("A branch or party group belongs to a community.")})
    parent = org.parent
    if parent is None:
        raise ValidationError({"parent": _("A branch belongs to its town party committee, a group to its branch.")})
    wanted = OrgKind.COMMITTEE if org.kind == OrgKind.BRANCH else OrgKind.BRANCH
    if parent.kind != wanted:
        raise ValidationError(
            {
                "parent": _("A %(kind)s must sit directly under a %(parent)s.")
                % {"kind": OrgKind(org.kind).label, "parent": OrgKind(wanted).label}
            }
        )
    community = org.community
    if parent.town_id != community.town_id:
        raise ValidationError({"parent": _("The parent organisation belongs to another town.")})
    if org.kind == OrgKind.GROUP and parent.community_id != org.community_id:
        raise ValidationError({"parent": _("A party group belongs to a branch of its own community.")})
    org.town_id = community.town_id


@transaction.atomic
def organisation_save(*, by, instance: PartyOrganisation) -> PartyOrganisation:
    if instance.pk:
        current = PartyOrganisation.objects.select_for_update().filter(pk=instance.pk).first()
        if current is not None:
            ensure_in_scope(by, current)
            if current.kind != instance.kind:
                raise ValidationError({"kind": _("The kind of an organisation cannot be changed.")})
    if instance.community_id and not instance.town_id:
        instance.town_id = instance.community.town_id
    organisation_check(instance)
    ensure_in_scope(by, instance)
    instance.full_clean()
    instance.save()
    return instance


def _end_member_duties(member: PartyMember, *, on: dt.date, reason: str, by, note: str = "") -> int:
    """End the member's positions, coverage and branch liaisons; returns the number of assignments ended."""
    ended = 0
    for assignment in Assignment.objects.select_for_update().filter(member=member, end__isnull=True):
        _end_assignment(assignment, on=on, reason=reason, by=by, note=note)
        ended += 1
    for position in Position.objects.select_for_update().filter(member=member, end__isnull=True):
        position.end = max(on, position.start)
        position.save(update_fields=["end", "updated_at"])
    liaisons = Liaison.objects.select_for_update().filter(end__isnull=True)
    for liaison in liaisons.filter(to_member=member) | liaisons.filter(from_member=member):
        liaison.end, liaison.end_reason = max(on, liaison.start), reason
        liaison.save(update_fields=["end", "end_reason", "updated_at"])
    return ended


@transaction.atomic
def member_save(*, by, instance: PartyMember, on: dt.date | None = None) -> PartyMember:
    """Create or change a member; a member moved to another organisation first hands back every duty."""
    previous = None
    if instance.pk:
        previous = (
            PartyMember.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=instance.pk)
        )
        ensure_in_scope(by, previous.organisation)
        if previous.left is not None:
            raise ValidationError(
                _("This member has left (%(date)s); their record is closed.") % {"date": previous.left}
            )
    organisation = instance.organisation
    ensure_in_scope(by, organisation)
    instance.full_clean()
    if previous is not None and previous.organisation_id != instance.organisation_id:
        _end_member_duties(
            previous,
            on=on or _today(),
            reason=EndReason.TRANSFERRED_OUT,
            by=by,
            note=_("Moved to %(org)s") % {"org": organisation},
        )
    instance.save()
    if (
        organisation.branch is not None
        and not Liaison.objects.filter(kind=LiaisonKind.BRANCH_MEMBER, to_member=instance, end__isnull=True).exists()
    ):
        Liaison.objects.create(
            kind=LiaisonKind.BRANCH_MEMBER,
            community_id=organisation.community_id,
            from_org=organisation.branch,
            to_member=instance,
            start=on or instance.registered,
        )
    return instance


@transaction.atomic
def member_transfer_out(
    *, by, member_id: int, on: dt.date | None = None, reason: str = LeaveReason.TRANSFERRED_OUT, destination: str = ""
) -> tuple[PartyMember, int]:
    """组织关系转接 or a move away: the member leaves and every duty ends with the reason recorded."""
    member = PartyMember.objects.select_for_update(of=("self",)).select_related("organisation__town").get(pk=member_id)
    ensure_in_scope(by, member.organisation)
    on = on or _today()
    if member.left is not None:
        raise ValidationError(_("This member already left on %(date)s.") % {"date": member.left})
    if reason not in LeaveReason.values:
        raise ValidationError({"reason": _("Choose why the member leaves.")})
    if on < member.registered:
        raise ValidationError({"on": _("A member cannot leave before being registered here.")})
    if reason == LeaveReason.TRANSFERRED_OUT and not destination.strip():
        raise ValidationError({"destination": _("Name the organisation the member transfers to.")})
    end_reason = {LeaveReason.TRANSFERRED_OUT: EndReason.TRANSFERRED_OUT, LeaveReason.MOVED: EndReason.MOVED}.get(
        reason, EndReason.OTHER
    )
    ended = _end_member_duties(member, on=on, reason=end_reason, by=by, note=destination or LeaveReason(reason).label)
    member.left, member.left_reason, member.left_to = on, reason, destination.strip()[:100]
    member.save(update_fields=["left", "left_reason", "left_to", "updated_at"])
    return member, ended


def position_check(position: Position) -> None:
    role, org, member = position.role, position.organisation, position.member
    if POSITION_LEVEL[role] != org.kind:
        raise ValidationError(
            {
                "role": _("A %(role)s is held in a %(kind)s, not in a %(here)s.")
                % {
                    "role": PositionRole(role).label,
                    "kind": OrgKind(POSITION_LEVEL[role]).label,
                    "here": OrgKind(org.kind).label,
                }
            }
        )
    if member.left is not None:
        raise ValidationError({"member": _("This member has left and can hold no position.")})
    home = member.organisation
    belongs = (
        home.town_id == org.town_id
        if org.kind == OrgKind.COMMITTEE
        else (home.branch is not None and home.branch.pk == (org.branch.pk if org.branch else None))
        if org.kind == OrgKind.BRANCH
        else home.pk == org.pk
    )
    if not belongs:
        raise ValidationError({"member": _("A position is held by a member of that organisation.")})
    _check_dates(position.start, position.end)


@transaction.atomic
def position_save(*, by, instance: Position) -> Position:
    if instance.pk:
        current = Position.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=instance.pk)
        ensure_in_scope(by, current.organisation)
    organisation = PartyOrganisation.objects.select_for_update().get(pk=instance.organisation_id)
    ensure_in_scope(by, organisation)
    position_check(instance)
    if instance.end is None and instance.role in SINGLE_HOLDER:
        holder = (
            Position.objects.filter(organisation=organisation, role=instance.role, end__isnull=True)
            .exclude(pk=instance.pk)
            .select_related("member")
            .first()
        )
        if holder is not None:
            raise ValidationError(
                {
                    "role": _("%(org)s already has a %(role)s (%(name)s); end that position first.")
                    % {"org": organisation, "role": PositionRole(instance.role).label, "name": holder.member}
                }
            )
    instance.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ValidationError(_("This member already holds this position."))
    if instance.end is not None:
        _end_duties_needing_position(instance.member, on=instance.end, by=by)
    return instance


def _end_duties_needing_position(member: PartyMember, *, on: dt.date, by) -> int:
    """End the 包点/包片/包楼 duties the member no longer holds a position for."""
    held = set(Position.objects.filter(member=member, end__isnull=True).values_list("role", flat=True))
    ended = 0
    for assignment in Assignment.objects.select_for_update().filter(member=member, end__isnull=True):
        needed = COVERAGE_POSITIONS[assignment.role]
        if needed and not held.intersection(needed):
            _end_assignment(assignment, on=on, reason=EndReason.POSITION_ENDED, by=by)
            ended += 1
    return ended


@transaction.atomic
def position_end(*, by, position_id: int, on: dt.date | None = None) -> Position:
    position = Position.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=position_id)
    ensure_in_scope(by, position.organisation)
    if position.end is not None:
        raise ValidationError(_("This position already ended on %(date)s.") % {"date": position.end})
    position.end = on or _today()
    _check_dates(position.start, position.end)
    position.save(update_fields=["end", "updated_at"])
    _end_duties_needing_position(position.member, on=position.end, by=by)
    return position


# --- 四联: liaisons ---------------------------------------------------------------------


def _active_roles(member: PartyMember, organisation: PartyOrganisation | None = None) -> set[str]:
    positions = Position.objects.filter(member=member, end__isnull=True)
    if organisation is not None:
        positions = positions.filter(organisation=organisation)
    return set(positions.values_list("role", flat=True))


def liaison_resolve(
    *,
    kind: str,
    from_org_id: int | None = None,
    to_org_id: int | None = None,
    from_member_id: int | None = None,
    to_member_id: int | None = None,
    lock: bool = False,
) -> tuple[int, dict]:
    """The level rules of 四联, without writing: returns (community id, the link's ends) or raises."""
    if kind not in LiaisonKind.values:
        raise ValidationError({"kind": _("Choose one of the liaison links.")})
    orgs = PartyOrganisation.objects.select_related("town")
    members = PartyMember.objects.select_related("organisation")
    if lock:
        members = members.select_for_update(of=("self",))

    def one(queryset, pk, field):
        obj = queryset.filter(pk=pk).first() if pk is not None else None
        if obj is None:
            raise ValidationError({field: _("This link needs this field.")})
        return obj

    if kind == LiaisonKind.COMMITTEE_BRANCH:
        committee, branch = one(orgs, from_org_id, "from_org"), one(orgs, to_org_id, "to_org")
        if committee.kind != OrgKind.COMMITTEE or branch.kind != OrgKind.BRANCH:
            raise ValidationError(_("This link joins a town party committee to a branch."))
        if branch.parent_id != committee.pk:
            raise ValidationError({"to_org": _("The branch belongs to another party committee.")})
        return branch.community_id, {"from_org": committee, "to_org": branch}
    if kind == LiaisonKind.MEMBER_SECRETARY:
        officer, secretary = one(members, from_member_id, "from_member"), one(members, to_member_id, "to_member")
        if not _active_roles(officer) & {PositionRole.COMMITTEE_MEMBER, PositionRole.COMMITTEE_SECRETARY}:
            raise ValidationError(
                {"from_member": _("Only a member of the town party committee liaises with branch secretaries.")}
            )
        branch_position = (
            Position.objects.filter(member=secretary, role=PositionRole.BRANCH_SECRETARY, end__isnull=True)
            .select_related("organisation")
            .first()
        )
        if branch_position is None:
            raise ValidationError(
                {"to_member": _("A party committee member liaises with branch secretaries, not with other members.")}
            )
        if branch_position.organisation.town_id != officer.organisation.town_id:
            raise ValidationError({"to_member": _("The branch secretary belongs to another town.")})
        fields = {"from_member": officer, "to_member": secretary}
        community_id = branch_position.organisation.community_id
    else:
        branch, member = one(orgs, from_org_id, "from_org"), one(members, to_member_id, "to_member")
        if branch.kind != OrgKind.BRANCH:
            raise ValidationError({"from_org": _("A branch liaises with its party members.")})
        home = member.organisation.branch
        if home is None or home.pk != branch.pk:
            raise ValidationError({"to_member": _("A branch liaises with its own members only.")})
        fields = {"from_org": branch, "to_member": member}
        community_id = branch.community_id
    for member in [fields.get("from_member"), fields.get("to_member")]:
        if member is not None and member.left is not None:
            raise ValidationError(_("%(name)s has left and can take no liaison.") % {"name": member})
    return community_id, fields


@transaction.atomic
def liaison_create(
    *,
    by,
    kind: str,
    from_org_id: int | None = None,
    to_org_id: int | None = None,
    from_member_id: int | None = None,
    to_member_id: int | None = None,
    start: dt.date | None = None,
    note: str = "",
) -> Liaison:
    """Record one of the first three links of 四联, refusing a link at the wrong level or a duplicate."""
    community_id, fields = liaison_resolve(
        kind=kind,
        from_org_id=from_org_id,
        to_org_id=to_org_id,
        from_member_id=from_member_id,
        to_member_id=to_member_id,
        lock=True,
    )
    ensure_in_scope(by, Community.objects.select_related("town").get(pk=community_id))
    active = Liaison.objects.filter(kind=kind, end__isnull=True)
    duplicate = {
        LiaisonKind.COMMITTEE_BRANCH: {"to_org": fields.get("to_org")},
        LiaisonKind.MEMBER_SECRETARY: {"from_member": fields.get("from_member"), "to_member": fields.get("to_member")},
        LiaisonKind.BRANCH_MEMBER: {"to_member": fields.get("to_member")},
    }[kind]
    if active.filter(**duplicate).exists():
        raise ValidationError(_("This link is already recorded and still active."))
    try:
        with transaction.atomic():
            return Liaison.objects.create(
                kind=kind, community_id=community_id, start=start or _today(), note=note, **fields
            )
    except IntegrityError:
        raise ValidationError(_("This link is already recorded and still active."))


@transaction.atomic
def liaison_end(*, by, liaison_id: int, on: dt.date | None = None, reason: str = EndReason.OTHER) -> Liaison:
    liaison = Liaison.objects.select_for_update(of=("self",)).select_related("community__town").get(pk=liaison_id)
    ensure_in_scope(by, liaison.community)
    if liaison.end is not None:
        raise ValidationError(_("This link already ended on %(date)s.") % {"date": liaison.end})
    if reason not in EndReason.values:
        raise ValidationError({"reason": _("Choose why the link ends.")})
    liaison.end = on or _today()
    _check_dates(liaison.start, liaison.end)
    liaison.end_reason = reason
    liaison.save(update_fields=["end", "end_reason", "updated_at"])
    return liaison


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
    start = start or _today()
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


def _end_assignment(assignment: Assignment, *, on: dt.date, reason: str, by, note: str = "") -> Assignment:
    assignment.end = max(on, assignment.start)
    assignment.end_reason = reason
    assignment.end_note = str(note)[:200]
    assignment.ended_by = by
    assignment.save(update_fields=["end", "end_reason", "end_note", "ended_by", "updated_at"])
    return assignment


@transaction.atomic
def assignment_end(*, by, assignment_id: int, reason: str, on: dt.date | None = None, note: str = "") -> Assignment:
    """End a duty with a recorded reason (nothing is silently orphaned)."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",)).select_related("community__town").get(pk=assignment_id)
    )
    ensure_in_scope(by, assignment.community)
    if assignment.end is not None:
        raise ValidationError(_("This assignment already ended on %(date)s.") % {"date": assignment.end})
    if reason not in EndReason.values:
        raise ValidationError({"reason": _("Give the reason the assignment ends.")})
    on = on or _today()
    if on < assignment.start:
        raise ValidationError({"on": _("The end date cannot be before the start date.")})
    return _end_assignment(assignment, on=on, reason=reason, by=by, note=note)


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
    old = assignment_end(by=by, assignment_id=assignment_id, reason=reason, on=on, note=note)
    if old.member_id == int(to_member_id):
        raise ValidationError({"member": _("Hand the assignment over to another member.")})
    target_id = {
        CoverageRole.POINT: old.community_id,
        CoverageRole.ZONE: old.zone_id,
        CoverageRole.BUILDING: old.building_id,
        CoverageRole.HOUSEHOLD: old.household_id,
    }[old.role]
    return assignment_create(
        by=by, member_id=to_member_id, role=old.role, target_id=target_id, start=old.end, replaces=old
    )


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
    start = start or _today()
    for member in members:
        assignment_check(member=member, role=CoverageRole.HOUSEHOLD, target=households[0], on=start)
    loads = selectors.member_loads(member_ids=[m.pk for m in members])
    created = []
    for household in households:
        member = min(members, key=lambda m: (loads.get(m.pk, 0), m.name, m.pk))
        created.append(
            assignment_create(
                by=by, member_id=member.pk, role=CoverageRole.HOUSEHOLD, target_id=household.pk, start=start
            )
        )
        loads[member.pk] = loads.get(member.pk, 0) + 1
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
    for giver in sorted(members, key=lambda m: -loads.get(m.pk, 0)):
        excess = loads.get(giver.pk, 0) - high
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
                return moved
            taker = min(
                takers, key=lambda m: (selectors.affinity_rank(affinity, m.pk, building), loads.get(m.pk, 0), m.pk)
            )
            moved.append(
                assignment_handover(
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
    return moved


# --- 走访: visits -----------------------------------------------------------------------


def visit_check(*, member: PartyMember, date: dt.date, way: str) -> None:
    if way not in VisitWay.values:
        raise ValidationError({"way": _("Choose how the visit was made.")})
    if date > _today():
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
    return Visit.objects.create(
        member=member,
        household=household,
        date=date,
        way=way,
        raised=raised,
        needs_follow_up=needs_follow_up or bool(raised),
        by_coverer=visit_by_coverer(member_id=member.pk, household_id=household.pk, date=date),
        recorded_by=by,
    )


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


# --- jobs' writes -----------------------------------------------------------------------


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@transaction.atomic
def visits_due_notify(*, branch_id: int, week: dt.date, days: int | None = None) -> VisitsDueNotice:
    """The week's list of households due a visit, stored and emailed to the branch secretary once."""
    week = week_start(week)
    days = days or selectors.visit_due_days()
    branch = PartyOrganisation.objects.select_for_update(of=("self",)).select_related("community").get(pk=branch_id)
    if branch.kind != OrgKind.BRANCH:
        raise ValidationError(_("Visits-due lists go to branches."))
    notice = VisitsDueNotice.objects.select_for_update().filter(branch=branch, week=week).first()
    if notice is None:
        due = selectors.visits_due(community_id=branch.community_id, days=days, on=week)
        secretary = selectors.branch_secretary(branch_id=branch.pk)
        email = ""
        if secretary is not None:
            email = secretary.email or (secretary.user.email if secretary.user_id else "")
        lines = [
            _("Households of %(community)s not visited for %(days)d days (week of %(week)s): %(n)d")
            % {"community": branch.community, "days": days, "week": week, "n": len(due)},
            "",
        ]
        for row in due:
            last = row.last_visit.isoformat() if row.last_visit else _("never")
            coverer = row.coverer or _("nobody covers it")
            lines.append(
                _("%(household)s — last visit: %(last)s — covered by: %(coverer)s")
                % {"household": row.household, "last": last, "coverer": coverer}
            )
        notice = VisitsDueNotice.objects.create(
            branch=branch,
            week=week,
            recipient=secretary,
            email=email,
            due_days=days,
            household_count=len(due),
            body="\n".join(lines),
        )
    if notice.email and notice.emailed_at is None:
        send_mail(
            _("Visits due this week: %(branch)s") % {"branch": branch},
            notice.body,
            settings.DEFAULT_FROM_EMAIL,
            [notice.email],
        )
        notice.emailed_at = timezone.now()
        notice.save(update_fields=["emailed_at", "updated_at"])
    return notice


@transaction.atomic
def coverage_report_make(*, community_id: int, month: dt.date) -> CoverageReport:
    """The month's coverage section of a community, made once (a second run returns the same row)."""
    month = month.replace(day=1)
    existing = CoverageReport.objects.filter(community_id=community_id, month=month).first()
    if existing is not None:
        return existing
    community = Community.objects.select_for_update(of=("self",)).select_related("town").get(pk=community_id)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    on = min(next_month - dt.timedelta(days=1), _today())
    summary = selectors.coverage_summary(community_ids=[community.pk], on=on, visits_from=month, visits_to=on)
    row = summary.rows[0]
    report, _created = CoverageReport.objects.get_or_create(
        community=community,
        month=month,
        defaults={
            "households": row.households,
            "covered": row.households - row.uncovered,
            "visited_30": row.visited_30,
            "visited_90": row.visited_90,
            "visits": row.visits,
            "members": row.members,
            "members_outside_band": row.members_outside_band,
            "zones_uncovered": row.zones_uncovered,
            "buildings_uncovered": row.buildings_uncovered,
            "ended_without_successor": row.ended_without_successor,
        },
    )
    return report


def member_anonymise_for_resident(*, resident) -> int:
    """A resident anonymised on request (PIPL): the party members linked to that record lose the name and
    e-mail they kept of their own, in the rows and in their history.  Returns the members changed."""
    members = PartyMember.objects.filter(resident=resident)
    changed = members.update(name=resident.name, email="", updated_at=timezone.now())
    PartyMember.history.filter(resident_id=resident.pk).update(name=resident.name, email="")
    return changed


def _on_resident_anonymised(sender, *, resident, **kwargs) -> None:
    member_anonymise_for_resident(resident=resident)

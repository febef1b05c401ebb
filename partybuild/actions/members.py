"""Party organisations, members and their positions."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from community.scoping import ensure_in_scope

from ..choices import (
    COVERAGE_POSITIONS,
    POSITION_LEVEL,
    SINGLE_HOLDER,
    EndReason,
    LeaveReason,
    LiaisonKind,
    OrgKind,
    PositionRole,
)
from ..models import (
    Assignment,
    Liaison,
    PartyMember,
    PartyOrganisation,
    Position,
)
from .common import check_dates, today
from .coverage import end_assignment
from .summaries import communities_of_assignments, rebuild_coverage_summaries

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
    current = None
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
    if current is not None and current.community_id != instance.community_id:  # its members move with it
        rebuild_coverage_summaries(visits=False, communities=[current.community_id, instance.community_id])
    return instance


def _end_member_duties(member: PartyMember, *, on: dt.date, reason: str, by, note: str = "") -> list[int]:
    """End the member's positions, coverage and branch liaisons; returns the ids of the assignments ended."""
    ended = []
    for assignment in Assignment.objects.select_for_update().filter(member=member, end__isnull=True):
        end_assignment(assignment, on=on, reason=reason, by=by, note=note)
        ended.append(assignment.pk)
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
    ended: list[int] = []
    if previous is not None and previous.organisation_id != instance.organisation_id:
        ended = _end_member_duties(
            previous,
            on=on or today(),
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
    rebuild_coverage_summaries(
        visits=False,
        communities={
            organisation.community_id,
            previous.organisation.community_id if previous is not None else None,
            *communities_of_assignments(ended),
        },
    )
    return instance


@transaction.atomic
def member_transfer_out(
    *, by, member_id: int, on: dt.date | None = None, reason: str = LeaveReason.TRANSFERRED_OUT, destination: str = ""
) -> tuple[PartyMember, int]:
    """组织关系转接 or a move away: the member leaves and every duty ends with the reason recorded."""
    member = PartyMember.objects.select_for_update(of=("self",)).select_related("organisation__town").get(pk=member_id)
    ensure_in_scope(by, member.organisation)
    on = on or today()
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
    rebuild_coverage_summaries(
        visits=False, communities={member.organisation.community_id, *communities_of_assignments(ended)}
    )
    return member, len(ended)


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
    check_dates(position.start, position.end)


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
        ended = _end_duties_needing_position(instance.member, on=instance.end, by=by)
        rebuild_coverage_summaries(visits=False, communities=communities_of_assignments(ended))
    return instance


def _end_duties_needing_position(member: PartyMember, *, on: dt.date, by) -> list[int]:
    """End the 包点/包片/包楼 duties the member no longer holds a position for; returns their ids."""
    held = set(Position.objects.filter(member=member, end__isnull=True).values_list("role", flat=True))
    ended = []
    for assignment in Assignment.objects.select_for_update().filter(member=member, end__isnull=True):
        needed = COVERAGE_POSITIONS[assignment.role]
        if needed and not held.intersection(needed):
            end_assignment(assignment, on=on, reason=EndReason.POSITION_ENDED, by=by)
            ended.append(assignment.pk)
    return ended


@transaction.atomic
def position_end(*, by, position_id: int, on: dt.date | None = None) -> Position:
    position = Position.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=position_id)
    ensure_in_scope(by, position.organisation)
    if position.end is not None:
        raise ValidationError(_("This position already ended on %(date)s.") % {"date": position.end})
    position.end = on or today()
    check_dates(position.start, position.end)
    position.save(update_fields=["end", "updated_at"])
    ended = _end_duties_needing_position(position.member, on=position.end, by=by)
    rebuild_coverage_summaries(visits=False, communities=communities_of_assignments(ended))
    return position

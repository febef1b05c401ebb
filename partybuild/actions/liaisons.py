"""四联: liaisons between party organisations and the units they are linked to."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from community.models import Community
from community.scoping import ensure_in_scope

from ..choices import (
    EndReason,
    LiaisonKind,
    OrgKind,
    PositionRole,
)
from ..models import (
    Liaison,
    PartyMember,
    PartyOrganisation,
    Position,
)
from .common import check_dates, today

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
                kind=kind, community_id=community_id, start=start or today(), note=note, **fields
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
    liaison.end = on or today()
    check_dates(liaison.start, liaison.end)
    liaison.end_reason = reason
    liaison.save(update_fields=["end", "end_reason", "updated_at"])
    return liaison

"""Writes of the confidential case records, and the logged reveal of their parties."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from community.actions import personal_data_log, record_save
from community.models import PersonalDataAccess
from community.scoping import ensure_in_scope

REVEAL_PERMISSION = "governance.reveal_case_parties"


@transaction.atomic
def case_save(*, by, case):
    """Create or edit a case in ``by``'s scope; whoever opens a case handles it unless another is named."""
    if case.pk is None and case.handler_id is None:
        case.handler = by
    if (
        case.handler_id
        and case.handler.community_id
        and case.community_id
        and case.handler.community_id != case.community_id
    ):
        raise ValidationError({"handler": _("The handler must be a staff member of the case's community.")})
    return record_save(by=by, instance=case)


def may_see_parties(user, case) -> bool:
    """The handling staff member sees the parties; anyone else sees them masked."""
    return case.handled_by(user)


def case_reveal(*, by, case, reason: str = "") -> list[dict]:
    """The parties unmasked: for the handler, or for someone allowed to reveal who gives a reason; logged."""
    ensure_in_scope(by, case.community)
    if not case.handled_by(by):
        if not by.has_perm(REVEAL_PERMISSION):
            raise PermissionDenied(_("Only the handling staff member may see the parties of this case."))
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Give the reason for revealing the parties.")})
    fields = ",".join(f for pair in case.PARTY_FIELDS for f in pair)
    personal_data_log(by=by, kind=PersonalDataAccess.Kind.REVEAL, obj=case, fields=fields, reason=reason.strip())
    return case.parties(reveal=True)

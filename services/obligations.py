"""Writes of the resident units' obligations (驻区单位的权利与义务): the duties a unit agreed, and each year's
fulfilment.  Admin and API call these; each checks the role and the unit's community (the one scope rule)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from community.actions import record_save
from community.scoping import ADD, CHANGE, ensure_allowed

from .models import ObligationFulfilment, UnitObligation


@transaction.atomic
def obligation_save(*, by, obligation: UnitObligation) -> UnitObligation:
    ensure_allowed(by, obligation, CHANGE if obligation.pk else ADD)
    if not (obligation.duty or "").strip():
        raise ValidationError({"duty": _("Write down the duty the unit agreed to.")})
    return record_save(by=by, instance=obligation)


@transaction.atomic
def fulfilment_record(*, by, fulfilment: ObligationFulfilment) -> ObligationFulfilment:
    """A year's fulfilment of a duty; a second record of the same year is refused (change that one)."""
    ensure_allowed(by, fulfilment, CHANGE if fulfilment.pk else ADD)
    if (
        fulfilment.obligation_id
        and fulfilment.year
        and ObligationFulfilment.objects.filter(obligation_id=fulfilment.obligation_id, year=fulfilment.year)
        .exclude(pk=fulfilment.pk)
        .exists()
    ):
        raise ValidationError(
            {"year": _("This duty's fulfilment for %(year)s is already recorded.") % {"year": fulfilment.year}}
        )
    return record_save(by=by, instance=fulfilment)

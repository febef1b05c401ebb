"""Writes of the community core.  Admin, API, imports and tasks call these and nothing else."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PersonalDataAccess, Residence, Resident
from .scoping import community_of, ensure_in_scope


@transaction.atomic
def record_save(*, by, instance, update_fields=None):
    """Validate and save a community-owned row, refusing any that would leave the user's scope.

    Both where the row is now (for a change) and where it would go are checked.
    """
    model = type(instance)
    if instance.pk:
        current = model._base_manager.select_for_update().filter(pk=instance.pk).first()
        if current is not None:
            ensure_in_scope(by, community_of(current))
    ensure_in_scope(by, community_of(instance))
    instance.full_clean()
    if isinstance(instance, Resident):
        return resident_save(by=by, resident=instance)
    instance.save()
    return instance


@transaction.atomic
def resident_save(*, by, resident: Resident, reason: str = "") -> Resident:
    """Save a resident and keep the residence history: a new household or type opens a new period."""
    ensure_in_scope(by, community_of(resident))
    today = timezone.localdate()
    previous = None
    if resident.pk:
        previous = (
            Resident.objects.select_for_update()
            .filter(pk=resident.pk)
            .values("household_id", "residence_type", "moved_out")
            .first()
        )
    resident.save()
    moved = previous is None or (
        previous["household_id"] != resident.household_id or previous["residence_type"] != resident.residence_type
    )
    open_period = Residence.objects.select_for_update().filter(resident=resident, end__isnull=True).first()
    if open_period and (moved or resident.moved_out):
        end = resident.moved_out or today
        open_period.end = max(end, open_period.start)
        open_period.reason = reason or open_period.reason
        open_period.save(update_fields=["end", "reason"])
        open_period = None
    if open_period is None and not resident.moved_out:
        Residence.objects.create(
            resident=resident,
            household=resident.household,
            residence_type=resident.residence_type,
            start=resident.moved_in or today,
            reason=reason,
        )
    return resident


@transaction.atomic
def resident_move_out(*, by, resident_id: int, on: dt.date, reason: str) -> Resident:
    resident = Resident.objects.select_for_update().get(pk=resident_id)
    if resident.moved_out:
        raise ValidationError(_("This resident has already moved out."))
    if resident.moved_in and on < resident.moved_in:
        raise ValidationError({"moved_out": _("The move-out date cannot be before the move-in date.")})
    resident.moved_out = on
    return resident_save(by=by, resident=resident, reason=reason)


@transaction.atomic
def resident_anonymise(*, by, resident_id: int, reason: str) -> Resident:
    """Erase what identifies a resident on request (PIPL), keeping the counts that depend on the row."""
    resident = Resident.objects.select_for_update().get(pk=resident_id)
    ensure_in_scope(by, community_of(resident))
    if not reason.strip():
        raise ValidationError(_("Give the reason for anonymising this resident."))
    resident.name = _("(anonymised)")
    resident.id_number = f"ANON{resident.pk:014d}"[:18]
    resident.phone = ""
    resident.anonymised = True
    resident.save(update_fields=["name", "id_number", "phone", "anonymised", "updated_at"])
    resident.history.all().update(name=resident.name, id_number=resident.id_number, phone="")
    personal_data_log(by=by, kind=PersonalDataAccess.Kind.REVEAL, obj=resident, fields="anonymised", reason=reason)
    return resident


def personal_data_log(*, by, kind: str, obj=None, model: str = "", rows: int = 1, fields: str, reason: str = ""):
    """Record who saw or exported whose personal data, and when."""
    return PersonalDataAccess.objects.create(
        user=by,
        kind=kind,
        model=model or (obj._meta.label if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None else "",
        rows=rows,
        fields=fields,
        reason=reason[:200],
    )

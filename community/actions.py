"""Writes of the community core.  Admin, API, imports and tasks call these and nothing else."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from . import validators
from .models import PersonalDataAccess, Residence, Resident
from .scoping import community_of, ensure_in_scope
from .signals import resident_anonymised

logger = logging.getLogger(__name__)


@transaction.atomic
def record_save(*, by, instance, update_fields=None):
    """Validate and save a community-owned row, refusing any that would leave the user's scope.

    Both where the row is now (for a change) and where it would go are checked.
    """
    model = type(instance)
    if instance.pk:
        current = model._base_manager.select_for_update().filter(pk=instance.pk).first()
        if current is not None:
            ensure_in_scope(by, current)
    ensure_in_scope(by, instance)
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
    if resident.anonymised:
        raise ValidationError(_("This resident has already been anonymised."))
    # what identifies the person goes; what the statistics count stays: sex, year of birth (so the age
    # band), household, residence type and dates, vulnerability flags
    resident.name = _("(anonymised)")
    resident.id_number = f"ANON{resident.pk:014d}"[:18]
    resident.phone = ""
    resident.birth_date = min(dt.date(resident.birth_date.year, 7, 1), timezone.localdate())
    resident.anonymised = True
    resident.save(update_fields=["name", "id_number", "phone", "birth_date", "anonymised", "updated_at"])
    resident.history.all().update(
        name=resident.name, id_number=resident.id_number, phone="", birth_date=resident.birth_date
    )
    personal_data_log(by=by, kind=PersonalDataAccess.Kind.REVEAL, obj=resident, fields="anonymised", reason=reason)
    resident_anonymised.send(sender=Resident, resident=resident, by=by)
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


# the law (网络安全法 art. 21) asks for at least six months of logs: no purge goes below 184 days
PERSONAL_DATA_LOG_MIN_RETENTION = dt.timedelta(days=184)


def personal_data_log_purge(*, older_than: dt.timedelta | None = None, batch_size: int = 10000) -> int:
    """Delete access-log rows older than the retention (``PERSONAL_DATA_LOG_RETENTION_DAYS``, default 365 days).

    Whatever is asked, rows younger than ``PERSONAL_DATA_LOG_MIN_RETENTION`` are never deleted.
    Deletes in batches so that a long backlog does not hold one huge lock.  Returns the rows deleted.
    """
    if older_than is None:
        older_than = dt.timedelta(days=settings.PERSONAL_DATA_LOG_RETENTION_DAYS)
    cutoff = timezone.now() - max(older_than, PERSONAL_DATA_LOG_MIN_RETENTION)
    deleted = 0
    while True:
        batch = list(PersonalDataAccess.objects.filter(at__lt=cutoff).values_list("pk", flat=True)[:batch_size])
        if not batch:
            return deleted
        deleted += PersonalDataAccess.objects.filter(pk__in=batch, at__lt=cutoff).delete()[0]


# --- bulk writes (imports) -------------------------------------------------------------------


@transaction.atomic
def residents_create_bulk(*, by, residents: list[Resident], reason: str = "", batch_size: int = 1000) -> list[Resident]:
    """Create many new residents in a few queries (imports), as ``resident_save`` would one by one.

    Every resident's community must lie in ``by``'s scope (households must come with their building,
    zone and community loaded).  Gender, birth date and the pinyin search fields are derived here;
    history rows and residence periods are written in bulk too.
    """

    allowed: set = set()
    for resident in residents:
        community = community_of(resident)
        key = community.pk if community is not None else None
        if key not in allowed:
            ensure_in_scope(by, community)
            allowed.add(key)
        resident.id_number = validators.normalise_id_number(resident.id_number)
        resident.gender = validators.id_gender(resident.id_number)
        resident.birth_date = validators.id_birth_date(resident.id_number)
        resident.set_derived_name_fields()
    created = bulk_create_with_history(
        residents, Resident, batch_size=batch_size, default_user=by, default_change_reason=reason[:100] or None
    )
    today = timezone.localdate()
    periods = []
    for resident in created:
        if not resident.moved_out:
            start = resident.moved_in or today
            end = None
        elif resident.moved_in:
            start, end = resident.moved_in, resident.moved_out
        else:
            continue  # moved out with no known move-in: no period to record
        periods.append(
            Residence(
                resident_id=resident.pk,
                household_id=resident.household_id,
                residence_type=resident.residence_type,
                start=start,
                end=end,
                reason=reason[:200],
            )
        )
    Residence.objects.bulk_create(periods, batch_size=batch_size)
    return created


# --- background exports ------------------------------------------------------------------------

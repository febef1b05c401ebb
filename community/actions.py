"""Writes of the community core.  Admin, API, imports and tasks call these and nothing else."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import tempfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import validators
from .models import DataExport, PersonalDataAccess, Residence, Resident
from .scoping import community_of, ensure_in_scope, scope_of
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
    from simple_history.utils import bulk_create_with_history

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

EXPORT_PERMISSIONS = {
    DataExport.Kind.RESIDENT: "community.export_resident",
    DataExport.Kind.HOUSEHOLD: "community.export_household",
}
EXPORT_CHUNK = 2000


def _export_spec(kind: str):
    """(model, FilterSet, Resource) for an export kind."""
    from .filters import HouseholdFilter, ResidentFilter
    from .models import Household
    from .resources import HouseholdResource, ResidentResource

    return {
        DataExport.Kind.RESIDENT: (Resident, ResidentFilter, ResidentResource),
        DataExport.Kind.HOUSEHOLD: (Household, HouseholdFilter, HouseholdResource),
    }[kind]


def _check_export_allowed(user, kind: str) -> None:
    if scope_of(user) is None or not user.has_perm(EXPORT_PERMISSIONS[kind]):
        raise PermissionDenied(_("You may not export these records: the export permission is missing."))


@transaction.atomic
def data_export_create(*, by, kind: str, params: dict | None = None) -> DataExport:
    """Queue a background export of the records ``by`` may see, filtered as the list's FilterSet does.

    The task is sent when the transaction commits; if the broker cannot be reached the export stays
    queued and ``data_export_resend_stale`` (run every minute) sends it again.
    """
    if kind not in DataExport.Kind.values:
        raise ValidationError({"model": _("Choose residents or households to export.")})
    _check_export_allowed(by, kind)
    params = {str(k): str(v) for k, v in (params or {}).items() if v not in (None, "")}
    model, filter_class, _resource = _export_spec(kind)
    filterset = filter_class(params, queryset=model.objects.none())
    unknown = sorted(set(params) - set(filterset.filters))
    if unknown:
        raise ValidationError(_("Unknown filters: %(names)s.") % {"names": ", ".join(unknown)})
    if not filterset.is_valid():
        raise ValidationError({name: [str(e) for e in errors] for name, errors in filterset.errors.items()})
    export = DataExport.objects.create(user=by, model=kind, params=params)
    transaction.on_commit(lambda: data_export_enqueue(export_id=export.pk))
    return export


def data_export_enqueue(*, export_id: int) -> bool:
    """Send the build task; a broker that is down leaves the export queued for the sweep (False)."""
    from kombu.exceptions import KombuError

    from .tasks import data_export_build

    try:
        data_export_build.apply_async(args=[export_id])
    except (KombuError, OSError) as exc:
        logger.warning("data export %s stays queued: the broker is unreachable (%s)", export_id, exc)
        return False
    DataExport.objects.filter(pk=export_id).update(enqueued_at=timezone.now())
    return True


def data_export_resend_stale(*, older_than: dt.timedelta = dt.timedelta(minutes=1), limit: int = 100) -> int:
    """Re-send exports queued for longer than ``older_than``, and those whose worker died while running."""
    from django.db.models import Q

    now = timezone.now()
    stale_running = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    waiting = DataExport.objects.filter(
        Q(status=DataExport.Status.QUEUED, created_at__lt=now - older_than)
        & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - older_than))
        | Q(status=DataExport.Status.RUNNING, started_at__lt=stale_running)
    ).order_by("created_at")
    sent = 0
    for export_id in list(waiting.values_list("pk", flat=True)[:limit]):
        sent += data_export_enqueue(export_id=export_id)
    return sent


def data_export_run(*, export_id: int) -> DataExport:
    """Build the export's XLSX file (the task calls this).  Idempotent: a finished export is left alone,
    and one that another worker is building is not started twice."""
    now = timezone.now()
    with transaction.atomic():
        export = DataExport.objects.select_for_update().get(pk=export_id)
        if export.status in (DataExport.Status.DONE, DataExport.Status.FAILED):
            return export
        if (
            export.status == DataExport.Status.RUNNING
            and export.started_at
            and export.started_at > now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
        ):
            return export
        export.status, export.started_at, export.progress, export.rows, export.error = (
            DataExport.Status.RUNNING,
            now,
            0,
            0,
            "",
        )
        export.attempts += 1
        export.save(update_fields=["status", "started_at", "progress", "rows", "error", "attempts"])
    try:
        _data_export_build(export)
    except OperationalError:
        # the database went away: put the export back so that the retry (or the sweep) runs it again
        DataExport.objects.filter(pk=export_id).update(status=DataExport.Status.QUEUED, started_at=None)
        raise
    except (PermissionDenied, ValidationError) as exc:
        _data_export_fail(export, "; ".join(getattr(exc, "messages", None) or [str(exc)]))
    except Exception as exc:  # a failed build is shown to its owner rather than retried forever
        logger.exception("data export %s failed", export_id)
        _data_export_fail(export, _("The export failed: %(error)s") % {"error": exc})
    export.refresh_from_db()
    return export


def _data_export_fail(export: DataExport, message: str) -> None:
    DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.Status.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def _data_export_build(export: DataExport) -> None:
    from openpyxl import Workbook

    user = export.user
    _check_export_allowed(user, export.model)
    model, filter_class, resource_class = _export_spec(export.model)
    filterset = filter_class(export.params, queryset=model.objects.for_user(user))
    if not filterset.is_valid():
        raise ValidationError(_("The filters of this export are no longer valid."))
    resource = resource_class(user=user)
    queryset = resource.export_queryset(filterset.qs).order_by("pk")
    total = queryset.count()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(DataExport.Kind(export.model).label)[:31])
    sheet.append(resource.get_export_headers())
    rows, last_pk = 0, 0
    while True:
        chunk = list(queryset.filter(pk__gt=last_pk)[:EXPORT_CHUNK])
        if not chunk:
            break
        for obj in chunk:
            sheet.append(resource.export_resource(obj))
        rows += len(chunk)
        last_pk = chunk[-1].pk
        progress = min(99, rows * 100 // total) if total else 99
        DataExport.objects.filter(pk=export.pk).update(progress=progress, rows=rows)
    name = f"{model._meta.model_name}-{export.pk}-{secrets.token_hex(8)}.xlsx"
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        export.file.save(name, File(handle), save=False)
    with transaction.atomic():
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.DONE, progress=100, rows=rows, file=export.file.name, finished_at=timezone.now()
        )
        personal_data_log(
            by=user,
            kind=PersonalDataAccess.Kind.EXPORT,
            model=model._meta.label,
            rows=rows,
            fields=resource.personal_fields,
            reason=_("Background export #%(id)d") % {"id": export.pk},
        )


def data_export_download(*, by, export_id: int) -> DataExport:
    """The finished export ``by`` asked for, logged as a hand-over of personal data; anyone else's is refused."""
    export = DataExport.objects.for_user(by).filter(pk=export_id).first()
    if export is None:
        raise PermissionDenied(_("You may only download your own exports."))
    if export.status != DataExport.Status.DONE or not export.file:
        raise ValidationError(_("This export is not finished yet."))
    _check_export_allowed(by, export.model)
    personal_data_log(
        by=by,
        kind=PersonalDataAccess.Kind.EXPORT,
        model=export.model,
        rows=export.rows,
        fields="file",
        reason=_("Download of background export #%(id)d") % {"id": export.pk},
    )
    return export


@transaction.atomic
def data_export_delete(*, by, export_id: int) -> None:
    """Delete one's own export and its file (a running one is left to finish)."""
    export = DataExport.objects.for_user(by).select_for_update().filter(pk=export_id).first()
    if export is None:
        raise PermissionDenied(_("You may only delete your own exports."))
    if export.status == DataExport.Status.RUNNING:
        raise ValidationError(_("This export is still running; delete it when it has finished."))
    if export.file:
        name, storage = export.file.name, export.file.storage
        transaction.on_commit(lambda: storage.delete(name))
    export.delete()

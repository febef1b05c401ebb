"""Background exports of residents and households: the request (an action, scope- and permission-checked),
the build the worker runs, the download and the deletion.  Apart from ``actions`` because the build reads
through the import-export resources, which save through ``actions``: one way, no cycle."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import tempfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from utilities import jobs

from .actions import personal_data_log
from .filters import HouseholdFilter, ResidentFilter
from .models import DataExport, Household, PersonalDataAccess, Resident
from .resources import HouseholdResource, ResidentResource
from .scoping import scope_of

logger = logging.getLogger(__name__)
BUILD_TASK = "community.tasks.data_export_build"

EXPORT_PERMISSIONS = {
    DataExport.Kind.RESIDENT: "community.export_resident",
    DataExport.Kind.HOUSEHOLD: "community.export_household",
}

EXPORT_CHUNK = 2000


def _export_spec(kind: str):
    """(model, FilterSet, Resource) for an export kind."""

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
    if not jobs.send(BUILD_TASK, export_id):
        return False
    DataExport.objects.filter(pk=export_id).update(enqueued_at=timezone.now())
    return True


def data_export_resend_stale(*, older_than: dt.timedelta = dt.timedelta(minutes=1), limit: int = 100) -> int:
    """Re-send exports queued for longer than ``older_than``, and those whose worker died while running."""

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

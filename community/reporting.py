"""Actions and reads of the reporting jobs (snapshots, monthly reports); tasks and views call these."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import dashboard, reports
from .choices import ScopeLevel
from .dashboard import Period, Target
from .models import Community, County, Town
from .reporting_models import IndicatorSnapshot, ReportRun

log = logging.getLogger(__name__)
UNIT_MODELS = {ScopeLevel.COUNTY: County, ScopeLevel.TOWN: Town, ScopeLevel.COMMUNITY: Community}


def target_of(level: str, unit_id: int) -> Target:
    model = UNIT_MODELS[level]
    related = {ScopeLevel.TOWN: ["county"], ScopeLevel.COMMUNITY: ["town__county"]}.get(level, [])
    return Target(level, model.objects.select_related(*related).get(pk=unit_id))


def all_targets():
    for county in County.objects.order_by("pk"):
        yield Target(ScopeLevel.COUNTY, county)
    for town in Town.objects.order_by("pk"):
        yield Target(ScopeLevel.TOWN, town)
    for community in Community.objects.select_related("town").order_by("pk"):
        yield Target(ScopeLevel.COMMUNITY, community)


def _enqueue_build(run_id: int) -> None:
    """Send the build to the broker after commit; if it is down the run stays queued for the sweep."""
    from .tasks import report_build_task

    def send():
        try:
            report_build_task.delay(run_id)
        except Exception as exc:  # broker unreachable: kept queued, the sweep re-sends
            log.warning("report %s stays queued: broker unavailable (%s)", run_id, exc)

    transaction.on_commit(send)


@transaction.atomic
def report_request(*, by, target: Target, period: Period, regenerate: bool = False) -> ReportRun:
    """Ask for a report of a unit and period: one run per (kind, unit, period) unless regenerated on purpose."""
    run, created = ReportRun.objects.select_for_update().get_or_create(
        kind=ReportRun.Kind.MONTHLY,
        level=target.level,
        unit_id=target.obj.pk,
        period_start=period.start,
        defaults={
            "unit_name": target.name,
            "period_kind": period.kind,
            "period_end": period.end,
            "requested_by": by,
        },
    )
    if created:
        _enqueue_build(run.pk)
        return run
    if run.status == ReportRun.Status.FAILED or regenerate:
        if run.status == ReportRun.Status.RUNNING:
            raise_busy()
        run.status, run.progress, run.error = ReportRun.Status.QUEUED, 0, ""
        run.version += 1 if regenerate else 0
        run.requested_by = by or run.requested_by
        run.save(update_fields=["status", "progress", "error", "version", "requested_by"])
        _enqueue_build(run.pk)
    return run


def raise_busy():
    from django.core.exceptions import ValidationError

    raise ValidationError(_("This report is being generated right now; wait until it has finished."))


def report_build(*, run_id: int) -> ReportRun | None:
    """Build the files of a run.  Idempotent: a done run is left alone, a redelivered one is finished once."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update(skip_locked=True).filter(pk=run_id).first()
        if run is None or run.status == ReportRun.Status.DONE:
            return run
        run.status, run.progress, run.started_at = ReportRun.Status.RUNNING, 5, timezone.now()
        run.attempts += 1
        run.save(update_fields=["status", "progress", "started_at", "attempts"])

    def progress(pct: int) -> None:
        ReportRun.objects.filter(pk=run_id).update(progress=pct)

    try:
        with translation.override("zh-hans"):
            target = target_of(run.level, run.unit_id)
            period = Period(run.period_kind, run.period_start, run.period_end)
            collected = []
            sections = dashboard.sections()
            for i, section in enumerate(sections, 1):
                collected.append((section, section.fn(target.scope(), period)))
                progress(5 + int(60 * i / max(len(sections), 1)))
            xlsx = reports.build_xlsx(target=target, period=period, collected=collected)
            progress(75)
            pdf = reports.build_pdf(target=target, period=period, collected=collected)
            progress(95)
    except Exception as exc:
        log.exception("report %s failed", run_id)
        ReportRun.objects.filter(pk=run_id).update(
            status=ReportRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        return ReportRun.objects.get(pk=run_id)
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run_id)
        if run.status == ReportRun.Status.DONE:
            return run
        stem = f"{run.level}-{run.unit_id}-{run.period_start:%Y%m}-v{run.version}"
        for field, content, ext in (("xlsx", xlsx, "xlsx"), ("pdf", pdf, "pdf")):
            old = getattr(run, field)
            if old:
                old.delete(save=False)
            getattr(run, field).save(f"{stem}.{ext}", ContentFile(content), save=False)
        run.status, run.progress, run.finished_at, run.error = ReportRun.Status.DONE, 100, timezone.now(), ""
        run.save()
    return run


def report_sweep(*, older_than: dt.timedelta = dt.timedelta(minutes=1)) -> int:
    """Re-send runs left queued (broker was down) or running far past the time limit (worker died)."""
    now = timezone.now()
    stale = ReportRun.objects.filter(status=ReportRun.Status.QUEUED, created_at__lt=now - older_than)
    stuck = ReportRun.objects.filter(status=ReportRun.Status.RUNNING, started_at__lt=now - dt.timedelta(hours=1))
    stuck.update(status=ReportRun.Status.QUEUED)
    ids = list(stale.values_list("pk", flat=True)) + list(stuck.values_list("pk", flat=True))
    for run_id in set(ids):
        _enqueue_build(run_id)
    return len(set(ids))


def monthly_reports_request(*, month: dt.date | None = None) -> int:
    """The 1st-of-the-month job: one run per county, town and community for last month."""
    today = timezone.localdate()
    month = month or (today.replace(day=1) - dt.timedelta(days=1))
    period = Period.parse("month", f"{month:%Y-%m}")
    count = 0
    for target in all_targets():
        report_request(by=None, target=target, period=period)
        count += 1
    return count


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def snapshot_take(*, day: dt.date | None = None) -> int:
    """Store every unit's indicators for a day (idempotent: a second run updates the same rows)."""
    day = day or timezone.localdate()
    period = Period.parse("month", f"{day:%Y-%m}")
    rows = []
    for target in all_targets():
        for section, indicators in dashboard.collect(target.scope(), period):
            for ind in indicators:
                rows.append(
                    IndicatorSnapshot(
                        level=target.level,
                        unit_id=target.obj.pk,
                        day=day,
                        section=section.key,
                        key=ind.key,
                        value=_decimal(ind.value),
                    )
                )
    IndicatorSnapshot.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["level", "unit_id", "section", "key", "day"],
        update_fields=["value"],
    )
    return len(rows)


def snapshot_series(*, target: Target, section: str, key: str, since: dt.date) -> list[tuple[dt.date, Decimal]]:
    return list(
        IndicatorSnapshot.objects.filter(
            level=target.level, unit_id=target.obj.pk, section=section, key=key, day__gte=since
        )
        .order_by("day")
        .values_list("day", "value")
    )

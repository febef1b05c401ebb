"""Actions and reads of the reporting jobs (snapshots, monthly reports); tasks and views call these."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from utilities import jobs
from utilities.periods import Period

from . import dashboard, reports
from .choices import ScopeLevel
from .dashboard import Target
from .models import Community, County, Town
from .reporting_models import DashboardPayload, IndicatorSnapshot, ReportRun

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
    jobs.send_on_commit("community.tasks.report_build_task", run_id)


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
                collected.append((section, section.compute(target.scope(), period)))
                progress(5 + int(60 * i / max(len(sections), 1)))
            campaigns = campaign_lines(dashboard.campaign_choice(target.scope(), period))
            xlsx = reports.build_xlsx(target=target, period=period, collected=collected, campaigns=campaigns)
            progress(75)
            pdf = reports.build_pdf(target=target, period=period, collected=collected, campaigns=campaigns)
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


def campaign_lines(choice) -> list[str]:
    """Which campaign each kind's figures are of, as the report states it ("Open recruitment: <title>")."""
    lines = []
    for picker in choice.pickers:
        label = dict(picker.options).get(picker.selected) if picker.selected is not None else None
        lines.append(f"{picker.title}: {label or dashboard.NO_DATA}")
    return lines


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


# --- precomputed county and town dashboards ----------------------------------------------------

PAYLOAD_LEVELS = (ScopeLevel.COUNTY, ScopeLevel.TOWN)


def _payload_periods(today: dt.date) -> list[Period]:
    """What the refresh job keeps ready: this month, last month, this quarter and this year."""
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    return [
        Period.parse("month", f"{today:%Y-%m}"),
        Period.parse("month", f"{last_month:%Y-%m}"),
        Period.parse("quarter", quarter),
        Period.parse("year", str(today.year)),
    ]


def _payload_languages() -> list[str]:

    return [code for code, _name in settings.LANGUAGES]


def _section_json(collected) -> list[dict]:
    return [{"key": sec.key, "indicators": [i.as_json() for i in inds]} for sec, inds in collected]


def dashboard_payload_store(*, target: Target, period: Period, language: str) -> DashboardPayload:
    """Compute one unit's dashboard live from the registry, in one language, and keep it."""

    started = time.perf_counter()
    with translation.override(language):
        sections = _section_json(dashboard.collect(target.scope(), period))
    payload, _created = DashboardPayload.objects.update_or_create(
        level=target.level,
        unit_id=target.obj.pk,
        period_kind=period.kind,
        period_start=period.start,
        language=language,
        defaults={"sections": sections, "computed_at": timezone.now(), "seconds": time.perf_counter() - started},
    )
    return payload


def dashboard_refresh_unit(*, target: Target, today: dt.date | None = None) -> int:
    """Recompute one county's or town's payloads: every period kept ready, in every language."""
    today = today or timezone.localdate()
    count = 0
    for period in _payload_periods(today):
        for language in _payload_languages():
            dashboard_payload_store(target=target, period=period, language=language)
            count += 1
    return count


def dashboard_refresh(*, today: dt.date | None = None) -> int:
    """The job behind the county and town pages: recompute every county and town payload it keeps ready."""
    today = today or timezone.localdate()
    count = 0
    for target in all_targets():
        if target.level in PAYLOAD_LEVELS:
            count += dashboard_refresh_unit(target=target, today=today)
    # payloads of periods no longer kept ready are dropped, so a stale past period is recomputed live
    keep = {(p.kind, p.start) for p in _payload_periods(today)}
    stale = [
        pk
        for pk, kind, start in DashboardPayload.objects.values_list("pk", "period_kind", "period_start")
        if (kind, start) not in keep
    ]
    DashboardPayload.objects.filter(pk__in=stale).delete()
    return count


def _value(value):
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


@dataclass(frozen=True)
class DashboardData:
    """What the dashboard page and API show: the registry's sections and, when precomputed, their time."""

    collected: list
    as_of: dt.datetime | None = None  # None: computed live for this request

    @property
    def live(self) -> bool:
        return self.as_of is None


def dashboard_read(*, target: Target, period: Period, live: bool = False, choice=None) -> DashboardData:
    """A county or town reads its precomputed payload (one query); a community, or ``live``, is computed.

    ``choice`` (``dashboard.campaign_choice``): a campaign other than each kind's latest is computed live,
    since the payload holds the latest campaigns' figures.
    """
    campaigns = choice.campaigns if choice is not None else {}
    if choice is not None and choice.picked:
        live = True
    if not live and target.level in PAYLOAD_LEVELS:
        payload = DashboardPayload.objects.filter(
            level=target.level,
            unit_id=target.obj.pk,
            period_kind=period.kind,
            period_start=period.start,
            language=translation.get_language() or "zh-hans",
        ).first()
        if payload is not None:
            registered = dashboard.SECTIONS
            collected = [
                (
                    registered[sec["key"]],
                    [
                        dashboard.Indicator(
                            key=i["key"],
                            label=i["label"],
                            value=_value(i["value"]),
                            unit=i["unit"],
                            chart=i["chart"],
                            link=i["link"],
                            basis=i.get("basis", dashboard.STOCK),
                            note=i.get("note", ""),
                            counted=i.get("counted", True),
                            since=i.get("since", ""),
                            until=i.get("until", ""),
                            kind=i.get("kind", ""),
                        )
                        for i in sec["indicators"]
                    ],
                )
                for sec in payload.sections
                if sec["key"] in registered
            ]
            return DashboardData(collected, payload.computed_at)
    return DashboardData(dashboard.collect(target.scope(), period, campaigns))


# --- trends: month over month from the nightly snapshots ----------------------------------------


@dataclass(frozen=True)
class Trend:
    """Month-over-month values of one unit's indicators, read from IndicatorSnapshot (never recomputed)."""

    months: list[str]
    values: dict  # (section, key) -> [Decimal | None per month]

    def series(self, section: str, key: str) -> list:
        return self.values.get((section, key), [None] * len(self.months))

    def change(self, section: str, key: str) -> Decimal | None:
        """The last month's value minus the month before, when both were recorded."""
        values = self.series(section, key)
        if len(values) < 2 or values[-1] is None or values[-2] is None:
            return None
        return values[-1] - values[-2]


def trend_read(*, target: Target, until: dt.date, months: int = 12) -> Trend:
    """The last snapshot of each of the ``months`` months up to ``until``: one query, whatever the history."""

    first = until.replace(day=1)
    for _i in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    unit = IndicatorSnapshot.objects.filter(level=target.level, unit_id=target.obj.pk)
    last_days = (
        unit.filter(day__gte=first, day__lte=until)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(last=Max("day"))
        .values("last")
    )
    rows = unit.filter(day__in=last_days).values_list("section", "key", "day", "value")
    labels = []
    month = first
    while month <= until:
        labels.append(f"{month:%Y-%m}")
        month = (month + dt.timedelta(days=32)).replace(day=1)
    index = {label: i for i, label in enumerate(labels)}
    values: dict = {}
    for section, key, day, value in rows:
        values.setdefault((section, key), [None] * len(labels))[index[f"{day:%Y-%m}"]] = value
    recorded = [i for i, label in enumerate(labels) if any(v[i] is not None for v in values.values())]
    if not recorded:
        return Trend([], {})
    start = recorded[0]  # months before the first snapshot are not shown as empty
    return Trend(labels[start:], {k: v[start:] for k, v in values.items()})

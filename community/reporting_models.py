"""Models of the reporting jobs: indicator snapshots (trends) and report runs (monthly files).

Imported by ``community.models`` so they belong to the ``community`` app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ScopeLevel


class IndicatorSnapshot(models.Model):
    """One indicator of one unit (county, town or community) on one day: trends never recompute history."""

    level = models.CharField(_("level"), max_length=12, choices=ScopeLevel.choices)
    unit_id = models.BigIntegerField(_("unit"))
    day = models.DateField(_("day"))
    section = models.CharField(_("section"), max_length=40)
    key = models.CharField(_("indicator"), max_length=60)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4, null=True)

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        ordering = ["level", "unit_id", "section", "key", "day"]
        constraints = [
            models.UniqueConstraint(fields=["level", "unit_id", "section", "key", "day"], name="snapshot_one_per_day")
        ]
        indexes = [models.Index(fields=["level", "unit_id", "day"], name="snapshot_unit_day")]

    def __str__(self):
        return f"{self.level}:{self.unit_id} {self.section}.{self.key} {self.day} = {self.value}"


class ReportRun(models.Model):
    """A monthly report of one unit and period: queued → running → done | failed, with progress and files."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly report")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.MONTHLY)
    level = models.CharField(_("level"), max_length=12, choices=ScopeLevel.choices)
    unit_id = models.BigIntegerField(_("unit"))
    unit_name = models.CharField(_("unit name"), max_length=100)
    period_kind = models.CharField(_("period kind"), max_length=8, default="month")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    xlsx = models.FileField(_("workbook"), upload_to="reports/", blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-period_start", "level", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "level", "unit_id", "period_start"], name="report_one_per_period"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_max_100"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.unit_name} {self.period_start:%Y-%m}"


class DashboardPayload(models.Model):
    """The whole dashboard of a county or town for one period and language, precomputed by a job.

    Why a precomputed payload rather than summary tables: the dashboard iterates every app's
    registered sections, and each section aggregates its own app's tables (people, party members,
    pay, journal lines, requests …).  Summary tables would need one per app and write-path
    triggers in every app; a payload refreshed by one Celery job (``dashboard_refresh_task``)
    reuses the very same registry code, so the page, the API, the snapshots and the reports
    still cannot disagree — the county and town pages read one row (their "as of" time shown),
    while a community page, small and the one staff edit, stays live.
    """

    level = models.CharField(_("level"), max_length=12, choices=ScopeLevel.choices)
    unit_id = models.BigIntegerField(_("unit"))
    period_kind = models.CharField(_("period kind"), max_length=8)
    period_start = models.DateField(_("period start"))
    language = models.CharField(_("language"), max_length=12)
    sections = models.JSONField(_("sections"), default=list)
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(_("seconds to compute"), default=0)

    class Meta:
        verbose_name = _("dashboard payload")
        verbose_name_plural = _("dashboard payloads")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "unit_id", "period_kind", "period_start", "language"], name="dashboard_payload_one"
            )
        ]

    def __str__(self):
        return f"{self.level}:{self.unit_id} {self.period_kind} {self.period_start} {self.language}"

"""The platform's working-day calendar: the years whose holiday schedule it holds, and their days."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import CalendarSource


class CalendarYear(models.Model):
    """A year whose official holiday schedule (the State Council's notice) the platform holds.

    Working-day arithmetic enters only such years: a date range reaching a year with no row here is
    refused, never counted Monday to Friday.  Years chinesecalendar knows are synced from it; the county
    enters the later ones (and corrects any) in the admin, with history kept.
    """

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(1949), MaxValueValidator(2200)]
    )
    source = models.CharField(_("source"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.COUNTY)
    notice = models.CharField(
        _("notice"),
        max_length=200,
        blank=True,
        help_text=_("The State Council notice the schedule follows (title or number)."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("holiday schedule (year)")
        verbose_name_plural = _("holiday schedules (years)")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class WorkdayOverride(models.Model):
    """A day that departs from the Monday-to-Friday week: a holiday (休) or a make-up working day (班).

    The platform's calendar table: seeded from chinesecalendar, edited by the county in the admin.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("is a working day"), help_text=_("Ticked: a make-up working day (调休上班). Not ticked: a day off.")
    )
    holiday = models.CharField(_("holiday"), max_length=40, blank=True, help_text=_("e.g. 春节, 国庆节."))
    source = models.CharField(_("source"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.COUNTY)
    note = models.CharField(_("note"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.holiday or self.note}".strip()

"""System check: warn before the working-day calendar runs out (a database check: ``check --database default``,
run by ``migrate`` too)."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError

from .workdays import coverage, coverage_message


@checks.register(checks.Tags.database)
def calendar_runs_out(app_configs=None, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []

    try:
        cover = coverage()
    except DatabaseError:  # not migrated yet: nothing to say
        return []
    if not cover.warn:
        return []
    return [
        checks.Warning(
            coverage_message(cover),
            hint="python manage.py sync_workday_calendar; or the admin: Staff › Holiday schedules",
            id="staffing.W001",
        )
    ]

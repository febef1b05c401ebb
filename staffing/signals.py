"""The staffing app's receivers (imported at startup, as every app's ``signals`` module is, by the core)."""

from __future__ import annotations

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .actions.calendar import calendar_sync


@receiver(post_migrate, sender=apps.get_app_config("staffing"), dispatch_uid="staffing_calendar_sync")
def sync_calendar(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """After every migrate and every test flush: the years chinesecalendar knows are in the calendar table."""
    if using == DEFAULT_DB_ALIAS:
        calendar_sync()

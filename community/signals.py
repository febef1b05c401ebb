"""Signals the core sends so that other apps can follow its writes without ``community`` importing them."""

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.dispatch import Signal

from utilities import schedules

from .roles import sync_role_permissions

# sent inside the anonymising transaction: (sender=Resident, resident=<the erased row>, by=<user>);
# an app that keeps its own copy of the person's name or contact details erases it here
resident_anonymised = Signal()


# --- the core's receivers (this module is imported at startup, as every app's ``signals`` is) -----------


def sync_roles(sender, **kwargs):
    """After the last local app's post-migrate (every app's permissions are made by then), once per run.

    Connected in ``CommunityConfig.ready()``, not at import: the admin's autodiscovery imports this module
    before ``django.contrib.auth`` is ready, and this receiver must run after auth's ``create_permissions``
    has made the migrated app's permissions (receivers run in the order they were connected)."""
    local = [c for c in apps.get_app_configs() if c.name in settings.LOCAL_APPS and c.models_module is not None]
    if local and sender is local[-1]:  # once per migrate or flush, when every local app's permissions exist
        sync_role_permissions(apps.get_app_configs())


def sync_schedules(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """After every migrate (and every test flush): the beat tables hold the schedules the code declares."""
    if using == DEFAULT_DB_ALIAS:
        schedules.sync()

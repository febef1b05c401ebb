"""Roles are Django groups (created by migration); their permissions follow the apps' declarations."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from .choices import Role


def declared_permissions(app_configs) -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = {role.value: set() for role in Role}
    for config in app_configs:
        for role, perms in getattr(config, "role_permissions", {}).items():
            wanted.setdefault(role, set()).update(perms)
    return wanted


def sync_role_permissions(app_configs) -> None:
    """Give each role group exactly the permissions the apps declare (idempotent)."""
    for role, perms in declared_permissions(app_configs).items():
        group, _ = Group.objects.get_or_create(name=role)
        query = Q(pk__in=[])
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(query))

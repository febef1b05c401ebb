"""Roles are Django groups (created by migration); their permissions follow the apps' declarations."""

from __future__ import annotations

from django.apps import apps as registry
from django.contrib.auth.models import Group, Permission

from .choices import Role


def declared_permissions(app_configs) -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = {role.value: set() for role in Role}
    for config in app_configs:
        for role, perms in getattr(config, "role_permissions", {}).items():
            wanted.setdefault(role, set()).update(perms)
    return wanted


def sync_role_permissions(app_configs) -> None:
    """Give each role group exactly the permissions the apps declare (idempotent): one read of the
    permissions, then each group's set (a flush in the tests runs this again, so it is kept cheap)."""
    ids = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
    }
    for role, perms in declared_permissions(app_configs).items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([ids[perm] for perm in perms if perm in ids])


ACTION_LETTERS = {"view": "V", "add": "A", "change": "C", "delete": "D"}


def table(app_configs) -> dict[str, dict[str, list[str]]]:
    """model label → role → what the role may do to it (view/add/change/delete and the model's own actions)."""

    rows: dict[str, dict[str, list[str]]] = {}
    for role, perms in declared_permissions(app_configs).items():
        for perm in sorted(perms):
            app_label, codename = perm.split(".", 1)
            action, _sep, model_name = codename.rpartition("_")
            try:
                model = registry.get_model(app_label, model_name)
            except LookupError:
                continue  # a permission that is not a model's (e.g. reveal_personal_data)
            rows.setdefault(model._meta.label, {}).setdefault(role, []).append(action)
    return dict(sorted(rows.items()))


def table_markdown(app_configs) -> str:
    """The roles table as Markdown (README's Security section, `manage.py roles_table`)."""
    roles = [role.value for role in Role]
    lines = [
        "| model | " + " | ".join(roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for label, by_role in table(app_configs).items():
        cells = []
        for role in roles:
            actions = by_role.get(role, [])
            letters = "".join(ACTION_LETTERS[a] for a in ("view", "add", "change", "delete") if a in actions)
            extra = sorted(a for a in actions if a not in ACTION_LETTERS)
            cells.append(" ".join([letters, *extra]).strip() or "—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)

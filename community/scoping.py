"""The one scope-and-permission rule: who may do what to which rows.

A user has a role (Django groups generated from the roles table, ``community.roles``) and a scope
(county, town, community or department; a superuser has all).  Each model declares the paths from
its rows to the places and organisations they belong to, as class attributes:

``community_path``   lookup to the row's ``Community`` (``""`` for ``Community`` itself)
``community_read_path`` lookup to the communities that may only *read* the row (a task sent to them)
``town_path``        lookup to a ``Town`` (rows a town runs: campaigns, the town party committee)
``county_path``      lookup to a ``County`` (rows of the whole county: the work list, pay scales)
``department_path``  lookup to a ``Department`` (a liaison's rows, in any community of the county)
``owner_path``       lookup to the ``User`` who owns the row (a background export)
``unit_columns``     the fields that hold the ``community_path``'s community and its town on the row itself
                     (``("community", "town")``), kept by the database (``community.unit_columns``): the
                     SQL filters read them (:func:`stored_lookup`), the checks of one row walk the path
``shared_down``      True when lower levels may *read* the rows of a town or county above them
                     (a community reads its town's campaigns and the county's work list), or the
                     levels that may (``(ScopeLevel.DEPARTMENT,)``: a liaison reads every community)

A model that declares no path is county-wide reference data: every scoped user reads it, the county
changes it.  :func:`grants` turns a scope, a model and an action into the list of (lookup, id) pairs
a row must match one of; ``RestrictedQuerySet.restrict(user, action)`` filters on them in SQL, and
:func:`ensure_allowed` checks an instance (saved or not) against the same pairs in Python.  Admin,
API, pages, exports, autocomplete and actions all use these; no scope, no rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import ScopeLevel

ACTION_LABELS = {
    "view": gettext_lazy("view"),
    "add": gettext_lazy("add"),
    "change": gettext_lazy("change"),
    "delete": gettext_lazy("delete"),
}

ALL = "all"
VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
PATH_NAMES = ("community_path", "community_read_path", "town_path", "county_path", "department_path", "owner_path")


@dataclass(frozen=True)
class Scope:
    level: str
    county_id: int | None = None
    town_id: int | None = None
    community_id: int | None = None
    department_id: int | None = None
    user_id: int | None = None

    @property
    def is_all(self) -> bool:
        return self.level == ALL

    def communities(self):
        # by name: community.models imports this module for its querysets
        return apps.get_model("community", "Community").objects.for_scope(self)


def scope_of(user) -> Scope | None:
    """The one place that reads a user's scope (cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_scope_cache", False)
    if cached is not False:
        return cached
    scope: Scope | None
    if user.is_superuser:
        scope = Scope(ALL, user_id=user.pk)
    elif user.scope_level == ScopeLevel.COUNTY and user.county_id:
        scope = Scope(ScopeLevel.COUNTY, county_id=user.county_id, user_id=user.pk)
    elif user.scope_level == ScopeLevel.TOWN and user.town_id:
        scope = Scope(ScopeLevel.TOWN, county_id=user.county_id, town_id=user.town_id, user_id=user.pk)
    elif user.scope_level == ScopeLevel.COMMUNITY and user.community_id:
        scope = Scope(
            ScopeLevel.COMMUNITY,
            county_id=user.county_id,
            town_id=user.town_id,
            community_id=user.community_id,
            user_id=user.pk,
        )
    elif user.scope_level == ScopeLevel.DEPARTMENT and user.department_id:
        scope = Scope(
            ScopeLevel.DEPARTMENT, county_id=user.county_id, department_id=user.department_id, user_id=user.pk
        )
    else:
        scope = None
    user._scope_cache = scope
    return scope


def _join(path: str, field: str) -> str:
    """``community`` + ``town__county`` → ``community__town__county``; an empty path is the row itself."""
    if not path:
        return field or "pk"
    return f"{path}__{field}" if field else path


def declares_paths(model) -> bool:
    return any(getattr(model, name, None) is not None for name in PATH_NAMES)


def grants(model, scope: Scope, action: str) -> list[tuple[str, int]] | None:
    """The (lookup, id) pairs a row of ``model`` must match one of for ``scope`` to ``action`` it.

    None means every row (a superuser); an empty list means none.  Reads reach a little further than
    writes: the rows a town or the county shares with the levels below it.
    """
    owner = getattr(model, "owner_path", None)
    if owner is not None:  # a row that holds one person's personal data (an export): theirs alone, superuser or not
        return [(_join(owner, ""), scope.user_id)]
    if scope.is_all:
        return None
    level, write = scope.level, action != VIEW
    community = getattr(model, "community_path", None)
    if community is None and not write:
        community = getattr(model, "community_read_path", None)
    town = getattr(model, "town_path", None)
    county = getattr(model, "county_path", None)
    department = getattr(model, "department_path", None)
    shared_with = getattr(model, "shared_down", False)
    shared = not write and (shared_with is True or (bool(shared_with) and level in shared_with))
    if not declares_paths(model):  # county-wide reference data
        return None if (not write or level == ScopeLevel.COUNTY) else []
    out: list[tuple[str, int]] = []
    if community is not None:
        if level == ScopeLevel.COUNTY:
            out.append((_join(community, "town__county"), scope.county_id))
        elif level == ScopeLevel.TOWN:
            out.append((_join(community, "town"), scope.town_id))
        elif level == ScopeLevel.COMMUNITY:
            out.append((_join(community, ""), scope.community_id))
    if town is not None:
        if level == ScopeLevel.COUNTY:
            out.append((_join(town, "county"), scope.county_id))
        elif level == ScopeLevel.TOWN or (level == ScopeLevel.COMMUNITY and shared):
            out.append((_join(town, ""), scope.town_id))
    if county is not None and (level == ScopeLevel.COUNTY or shared):
        out.append((_join(county, ""), scope.county_id))
    if department is not None and level == ScopeLevel.DEPARTMENT:
        out.append((_join(department, ""), scope.department_id))
    return out


def _many(model, lookup: str) -> bool:
    """Does the lookup cross a one-to-many or many-to-many relation (so a join could repeat rows)?"""
    current = model
    for part in lookup.split("__"):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if field.one_to_many or field.many_to_many:
            return True
        if not field.is_relation:
            return False
        current = field.related_model
    return False


def stored_lookup(model, lookup: str) -> str:
    """``lookup`` read from the unit columns the row keeps (``unit_columns``), where it has them.

    A resident's ``household__building__zone__community__town`` is its ``town``: the same rows, found on
    an index of the resident table instead of four joins away.
    """
    path, columns = getattr(model, "community_path", None), getattr(model, "unit_columns", ())
    if not path or not columns:
        return lookup
    for column, held in (("town", f"{path}__town"), ("community", path)):
        if column in columns and (lookup == held or lookup.startswith(f"{held}__")):
            return column + lookup[len(held) :]
    return lookup


def grants_q(model, scope: Scope | None, action: str) -> Q | None:
    """The filter of the rows ``scope`` may ``action``; None for every row."""
    if scope is None:
        return Q(pk__in=[])
    pairs = grants(model, scope, action)
    if pairs is None:
        return None
    q = Q(pk__in=[])
    for lookup, value in pairs:
        if _many(model, lookup):
            q |= Q(pk__in=model._base_manager.filter(**{lookup: value}).values("pk"))
        else:
            q |= Q(**{stored_lookup(model, lookup): value})
    return q


def permitted(user, model, action: str) -> bool:
    """What the roles table lets ``user`` do to ``model`` (Django's permissions, generated from it)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


class RestrictedQuerySet(models.QuerySet):
    """Every model's rows are reached through ``restrict`` (a user and an action) or ``for_scope``."""

    def restrict(self, user, action: str = VIEW):
        """The rows ``user`` may ``action``: the roles table allows the action and the scope reaches the row."""
        if not permitted(user, self.model, action):
            return self.none()
        return self.for_scope(scope_of(user), action)

    def for_user(self, user):
        """The rows ``user`` may view."""
        return self.restrict(user, VIEW)

    def for_scope(self, scope: Scope | None, action: str = VIEW):
        """The rows inside ``scope`` (a dashboard's target area, already checked against its viewer)."""
        q = grants_q(self.model, scope, action)
        return self if q is None else self.filter(q)

    def in_communities(self, community_ids):
        path = stored_lookup(self.model, self.model.community_path)
        return self.filter(**{f"{path}__in" if path else "pk__in": list(community_ids)})


ScopedQuerySet = RestrictedQuerySet


def _resolve(obj, lookup: str):
    """The id an instance holds at the end of ``lookup`` (None when a link is missing)."""
    parts = lookup.split("__")
    current = obj
    for i, part in enumerate(parts):
        if current is None:
            return None
        if part == "pk":
            return current.pk
        try:
            field = type(current)._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if field.one_to_many or field.many_to_many:  # a reverse or many-to-many link: ask the database
            rest = "__".join(parts[i + 1 :]) or "pk"
            return set(getattr(current, part).values_list(rest, flat=True)) if current.pk else None
        last = i == len(parts) - 1
        if last:
            return getattr(current, field.attname) if field.is_relation else getattr(current, part)
        current = getattr(current, part, None)
    return current.pk if current is not None else None


def reaches(scope: Scope | None, obj, action: str) -> bool:
    """Does ``scope`` reach the instance ``obj`` (saved or not) for ``action``? The same grants as in SQL."""
    if scope is None:
        return False
    pairs = grants(type(obj), scope, action)
    if pairs is None:
        return True
    for lookup, value in pairs:
        held = _resolve(obj, lookup)
        if held == value or (isinstance(held, set) and value in held):
            return True
    return False


def allows(user, obj, action: str) -> bool:
    return permitted(user, type(obj), action) and reaches(scope_of(user), obj, action)


def ensure_allowed(user, obj, action: str) -> None:
    """Refuse, with a clear message, a read or write of ``obj`` (where it is, or where it would go)."""
    if not permitted(user, type(obj), action):
        label = ACTION_LABELS.get(action, action)
        raise PermissionDenied(
            _("Your role may not %(action)s %(model)s.") % {"action": label, "model": type(obj)._meta.verbose_name}
        )
    if not reaches(scope_of(user), obj, action):
        raise PermissionDenied(_("You may only change records of the communities in your own scope."))


def ensure_in_scope(user, obj, action: str = CHANGE) -> None:
    """The scope half of :func:`ensure_allowed`, for an action whose permission its caller checks.

    ``obj`` is the row written, or the place it is written in (a community, a town, an organisation);
    None is a county-wide row, which only the county writes.
    """
    scope = scope_of(user)
    if obj is None:
        allowed = scope is not None and (scope.is_all or scope.level == ScopeLevel.COUNTY)
    else:
        allowed = reaches(scope, obj, action)
    if not allowed:
        raise PermissionDenied(_("You may only change records of the communities in your own scope."))


def community_of(obj):
    """Walk an object's ``community_path`` to its Community (None if not yet set)."""
    path = getattr(type(obj), "community_path", None)
    if path is None:
        return None
    if not path:
        return obj
    current = obj
    for part in path.split("__"):
        current = getattr(current, part, None)
        if current is None or isinstance(current, models.Manager):  # no single community (a task sent to many)
            return None
    return current

"""The one scoping rule: who may see and change which community's rows.

Every model that belongs to a community declares ``community_path`` (the lookup from the
model to its ``Community``; ``""`` for ``Community`` itself) and uses ``ScopedQuerySet``.
Admin, API, pages and exports reach rows only through ``Model.objects.for_user(user)``;
writes ask ``ensure_in_scope(user, community)``.  No scope, no rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from .choices import ScopeLevel

ALL = "all"


@dataclass(frozen=True)
class Scope:
    level: str
    county_id: int | None = None
    town_id: int | None = None
    community_id: int | None = None
    department_id: int | None = None

    @property
    def is_all(self) -> bool:
        return self.level == ALL

    def community_q(self, path: str) -> Q:
        """A filter on the rows whose community lies inside this scope."""
        prefix = f"{path}__" if path else ""
        if self.level == ALL:
            return Q()
        if self.level == ScopeLevel.COUNTY:
            return Q(**{f"{prefix}town__county_id": self.county_id})
        if self.level == ScopeLevel.TOWN:
            return Q(**{f"{prefix}town_id": self.town_id})
        if self.level == ScopeLevel.COMMUNITY:
            return Q(**{f"{prefix}id": self.community_id})
        return Q(pk__in=[])

    def communities(self):
        from .models import Community

        return Community.objects.for_user_scope(self)

    def allows(self, community) -> bool:
        """May a row of this community be written by a user of this scope?"""
        if community is None:
            return self.level in (ALL, ScopeLevel.COUNTY)
        if self.level == ALL:
            return True
        if self.level == ScopeLevel.COUNTY:
            return community.town.county_id == self.county_id
        if self.level == ScopeLevel.TOWN:
            return community.town_id == self.town_id
        if self.level == ScopeLevel.COMMUNITY:
            return community.pk == self.community_id
        return False

    def allows_department(self, department_id: int | None) -> bool:
        return self.level != ScopeLevel.DEPARTMENT or department_id == self.department_id


def scope_of(user) -> Scope | None:
    """The one place that reads a user's scope (cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_scope_cache", False)
    if cached is not False:
        return cached
    scope: Scope | None
    if user.is_superuser:
        scope = Scope(ALL)
    elif user.scope_level == ScopeLevel.COUNTY and user.county_id:
        scope = Scope(ScopeLevel.COUNTY, county_id=user.county_id)
    elif user.scope_level == ScopeLevel.TOWN and user.town_id:
        scope = Scope(ScopeLevel.TOWN, county_id=user.county_id, town_id=user.town_id)
    elif user.scope_level == ScopeLevel.COMMUNITY and user.community_id:
        scope = Scope(
            ScopeLevel.COMMUNITY, county_id=user.county_id, town_id=user.town_id, community_id=user.community_id
        )
    elif user.scope_level == ScopeLevel.DEPARTMENT and user.department_id:
        scope = Scope(ScopeLevel.DEPARTMENT, county_id=user.county_id, department_id=user.department_id)
    else:
        scope = None
    user._scope_cache = scope
    return scope


class ScopedQuerySet(models.QuerySet):
    """``for_user`` turns a user into a filter using the model's ``community_path``.

    A model may also declare ``department_path`` so that department liaisons see the rows
    of their own department (in every community of the county).
    """

    def for_user(self, user):
        return self.for_user_scope(scope_of(user))

    def for_user_scope(self, scope: Scope | None):
        if scope is None:
            return self.none()
        if scope.level == ScopeLevel.DEPARTMENT:
            department_path = getattr(self.model, "department_path", None)
            if department_path is None:
                return self.none()
            return self.filter(**{f"{department_path}_id": scope.department_id})
        return self.filter(scope.community_q(self.model.community_path))

    def in_communities(self, community_ids):
        path = self.model.community_path
        return self.filter(**{f"{path}__in" if path else "pk__in": list(community_ids)})


def community_of(obj):
    """Walk an object's ``community_path`` to its Community (None if not yet set)."""
    path = type(obj).community_path
    if not path:
        return obj
    current = obj
    for part in path.split("__"):
        current = getattr(current, part, None)
        if current is None:
            return None
    return current


def ensure_in_scope(user, community) -> None:
    """Refuse, with a clear message, a write that would place a row outside the user's scope."""
    scope = scope_of(user)
    if scope is None or not scope.allows(community):
        raise PermissionDenied(_("You may only change records of the communities in your own scope."))

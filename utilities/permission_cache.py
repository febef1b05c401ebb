"""A signed-in user's permissions, kept in the shared cache between requests.

Django's ``ModelBackend`` reads a user's own permissions and their groups' permissions with two queries in
every request that checks one (every admin page and API call), and keeps them on the user object for that
request only.  ``CachedModelBackend`` keeps the two sets in the default cache (Redis, shared by every
worker) under the user's key and a *generation*, both read in one round trip.  Whatever may change anyone's
permissions starts a new generation: of every user's when a group's permissions change, or a group, permission
or content type is saved or deleted, or after a migration; of one user's when their groups or own permissions
change (a new member of staff leaves everyone else's kept).  The new generation is set at once and again when
the transaction commits: a request that read the old rows in between keeps them under a generation that is
already gone.  An entry also expires after ``PERMISSION_CACHE_SECONDS``, the bound on a change that did not
reach the cache (made while Redis was down, say).

The superuser flag is part of the key (it changes the answer and is saved on the user row, not through these
signals); ``is_active`` is read from the user row by ``has_perm`` itself on every request.  Without a shared
cache (``PERMISSION_CACHE_SECONDS`` 0, as when no ``REDIS_URL`` is set) or when the cache fails, the backend
reads the database as Django's does.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from utilities.cache import CACHE_ERRORS

logger = logging.getLogger(__name__)

GENERATION_KEY = "perms:generation"


def cache_seconds() -> int:
    return int(getattr(settings, "PERMISSION_CACHE_SECONDS", 0) or 0)


def _entry_key(user) -> str:
    return f"perms:{user.pk}:{int(bool(user.is_superuser))}"


def _user_generation_key(pk) -> str:
    return f"perms:generation:{pk}"


class CachedModelBackend(ModelBackend):
    """``ModelBackend`` whose two permission sets come from the shared cache when it holds them."""

    def _get_permissions(self, user_obj, obj, from_name):
        if (
            obj is None
            and user_obj.is_active
            and not user_obj.is_anonymous
            and not hasattr(user_obj, f"_{from_name}_perm_cache")
            and cache_seconds()
        ):
            self._load(user_obj)
        return super()._get_permissions(user_obj, obj, from_name)

    def _load(self, user_obj) -> None:
        """Set both of the user's permission caches, from the shared cache or else from the database (and keep
        them there under the generations read before the database was)."""
        cache = caches["default"]
        keys = [GENERATION_KEY, _user_generation_key(user_obj.pk), _entry_key(user_obj)]
        try:
            kept = cache.get_many(keys)
        except CACHE_ERRORS:
            logger.warning("permission cache unavailable; reading permissions from the database", exc_info=True)
            return
        generations = (kept.get(keys[0]), kept.get(keys[1]))
        entry = kept.get(keys[2])
        if generations[0] is not None and isinstance(entry, tuple) and len(entry) == 3 and entry[0] == generations:
            user_obj._user_perm_cache, user_obj._group_perm_cache = set(entry[1]), set(entry[2])
            return
        user_perms = super()._get_permissions(user_obj, None, "user")
        group_perms = super()._get_permissions(user_obj, None, "group")
        try:
            if generations[0] is None:
                # an emptied cache: start a generation, unless a change started one since the read above (then
                # what this request read may be older than it, and is not kept)
                generations = (uuid.uuid4().hex, generations[1])
                if not cache.add(GENERATION_KEY, generations[0], None):
                    return
            cache.set(keys[2], (generations, sorted(user_perms), sorted(group_perms)), cache_seconds())
        except CACHE_ERRORS:
            logger.warning("permission cache unavailable; not kept", exc_info=True)


def _new_generation(user_pks=None) -> None:
    """Start a new generation: of every user's kept permissions, or of those users' only."""
    keys = [GENERATION_KEY] if user_pks is None else [_user_generation_key(pk) for pk in user_pks]
    try:
        caches["default"].set_many({key: uuid.uuid4().hex for key in keys}, None)
    except CACHE_ERRORS:
        logger.warning("permission cache unavailable: a permission change reaches it when its entries expire")


def _changed(user_pks=None, using=None) -> None:
    """Stale now, and again once the change commits: a request that read the rows in between kept them under
    a generation that is then gone."""
    _new_generation(user_pks)
    transaction.on_commit(lambda: _new_generation(user_pks), using=using)


def permissions_changed(sender, using=None, **kwargs) -> None:
    """A receiver for what may change anyone's permissions: a role's grants, a role, a permission, a migration."""
    action = kwargs.get("action")
    if action is None or action.startswith("post_"):  # m2m_changed's pre_ signals: its post_ signal follows
        _changed(using=using)


def user_permissions_changed(sender, instance, action, reverse, pk_set, using=None, **kwargs) -> None:
    """A receiver for a user's roles or own grants: only those users' kept permissions are stale (a user added
    to a role leaves everyone else's alone), unless a role or permission lost all its users at once."""
    if not action.startswith("post_"):
        return
    if not reverse:
        _changed([instance.pk], using)
    elif pk_set:
        _changed(sorted(pk_set), using)
    else:
        _changed(using=using)


def connect() -> None:
    """Connect the receivers (from an AppConfig's ``ready``)."""
    user_model = get_user_model()
    for through in (user_model.groups.through, user_model.user_permissions.through):
        m2m_changed.connect(user_permissions_changed, sender=through, dispatch_uid=f"perms-{through._meta.label}")
    m2m_changed.connect(permissions_changed, sender=Group.permissions.through, dispatch_uid="perms-role-grants")
    for model in (Group, Permission, ContentType):
        post_save.connect(permissions_changed, sender=model, dispatch_uid=f"perms-saved-{model._meta.label}")
        post_delete.connect(permissions_changed, sender=model, dispatch_uid=f"perms-deleted-{model._meta.label}")
    post_migrate.connect(permissions_changed, dispatch_uid="perms-migrate")

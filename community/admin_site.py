"""The platform's admin site: Django's, with the navigation it builds on every page kept per user.

Every admin page (the sidebar, the index) lists the apps and models the user may use: for each of some
ninety registered models Django asks the model admin for the user's permissions and reverses its URLs,
about a quarter of a county official's changelist time.  The list depends only on who the user is
(their permissions and their scope) and the language, so it is kept under those, in each worker's
memory for a few minutes: a changed role or scope is a new key, shown at once.  (A dict, not a cache
backend: the list holds lazy translations, which do not pickle.)

The sidebar's HTML is kept too (``templates/admin/nav_sidebar.html``, in the ``fragments`` cache), under
the same key and the section of the admin the page is in, which the sidebar marks as current.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import get_language

from .scoping import scope_of

APP_LIST_SECONDS = 300
APP_LIST_ENTRIES = 500


class _Kept:
    """A small per-process store with an age limit and a size limit (the oldest entry goes first)."""

    def __init__(self, seconds: float, entries: int):
        self.seconds, self.entries = seconds, entries
        self.items: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            kept = self.items.get(key)
            if kept is None or kept[0] < time.monotonic():
                self.items.pop(key, None)
                return None
            return kept[1]

    def set(self, key, value) -> None:
        with self.lock:
            self.items[key] = (time.monotonic() + self.seconds, value)
            self.items.move_to_end(key)
            while len(self.items) > self.entries:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


APP_LISTS = _Kept(APP_LIST_SECONDS, APP_LIST_ENTRIES)


class PlatformAdminSite(admin.AdminSite):
    def app_list_key(self, request) -> str | None:
        if hasattr(request, "_app_list_key"):
            return request._app_list_key
        user = request.user
        key = None
        if user.is_active and user.is_staff:
            scope = scope_of(user)
            who = [str(user.pk), str(user.is_superuser), repr(scope), *sorted(user.get_all_permissions())]
            digest = hashlib.sha256("\n".join(who).encode()).hexdigest()[:32]
            key = f"admin-app-list:{get_language()}:{digest}"
        request._app_list_key = key
        return key

    def each_context(self, request):
        context = super().each_context(request)
        key = self.app_list_key(request)
        # the sidebar marks the app and the model whose URL the path starts with: /admin/<app>/<model>/
        section = "/".join(request.path.split("/")[:4])
        context["nav_sidebar_key"] = f"{key}:{section}" if key else None
        return context

    def get_app_list(self, request, app_label=None):
        if app_label is not None:
            return super().get_app_list(request, app_label)
        key = self.app_list_key(request)
        if key is None:
            return super().get_app_list(request)
        app_list = APP_LISTS.get(key)
        if app_list is None:
            app_list = super().get_app_list(request)
            APP_LISTS.set(key, app_list)
        # a page may change its copy of the apps and their models (the values themselves are not changed)
        return [{**app, "models": [dict(model) for model in app["models"]]} for app in app_list]


class PlatformAdminConfig(AdminConfig):
    default_site = "community.admin_site.PlatformAdminSite"

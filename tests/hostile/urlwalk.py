"""Walking the project's URL patterns (shared by the IDOR sweep and the form sweep)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

# groups that name something other than a row: a format, an app, the admin's catch-all, a report's file kind
NOT_OBJECT_ARGS = {"app_label", "url", "fmt", "format", "kind"}


@dataclass(frozen=True)
class Route:
    route: str  # the joined pattern text, e.g. "admin/community/zone/<path:object_id>/change/"
    name: str  # "namespace:name" ("" when unnamed)
    pattern: URLPattern
    kwargs: tuple[str, ...]  # named groups
    positional: int  # unnamed groups (simple_history's history view)
    defaults: dict

    @property
    def object_args(self) -> tuple[str, ...]:
        return tuple(k for k in self.kwargs if k not in NOT_OBJECT_ARGS)

    @property
    def takes_object(self) -> bool:
        return bool(self.object_args) or self.positional > 0

    @property
    def callback(self):
        return self.pattern.callback

    @property
    def viewset(self):
        """The DRF viewset class behind an API route (None elsewhere)."""
        cls = getattr(self.callback, "cls", None)
        return cls if getattr(self.callback, "actions", None) is not None else None

    @property
    def label(self) -> str:
        return self.name or self.route


def _groups(resolvers: list) -> tuple[set, int]:
    names: set = set()
    positional = 0
    for part in resolvers:
        regex = part.pattern.regex
        names |= set(regex.groupindex)
        positional += regex.groups - len(regex.groupindex)
    return names, positional


def walk() -> list[Route]:
    routes: list[Route] = []

    def visit(patterns, trail: list, namespace: str):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                visit(entry.url_patterns, [*trail, entry], ns)
            else:
                names, positional = _groups([*trail, entry])
                text = "".join(str(p.pattern) for p in [*trail, entry])
                name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
                routes.append(
                    Route(text, name, entry, tuple(sorted(names)), positional, dict(entry.default_args or {}))
                )

    visit(get_resolver().url_patterns, [], "")
    return routes


def admin_model_of(route: Route):
    """The model whose ModelAdmin serves this admin route (None for the site's own views)."""
    best = None
    for model in admin.site._registry:
        prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if route.route.startswith(prefix) and (best is None or len(prefix) > best[0]):
            best = (len(prefix), model)
    return best[1] if best else None

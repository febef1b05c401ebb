"""Helpers for the generated tests: which models are scoped, and where their admin and API live."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.urls import reverse


def scoped_models():
    return sorted(
        (
            m
            for m in apps.get_models()
            if hasattr(m, "community_path")
            and not m._meta.label.startswith("community.Historical")
            and "historical" not in m._meta.model_name
        ),
        key=lambda m: m._meta.label,
    )


def api_routes():
    """model -> (basename, viewset) from the one router."""
    from community.urls import router

    routes = {}
    for _prefix, viewset, basename in router.registry:
        queryset = getattr(viewset, "queryset", None)
        if queryset is not None:
            routes.setdefault(queryset.model, (basename, viewset))
    return routes


def admin_url(model, kind: str, *args):
    if model not in admin.site._registry:
        return None
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{kind}", args=args)


def first_fk_on_path(model) -> str | None:
    path = model.community_path
    return path.split("__")[0] if path else None

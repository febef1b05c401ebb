"""Pages of the core: the public landing page, the officials' dashboard, health probes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from . import dashboard, selectors


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    import redis

    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except (redis.RedisError, OSError, ValueError):
        return "down"
    return "ok"


@never_cache
def readyz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # any driver error means not ready
        database = "down"
    broker = _broker_status()
    ready = database == "ok" and broker in {"ok", "eager"}
    return JsonResponse({"database": database, "broker": broker, "ready": ready}, status=200 if ready else 503)


def landing(request):
    return render(request, "public/landing.html", {"towns": selectors.public_directory()})


def _target_from(request):
    try:
        return selectors.dashboard_target(user=request.user, level=request.GET.get("scope"), pk=request.GET.get("id"))
    except ValueError as exc:
        raise Http404(str(exc))


def _period_from(request):
    kind = request.GET.get("period") or "month"
    return dashboard.Period.parse(kind, request.GET.get(kind) or request.GET.get("value"))


@login_required
def dashboard_index(request):
    target = _target_from(request)
    try:
        period = _period_from(request)
    except ValueError as exc:
        return render(request, "dashboard/index.html", {"error": str(exc), "target": target}, status=400)
    collected = dashboard.collect(target.scope(), period)
    context = {
        "target": target,
        "period": period,
        "sections": collected,
        "children": selectors.dashboard_children(target=target),
        "breadcrumbs": selectors.dashboard_breadcrumbs(target=target),
        "wall": request.GET.get("wall") == "1",
        "charts": {
            f"{sec.key}-{ind.key}": ind.chart for sec, inds in collected for ind in inds if ind.chart is not None
        },
    }
    return render(request, "dashboard/index.html", context)


@extend_schema(
    parameters=[
        OpenApiParameter("scope", OpenApiTypes.STR, enum=["county", "town", "community"]),
        OpenApiParameter("id", OpenApiTypes.INT),
        OpenApiParameter("period", OpenApiTypes.STR, enum=["month", "quarter", "year"]),
        OpenApiParameter("value", OpenApiTypes.STR, description=_("2026-11, 2026-Q4 or 2026")),
    ],
    responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def dashboard_api(request):
    """Every indicator of the dashboard for a scope and period (the same registry as the page)."""
    try:
        target = selectors.dashboard_target(user=request.user, level=request.GET.get("scope"), pk=request.GET.get("id"))
    except ValueError as exc:
        return Response({"detail": str(exc)}, status=404)
    except PermissionDenied as exc:
        return Response({"detail": str(exc)}, status=403)
    try:
        period = _period_from(request)
    except ValueError as exc:
        return Response({"detail": str(exc)}, status=400)
    return Response(
        {
            "scope": {"level": target.level, "id": target.obj.pk, "name": target.name},
            "period": {"kind": period.kind, "start": period.start, "end": period.end, "label": period.label},
            "sections": [
                {"key": sec.key, "title": str(sec.title), "indicators": [i.as_json() for i in inds]}
                for sec, inds in dashboard.collect(target.scope(), period)
            ],
        }
    )

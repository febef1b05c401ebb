"""Pages of the core: the public landing page, the officials' dashboard, health probes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from utilities import health
from utilities.charts import trend_chart

from . import dashboard, reporting, selectors


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    database = health.database_server()
    broker = health.broker_status()
    ready = database is not None and broker in {"ok", "eager"}
    return JsonResponse(
        {"database": "ok" if database else "down", "database_server": database, "broker": broker, "ready": ready},
        status=200 if ready else 503,
    )


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


@dataclass(frozen=True)
class Figure:
    indicator: dashboard.Indicator
    change: Decimal | None  # month over month, from the snapshots
    when: str = ""  # the moment or span the figure is of, shown beside it

    @property
    def change_text(self) -> str:
        return dashboard.number_text(abs(self.change)) if self.change is not None else ""


@dataclass(frozen=True)
class Panel:
    """One section of the page: its figures, its charts and its month-over-month trend."""

    section: dashboard.Section
    figures: list[Figure]
    trend: dict | None


def dashboard_panels(collected, trend: reporting.Trend, period=None) -> list[Panel]:
    panels = []
    for sec, inds in collected:
        series = {ind.label: trend.series(sec.key, ind.key) for ind in inds if (sec.key, ind.key) in trend.values}
        panels.append(
            Panel(
                section=sec,
                figures=[
                    Figure(ind, trend.change(sec.key, ind.key), ind.when(period) if period else "") for ind in inds
                ],
                trend=trend_chart(trend.months, series) if len(trend.months) > 1 and series else None,
            )
        )
    return panels


def _until(period) -> dt.date:
    return min(period.end, timezone.localdate())


@login_required
def dashboard_index(request):
    target = _target_from(request)
    try:
        period = _period_from(request)
    except ValueError as exc:
        return render(request, "dashboard/index.html", {"error": str(exc), "target": target}, status=400)
    choice = dashboard.campaign_choice(target.scope(), period, request.GET.getlist("campaign"))
    for value in choice.refused:
        messages.warning(
            request,
            _("“%(value)s” is no campaign of %(unit)s by %(day)s: the latest campaign is shown instead.")
            % {"value": value, "unit": target.name, "day": f"{_until(period):%Y-%m-%d}"},
        )
    data = reporting.dashboard_read(target=target, period=period, live=request.GET.get("live") == "1", choice=choice)
    panels = dashboard_panels(data.collected, reporting.trend_read(target=target, until=_until(period)), period)
    charts = {
        f"{sec.key}-{ind.key}": ind.chart for sec, inds in data.collected for ind in inds if ind.chart is not None
    }
    charts.update({f"trend-{p.section.key}": p.trend for p in panels if p.trend})
    today = timezone.localdate()
    context = {
        "target": target,
        "period": period,
        "sections": data.collected,
        "panels": panels,
        "as_of": data.as_of,
        "children": selectors.dashboard_children(target=target),
        "breadcrumbs": selectors.dashboard_breadcrumbs(target=target),
        "wall": request.GET.get("wall") == "1",
        "charts": charts,
        "report_month": _report_month(period, today),
        "campaigns": choice,
        "keep": choice.query(),
    }
    return render(request, "dashboard/index.html", context)


def _report_month(period, today: dt.date) -> str:
    """The month a report from this page covers: the period's month once it is over, else the last complete one."""
    if period.kind == "month" and period.end < today:
        return period.label
    month = dashboard.Period.last_complete_month(today)
    return month.label if period.end >= today else f"{period.end:%Y-%m}"


@extend_schema(
    parameters=[
        OpenApiParameter("scope", OpenApiTypes.STR, enum=["county", "town", "community"]),
        OpenApiParameter("id", OpenApiTypes.INT),
        OpenApiParameter("period", OpenApiTypes.STR, enum=["month", "quarter", "year"]),
        OpenApiParameter("value", OpenApiTypes.STR, description=_("2026-11, 2026-Q4 or 2026")),
        OpenApiParameter(
            "campaign",
            OpenApiTypes.INT,
            many=True,
            description=_("A campaign the staffing figures are of (one per kind; default: each kind's latest)"),
        ),
        OpenApiParameter(
            "live", OpenApiTypes.STR, enum=["1"], description=_("1: compute now instead of the precomputed figures")
        ),
    ],
    responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def dashboard_api(request):
    """Every indicator of the dashboard for a scope and period (the same registry as the page).

    A county or town answers from its precomputed payload (``as_of`` is when it was computed) unless
    ``live=1``; a community is always computed now (``as_of`` null).  ``trend`` holds each indicator's
    month-over-month values from the nightly snapshots.
    """
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
    choice = dashboard.campaign_choice(target.scope(), period, request.GET.getlist("campaign"))
    if choice.refused:
        return Response(
            {
                "campaign": [
                    str(_("“%(value)s” is no campaign of %(unit)s by %(day)s."))
                    % {"value": value, "unit": target.name, "day": f"{_until(period):%Y-%m-%d}"}
                    for value in choice.refused
                ]
            },
            status=400,
        )
    data = reporting.dashboard_read(target=target, period=period, live=request.GET.get("live") == "1", choice=choice)
    trend = reporting.trend_read(target=target, until=_until(period))
    return Response(
        {
            "scope": {"level": target.level, "id": target.obj.pk, "name": target.name},
            "period": {"kind": period.kind, "start": period.start, "end": period.end, "label": period.label},
            "as_of": data.as_of,
            "campaigns": [
                {
                    "kind": p.kind,
                    "title": str(p.title),
                    "selected": p.selected,
                    "options": [{"id": pk, "label": label} for pk, label in p.options],
                }
                for p in choice.pickers
            ],
            "sections": [
                {"key": sec.key, "title": str(sec.title), "indicators": [i.as_json() for i in inds]}
                for sec, inds in data.collected
            ],
            "trend": {
                "months": trend.months,
                "values": [
                    {"section": sec, "key": key, "values": [None if v is None else str(v) for v in values]}
                    for (sec, key), values in sorted(trend.values.items())
                ],
            },
        }
    )

"""The ledger's reports (income and expense, by source, trial balance) for a scope and dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from community.scoping import scope_of
from community.selectors import dashboard_target

from .. import selectors


class CanReadMoney(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and request.user.has_perm("funding.view_journalentry")
        )


REPORT_PARAMETERS = [
    OpenApiParameter("scope", OpenApiTypes.STR, enum=["county", "town", "community"]),
    OpenApiParameter("id", OpenApiTypes.INT),
    OpenApiParameter("start", OpenApiTypes.DATE),
    OpenApiParameter("end", OpenApiTypes.DATE),
    OpenApiParameter("year", OpenApiTypes.INT),
]


def report_scope(request):
    """The scope a report covers: ``?scope=town&id=…`` within the caller's own, else the caller's own."""

    if request.GET.get("scope") or request.GET.get("id"):
        try:
            return dashboard_target(user=request.user, level=request.GET.get("scope"), pk=request.GET.get("id")).scope()
        except ValueError as exc:
            raise Http404(str(exc))
    return scope_of(request.user)


def report_dates(request) -> tuple[dt.date, dt.date]:

    today = dt.date.today()
    try:
        start = dt.date.fromisoformat(request.GET.get("start") or f"{today.year}-01-01")
        end = dt.date.fromisoformat(request.GET.get("end") or today.isoformat())
    except ValueError:
        raise ValidationError(_("Give dates as YYYY-MM-DD."))
    if end < start:
        raise ValidationError(_("The end date is before the start date."))
    return start, end


def report_year(request) -> int:

    try:
        year = int(request.GET.get("year") or dt.date.today().year)
    except ValueError:
        raise ValidationError(_("Give the year as a number, e.g. 2026."))
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Give the year as a number, e.g. 2026."))
    return year


def _plain(rows):

    return [asdict(r) for r in rows]


class ReportViewSet(viewsets.ViewSet):
    """Financial reports rolling up community → town → county (``?scope=&id=``)."""

    permission_classes = [CanReadMoney]

    @extend_schema(parameters=REPORT_PARAMETERS, responses={200: {"type": "array", "items": {"type": "object"}}})
    @action(detail=False, url_path="fund-balances")
    def fund_balances(self, request):
        start, end = report_dates(request) if request.GET.get("start") else (None, None)
        if request.GET.get("end") and start is None:
            start, end = None, report_dates(request)[1]
        return Response(_plain(selectors.fund_balances(scope=report_scope(request), start=start, end=end)))

    @extend_schema(parameters=REPORT_PARAMETERS, responses=OpenApiTypes.OBJECT)
    @action(detail=False, url_path="source-and-use")
    def source_and_use(self, request):
        start, end = report_dates(request)
        statement = selectors.source_and_use(scope=report_scope(request), start=start, end=end)
        return Response(
            {
                "start": start,
                "end": end,
                "income": [{**r.__dict__, "total": r.total} for r in statement.income],
                "expense": [{**r.__dict__, "total": r.total} for r in statement.expense],
                "surplus": {"restricted": statement.surplus.restricted, "unrestricted": statement.surplus.unrestricted},
            }
        )

    @extend_schema(parameters=REPORT_PARAMETERS, responses={200: {"type": "array", "items": {"type": "object"}}})
    @action(detail=False, url_path="budget-vs-actual")
    def budget_vs_actual(self, request):
        rows = selectors.budget_vs_actual(scope=report_scope(request), year=report_year(request))
        return Response([{**r.__dict__, "variance": r.variance} for r in rows])

    @extend_schema(parameters=REPORT_PARAMETERS, responses={200: {"type": "array", "items": {"type": "object"}}})
    @action(detail=False, url_path="projects")
    def projects(self, request):
        rows = selectors.project_accounts(scope=report_scope(request))
        return Response([{**r.__dict__, "raised_total": r.raised_total, "balance": r.balance} for r in rows])

    @extend_schema(parameters=REPORT_PARAMETERS, responses={200: {"type": "array", "items": {"type": "object"}}})
    @action(detail=False, url_path="trial-balance")
    def trial_balance(self, request):
        _start, end = report_dates(request)
        rows = selectors.trial_balance(scope=report_scope(request), end=end)
        return Response([{**r.__dict__, "balance": r.balance} for r in rows])

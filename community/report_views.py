"""Officials' report pages: start a monthly report, watch its progress, download its files (scope-checked)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from utilities import health
from utilities.periods import Period

from . import reporting, selectors
from .reporting_models import ReportRun


def _target(request, source):
    try:
        return selectors.dashboard_target(user=request.user, level=source.get("scope"), pk=source.get("id"))
    except ValueError as exc:
        raise Http404(str(exc))


def _run_for(request, run_id: int) -> ReportRun:
    run = ReportRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404(_("There is no such report."))
    try:
        selectors.dashboard_target(user=request.user, level=run.level, pk=run.unit_id)
    except (ValueError, PermissionDenied):
        raise Http404(_("There is no such report."))
    return run


@login_required
def report_list(request):
    target = _target(request, request.GET if request.method == "GET" else request.POST)
    if request.method == "POST":
        try:
            period = Period.parse("month", request.POST.get("month"))
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            try:
                run = reporting.report_request(
                    by=request.user, target=target, period=period, regenerate=request.POST.get("regenerate") == "1"
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                if health.broker_status() == "down":
                    messages.warning(
                        request,
                        _(
                            "The job service (Redis) cannot be reached right now: the report is queued and will "
                            "be generated automatically when the service is back."
                        ),
                    )
                elif run.status == ReportRun.Status.DONE:
                    messages.info(request, _("This report already exists; download it below or regenerate it."))
                else:
                    messages.success(request, _("The report is being generated."))
        return redirect(f"{reverse('dashboard:reports')}?scope={target.level}&id={target.obj.pk}")
    runs = ReportRun.objects.filter(level=target.level, unit_id=target.obj.pk).order_by("-period_start")[:24]
    return render(
        request,
        "reports/list.html",
        {
            "target": target,
            "runs": runs,
            "default_month": Period.last_complete_month().label,
            "broker_down": health.broker_status() == "down",
        },
    )


@login_required
def report_status(request, run_id: int):
    run = _run_for(request, run_id)
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "status_label": run.get_status_display(),
            "progress": run.progress,
            "error": run.error,
            "xlsx": reverse("dashboard:report-file", args=[run.pk, "xlsx"]) if run.xlsx else "",
            "pdf": reverse("dashboard:report-file", args=[run.pk, "pdf"]) if run.pdf else "",
        }
    )


@login_required
def report_file(request, run_id: int, kind: str):
    run = _run_for(request, run_id)
    field = {"xlsx": run.xlsx, "pdf": run.pdf}.get(kind)
    if not field or run.status != ReportRun.Status.DONE:
        raise Http404(_("This file is not ready."))
    name = f"{run.unit_name}-{run.period_start:%Y%m}.{kind}"
    return FileResponse(field.open("rb"), as_attachment=True, filename=name)


@login_required
@require_POST
def report_retry(request, run_id: int):
    run = _run_for(request, run_id)
    target = reporting.target_of(run.level, run.unit_id)
    try:
        reporting.report_request(
            by=request.user,
            target=target,
            period=Period(run.period_kind, run.period_start, run.period_end),
            regenerate=run.status != ReportRun.Status.FAILED,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{reverse('dashboard:reports')}?scope={run.level}&id={run.unit_id}")

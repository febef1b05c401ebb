"""Pages of the funding app: the public disclosure (财务公开) and the officials' reports and exports."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from community.masking import scrub_public_text
from community.models import Community
from community.scoping import scope_of
from community.selectors import dashboard_target
from utilities import ratelimit

from . import actions, exports, selectors
from .forms import QuestionForm
from .models import Disclosure

QUESTION_RATE = "5/h"


def disclosure_index(request, code):
    """The published quarters of one community (public, no login)."""
    community = get_object_or_404(Community.objects.select_related("town"), code=code)
    disclosures = (
        Disclosure.objects.filter(community=community)
        .order_by("-year", "-quarter")
        .only("id", "year", "quarter", "published_at", "sha256", "community_id")
    )
    return render(request, "funding/disclosure_index.html", {"community": community, "disclosures": disclosures})


def disclosure_detail(request, code, year, quarter):
    """One published quarter in plain language, and a form to ask about a line."""
    disclosure = get_object_or_404(
        Disclosure.objects.select_related("community"), community__code=code, year=year, quarter=quarter
    )
    # snapshots published before memos were scrubbed at the source are scrubbed again on the way out
    lines = [
        {**line, "summary": scrub_public_text(line.get("summary", ""))} for line in disclosure.content.get("lines", [])
    ]
    status = 200
    limited = False
    if request.method == "POST":
        form = QuestionForm(request.POST, lines=lines)
        if ratelimit.limited(request, ratelimit.Count("funding-question", QUESTION_RATE)) is not None:
            limited = True
            status = 429
        elif form.is_valid():
            try:
                actions.question_ask(
                    disclosure=disclosure,
                    line=form.cleaned_data["line"],
                    question=form.cleaned_data["question"],
                    contact=form.cleaned_data["contact"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                status = 400
            else:
                messages.success(request, _("Thank you: your question was received; the answer will be posted here."))
                return redirect(request.path)
        else:
            status = 400
    else:
        form = QuestionForm(lines=lines)
    answered = (
        disclosure.questions.exclude(answer="")
        .order_by("line", "asked_at")
        .only("line", "question", "answer", "answered_at")
    )
    context = {
        "disclosure": disclosure,
        "content": disclosure.content,
        "lines": lines,
        "form": form,
        "limited": limited,
        "answered": answered,
        "verified": actions.disclosure_verify(disclosure),
    }
    return render(request, "funding/disclosure_detail.html", context, status=status)


def _report_scope(request):

    if request.GET.get("scope") or request.GET.get("id"):
        try:
            return dashboard_target(user=request.user, level=request.GET.get("scope"), pk=request.GET.get("id"))
        except ValueError as exc:
            raise Http404(str(exc))
    return None


def _dates(request) -> tuple[dt.date, dt.date]:
    today = dt.date.today()
    try:
        start = dt.date.fromisoformat(request.GET.get("start") or f"{today.year}-01-01")
        end = dt.date.fromisoformat(request.GET.get("end") or today.isoformat())
    except ValueError:
        raise ValidationError(_("Give dates as YYYY-MM-DD."))
    if end < start:
        raise ValidationError(_("The end date is before the start date."))
    return start, end


REPORTS = {
    "fund-balances": lambda scope, start, end: exports.fund_balances_xlsx(scope=scope, start=start, end=end),
    "source-and-use": lambda scope, start, end: exports.source_and_use_xlsx(scope=scope, start=start, end=end),
    "trial-balance": lambda scope, start, end: exports.trial_balance_xlsx(scope=scope, end=end),
    "budget-vs-actual": lambda scope, start, end: exports.budget_xlsx(scope=scope, year=end.year),
    "projects": lambda scope, start, end: exports.projects_xlsx(scope=scope),
    "vouchers": lambda scope, start, end: exports.vouchers_xlsx(scope=scope, start=start, end=end),
}


def _require_money(request):
    if not request.user.has_perm("funding.view_journalentry"):
        raise PermissionDenied(_("Your role may not read the accounts."))


@login_required
def reports(request):
    """The source-and-use statement and fund balances for the caller's scope (or a unit inside it)."""
    _require_money(request)
    target = _report_scope(request)
    scope = target.scope() if target else scope_of(request.user)
    try:
        start, end = _dates(request)
    except ValidationError as exc:
        return render(request, "funding/reports.html", {"error": " ".join(exc.messages)}, status=400)
    context = {
        "target": target,
        "start": start,
        "end": end,
        "statement": selectors.source_and_use(scope=scope, start=start, end=end),
        "balances": selectors.fund_balances(scope=scope, start=start, end=end),
        "query": request.GET.urlencode(),
        "exports": list(REPORTS),
    }
    return render(request, "funding/reports.html", context)


@login_required
def export(request, name):
    """An XLSX report for the caller's scope (or a unit inside it)."""
    if name not in REPORTS:
        raise Http404(_("There is no such report."))
    _require_money(request)
    if not request.user.has_perm("funding.export_funding"):
        raise PermissionDenied(_("Your role may not export the accounts."))
    target = _report_scope(request)
    scope = target.scope() if target else scope_of(request.user)
    try:
        start, end = _dates(request)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    body = REPORTS[name](scope, start, end)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="funding-{name}-{start}-{end}.xlsx"'
    return response

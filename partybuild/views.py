"""The town secretary's page: which households nobody covers, and fixing it there."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from community import selectors as core_selectors
from community.models import Building, Zone
from community.scoping import scope_of

from . import actions, selectors
from .choices import CoverageRole
from .forms import AssignForm

PAGE_SIZE = 25


def resolve_unit(user, level: str | None, pk):
    """The county, town, community, zone or building the page is about, checked against the user's scope.

    Raises PermissionDenied (outside the scope, or no scope) and LookupError (no such unit).
    """
    scope = scope_of(user)
    if scope is None:
        raise PermissionDenied(_("Your account has no scope; ask the county administrator to set one."))
    if level in ("zone", "building"):
        model = Zone if level == "zone" else Building
        related = ["community__town__county"] if level == "zone" else ["zone__community__town__county"]
        try:
            unit = model.objects.for_user(user).select_related(*related).filter(pk=int(pk)).first()
        except (TypeError, ValueError):
            unit = None
        if unit is None:
            raise LookupError(_("There is no such zone or building in your scope."))
        return level, unit
    if level not in (None, "", "county", "town", "community"):
        raise LookupError(_("Unknown level: use county, town, community, zone or building."))
    try:
        target = core_selectors.dashboard_target(user=user, level=level or None, pk=pk)
    except ValueError as exc:
        raise LookupError(str(exc))
    return target.level, target.obj


def _breadcrumbs(level: str, unit) -> list[tuple[str, object]]:
    chain = []
    if level == "building":
        chain = [unit.zone.community.town.county, unit.zone.community.town, unit.zone.community, unit.zone]
    elif level == "zone":
        chain = [unit.community.town.county, unit.community.town, unit.community]
    elif level == "community":
        chain = [unit.town.county, unit.town]
    elif level == "town":
        chain = [unit.county]
    return list(zip(selectors.LEVELS, chain, strict=False))


class Counted:
    """A queryset paged with a count known beforehand (the summaries' uncovered households): the paginator
    slices it for the page's rows and never counts the whole county's households."""

    ordered = True

    def __init__(self, queryset, count: int):
        self.queryset, self.total = queryset, count

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        return self.queryset[index]


@dataclass
class Row:
    household: object
    suggestion: selectors.Suggestion | None
    candidates: list


@login_required
@require_GET
def coverage_page(request):
    try:
        level, unit = resolve_unit(request.user, request.GET.get("level"), request.GET.get("id"))
    except LookupError as exc:
        raise Http404(str(exc))
    summaries = selectors.summarised_communities(user=request.user, level=level, unit_id=unit.pk)
    households = Counted(
        selectors.uncovered_in(user=request.user, level=level, unit_id=unit.pk),
        selectors.uncovered_count(user=request.user, level=level, unit_id=unit.pk, summaries=summaries),
    )
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    members = list(selectors.community_members(community_ids={h.building.zone.community_id for h in listed}))
    suggestions = selectors.suggest_coverers(households=listed, members=members)
    by_community: dict[int, list] = {}
    for member in members:
        by_community.setdefault(member.organisation.community_id, []).append(member)
    rows = []
    for h in listed:
        suggestion = suggestions.get(h.pk)
        pool = by_community.get(h.building.zone.community_id, [])
        rows.append(Row(h, suggestion, selectors.coverer_choices(members=pool, suggestion=suggestion)))
    low, high = selectors.load_band()
    context = {
        "level": level,
        "unit": unit,
        "breadcrumbs": _breadcrumbs(level, unit),
        "children": selectors.uncovered_children(user=request.user, level=level, unit_id=unit.pk, summaries=summaries),
        "page": page,
        "rows": rows,
        "band": (low, high),
        "can_assign": request.user.has_perm("partybuild.add_assignment"),
        "here": request.get_full_path(),
    }
    return render(request, "partybuild/coverage.html", context)


@login_required
@require_POST
def coverage_assign(request):
    form = AssignForm(request.POST)
    fallback = reverse("partybuild:coverage")
    target = request.POST.get("next") or fallback
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    if not request.user.has_perm("partybuild.add_assignment"):
        messages.error(request, _("Your role may not assign coverage."))
        return redirect(target)
    if not form.is_valid():
        messages.error(request, _("Choose a household and a party member."))
        return redirect(target)
    try:
        assignment = actions.assignment_create(
            by=request.user,
            member_id=form.cleaned_data["member"],
            role=CoverageRole.HOUSEHOLD,
            target_id=form.cleaned_data["household"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(member)s now covers household %(household)s.")
            % {"member": assignment.member, "household": assignment.household},
        )
    return redirect(target)

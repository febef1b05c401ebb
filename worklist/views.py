"""Public page of the work list: what the residents' committees do and what they assist with."""

from __future__ import annotations

from itertools import groupby

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from community.models import Community

from . import selectors
from .choices import CommunityRole


def _grouped(items):
    """[(county, [(role label, [items])])] in list order."""
    result = []
    for county, county_items in groupby(items, key=lambda i: i.county):
        roles = [
            (CommunityRole(role).label, list(role_items))
            for role, role_items in groupby(county_items, key=lambda i: i.community_role)
        ]
        result.append((county, roles))
    return result


def public_list(request):
    today = timezone.localdate()
    items = list(selectors.public_work_list(on=today))
    return render(request, "worklist/public_list.html", {"counties": _grouped(items), "today": today})


def community_list(request, code: str):
    community = get_object_or_404(Community.objects.select_related("town__county"), code=code)
    today = timezone.localdate()
    items = list(selectors.public_work_list(county_id=community.town.county_id, on=today))
    return render(
        request,
        "worklist/public_list.html",
        {"counties": _grouped(items), "today": today, "community": community},
    )

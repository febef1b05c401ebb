"""Public pages of recruitment and placement: announcements, score lists, publicity lists, objections.

What is shown is what the rules require and nothing more: exam numbers, masked names, posts and
scores — never an ID number, a phone or an unmasked name.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from utilities.forms import add_action_error
from utilities.ratelimit import Count, limited

from . import actions, selectors
from .forms import ObjectionForm

OBJECTION_RATE = "5/h"


def _campaign(pk: int):
    campaign = selectors.public_campaign(pk)
    if campaign is None:
        raise Http404(_("There is no such published campaign."))
    return campaign


def _limited(request) -> bool:
    """Over the objection rate for this address? (A cache outage lets the objection through.)"""
    return limited(request, Count("staffing-objection", OBJECTION_RATE)) is not None


def campaign_list(request):
    return render(request, "staffing/public/list.html", {"campaigns": selectors.public_campaigns()})


def campaign_detail(request, pk: int):
    campaign = _campaign(pk)
    versions = selectors.public_rule_versions(campaign)
    return render(
        request,
        "staffing/public/announcement.html",
        {
            "campaign": campaign,
            "rules": next((v for v in versions if v.in_force), None),
            "versions": versions,
            "notes": selectors.public_notes(campaign),
            "posts": campaign.posts.all(),
        },
    )


def campaign_scores(request, pk: int):
    """The score lists, of the whole campaign or of one post (``?post=``; a long campaign asks for a post)."""
    campaign = _campaign(pk)
    posts = selectors.public_score_posts(campaign)
    post_id = None
    if request.GET.get("post"):
        post_id = next((p["id"] for p in posts if str(p["id"]) == request.GET["post"]), None)
        if post_id is None:
            raise Http404(_("There is no such post in this campaign."))
    elif len(posts) == 1:
        post_id = posts[0]["id"]
    return render(
        request,
        "staffing/public/scores.html",
        {
            "campaign": campaign,
            "posts": posts if len(posts) > 1 else [],
            "post_id": post_id,
            "scores": selectors.public_scores(campaign, post_id=post_id),
            "results": selectors.placement_results(campaign),
        },
    )


@require_http_methods(["GET", "POST"])
def campaign_publicity(request, pk: int):
    campaign = _campaign(pk)
    form = ObjectionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _limited(request):
            form.add_error(None, _("Too many objections from this address: please try again in an hour."))
            status = 429
        elif form.is_valid():
            try:
                actions.objection_lodge(campaign_id=campaign.pk, **form.cleaned_data)
            except ValidationError as exc:
                add_action_error(form, exc)
                status = 400
            else:
                messages.success(request, _("Your objection was received; the organisation office will resolve it."))
                return redirect("staffing:publicity", pk=campaign.pk)
        else:
            status = 400
    return render(
        request,
        "staffing/public/publicity.html",
        {
            "campaign": campaign,
            "rows": selectors.public_publicity(campaign),
            "notes": selectors.public_notes(campaign),
            "form": form,
        },
        status=status,
    )

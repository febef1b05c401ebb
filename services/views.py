"""Residents' public pages: the request form, tracking, rating; shared facilities and events.

No account is needed; nothing here shows a resident's name, ID number or phone, nor staff names.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from community import validators
from community.models import Community
from community.public_views import elderly_mode_on
from utilities.pages import render_shared
from utilities.ratelimit import Count, limited

from . import actions, selectors
from .choices import Channel, Status
from .forms import AddInfoForm, CancelForm, PublicRequestForm, RateForm, TrackForm
from .models import ServiceCategory, format_tracking_code

log = logging.getLogger(__name__)

# the "submitted" page finds the request just saved in a signed cookie of its own, not in a session: a
# resident's post writes no session row, and the cookie, readable only by that page, lasts an hour
SUBMITTED_COOKIE = "services_submitted"
SUBMITTED_MAX_AGE = 60 * 60


# --- rate limits ------------------------------------------------------------------------------


def _phone(request) -> str:
    return validators.normalise_phone(request.POST.get("contact_phone", ""))


def too_many(request, seconds: int):
    minutes = max(1, math.ceil(seconds / 60))
    retry_at = timezone.localtime(timezone.now() + dt.timedelta(seconds=seconds))
    response = render(request, "services/429.html", {"minutes": minutes, "retry_at": retry_at}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _rates():
    return (
        getattr(settings, "SERVICES_SUBMIT_RATE_IP", "20/h"),
        getattr(settings, "SERVICES_SUBMIT_RATE_PHONE", "5/h"),
        getattr(settings, "SERVICES_TRACK_RATE_IP", "30/h"),
    )


# --- pages ------------------------------------------------------------------------------------


def index(request):
    """Step 1: choose the community and the kind of request (plain links, no JavaScript)."""
    community = selectors.public_community(request.GET.get("community"))
    return render(
        request,
        "services/index.html",
        {
            "communities": Community.objects.select_related("town").order_by("code").only("id", "name", "town__name"),
            "community": community,
            "categories": ServiceCategory.objects.active().only("id", "name", "description", "group", "paid", "price"),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request):
    """Step 2: the form itself; a valid post saves the request and shows its tracking code."""
    if request.method == "POST":  # the building and its door's household are read in the same query
        target = selectors.public_form_post(
            request.POST.get("community"),
            request.POST.get("category"),
            request.POST.get("building"),
            request.POST.get("door_number"),
        )
    else:  # the page is kept under its community's buildings too, read in the same query
        target = selectors.public_form_page(request.GET.get("community"), request.GET.get("category"))
    community, category = target.community, target.category
    if community is None or category is None:
        # step 1 again, keeping the community when it is known (the landing page links here with it alone)
        index = reverse("services:index")
        return redirect(f"{index}?community={community.pk}" if community else index)
    if request.method == "GET":
        # the same page for every resident of this community and kind of request, but for the CSRF token: the
        # form is built only when the page is rendered
        keys = PublicRequestForm.part_keys(community, category, target.buildings)
        key = f"{':'.join(keys.values())}:{community.updated_at.timestamp():.6f}:{int(elderly_mode_on(request))}"

        def context():
            form = PublicRequestForm(community=community, category=category, keys=keys)
            return {"form": form, "community": community, "category": category}

        own = f"{reverse('services:submit')}?{urlencode({'community': community.pk, 'category': category.pk})}"
        return render_shared(request, "services/form.html", context, key=key, shared_path=own)

    ip_rate, phone_rate, _track = _rates()
    counts = [Count("services.submit.ip", ip_rate)]
    if request.POST.get("contact_phone"):
        # only a saved request counts against a phone: junk posts carrying a victim's number cannot block them
        counts.append(Count("services.submit.phone", phone_rate, value=_phone(request), increment=False))
    wait = limited(request, *counts)
    if wait is not None:
        return too_many(request, wait)

    form = PublicRequestForm(
        request.POST, request.FILES, community=community, category=category, building=target.building
    )
    if form.is_bot():
        # answer as if it worked, save nothing
        return render(request, "services/submitted.html", {"code": None, "category": category}, status=200)
    if form.is_valid():
        data = form.cleaned_data
        try:
            req = actions.request_submit(
                community=community,
                category=category,
                description=data["description"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                building=data.get("building"),
                door_number=data.get("door_number", ""),
                address=data.get("address", ""),
                answers=form.answers(),
                photos=data.get("photos") or [],
                channel=Channel.WEB,
                door=target.door,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            limited(request, Count("services.submit.phone", phone_rate, value=_phone(request)))
            response = redirect("services:submitted")
            response.set_signed_cookie(
                SUBMITTED_COOKIE,
                req.tracking_code,
                salt=SUBMITTED_COOKIE,
                max_age=SUBMITTED_MAX_AGE,
                path=reverse("services:submitted"),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
    return render(
        request, "services/form.html", {"form": form, "community": community, "category": category}, status=400
    )


@never_cache
def submitted(request):
    code = request.get_signed_cookie(SUBMITTED_COOKIE, None, salt=SUBMITTED_COOKIE, max_age=SUBMITTED_MAX_AGE)
    if not code:
        return redirect("services:track")
    req = selectors.public_request(code=code)
    if req is None:
        raise Http404
    return render(
        request,
        "services/submitted.html",
        {"code": format_tracking_code(code), "category": req.category, "request_obj": req},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    """Tracking code + last 4 digits of the phone; a wrong pair answers exactly like an unknown code."""
    if request.method == "GET":
        return render(request, "services/track.html", {"form": TrackForm()})
    _ip, _phone, track_rate = _rates()
    wait = limited(request, Count("services.track.ip", track_rate))
    if wait is not None:
        return too_many(request, wait)
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, "services/track.html", {"form": form}, status=400)
    try:
        req = actions.request_find_for_resident(code=form.cleaned_data["code"], phone_last4=form.cleaned_data["last4"])
    except ValidationError as exc:  # the code is locked after too many wrong tries
        form.add_error(None, exc.messages)
        return render(request, "services/track.html", {"form": form}, status=429)
    if req is None:
        form.add_error(None, _("No request matches this tracking code and phone number. Check both and try again."))
        return render(request, "services/track.html", {"form": form}, status=404)

    op = request.POST.get("op", "view")
    forms = {"info": AddInfoForm(), "rate": RateForm(), "cancel": CancelForm()}
    status = 200
    if op in forms:
        bound = {"info": AddInfoForm, "rate": RateForm, "cancel": CancelForm}[op](request.POST)
        forms[op] = bound
        if bound.is_valid():
            try:
                if op == "info":
                    actions.request_add_info(request_id=req.pk, text=bound.cleaned_data["text"])
                    forms[op] = AddInfoForm()
                elif op == "rate":
                    actions.request_rate(
                        request_id=req.pk, rating=bound.cleaned_data["rating"], comment=bound.cleaned_data["comment"]
                    )
                else:
                    actions.request_cancel(request_id=req.pk, reason=bound.cleaned_data["reason"])
            except ValidationError as exc:
                bound.add_error(None, exc.messages)
                status = 400
        else:
            status = 400
    req = selectors.public_request(code=req.tracking_code)
    return render(
        request,
        "services/status.html",
        {
            "req": req,
            "timeline": selectors.public_timeline(request_id=req.pk),
            "code": form.cleaned_data["code"],
            "last4": form.cleaned_data["last4"],
            "forms": forms,
            "may_rate": req.status == Status.RESOLVED,
            "may_cancel": req.status in actions.RESIDENT_CANCELLABLE,
            "may_add": req.is_open or req.status == Status.RESOLVED,
        },
        status=status,
    )


def facilities(request):
    community = selectors.public_community(request.GET.get("community"))
    return render(
        request,
        "services/facilities.html",
        {
            "groups": selectors.public_facilities(community=community),
            "community": community,
            "communities": Community.objects.order_by("code").only("id", "name"),
        },
    )


def events(request):
    community = selectors.public_community(request.GET.get("community"))
    return render(
        request,
        "services/events.html",
        {
            "events": selectors.public_events(community=community),
            "community": community,
            "communities": Community.objects.order_by("code").only("id", "name"),
        },
    )

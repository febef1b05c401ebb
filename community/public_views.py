"""Residents' display preferences: the elderly mode (长辈模式) switch.

One link on every public page (``community/public/_elderly_switch.html``) leads here; the answer
sets or clears a cookie and sends the resident back to the page they were on.  A plain GET link,
so it works without JavaScript and with one tap; it changes nothing but how pages are shown.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

ELDERLY_COOKIE = "elderly"
ELDERLY_COOKIE_AGE = 365 * 24 * 60 * 60


def elderly_mode_on(request) -> bool:
    return request.COOKIES.get(ELDERLY_COOKIE) == "1"


@never_cache
@require_GET
def elderly_mode(request):
    """``?on=1`` turns the elderly mode on, anything else turns it off; ``next`` is where to go back."""
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.GET.get("on") == "1":
        response.set_cookie(
            ELDERLY_COOKIE,
            "1",
            max_age=ELDERLY_COOKIE_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(ELDERLY_COOKIE, samesite="Lax")
    return response

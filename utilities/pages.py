"""A page that is the same for every anonymous visitor, rendered once per worker.

``render_shared(request, template_name, context, key=…)`` renders the page the first time, with a slot in
place of the CSRF token, keeps the HTML in the ``fragments`` cache (each worker's memory) under ``key``
(what the page shows: the caller's versions of its rows), the path and the language, and answers every
later visitor with that HTML and their own token in the slot.  A signed-in visitor, or one with a message
waiting, gets the page rendered for them, as ``render`` would.  ``context`` may be a function returning the
context, called only when the page is rendered (a form that costs something to build, say).
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

#: what stands for the token in the kept HTML: letters and digits (``{% csrf_token %}`` escapes nothing of
#: it), different in each worker, and shorter than a real token, which is 64 characters
CSRF_SLOT = "csrfslot" + secrets.token_hex(12)


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def shared_key(request, template_name: str, key: str) -> str:
    parts = "\x1f".join([template_name, request.get_full_path(), get_language() or "", key])
    return "page:" + hashlib.sha256(parts.encode()).hexdigest()


def render_shared(request, template_name: str, context, *, key: str, timeout: int = 600, using="fragments"):
    if request.user.is_authenticated or _has_messages(request):
        return render(request, template_name, context() if callable(context) else context)
    cache = caches[using]
    cache_key = shared_key(request, template_name, key)
    page = cache.get(cache_key)
    if page is None:
        context = context() if callable(context) else context
        page = render_to_string(template_name, {**context, "csrf_token": CSRF_SLOT}, request)
        cache.set(cache_key, page, timeout)
    return HttpResponse(page.replace(CSRF_SLOT, get_token(request)))

"""A page that is the same for every anonymous visitor, rendered once.

``render_shared(request, template_name, context, key=…)`` renders the page the first time, with a slot in
place of the CSRF token, keeps the HTML under ``key`` (what the page shows: the caller's versions of its
rows), the path and the language, in the ``fragments`` cache (each worker's memory) and, for the page's own
address ``shared_path``, in the cache the workers share (Redis, ``shared``), and answers every later visitor
with that HTML and their own token in the slot: from the worker's memory, or else from Redis (a page another
worker rendered), or else rendered again.  A signed-in visitor, or one with a message waiting, gets the page
rendered for them, as ``render`` would.  ``context`` may be a function returning the context, called only
when the page is rendered (a form that costs something to build, say).  With Redis down the page is kept in
the worker's memory only.
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from utilities.cache import CACHE_ERRORS

log = logging.getLogger(__name__)

#: what stands for the token in the kept HTML: letters and digits (``{% csrf_token %}`` escapes nothing of
#: it), different in each worker, and shorter than a real token, which is 64 characters
CSRF_SLOT = "csrfslot" + secrets.token_hex(12)


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def shared_key(request, template_name: str, key: str) -> str:
    parts = "\x1f".join([template_name, request.get_full_path(), get_language() or "", key])
    return "page:" + hashlib.sha256(parts.encode()).hexdigest()


def render_shared(
    request,
    template_name: str,
    context,
    *,
    key: str,
    timeout: int = 600,
    using="fragments",
    shared="default",
    shared_path: str = "",
):
    """``shared_path``: the one address of this page that is also kept in Redis.  The page shows its own
    address (the elderly-mode switch links back to it), so each address is a page of its own: in the worker's
    memory they are bounded by its ``MAX_ENTRIES``, but in Redis only the page's own address is kept, or a
    stream of made-up query strings would fill it."""
    if request.user.is_authenticated or _has_messages(request):
        return render(request, template_name, context() if callable(context) else context)
    cache = caches[using]
    cache_key = shared_key(request, template_name, key)
    share = shared if shared_path and request.get_full_path() == shared_path else None
    kept = cache.get(cache_key)
    if kept is None:
        kept = _shared(share, "get", cache_key)
        if kept is None:
            context = context() if callable(context) else context
            kept = (CSRF_SLOT, render_to_string(template_name, {**context, "csrf_token": CSRF_SLOT}, request))
            _shared(share, "set", cache_key, kept, timeout)
        cache.set(cache_key, kept, timeout)
    slot, page = kept
    return HttpResponse(page.replace(slot, get_token(request)))


def _shared(alias: str | None, operation: str, *args):
    """The page in the cache every worker shares (Redis): a page one worker rendered is not rendered again by
    the others.  Nothing when it cannot answer (the page is rendered here, as it would be without it), nor
    when it is this worker's memory too (no Redis configured: the page is kept once, in ``fragments``)."""
    if not alias or isinstance(caches[alias], LocMemCache):
        return None
    try:
        return getattr(caches[alias], operation)(*args)
    except CACHE_ERRORS:
        log.warning("shared page cache unavailable", exc_info=True)
        return None

"""The client's address, from the one header the trusted proxy sets (``RATELIMIT_IP_META_KEY``), or the socket's.

The TLS proxy in front (compose: Caddy/nginx) overwrites that header with the peer it saw, so a client cannot
choose it; gunicorn itself must not be reachable from outside.  Axes (lock-out) and the rate limits
(``utilities.ratelimit``) read the address the same way: ``AXES_CLIENT_IP_CALLABLE`` points here, as django-axes
documents for a deployment without django-ipware.
"""

from __future__ import annotations

import logging

from django.conf import settings

log = logging.getLogger(__name__)


def client_ip(request) -> str:
    key = getattr(settings, "RATELIMIT_IP_META_KEY", None)
    if isinstance(key, str) and key and "." not in key:
        value = (request.META.get(key) or "").split(",")[-1].strip()  # the right-most: what our proxy appended
        if value:
            return value
        log.error("the proxy header %s is missing: the lock-out falls back to the socket's address", key)
    return request.META.get("REMOTE_ADDR", "") or "0.0.0.0"

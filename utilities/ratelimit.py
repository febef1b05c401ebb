"""Rate limits of the public forms: fixed windows counted in the shared cache, a request's limits in one round trip.

A check names what it counts (``Count``): a group ("services.submit.ip"), a rate ("20/h": at most 20 in each
hour), the value counted (a phone number; by default the client's address) and whether this request is counted
(``increment``) or the count is only read (a phone is counted once its request is saved, so junk posts carrying
someone else's number cannot lock them out).  ``limited(request, *counts)`` answers the seconds to wait when one
of them is over, or None.

With Redis, every count of a request is one script run (``utilities.cache.RedisCache.count_windows``), where
django-ratelimit asks twice per limit (``add``, then ``incr`` or ``get``): the resident form's post checks its
address and phone in one round trip, and counts the phone in a second once saved.  Another cache (each process's
memory, without ``REDIS_URL``) counts with ``add`` and ``incr``.  A cache that cannot answer lets the request
through (a resident's request is not lost to a Redis outage); a proxy header (``RATELIMIT_IP_META_KEY``) that
is missing is a deployment error, never a free pass: the request waits a minute and the error is logged.

Values are kept hashed (a phone number is not written to Redis), and an IPv6 address is counted by its /64
(``RATELIMIT_IPV6_MASK``), which one client can rotate freely within.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

from utilities.cache import CACHE_ERRORS

log = logging.getLogger(__name__)

UNITS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}
RATE_RE = re.compile(r"^(\d+)/(\d*)([smhd])$")
MISCONFIGURED_WAIT = 60  # seconds a request waits when the proxy's address header is missing
EXPIRY_FUDGE = 5  # a window's count outlives the window by a few seconds, so it never restarts inside it


@dataclass(frozen=True)
class Count:
    group: str
    rate: str
    value: str | None = None  # None: the client's address
    increment: bool = True


def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/h"`` → (20, 3600); ``"5/15m"`` → (5, 900)."""
    match = RATE_RE.match(rate.strip())
    if match is None:
        raise ImproperlyConfigured(f"not a rate: {rate!r} (write it as 20/h, 5/15m, 100/d)")
    limit, count, unit = match.groups()
    return int(limit), int(count or 1) * UNITS[unit]


def request_ip(request) -> str:
    """The client's address as the limits count it: the trusted proxy's header when ``RATELIMIT_IP_META_KEY``
    names one (missing: ``ImproperlyConfigured``), else the socket's; an IPv6 address by its network."""
    header = getattr(settings, "RATELIMIT_IP_META_KEY", None)
    ip = (request.META.get(header) if header else request.META.get("REMOTE_ADDR")) or ""
    ip = ip.split(",")[-1].strip()
    if not ip:
        raise ImproperlyConfigured(f"the client's address is missing from {header or 'REMOTE_ADDR'}")
    mask = getattr(settings, "RATELIMIT_IPV6_MASK", 64) if ":" in ip else getattr(settings, "RATELIMIT_IPV4_MASK", 32)
    try:
        return str(ipaddress.ip_network(f"{ip}/{mask}", strict=False).network_address)
    except ValueError:  # not an address at all: counted as the text it is
        return ip


def limited(request, *counts: Count) -> int | None:
    """Seconds to wait when one of ``counts`` is over its rate (an increment: more than the rate with this
    request; a read: the rate already reached), else None; None also when the cache cannot answer."""
    now = time.time()
    try:
        ip = request_ip(request) if any(count.value is None for count in counts) else ""
    except ImproperlyConfigured as exc:
        log.error("rate limit refused the request (%s): %s", ", ".join(c.group for c in counts), exc)
        return MISCONFIGURED_WAIT
    entries, windows = [], []
    for count in counts:
        limit, period = parse_rate(count.rate)
        window = int(now // period)
        value = ip if count.value is None else count.value
        digest = hashlib.sha256(f"{count.group}\x1f{value}".encode()).hexdigest()[:32]
        entries.append((f"rl:{count.group}:{window}:{digest}", 1 if count.increment else 0, period + EXPIRY_FUDGE))
        windows.append((limit, (window + 1) * period - now))
    try:
        values = count_windows(entries)
    except CACHE_ERRORS as exc:
        log.warning("rate limit not checked (%s): %s", ", ".join(c.group for c in counts), exc)
        return None
    wait = None
    for count, value, (limit, left) in zip(counts, values, windows, strict=True):
        over = value > limit if count.increment else value >= limit
        if over:
            wait = max(wait or 0, max(int(left), 1))
    return wait


def count_windows(entries: list[tuple[str, int, int]], cache=None) -> list[int]:
    """Each ``(key, by, expires)`` in ``cache`` (the default one unless given): its count after adding ``by`` (0
    only reads it), a new count expiring after ``expires`` seconds; with Redis, one round trip for them all."""
    cache = cache if cache is not None else caches["default"]
    count_windows = getattr(cache, "count_windows", None)
    if count_windows is not None:
        return count_windows(entries)
    values = []
    for key, by, expires in entries:  # a cache without scripts (each process's memory): add, then incr
        if cache.add(key, by, expires):
            values.append(by)
        elif by:
            try:
                values.append(cache.incr(key, by))
            except ValueError:  # expired between the two calls
                cache.add(key, by, expires)
                values.append(by)
        else:
            values.append(cache.get(key, 0))
    return values

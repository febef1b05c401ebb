"""The slower per-account throttle beside django-axes' per-account-and-address lock-out.

Axes locks an (account, address) pair after ``AXES_FAILURE_LIMIT`` failures.  Someone guessing one account from
many addresses meets this instead: once the account has ``LOGIN_THROTTLE_AFTER`` failures (all addresses,
within the axes cool-off), it takes one try per ``LOGIN_THROTTLE_SECONDS``.  The account is never locked
outright, so strangers cannot shut its owner out: they only slow everyone, the owner included, to that pace.
"""

from __future__ import annotations

import datetime as dt

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.utils import timezone


def account_throttled(username: str, now: dt.datetime | None = None) -> bool:

    now = now or timezone.now()
    window = settings.AXES_COOLOFF_TIME or dt.timedelta(hours=1)
    seen = AccessAttempt.objects.filter(username=username, attempt_time__gte=now - window).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    if (seen["failures"] or 0) < settings.LOGIN_THROTTLE_AFTER:
        return False
    return seen["last"] > now - dt.timedelta(seconds=settings.LOGIN_THROTTLE_SECONDS)


class AccountThrottleBackend:
    """An authentication backend that authenticates nobody; it refuses a throttled account's try outright
    (``PermissionDenied`` stops Django's backend loop before the password is checked).  It has no
    ``get_user``, so sessions (and the test client's ``force_login``) name the model backend after it."""

    def authenticate(self, request, username=None, **kwargs):
        if request is not None and username and account_throttled(username):
            raise PermissionDenied("too many failed logins for this account: try again in a minute")
        return None

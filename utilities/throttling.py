"""The API's per-user rate, counted in fixed windows.

DRF's ``UserRateThrottle`` keeps the time of each of a user's requests in the last hour in one cache entry,
read and written back whole on every request: at the API's 6,000 an hour, a busy account's every request reads
and writes a list of up to 6,000 numbers.  This one counts a user's requests in the current window of the
rate's length (an hour for "6000/hour"), one integer counted in one round trip as the public forms' limits are
(``utilities.ratelimit.count_windows``), so a request costs the same however busy its account is.  A fixed window
lets through at most twice the rate across a window's edge, which a rate that stops a runaway script allows
for.  ``wait`` (the 429's ``Retry-After``) is the time left in the window.  When the cache cannot answer the
request is let through, as the resident form's rate limits do: Redis being down must not stop the API.
"""

from __future__ import annotations

import logging

from rest_framework import throttling

from utilities.cache import CACHE_ERRORS
from utilities.ratelimit import EXPIRY_FUDGE, count_windows

logger = logging.getLogger(__name__)


class UserRateThrottle(throttling.UserRateThrottle):
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        try:
            count = self._count(f"{self.key}:{window}")
        except CACHE_ERRORS:
            logger.warning("API rate not checked: the cache did not answer", exc_info=True)
            return True
        return count <= self.num_requests

    def _count(self, key: str) -> int:
        """This request counted in its window: the window's count so far (one round trip to Redis)."""
        return count_windows([(key, 1, self.duration + EXPIRY_FUDGE)], self.cache)[0]

    def wait(self):
        return max(self.window_end - self.now, 0.0)

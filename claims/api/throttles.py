"""Request rates for the API, 429 with Retry-After beyond them: anonymous callers counted per
address, signed-in ones per account, at settings.API_THROTTLE_RATES (None: no limit).

DRF's own throttles keep the time of every request in one cached list, read and written whole
on each request: at a generous rate, thousands of entries a request. These count in fixed
windows instead, one cache increment a request; across a window's edge a client may get up to
twice the rate. The rates are read when a request comes, not when DRF is imported. A cache that
does not answer lets requests through, as it serves them uncached (claims/api/cache.py).
"""

import logging
import math
import time

from django.conf import settings
from rest_framework import throttling

logger = logging.getLogger(__name__)


class FixedWindowThrottle:
    timer = time.time

    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        try:
            count = self.count(f"{key}:{window}")
        except Exception:
            logger.warning("The API throttle's cache is unavailable", exc_info=True)
            return True
        return count <= self.num_requests

    def count(self, key: str) -> int:
        """This request's number in its window."""
        try:
            return self.cache.incr(key)
        except ValueError:  # the window's first request, or two of them at once
            if self.cache.add(key, 1, timeout=self.duration):
                return 1
            return self.cache.incr(key)

    def wait(self):
        return max(1, math.ceil(self.window_ends - self.now))


class AnonRateThrottle(FixedWindowThrottle, throttling.AnonRateThrottle):
    """Anonymous requests, per client address (REMOTE_ADDR, or after TRUSTED_PROXY_COUNT proxies)."""


class UserRateThrottle(FixedWindowThrottle, throttling.UserRateThrottle):
    """Signed-in requests, per account. DRF's would count anonymous ones a second time."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)

"""API rate limits (a module of its own: DRF's settings import it while loading)."""

import logging
import math
from typing import TYPE_CHECKING, Any

from rest_framework.throttling import SimpleRateThrottle

from .clientip import client_ip

if TYPE_CHECKING:  # DRF's settings import this module while rest_framework.views loads
    from rest_framework.request import Request
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)


class PartnerRateThrottle(SimpleRateThrottle):
    """Requests per API key (or per signed-in user, or per address for the public): 429 with
    Retry-After past the rate. The counters live in the cache (Redis in production)."""

    scope = "partner"

    def get_cache_key(self, request: "Request", view: "APIView") -> str:
        user = request.user
        if user is not None and user.is_authenticated:
            ident = str(user.pk)
        else:
            self.scope = "anon"
            self.rate = self.get_rate()
            self.num_requests, self.duration = self.parse_rate(self.rate)
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def get_ident(self, request: "Request") -> str:
        # DRF's own reading takes X-Forwarded-For whole when NUM_PROXIES is unset: a client could pick a
        # fresh address per request. The one shared reading trusts only the configured proxies.
        return client_ip(request)

    def allow_request(self, request: "Request", view: "APIView") -> bool:
        # The counters are a guard, not a record: while the cache (Redis) is down, requests go through
        # rather than fail, and the database keeps taking declarations.
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # any cache backend error
            logger.warning("rate limit not checked, cache unavailable: %s", exc)
            return True


class EnterpriseRateThrottle(SimpleRateThrottle):
    """Requests of all of an enterprise's API keys together (API_ENTERPRISE_RATE_LIMIT), so issuing more
    keys does not multiply its share of the window. People's sessions are limited per user above.

    A counter per fixed window (one cache increment per request) rather than DRF's list of
    timestamps, which at tens of thousands a minute would be read and written whole on every request.
    """

    scope = "enterprise"
    # The current window's end, for Retry-After.
    window_ends: float = 0.0
    now: float = 0.0

    def get_cache_key(self, request: "Request", view: "APIView") -> str | None:
        key: Any = getattr(request.user, "api_key", None)
        enterprise_id = getattr(key, "enterprise_id", None)
        if enterprise_id is None:
            return None  # not a partner key: the per-user and per-address limits apply
        return self.cache_format % {"scope": self.scope, "ident": enterprise_id}

    def allow_request(self, request: "Request", view: "APIView") -> bool:
        limit, duration = self.parse_rate(self.rate)
        if limit is None or duration is None:
            return True
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        self.now = float(self.timer())
        window = int(self.now // duration)
        self.window_ends = float((window + 1) * duration)
        key = f"{ident}_{window}"
        try:
            # One round trip per request: the increment; the window's first request creates the counter
            # (add, so two first requests at once count each other).
            try:
                count = int(self.cache.incr(key))
            except ValueError:  # no counter yet in this window
                count = 1 if self.cache.add(key, 1, duration + 1) else int(self.cache.incr(key))
        except Exception as exc:  # any cache backend error: a guard, not a record (see above)
            logger.warning("enterprise rate limit not checked, cache unavailable: %s", exc)
            return True
        return count <= limit

    def wait(self) -> float:
        return float(max(1, math.ceil(self.window_ends - self.now)))

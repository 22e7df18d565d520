"""API rate limits (a module of its own: DRF's settings import it while loading)."""

import logging
from typing import TYPE_CHECKING

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

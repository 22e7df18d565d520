"""The idle lifetime of a session, beside its absolute one (SESSION_COOKIE_AGE).

A session unused for SESSION_IDLE_TIMEOUT seconds is ended: a page is sent to the login with a note, an
API call answers 401 in the API's error shape. A partner key does not use sessions and is unaffected.
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _

from .api import error_body

LAST_ACTIVITY_SESSION_KEY = "last_activity"
# The time is written at most once a minute, so a stream of requests is not a stream of session writes;
# a session may thus end up to a minute early, never late.
WRITE_EVERY_SECONDS = 60


def is_api_call(request: HttpRequest) -> bool:
    """A request for the REST API (JSON answers), not a page."""
    return request.path_info.startswith("/api/") and not request.path_info.startswith("/api/docs/")


def has_api_key(request: HttpRequest) -> bool:
    """The request authenticates with a partner key, not with the session (which it may also carry)."""
    return str(request.META.get("HTTP_AUTHORIZATION", "")).lstrip().startswith("Api-Key ")


class IdleTimeoutMiddleware:
    """Ends a signed-in session after SESSION_IDLE_TIMEOUT seconds without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user: Any = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not has_api_key(request):
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_SESSION_KEY)
            if isinstance(last, int) and now - last > settings.SESSION_IDLE_TIMEOUT:
                return self.expired(request)
            if not isinstance(last, int) or now - last >= WRITE_EVERY_SECONDS:
                request.session[LAST_ACTIVITY_SESSION_KEY] = now
        return self.get_response(request)

    def expired(self, request: HttpRequest) -> HttpResponseBase:
        logout(request)
        minutes = max(1, settings.SESSION_IDLE_TIMEOUT // 60)
        text = _("Your session ended after %(minutes)s minutes without activity. Log in again.") % {
            "minutes": minutes
        }
        if is_api_call(request):
            response = JsonResponse(error_body("session_expired", text), status=401)
            response["WWW-Authenticate"] = "Api-Key"
            return response
        messages.info(request, text)
        return redirect_to_login(request.get_full_path())

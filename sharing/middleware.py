"""Sets `request.principal` (who the user acts as) for the pages, and holds back a session that still
owes its second factor."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from singlewindow.core.api import error_body
from singlewindow.core.sessions import has_api_key, is_api_call

from . import otp
from .principal import principal_for_user


class PrincipalMiddleware:
    """Attach `request.principal` for pages (the API resolves its own, see api/base.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.principal = SimpleLazyObject(lambda: principal_for_user(getattr(request, "user", None)))
        return self.get_response(request)


# What a signed-in person who still owes the second factor may reach: signing in and out, the second
# factor's own pages, resetting a forgotten password, the language switch, and the public API
# documentation. View names, so the admin's own login and logout pages are not among them.
OPEN_ROUTES = {
    "login",
    "logout",
    "otp-enrol",
    "otp-verify",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "schema",
    "api-docs",
}
OPEN_PREFIXES = ("/i18n/", "/health/")


class OTPRequiredMiddleware:
    """Officials, site administrators (and whoever enrolled) must verify a TOTP code in their session
    before any page or API call: pages go to the enrolment page (no device yet) or the verification
    page; API calls answer 403 `{"code": "otp_required"}`. Requests with a partner key are not sessions
    and pass (DRF authenticates the key, ignoring any session cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not otp.is_verified(user)
            and not has_api_key(request)
            and not self.is_open(request)
            and otp.otp_required(request.principal)
        ):
            return self.refuse(request, user)
        return self.get_response(request)

    @staticmethod
    def is_open(request) -> bool:
        path = request.path_info
        if path.startswith(OPEN_PREFIXES) or path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return False
        return match.view_name in OPEN_ROUTES

    @staticmethod
    def refuse(request, user):
        enrolled = otp.has_confirmed_device(user)
        if is_api_call(request):
            detail = (
                _("Verify your second factor (a code from your authenticator app) in the portal first.")
                if enrolled
                else _("Set up a second factor (an authenticator app) in the portal first.")
            )
            return JsonResponse(error_body("otp_required", detail), status=403)
        target = "otp-verify" if enrolled else "otp-enrol"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")

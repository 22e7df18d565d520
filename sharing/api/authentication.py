"""API authentication: partner systems by the Api-Key header, people by their browser session once its
second factor is verified."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header

from singlewindow.core import sandbox

from ..key_cache import key_cached, key_remember
from ..models import EnterpriseAPIKey
from ..otp import is_verified, otp_required
from ..principal import PartnerUser, principal_for_user
from ..sandbox import context_for_key
from ..services import api_key_touch


class EnterpriseApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>`.

    An unknown, revoked or expired key, or one of an enterprise that is not approved, answers 401.
    """

    keyword = "Api-Key"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].decode("latin-1") != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Api-Key header: expected 'Api-Key <key>'."))
        try:
            plain = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from exc
        key = key_cached(plain)
        if key is None:
            # As the manager's get_from_key, with the enterprise in the same query. Revoked keys are
            # not "usable", so they are unknown here: 401 either way.
            usable = EnterpriseAPIKey.objects.get_usable_keys().select_related("enterprise")
            key = usable.filter(prefix=plain.partition(".")[0]).first()
            if key is None or not key.is_valid(plain):
                raise exceptions.AuthenticationFailed(_("Invalid API key."))
            # Only a verified, usable key of an approved enterprise is remembered (for at most 1 s).
            if not key.has_expired and key.enterprise.is_approved:
                key_remember(plain, key)
        if key.has_expired:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked or has expired."))
        if not key.enterprise.is_approved:
            raise exceptions.AuthenticationFailed(_("The enterprise of this key is not approved."))
        api_key_touch(key=key)
        # A sandbox key's request, and the pipeline work it runs, see only sandbox rows and its clock.
        sandbox.enter(context_for_key(key))
        return PartnerUser(key), key

    def authenticate_header(self, request) -> str:
        return self.keyword


class VerifiedSessionAuthentication(SessionAuthentication):
    """The browser session, refused (403 `otp_required`) while it owes its second factor.

    OTPRequiredMiddleware already holds such a session back before any view; this keeps the API closed
    even where that middleware is missing (a view mounted outside it, a settings mistake).
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if not is_verified(user) and otp_required(principal_for_user(user)):
            raise exceptions.PermissionDenied(
                _("Verify your second factor (a code from your authenticator app) in the portal first."),
                code="otp_required",
            )
        return result

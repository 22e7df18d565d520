"""Partner API keys: the authentication of an enterprise's systems by the Api-Key header."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from ..models import EnterpriseAPIKey
from ..principal import PartnerUser
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
        try:
            # Revoked keys are not "usable", so they are unknown here: 401 either way.
            key = EnterpriseAPIKey.objects.get_from_key(plain)
        except EnterpriseAPIKey.DoesNotExist as exc:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from exc
        if key.has_expired:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked or has expired."))
        if not key.enterprise.is_approved:
            raise exceptions.AuthenticationFailed(_("The enterprise of this key is not approved."))
        api_key_touch(key=key)
        return PartnerUser(key), key

    def authenticate_header(self, request) -> str:
        return self.keyword

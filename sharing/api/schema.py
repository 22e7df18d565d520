"""The security schemes of the OpenAPI schema (drf-spectacular): the API key and the session."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class EnterpriseApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "sharing.api.authentication.EnterpriseApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A partner key of one enterprise: `Authorization: Api-Key <key>`.",
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "sharing.api.authentication.VerifiedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": (
                "A person's browser session (unsafe methods also send the CSRF token). Officials' "
                "sessions must have passed the second factor: otherwise 403 `otp_required`."
            ),
        }

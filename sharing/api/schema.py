"""The API key's security scheme in the OpenAPI schema (drf-spectacular)."""

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

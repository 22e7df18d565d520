"""Middleware of the project package (the apps' own live in their packages)."""

from collections.abc import Callable

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponseBase


class RefuseNulMiddleware:
    """A NUL character in the path or the query string is a 400 before any view reads it: PostgreSQL
    refuses NUL in text (a DataError, so a 500) wherever a hand-read parameter reaches a query, while
    SQLite stores it. Forms and serializers already refuse NUL in their fields; this closes the rest.
    The 400 is Django's handler400: the error shape under /api/, a page in the layout elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise BadRequest("a NUL character in the URL")
        return self.get_response(request)


class SettingsPolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the settings' policy built once. A response without a nonce and
    without a view's own policy (csp_update, csp_replace, csp decorators) carries the settings' policy,
    the same string every time; django-csp builds it (twice, with the report-only one) on every
    response, a tenth of a millisecond that a partner pushing one document per request pays on each.
    Any other response goes through django-csp as before."""

    _OWN_POLICY = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
    )

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in self._OWN_POLICY
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for header, exempt, setting, report_only in (
            (HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY", False),
            (HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
        ):
            policy = _settings_policy(setting, report_only)
            prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
            if (
                policy
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = policy
        # As django-csp: a nonce asked for after the header was written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


_policies: dict[tuple[str, str], str] = {}


def _settings_policy(setting: str, report_only: bool) -> str:
    """The policy of `setting` as django-csp builds it, kept per value of the setting (tests change it)."""
    key = (setting, repr(getattr(settings, setting, None)))
    policy = _policies.get(key)
    if policy is None:
        if len(_policies) > 16:
            _policies.clear()
        policy = _policies[key] = build_policy(report_only=report_only)
    return policy

"""The lane of a document pushed on its own: a partner key posting one order, payment, waybill or
inventory list as JSON, answered 202 with returnStatus 2 once the document is committed for the intake
processor (INTAKE_DEFERRED).

Platforms, payment and logistics firms push each document as it happens, so this is the request the
portal answers most often, and the one where the page middleware and DRF's dispatch (content
negotiation, authentication classes, permission and throttle classes, rendering) cost more than the
work. The lane takes only the plain case and does exactly what the endpoint does for it, with the same
services: a key verified in the last second (`sharing.key_cache`), both rate limits counted from the
process's leases (`singlewindow.core.throttling`), the fast validator (`services.receive`). Anything
else goes on to the endpoint unchanged: a key not verified lately (the endpoint verifies it and
remembers it), a sandbox key, a scenario, a subscription, a batch, a document the validator refuses
(the endpoint words the 400), a rate limit reached (the endpoint answers 429 from the counts taken
here, not counting the request twice).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import DisallowedHost, MiddlewareNotUsed, RequestDataTooBig
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse, HttpResponseBase, UnreadablePostError
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string
from rest_framework.exceptions import APIException, ParseError

from sharing.choices import ApiKeyKind
from sharing.key_cache import key_cached
from sharing.principal import PartnerUser, principal_for_api_key
from sharing.services import api_key_touch
from singlewindow.core.errors import ServiceError
from singlewindow.core.parsers import BoundedJSONParser, is_utf8
from singlewindow.core.throttling import count_partner_request

from .. import scenarios, services
from ..choices import DocumentKind
from .views import receipt_body

ROUTES = {
    DocumentKind.ORDER: "declarations-api:order-list",
    DocumentKind.PAYMENT: "declarations-api:payment-list",
    DocumentKind.WAYBILL: "declarations-api:waybill-list",
    DocumentKind.INVENTORY: "declarations-api:inventory-list",
}
# What the endpoint answers beside its body: the methods of a document list route, and DRF's Vary.
ALLOW = "GET, POST, HEAD, OPTIONS"
ACCEPTED = ("", "*/*", "application/json")


class PushedDocumentMiddleware:
    """Answers the plain pushed document itself; every other request goes on down the stack.

    It comes first in MIDDLEWARE, so an answered document skips the request and response work of the
    middleware after it (a sixth of the request's CPU). What those middlewares would decide for the
    request, the lane asks them: the security middleware's HTTPS redirect, the host check, the locale
    middleware's language. The headers they would add to the answer depend on the scheme, the
    language and the path only: they are taken once per such triple by running the middleware between
    the lane and `CsrfViewMiddleware` over a response of the lane's shape, and kept until a setting
    changes. Anything unusual (a redirect to HTTPS, a host not allowed, user agents refused, a `www.`
    prefix to add) goes through the whole stack."""

    OUTER_UNTIL = "django.middleware.csrf.CsrfViewMiddleware"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.kinds: dict[str, str] | None = None
        self.security = SecurityMiddleware(get_response)
        self.locale = LocaleMiddleware(get_response)
        self.outer: Callable[[HttpRequest], HttpResponseBase] | None = None
        self.headers: dict[tuple[bool, str, str], list[tuple[str, str]]] = {}
        setting_changed.connect(self._forget_headers, weak=True)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method == "POST":
            if self.kinds is None:
                self.kinds = {reverse(name): kind for kind, name in ROUTES.items()}
            # reverse() gives the script prefix too (a portal served under one): compared with the full path.
            kind = self.kinds.get(request.path)
            if kind is not None and services.is_deferred(kind) and self._plain(request):
                self.locale.process_request(request)
                response = receive_pushed(request, kind)
                if response is not None:
                    for header, value in self._headers_for(request):
                        response[header] = value
                    return response
        return self.get_response(request)

    def _plain(self, request: HttpRequest) -> bool:
        """Whether the middleware after the lane would let the request through unchanged."""
        if settings.DISALLOWED_USER_AGENTS or settings.PREPEND_WWW:
            return False
        if settings.SECURE_SSL_REDIRECT and self.security.process_request(request) is not None:
            return False
        try:
            request.get_host()
        except DisallowedHost:
            return False  # answered 400 (and logged) by CommonMiddleware
        return True

    def _headers_for(self, request: HttpRequest) -> list[tuple[str, str]]:
        key = (request.is_secure(), translation.get_language(), request.path)
        headers = self.headers.get(key)
        if headers is None:
            answer = self._outer()(request)
            headers = [(h, v) for h, v in answer.items() if h not in ("Content-Length", "Content-Type")]
            if len(self.headers) > 64:
                self.headers.clear()
            self.headers[key] = headers
        return headers

    def _outer(self) -> Callable[[HttpRequest], HttpResponseBase]:
        """The middleware after the lane, up to CSRF's, around a view answering as the lane does."""
        if self.outer is None:
            names = list(settings.MIDDLEWARE)
            start = names.index(f"{__name__}.{type(self).__name__}") + 1
            end = names.index(self.OUTER_UNTIL) if self.OUTER_UNTIL in names else len(names)
            handler: Callable[[HttpRequest], HttpResponseBase] = _shaped_answer
            for name in reversed(names[start:end]):
                try:
                    handler = import_string(name)(handler)
                except MiddlewareNotUsed:
                    continue
            self.outer = handler
        return self.outer

    def _forget_headers(self, **kwargs: Any) -> None:
        # The security middleware reads its settings once, when made: made again with the rest.
        self.security = SecurityMiddleware(self.get_response)
        self.headers.clear()
        self.outer = None


def _shaped_answer(request: HttpRequest) -> HttpResponse:
    return _answer(b"{}")


def _answer(body: bytes) -> HttpResponse:
    response = HttpResponse(body, status=202, content_type="application/json")
    response["Vary"] = "Accept"
    response["Allow"] = ALLOW
    return response


def receive_pushed(request: HttpRequest, kind: str) -> HttpResponse | None:
    """The 202 of a plain pushed document, or None for the endpoint to answer."""
    meta = request.META
    if (
        meta.get("QUERY_STRING")
        or request.content_type != "application/json"
        or meta.get("HTTP_ACCEPT", "") not in ACCEPTED
        or scenarios.HEADER in meta
    ):
        return None
    keyword, _space, plain = meta.get("HTTP_AUTHORIZATION", "").partition(" ")
    if keyword != "Api-Key" or not plain or " " in plain:
        return None
    key = key_cached(plain)
    if key is None or key.kind == ApiKeyKind.SANDBOX or key.has_expired or not key.enterprise.is_approved:
        return None
    api_key_touch(key=key)
    user = PartnerUser(key)
    # Counted before the body is read, as DRF's throttles run before the view parses it.
    if not count_partner_request(request, user):
        return None
    document, text = _document(request)
    if document is None or scenarios.FIELD in document or "base_subscribe" in document:
        return None
    request.user = user  # for the logging and error reports of what follows
    try:
        result = services.receive(kind=kind, document=document, by=principal_for_api_key(key), text=text)
    except (ServiceError, APIException):
        return None  # a refusal (a kind the enterprise may not file: 403): the endpoint words it
    if not result.ok:
        return None  # the endpoint checks it again and words the refusal (no row was written)
    response = _answer(_json(receipt_body(result)))
    response["Content-Length"] = str(len(response.content))
    return response


def _document(request: HttpRequest) -> tuple[dict[str, Any] | None, str | None]:
    """The body as the endpoint's parser reads it, if it is one JSON object, and its text if UTF-8 (the
    entry stores it as it came)."""
    charset = request.content_params.get("charset") or settings.DEFAULT_CHARSET
    try:
        # Read once and kept on the request: the endpoint reads the same body if the lane passes.
        body = request.body
        data = BoundedJSONParser().parse(io.BytesIO(body), "application/json", {"encoding": charset})
    except (ParseError, RequestDataTooBig, UnreadablePostError):
        return None, None  # the endpoint answers them (400, 413)
    if not isinstance(data, dict):
        return None, None
    # Either parser decoded a UTF-8 body strictly: it is valid UTF-8 here.
    return data, body.decode("utf-8") if is_utf8(charset) else None


def _json(body: dict[str, Any]) -> bytes:
    # As DRF's JSONRenderer writes it: compact, UTF-8, the two JavaScript line separators escaped.
    return orjson.dumps(body).replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")

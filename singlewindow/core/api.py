"""Shared REST plumbing: one router, one pagination and one error shape for every endpoint."""

import datetime
import logging
from typing import Any

import django_filters
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ServiceError


class Router(DefaultRouter):
    """Every app's API router. No format-suffix routes (`/orders.json`): DRF passes the suffix to the
    handler as a `format` argument that an action written `def decide(self, request, pk=None)` cannot
    take (a 500); `?format=` and the Accept header still choose the renderer."""

    include_format_suffixes = False


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {"field.sub.0.name": [messages]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            # A nested serializer's own errors (e.g. an empty list of lines) belong to its field.
            if key == "non_field_errors" and prefix:
                name = prefix
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten_errors(value, name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            if item:
                out.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def error_body(code: str, detail: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "detail": detail}
    if fields:
        body["fields"] = fields
    return body


def request_refusal(exc: Exception) -> tuple[int, str, str] | None:
    """(status, code, detail) of a request Django itself refuses to read (a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a bad Host header), or None for any other error.
    Django's own messages are for the log: they may name settings and hosts."""
    if isinstance(exc, RequestDataTooBig):
        return 413, "too_large", _("The request body is larger than the portal accepts.")
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return 400, "too_many_fields", _("The request has more fields than the portal accepts.")
    if isinstance(exc, SuspiciousOperation | BadRequest):
        return 400, "bad_request", _("The request cannot be read.")
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error answers `{"code", "detail", "fields"?}`; `fields` names each bad field."""
    if isinstance(exc, ServiceError):
        return Response(error_body(exc.code, exc.detail, exc.errors), status=exc.status)
    refusal = request_refusal(exc)
    if refusal is not None:
        # Raised while DRF reads the body or the query: answered here, not as Django's HTML page, and
        # logged where Django logs what it refuses itself.
        logging.getLogger(f"django.security.{type(exc).__name__}").warning("%s", exc)
        status, code, detail = refusal
        return Response(error_body(code, detail), status=status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied | PermissionError):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; the API answers it like a serializer error.
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        first = next(iter(fields.items()), ("", [""]))
        detail = f"{first[0]}: {first[1][0]}" if first[0] else "Invalid input."
        response.data = error_body("invalid", detail, fields)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = error_body(code, str(exc.detail))
    return response


def official_of(*agencies: str) -> type[permissions.BasePermission]:
    """A permission admitting the officials of these agencies (and site administrators), read from the
    caller's principal; one place instead of a class per endpoint."""

    class OfficialOf(permissions.BasePermission):
        message = "Only officials of " + ", ".join(agencies) + " may do this."

        def has_permission(self, request: Request, view: APIView) -> bool:
            principal: Any = request.principal  # type: ignore[attr-defined]  # set by sharing's middleware
            return principal.is_superuser or any(principal.is_agency(code) for code in agencies)

    OfficialOf.__name__ = OfficialOf.__qualname__ = "OfficialOf" + "".join(a.title() for a in agencies)
    return OfficialOf


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):  # type: ignore[misc]  # django-filter is untyped
    """An ISO 8601 datetime filter that queries in UTC: offsets PostgreSQL cannot store (beyond
    +/-15:59, which ISO allows up to 23:59) would otherwise be a database error, not a result."""

    def filter(self, qs: QuerySet[Any], value: datetime.datetime | None) -> QuerySet[Any]:
        if value is not None and value.tzinfo is not None:
            try:
                value = value.astimezone(datetime.UTC)
            except OverflowError:  # year 1 or 9999 pushed out of range by the offset
                return qs.none()
        filtered: QuerySet[Any] = super().filter(qs, value)
        return filtered

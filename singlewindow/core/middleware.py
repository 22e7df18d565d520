"""Middleware of the project package (the apps' own live in their packages)."""

from collections.abc import Callable

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

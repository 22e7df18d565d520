"""Django's own error answers (handler400, 403, 404, 500), in the portal's two voices: the API's error
shape `{"code", "detail"}` under /api/, a page in the layout elsewhere. They answer what fails before or
outside a view's own handling: a body over the size limit, too many fields, a URL that matches nothing.
"""

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.html import format_html
from django.utils.translation import gettext as _
from rest_framework import exceptions

from .api import error_body, request_refusal

logger = logging.getLogger(__name__)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _answer(request: HttpRequest, status: int, code: str, title: str, detail: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(code, detail), status=status)
    try:
        content = loader.render_to_string("error.html", {"title": title, "detail": detail}, request=request)
    except Exception:  # the layout needs what a refused request may lack (a session, a user): bare then
        logger.exception("the error page could not be drawn in the layout")
        content = format_html(
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>{}</title></head>'
            "<body><h1>{}</h1><p>{}</p></body></html>",
            title,
            title,
            detail,
        )
    return HttpResponse(content, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    status, code, detail = request_refusal(exception) or (
        400,
        "bad_request",
        _("The request cannot be read."),
    )
    title = _("Request too large") if status == 413 else _("Bad request")
    return _answer(request, status, code, title, detail)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        detail = str(exceptions.PermissionDenied.default_detail)
        return JsonResponse(error_body("permission_denied", detail), status=403)
    return HttpResponse(loader.render_to_string("403.html", request=request), status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("not_found", str(exceptions.NotFound.default_detail)), status=404)
    return HttpResponse(loader.render_to_string("404.html", request=request), status=404)


def server_error(request: HttpRequest, *args: Any) -> HttpResponse:
    # Nothing that could fail again: no layout, no database, no translation lookups beyond the static page.
    if _is_api(request):
        return JsonResponse(error_body("server_error", "Server error. / 服务器错误。"), status=500)
    return HttpResponse(loader.render_to_string("500.html"), status=500)

"""The OpenAPI schema, generated once per process and language and served from memory.

drf-spectacular's generator is not thread-safe as its view calls it: its extensions load lazily and a
view class's schema inspector is shared by every instance, so concurrent requests saw each other's
half-built state (about half of 8 concurrent requests answered 500). One lock around generation, and
the rendered bytes kept per language and format, make it safe and cheap to serve to anyone.
"""

import threading
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request

_LOCK = threading.Lock()
# (language, media type) -> the rendered schema: a few entries, never keyed by free input.
_RENDERED: dict[tuple[str, str], bytes] = {}


def schema_cache_clear(**kwargs: Any) -> None:
    """Forget the rendered schemas (a setting changed, e.g. in a test)."""
    with _LOCK:
        _RENDERED.clear()


setting_changed.connect(schema_cache_clear, dispatch_uid="singlewindow.core.schema")


class SchemaView(SpectacularAPIView):
    """drf-spectacular's schema view, generated under a lock and served from memory. The language is
    the request's (or `?lang=` when it names one of LANGUAGES); the API has no versions to choose from,
    and JSON's `indent` parameter is not honoured: each would be another copy to keep."""

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        asked = request.GET.get("lang")
        language = asked if asked in dict(settings.LANGUAGES) else translation.get_language()
        with translation.override(language):
            return self._rendered(request, language or settings.LANGUAGE_CODE)

    def _rendered(self, request: Request, language: str) -> HttpResponse:
        renderer: Any = request.accepted_renderer
        media_type: str = renderer.media_type
        with _LOCK:
            content = _RENDERED.get((language, media_type))
            if content is None:
                generator = self.generator_class(urlconf=self.urlconf, patterns=self.patterns)
                schema = generator.get_schema(request=request, public=self.serve_public)  # type: ignore[no-untyped-call]  # drf-spectacular is untyped
                content = renderer.render(schema, media_type, self.get_renderer_context())
                _RENDERED[(language, media_type)] = content
        charset = renderer.charset
        response = HttpResponse(
            content, content_type=f"{media_type}; charset={charset}" if charset else media_type
        )
        response["Content-Disposition"] = f'inline; filename="{spectacular_settings.TITLE}.{renderer.format}"'
        return response

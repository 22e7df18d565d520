"""The WSGI application the web server (granian) serves, with every view module loaded and frozen
before the first request, and each request's environ holding the request only."""

import os

from django.core.wsgi import get_wsgi_application

from .core.environ import request_only

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "singlewindow.settings.local")

application = request_only(get_wsgi_application(), list(os.environ))


def _load_everything_served() -> None:
    # Views, serializers and templates load on the first request otherwise, after the freeze.
    from django.urls import get_resolver

    from .core.heap import freeze_startup_objects

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    freeze_startup_objects()


_load_everything_served()

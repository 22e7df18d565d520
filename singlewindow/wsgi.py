"""The WSGI application gunicorn serves, with every view module loaded and frozen before the first
request."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "singlewindow.settings.local")
application = get_wsgi_application()


def _load_everything_served() -> None:
    # Views, serializers and templates load on the first request otherwise, after the freeze.
    from django.urls import get_resolver

    from .core.heap import freeze_startup_objects

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    freeze_startup_objects()


_load_everything_served()

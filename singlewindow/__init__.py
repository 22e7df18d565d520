"""The project package: settings, urls, the Celery app, shared infrastructure (core) and the demo.
The Celery app is loaded with Django, so shared tasks bind to it."""

from .celery import app as celery_app

__all__ = ("celery_app",)

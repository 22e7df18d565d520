"""The embedded default for development and tests: nothing to configure."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A development-only key; production.py has no default.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-not-secret-singlewindow-local-key-0123456789")
# A development-only key for the audit chain (production.py has no default).
AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY", default="dev-only-not-secret-singlewindow-audit-chain-key")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Local development and tests post webhooks to servers on this machine.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", default=True)
# `make run` and tests: signatures are not checked unless asked for (tests switch it on).
CEB_SIGNATURE_REQUIRED = env.bool("CEB_SIGNATURE_REQUIRED", default=False)

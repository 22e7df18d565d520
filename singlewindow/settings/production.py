"""Production: every secret comes from the environment, with no default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# The audit chain's key: kept out of the database, so whoever can write the database cannot re-chain
# the audit trail. Losing or changing it makes every event fail verification.
AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY")
if len(AUDIT_CHAIN_KEY) < 32:
    raise ImproperlyConfigured("AUDIT_CHAIN_KEY must be at least 32 characters of random data.")
# The portal's receipt-signing key (RSA, PEM or a file's path): one for every process, since partners
# verify receipts against the one certificate /api/v1/ceb/certificate/ publishes.
CEB_RECEIPT_SIGNING_KEY = env.str("CEB_RECEIPT_SIGNING_KEY")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# API clients must fail loudly on plain HTTP rather than be redirected with their key exposed.
SECURE_REDIRECT_EXEMPT = [r"^api/", r"^health/"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

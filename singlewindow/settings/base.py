"""Settings shared by every environment, read from the environment through django-environ.

Without DATABASE_URL/REDIS_URL the portal runs embedded: SQLite and Celery in eager mode, so a
newcomer's first run needs no services. With them it runs on PostgreSQL with Redis as broker.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "axes",
    # The second factor: TOTP authenticator apps, and one-time recovery codes for a lost phone.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "parks",
    "sharing",
    "declarations",
    "finance",
    "credit",
    "risk",
    "logistics",
    "stats",
    "clearance",
    # The project package itself, for the commands that span every app (seed_demo).
    "singlewindow",
]

MIDDLEWARE = [
    # A partner key's single document, answered 202 without the page middleware and DRF's dispatch; it
    # asks the middleware below up to CSRF's what they would decide and add (declarations.api.push).
    "declarations.api.push.PushedDocumentMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "singlewindow.core.middleware.SettingsPolicyCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user verified once a TOTP code was given in this session (user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: a page whose session went idle is sent to the login with a note.
    "singlewindow.core.sessions.IdleTimeoutMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sharing.middleware.PrincipalMiddleware",
    # After the principal, which the page's layout reads: a page's bare 405 becomes a page.
    "singlewindow.core.methods.MethodNotAllowedPageMiddleware",
    # After the principal: officials (and anyone who enrolled) give a TOTP code before anything else.
    "sharing.middleware.OTPRequiredMiddleware",
    # Last, as django-axes asks: it locks out an address after repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The proxies in front of the portal that append to X-Forwarded-For (0: none, the client connects
# directly). Only their entries are believed: see singlewindow/core/clientip.py.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT is {TRUSTED_PROXY_COUNT}; it counts proxies (0 or more)")

# Login throttling: five failures for a username from one client address lock that pair out for 15
# minutes. Keyed by both, so a shared proxy or NAT address does not lock the user out for everyone, and
# the address is the one the trusted proxies vouch for, so a client cannot rotate it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "singlewindow.core.clientip.client_ip"
# The username as a login form can hold it: axes stores what was typed, in a 255-character column.
AXES_USERNAME_CALLABLE = "sharing.accounts.login_username"
# The lockout page, in the portal's layout and language, says when to try again (429, Retry-After).
AXES_LOCKOUT_CALLABLE = "sharing.views.lockout"

# Second factor (django-otp). Officials and site administrators must verify a TOTP code in each
# session; enterprise administrators may enrol, and must when this is set.
OTP_REQUIRED_FOR_ENTERPRISE_ADMINS = env.bool("OTP_REQUIRED_FOR_ENTERPRISE_ADMINS", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="CBEC Single Window")
# The admin's device pages never show a TOTP secret (it would let a viewer mint codes).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

ROOT_URLCONF = "singlewindow.urls"
WSGI_APPLICATION = "singlewindow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["singlewindow.templatetags.words"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sharing.context_processors.principal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Persistent connections: 3.5x on intake in ARCHITECTURE.md's measurements.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Chinese first: the zone's users are mostly Chinese; LocaleMiddleware follows the browser.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where `manage.py archive_closed_months` writes the closed months it moves out of the tables.
ARCHIVE_DIR = Path(env.str("ARCHIVE_DIR", default=str(BASE_DIR / "archive")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# A batch of 1,000 documents is a few MB; CEB XML messages are capped at 10 MB by their reader.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

# Content-Security-Policy: the pages load scripts and styles from the portal only, and no inline script
# runs (behaviour lives in static/js/portal.js). The Swagger UI page is exempted in urls.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Two lifetimes: a session ends 8 hours after login at the latest (absolute) and after 30 minutes
# without a request (idle, singlewindow/core/sessions.py).
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_HTTPONLY = True

# Mail: password resets, sign-up confirmations. SMTP unless set (local.py prints to the console).
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@singlewindow.example")
# Links in notification emails: the portal's address as people reach it (empty: paths only).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")
# Links in password-reset and sign-up mails stay valid this long (Django's default: 3 days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 3600)
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sharing.api.authentication.EnterpriseApiKeyAuthentication",
        # Browser sessions only, and only once the second factor is verified where it is required.
        # No HTTP Basic: it would take a password alone, with no second factor and no lockout page.
        "sharing.api.authentication.VerifiedSessionAuthentication",
    ],
    # DRF is open by default; every endpoint must opt out explicitly.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "singlewindow.core.api.StandardPagination",
    "DEFAULT_PARSER_CLASSES": [
        "singlewindow.core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "singlewindow.core.throttling.PartnerRateThrottle",
        "singlewindow.core.throttling.EnterpriseRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "partner": env.str("API_RATE_LIMIT", default="6000/min"),
        "enterprise": env.str("API_ENTERPRISE_RATE_LIMIT", default="20000/min"),
        "anon": env.str("API_ANON_RATE_LIMIT", default="300/min"),
    },
    # The same count as TRUSTED_PROXY_COUNT (the throttles read the address through core.clientip).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "singlewindow.core.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "singlewindow API",
    "DESCRIPTION": (
        "REST API of the online single window of a cross-border e-commerce comprehensive pilot zone. "
        "Partners authenticate with `Authorization: Api-Key <key>`; field names are the CEB message "
        "elements in snake_case."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set, so generated clients get stable enum names.
    "ENUM_NAME_OVERRIDES": {
        "AppTypeEnum": "declarations.choices.AppType",
        "InventoryStatusEnum": "declarations.choices.InventoryStatus",
        "EnterpriseStatusEnum": "sharing.choices.EnterpriseStatus",
        "ParkApplicationStatusEnum": "parks.choices.ApplicationStatus",
        "AlertStatusEnum": "risk.models.Alert.Status",
        "ImportFlagEnum": [("I", "I")],
        "ChargeFlagEnum": [("1", "1"), ("2", "2"), ("3", "3")],
        "ImportTradeModeEnum": [("9610", "9610"), ("1210", "1210")],
        "ExportTradeModeEnum": [("9610", "9610"), ("9710", "9710"), ("9810", "9810")],
        "WarehouseKindEnum": "logistics.models.Warehouse.Kind",
        "StockMovementKindEnum": "logistics.models.StockMovement.Kind",
        "FinancingKindEnum": "finance.models.FinancingRequest.Kind",
        "ApiKeyKindEnum": "sharing.choices.ApiKeyKind",
    },
    # Swagger UI served from the project's static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

API_KEY_CUSTOM_HEADER = None  # the library's default: "Authorization: Api-Key <key>"
# Active (unrevoked, unexpired) keys an enterprise may hold at once: each key is a credential to guard.
API_KEYS_PER_ENTERPRISE = env.int("API_KEYS_PER_ENTERPRISE", default=10)
# Seconds a web process remembers a verified API key (sharing/key_cache.py); at most 1, 0 turns it off.
API_KEY_CACHE_SECONDS = env.float("API_KEY_CACHE_SECONDS", default=1.0)

# Text messages (the buyer's quota lookup code): a class with send(phone, text), as EMAIL_BACKEND.
SMS_BACKEND = env.str("SMS_BACKEND", default="singlewindow.core.sms.ConsoleBackend")
# The public quota lookup: asks per buyer ID and per client address within an hour.
QUOTA_LOOKUP_PER_ID = env.int("QUOTA_LOOKUP_PER_ID", default=5)
QUOTA_LOOKUP_PER_ADDRESS = env.int("QUOTA_LOOKUP_PER_ADDRESS", default=30)

# Celery: Redis as broker when REDIS_URL is set, otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One task at a time per process: a batch's tasks run a few hundred milliseconds each, and a task
# reserved behind a busy one waits while another worker is idle (p99 at 500 orders/s: 2.0 s with 4).
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=1)
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Celery's Django fixup closes the database connection before and after every task unless this is
# set: a new PostgreSQL backend, its catalog caches cold, for each of a batch's five tasks. The
# workers close connections as Django does around a request instead (CONN_MAX_AGE, health checks).
CELERY_DB_REUSE_MAX = 1_000_000
# One queue per agency for the fan-out, beside the default queue: a zone can run each agency's
# workers near that agency's gateway (`celery worker -Q customs`); a worker started without -Q
# consumes them all.
AGENCY_QUEUES = ("customs", "inspection", "tax", "forex")
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue("celery"), *(Queue(name) for name in AGENCY_QUEUES)]
CELERY_BEAT_SCHEDULE = {
    "clearance-sweep": {"task": "clearance.sweep", "schedule": 30},
    "prune-read-notifications": {"task": "sharing.prune_notifications", "schedule": 24 * 3600},
    "summarise-exports": {"task": "declarations.summarise_exports", "schedule": 6 * 3600},
    # The audit chain's head, written where the database cannot reach it (sharing/audit.py).
    "record-audit-head": {"task": "sharing.record_audit_head", "schedule": 5 * 60},
    # Once a day, in the zone's morning: a digest covers what came since the last one.
    "send-notification-digests": {"task": "sharing.send_digests", "schedule": crontab(hour=7, minute=0)},
}

# A claiming processor (clearance, deferred intake) is woken at most once per this many milliseconds
# (singlewindow/core/wake.py): documents sent one per request are still claimed in batches. An idle
# processor is also woken at once, so the window holds back only work that arrives under load.
WAKE_WINDOW_MS = env.int("WAKE_WINDOW_MS", default=200)
# The clearance processor's window: a claim has a fixed cost (the agencies' tasks, the fan-in, the risk
# queries) that a longer window spreads over more lists (about 50 at 100 lists/s, from 4 with 100 ms).
CLEARANCE_WAKE_WINDOW_MS = env.int("CLEARANCE_WAKE_WINDOW_MS", default=500)
# Single JSON documents answered 202 with returnStatus 2 once committed, and stored by the intake
# processor in micro-batches (declarations/services/deferred.py); off: stored in the request (201).
INTAKE_DEFERRED = env.bool("INTAKE_DEFERRED", default=False)
# Received documents the intake processor takes per run.
INTAKE_CLAIM_SIZE = env.int("INTAKE_CLAIM_SIZE", default=1000)
# Lists claimed per clearance batch (smaller batches: more of them in flight at once).
CLEARANCE_CLAIM_SIZE = env.int("CLEARANCE_CLAIM_SIZE", default=500)
# A released list nobody signed for is closed (899) this many days after release: the 45 days of a
# return's goods coming back (DOMAIN 6.4) have passed by then.
CLEARANCE_CLOSE_AFTER_DAYS = env.int("CLEARANCE_CLOSE_AFTER_DAYS", default=45)

# The web and worker processes freeze their startup objects out of the garbage collector's reach
# once loaded (singlewindow/heap.py); GC_FREEZE=false leaves the collector as Python sets it.
GC_FREEZE = env.bool("GC_FREEZE", default=True)

# Simulated agencies: latency (ms) and failure rate per agency, to exercise retries and overlap.
SINGLEWINDOW_ADAPTERS = {
    agency: {
        "latency_ms": env.int(
            f"ADAPTER_{agency.upper()}_LATENCY_MS", default=env.int("ADAPTER_LATENCY_MS", default=0)
        ),
        "failure_rate": env.float(f"ADAPTER_{agency.upper()}_FAILURE_RATE", default=0.0),
    }
    for agency in ("customs", "inspection", "tax", "forex")
}
# Webhooks may not target private, loopback or link-local addresses (set true only for closed networks).
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", default=False)

# The audit trail's hash chain is keyed (HMAC-SHA256) with AUDIT_CHAIN_KEY, set per environment and
# kept out of the database (local.py has a development key; production.py has no default). The head
# is written every 5 minutes to the log `singlewindow.audit` and, when AUDIT_HEAD_LOG names a file, to
# that file, opened for appending only; `manage.py verify_audit_chain` checks the chain against it.
AUDIT_HEAD_LOG = env.str("AUDIT_HEAD_LOG", default=None)

# Lists scoring this much or more are held for a customs official (risk rules' weights add up).
RISK_HOLD_THRESHOLD = env.int("RISK_HOLD_THRESHOLD", default=60)
# Held lists scoring at most this may be released together from customs' worklist (one reason).
RISK_BULK_RELEASE_MAX_SCORE = env.int("RISK_BULK_RELEASE_MAX_SCORE", default=70)

# Incoming CEB XML is checked against the official XSD: "strict" refuses a failing message with a
# CEB900 (as the e-port does); "lenient" takes it field by field, logging and noting the problems.
CEB_SCHEMA_VALIDATION = env.str("CEB_SCHEMA_VALIDATION", default="strict").strip().lower()
if CEB_SCHEMA_VALIDATION not in ("strict", "lenient"):
    raise ImproperlyConfigured(
        f"CEB_SCHEMA_VALIDATION is {CEB_SCHEMA_VALIDATION!r}; set it to 'strict' or 'lenient'"
    )
# Whether a 9610 import list customs concluded waits for its waybill's arrival under its master bill
# (CEB711) before it is released (800), as some zones require.
CEB_9610_RELEASE_AFTER_ARRIVAL = env.bool("CEB_9610_RELEASE_AFTER_ARRIVAL", default=False)

# The partner channel (DOMAIN 1.2, 1.6). CEB_SIGNATURE_REQUIRED: the ds:Signature of CEB621/623/625/711
# (and of any message or DxpMsg carrying one) must verify against a certificate the sending enterprise
# registered, and BaseTransfer copCode/dxpId must be the API key's enterprise; required in production,
# off in development (local.py), where receipts say the signature was not checked.
CEB_SIGNATURE_REQUIRED = env.bool("CEB_SIGNATURE_REQUIRED", default=True)
# Which XML-DSig URIs mean which algorithm (two SM2 URIs are in use); None: declarations.xmldsig's defaults.
CEB_XMLDSIG_ALGORITHMS = None
# The portal's RSA key (PEM, or a file path) signing its receipts; unset: one made per process.
CEB_RECEIPT_SIGNING_KEY = env.str("CEB_RECEIPT_SIGNING_KEY", default="")
# The customs DXP ids answering enveloped messages: import and export platforms.
CEB_DXP_ID_IMPORT = env.str("CEB_DXP_ID_IMPORT", default="DXPEDCCEB0000002")
CEB_DXP_ID_EXPORT = env.str("CEB_DXP_ID_EXPORT", default="DXPEDCCEB0000003")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        "kombu": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # The audit chain's recorded heads are evidence: kept whatever DJANGO_LOG_LEVEL says.
        "singlewindow.audit": {"level": "INFO"},
    },
}

# Resident ID numbers never reach a log whole (need to know for buyers' data): the console handler and
# runserver's access log ("django.server", which does not propagate) mask them wherever they appear,
# a request line's query string included (singlewindow.core.logmask).
LOGGING.setdefault("filters", {})["mask_resident_ids"] = {"()": "singlewindow.core.logmask.ResidentIdFilter"}
LOGGING["handlers"]["console"]["filters"] = ["mask_resident_ids"]
LOGGING["formatters"]["django.server"] = {
    "()": "django.utils.log.ServerFormatter",
    "format": "[{server_time}] {message}",
    "style": "{",
}
LOGGING["handlers"]["django.server"] = {
    "class": "logging.StreamHandler",
    "formatter": "django.server",
    "filters": ["mask_resident_ids"],
}
LOGGING["loggers"]["django.server"] = {"handlers": ["django.server"], "level": "INFO", "propagate": False}

# No server error on any input. A NUL in the URL is refused (400) before any view, right after the
# language is chosen so the refusal is in the reader's language: PostgreSQL cannot hold a NUL in text.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.locale.LocaleMiddleware") + 1,
    "singlewindow.core.middleware.RefuseNulMiddleware",
)

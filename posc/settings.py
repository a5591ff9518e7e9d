"""Settings for POSC Tracker, read from the environment.

DATABASE_URL   default: SQLite file ``db.sqlite3`` in the project; ``postgres://…`` uses psycopg 3.
SECRET_KEY     required when DEBUG is off.
DEBUG          "1"/"true" to turn on (default on for development, off when DJANGO_ENV=production).
ALLOWED_HOSTS  comma-separated.
DJANGO_ENV     "production" turns on the deployment protections (HTTPS redirect, HSTS, secure cookies); see
               docs/security.md. SECURE_SSL_REDIRECT=0 / SECURE_HSTS_SECONDS=0 / SECURE_COOKIES=0 turn them off one by
               one for a production-settings server on plain http (the browser tests do this).
DATABASE_POOL  "0" (default): Django's persistent connections with health checks; "1": psycopg's pool with a
               connection check instead (docs/operations.md compares the two, measured).
DATABASE_CONNECT_TIMEOUT  seconds to wait for PostgreSQL when opening a connection (default 5).
DATABASE_REPLICA_URL  a PostgreSQL read replica for the dashboards, the analysts' API and exports (posc/dbrouter.py).
CACHE_URL      Django's cache: unset = each process's own memory; ``redis://HOST:6379/1`` = one Redis shared by every
               process and server (posc/caches.py; docs/operations.md).
LOGIN_FAILURE_LIMIT / LOGIN_COOLOFF_MINUTES  the login lock-out (default 10 failures, 15 minutes).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from posc.caches import caches_from_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", default=os.environ.get("DJANGO_ENV", "development") != "production")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "core",
    "organizations",
    "contracts",
    "attachments",
    "dashboards",
    "ocds",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.requestchecks.RejectNulMiddleware",  # 400 for a NUL in a header or cookie, before the session is read
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "posc.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "posc.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", 5))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # A database that does not answer fails fast (the 503 page, /readyz) instead of hanging the request.
    _options["connect_timeout"] = DATABASE_CONNECT_TIMEOUT
    # PostgreSQL's JIT compiler is off for the application's connections (DATABASE_JIT=1 turns it back on): its
    # compile time dominated the queries it fired on (the red-flags set: about 17 of 22 s; the contract export's
    # GROUP BY: 2.4 s), which are many-subquery statements run once, not long analytical scans (docs/performance.md).
    if not env_bool("DATABASE_JIT", False):
        _options["options"] = (_options.get("options", "") + " -c jit=off").strip()
    if env_bool("DATABASE_POOL", False):
        # psycopg 3's connection pool (Django >= 5.1). With CONN_HEALTH_CHECKS Django gives the pool
        # ``check=ConnectionPool.check_connection``: each connection is tested as it is handed out, so one the server
        # dropped (a restart) is replaced instead of failing the request. ``timeout`` bounds the wait for a
        # connection when the database is unreachable. Persistent connections stay off with a pool.
        _options["pool"] = {
            "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", 2)),
            "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", 8)),
            "timeout": DATABASE_CONNECT_TIMEOUT,
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    else:
        # The default (measured in docs/operations.md): each worker keeps its connection and checks it at the start
        # of a request, reconnecting if the server dropped it. After an outage the first request reconnects at once,
        # and while the database refuses connections requests fail in milliseconds instead of waiting for the pool.
        DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", 60))
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})

# A read replica (docs/operations.md, "A read replica"): the dashboards, the analysts' API and exports read from it,
# everything else from the primary (posc/dbrouter.py). Same options as the primary; never migrated; tests use the
# primary for it.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"]),
        **{key: DATABASES["default"][key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")},
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["posc.dbrouter.ReplicaRouter"]
    MIDDLEWARE.insert(0, "posc.dbrouter.ReplicaReadsMiddleware")  # before anything reads the database

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Local memory per process by default; CACHE_URL=redis://… shares one cache between processes and servers.
CACHES = caches_from_url(os.environ.get("CACHE_URL", ""), key_prefix=os.environ.get("CACHE_KEY_PREFIX", "posc"),
                         socket_timeout=float(os.environ.get("CACHE_TIMEOUT_SECONDS", 0.5)))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes checks every login (the form and the admin) before the password: see docs/security.md.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failures are counted per user name (whatever the address) and, separately, per address (whatever the user name);
# at the limit that user name, or that address, is locked out for the cool-off time. Old failures expire with it.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 10))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = False  # a valid login of one's own must not wipe the count against another user name
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Uploads (CSV import): keep the limits here so pages, commands and docs agree.
CSV_IMPORT_MAX_BYTES = int(os.environ.get("CSV_IMPORT_MAX_BYTES", 10 * 1024 * 1024))
CSV_IMPORT_MAX_ROWS = int(os.environ.get("CSV_IMPORT_MAX_ROWS", 50_000))
DATA_UPLOAD_MAX_MEMORY_SIZE = CSV_IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = CSV_IMPORT_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Attachments (docs/attachments.md): stored through STORAGES["default"] (under MEDIA_ROOT with the file-system
# backend; an S3-compatible backend is a change of that setting), served only by the permission-checked download
# view: there is deliberately no MEDIA_URL route.
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media"))
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))

# Open data (OCDS 1.1, docs/ocds.md): ocid prefix registered with the Open Contracting Partnership, publisher name,
# data licence URL, and the site URL written into the packages of ``manage.py export_ocds``.
OCDS_PREFIX = os.environ.get("OCDS_PREFIX", "ocds-posc00")
OCDS_PUBLISHER_NAME = os.environ.get("OCDS_PUBLISHER_NAME", "POSC Tracker")
OCDS_LICENSE = os.environ.get("OCDS_LICENSE", "")
OCDS_BASE_URL = os.environ.get("OCDS_BASE_URL", "http://localhost:8000")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON bodies must be objects of bounded size (DATA_UPLOAD_MAX_MEMORY_SIZE) and depth (core.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pagination",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.negotiation.StrictContentNegotiation",  # ?format= exact (400)
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "5000/hour"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "POSC Tracker API",
    "DESCRIPTION": "Government purchase of social services for disabled people: contracts, payments, reviews, "
    "organizations' funding mix and dependency indicators.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": [
        "rest_framework.authentication.TokenAuthentication",  # first: an anonymous client gets 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PaymentKindEnum": "contracts.choices.PaymentKind",
        "PurchaserKindEnum": "organizations.choices.PurchaserKind",
        "PurchaserLevelEnum": "organizations.choices.PurchaserLevel",
        "RegionLevelEnum": "organizations.choices.RegionLevel",
        "FlagLevelEnum": "dashboards.choices.FlagLevel",
        "ServiceCategoryEnum": "organizations.choices.ServiceCategory",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.schema.exact_schema"],
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# The function that computes what a user may see (a ``core.roles.Scope``) from their memberships. The shared base
# (core) calls it without importing the app that defines purchasers, regions and organizations.
POSC_SCOPE_RESOLVER = "organizations.scope.compute_scope"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

# Production: HTTPS only. Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=1 (the proxy must set
# X-Forwarded-Proto and strip it from clients). SECURE_SSL_REDIRECT=0 and SECURE_HSTS_SECONDS=0 serve plain http
# (a local production-settings server, as the browser tests run it).
PRODUCTION = os.environ.get("DJANGO_ENV", "development") == "production"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("SECURE_PROXY_SSL_HEADER"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts only from this site (no inline script, no eval; the Swagger UI is
# served split so its start-up script is a file too). Inline style attributes stay allowed: a few templates and
# the Swagger UI set them, and styles cannot run code. Charts (Chart.js) draw on canvas; Bootstrap's icons are
# data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Labels used by the app name in templates.
SITE_TITLE = _("POSC Tracker")

"""Plant Logbook settings: one module, read from the environment.

Every value that differs between a laptop, CI and a plant server comes from an
environment variable. A malformed value stops the start-up with a message that
names the variable, rather than running with a silent default.
"""

import datetime
import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from logbook.accounts.directory import directory_settings

BASE_DIR = Path(__file__).resolve().parent.parent
# A developer's own overrides, if any; the real environment wins over the file.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    """Return the boolean in ``name``; refuse anything but a clear yes or no."""
    raw = environ.Env.ENVIRON.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no).")


def envint(name: str, default: int) -> int:
    """Return the integer in ``name``; refuse anything that is not one."""
    raw = environ.Env.ENVIRON.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def envlist(name: str, default: list[str]) -> list[str]:
    raw = environ.Env.ENVIRON.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)

SECRET_KEY = environ.Env.ENVIRON.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string, or set DEBUG=true "
            "for a development server (which then uses a development key)."
        )
    # Development only: never used when DEBUG is off.
    SECRET_KEY = "dev-only-insecure-key-plant-logbook-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

# Behind a TLS-terminating proxy in production; every one of these is opt-in.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", False)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if envbool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

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
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "logbook.core",
    "logbook.accounts",
    "logbook.equipment",
    "logbook.shifts",
    "logbook.downtime",
    "logbook.maintenance",
    "logbook.quality",
    "logbook.reports",
    "logbook.workrequests",
    "logbook.telemetry",
]

MIDDLEWARE = [
    # Outermost: times and counts every request, logs its JSON line (see core.observability).
    "logbook.core.observability.RequestObservationMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "logbook.core.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "logbook.core.middleware.SiteTimezoneMiddleware",
    "logbook.core.middleware.RecordLockedMiddleware",
    "logbook.core.middleware.SignedInPagesMiddleware",
    "logbook.core.routing.ReplicaMiddleware",
    # A write sent again under the same Idempotency-Key gets its first answer back.
    "logbook.core.idempotency.IdempotencyMiddleware",
    # Last, as its documentation asks: it watches the authentication result.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "logbook.core.context_processors.navigation",
            ],
        },
    },
]

# Where the logbook keeps what it writes: the SQLite database (when DATABASE_URL does not name
# another), photos (media/) and collected static files (static/). A server install points it
# outside the code (deploy/install.sh: /var/lib/plant-logbook).
DATA_DIR = Path(environ.Env.ENVIRON.get("DATA_DIR") or BASE_DIR / "var")

# SQLite is the embedded default; production and CI set DATABASE_URL=postgres://…
_SUPPORTED_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
_database_url = environ.Env.ENVIRON.get("DATABASE_URL") or (
    f"sqlite:///{DATA_DIR / 'logbook.sqlite3'}"
)
if not _database_url.startswith(("sqlite:", "postgres:", "postgresql:", "pgsql:")):
    raise ImproperlyConfigured(
        f"DATABASE_URL={_database_url!r}: use sqlite:///path or postgres://user:pass@host:port/db."
    )
DATABASES = {"default": environ.Env.db_url_config(_database_url)}
if DATABASES["default"].get("ENGINE") not in _SUPPORTED_ENGINES:
    raise ImproperlyConfigured(f"DATABASE_URL={_database_url!r} names no supported database.")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 0)
# How long a request waits for the database's write lock before it answers 503 (seconds).
DATABASE_LOCK_TIMEOUT = envint("DATABASE_LOCK_TIMEOUT", 20)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A plant server serves several technicians at once: writers queue for the lock instead of
    # failing. WAL lets pages read while one request writes; IMMEDIATE takes the write lock when
    # a transaction begins, so a transaction that read first never fails at once ("database is
    # locked") when it then writes beside another writer: it waits its turn like the others.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": DATABASE_LOCK_TIMEOUT,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

# PostgreSQL's planner, unless DATABASE_URL's options say otherwise:
# - its just-in-time compiler spent a second compiling each site-wide report query (whose cost
#   it overestimates) to save milliseconds: off;
# - the app reads a cursor (an export, streamed) to its end, never only its first rows: planned
#   for a tenth of them (the default), one line's stops came by walking five years of stops
#   newest first instead of sorting the line's 2,300 (export 308 → 83 ms at five years).
# (A random read priced as on solid-state disks, random_page_cost 1.1, was measured too: it
# sped up one page and slowed three reports, so the default stays.)
_PLANNER = "-c jit=off -c cursor_tuple_fraction=1"
# Prepared statements, off unless DATABASE_PREPARE_THRESHOLD says after how many runs on a
# connection a query is kept prepared (psycopg then binds parameters on the server). PostgreSQL
# then plans it once per connection (kept between requests with CONN_MAX_AGE) instead of on every
# request: at five years, home pages 2-5 ms sooner, but the quality report 1.2-1.3 times slower
# and the downtime Pareto 1.1 times (the plan made once cannot know the period asked), so a plant
# chooses (docs/performance.md). Keep it 0 behind a pooler in transaction mode (PgBouncer's).
DATABASE_PREPARE_THRESHOLD = envint("DATABASE_PREPARE_THRESHOLD", 0)
_PREPARED = (
    {"server_side_binding": True, "prepare_threshold": DATABASE_PREPARE_THRESHOLD}
    if DATABASE_PREPARE_THRESHOLD > 0
    else {}
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", _PLANNER)
    for option, value in _PREPARED.items():
        DATABASES["default"]["OPTIONS"].setdefault(option, value)

# A PostgreSQL streaming replica for the reports, exports and API lists (logbook/core/routing.py).
_replica_url = environ.Env.ENVIRON.get("DATABASE_REPLICA_URL", "")
if _replica_url:
    if not _database_url.startswith(("postgres:", "postgresql:", "pgsql:")):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL.")
    DATABASES["replica"] = environ.Env.db_url_config(_replica_url)
    if DATABASES["replica"].get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL={_replica_url!r} is not PostgreSQL.")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("options", _PLANNER)
    for option, value in _PREPARED.items():
        DATABASES["replica"]["OPTIONS"].setdefault(option, value)
    # Tests read the primary through it: no second test database on a read-only server.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["logbook.core.routing.ReplicaRouter"]
# After a write, the same browser reads the primary for this long (seconds): its next list or
# report holds its own write even when the replica is a moment behind.
REPLICA_PIN_SECONDS = envint("REPLICA_PIN_SECONDS", 30)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's password login, for local accounts only (a directory account has no second way in).
    "logbook.accounts.backends.LocalBackend",
]
# Directory login (LDAP / Active Directory), on when LDAP_SERVER_URI is set: see
# logbook.accounts.directory and docs/directory-login.md. The directory is asked first; local
# accounts still log in through the model backend, also while the directory is down.
globals().update(directory_settings(environ.Env.ENVIRON))
if "AUTH_LDAP_SERVER_URI" in globals():
    AUTHENTICATION_BACKENDS.insert(1, "logbook.accounts.directory_backend.DirectoryBackend")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: a tablet left on the floor must not be a password oracle. Failures count per
# user *and* address together, so one person guessing behind the plant's proxy does not lock out
# everyone behind it; failed signature passwords (sign-off, verify, close) count too.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind a reverse proxy, the client's address is the one this many proxies in front of us saw.
AXES_IPWARE_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0) or None

# A session ends after this many idle minutes (a tablet left logged in on the floor).
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# API tokens stop working this many days after they were made (0: never).
API_TOKEN_DAYS = envint("API_TOKEN_DAYS", 90)

LANGUAGE_CODE = "en"
# The languages the pages come in: the person's choice on their profile, else the login page's
# switch, else the browser's. Catalogues in locale/, compiled at build time (make catalogues).
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español"), ("pl", "Polski")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
# Stored in UTC; each page shows times in its site's zone (see core.middleware).
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Production serves collected, hashed, compressed files (run collectstatic); development and the
# tests serve the source files directly, so nothing needs collecting first.
PLAIN_STATIC_STORAGE = DEBUG or envbool("PLAIN_STATIC_STORAGE", False)
WHITENOISE_USE_FINDERS = PLAIN_STATIC_STORAGE
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if PLAIN_STATIC_STORAGE
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
# Uploaded photos are served by the app after a role and site check, never as public files.
# The largest photo taken (megabytes); its content must be an image (core.validators).
PHOTO_MAX_MB = envint("PHOTO_MAX_MB", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # a form or JSON body without its files
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Nothing on a page may come from another host: plants run isolated networks.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        # Swagger UI (the API docs) sets style attributes; no page loads styles from elsewhere.
        "style-src": ["'self'", "'unsafe-inline'"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# A tablet's clock may run a little ahead of the server's: "now" is allowed this much slack.
CLOCK_SKEW = datetime.timedelta(minutes=5)

# Offline work (core.idempotency): how long a write's Idempotency-Key and its answer are kept
# (hours: a tablet may stay offline over a long weekend), and how far a device's clock may be
# off the server's when it sends its queue (minutes) before its writes are refused.
IDEMPOTENCY_KEY_HOURS = envint("IDEMPOTENCY_KEY_HOURS", 168)
DEVICE_CLOCK_SKEW_MINUTES = envint("DEVICE_CLOCK_SKEW_MINUTES", 10)

# Machine signals: how late one may arrive (hours) and still land in its place; older ones are
# refused with that reason.
SIGNAL_HORIZON_HOURS = envint("SIGNAL_HORIZON_HOURS", 24)
# How long raw signals are kept (days) before prune_signals deletes them; what they became
# (incidents, micro-stops, events, per-minute counts) stays.
SIGNAL_RETENTION_DAYS = envint("SIGNAL_RETENTION_DAYS", 7)

# How far outside its shift a log entry may be dated (minutes), for what happened just before the
# shift started or was written up just after it ended.
SHIFT_ENTRY_GRACE_MINUTES = envint("SHIFT_ENTRY_GRACE_MINUTES", 30)

# How far ahead generate_pm_workorders creates preventive work orders (days).
PM_LOOKAHEAD_DAYS = envint("PM_LOOKAHEAD_DAYS", 14)
# Certifications expiring within this many days are flagged.
CERTIFICATION_WARNING_DAYS = 30

DJANGO_TABLES2_TEMPLATE = "core/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table"}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token first: a refused API call then answers 401 with WWW-Authenticate.
        "logbook.core.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["logbook.core.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "logbook.core.pagination.PageNumbers",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "logbook.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Plant Logbook API",
    "DESCRIPTION": "Shift logbook and maintenance tracker. Same role and site rules as the pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents its error answers (400/401/403/404/409/503, JSON).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "logbook.core.schema.document_errors",
    ],
    # Served from drf-spectacular-sidecar: the docs page loads nothing from the internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Without deep links an operation's path is not a link inside its own toggle button (axe:
    # nested-interactive); filtering by tag keeps a long API browsable.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "filter": True},
    # Several models have a "kind"; name each choice set after its own meaning.
    "ENUM_NAME_OVERRIDES": {
        "EntryCategoryEnum": "logbook.shifts.choices.EntryCategory",
        "ReasonKindEnum": "logbook.downtime.choices.ReasonKind",
        "ChecklistItemKindEnum": "logbook.maintenance.choices.ItemKind",
        "WorkOrderKindEnum": "logbook.maintenance.choices.WorkOrderKind",
        "WorkOrderStatusEnum": "logbook.maintenance.choices.WorkOrderStatus",
        "EquipmentStatusEnum": "logbook.equipment.choices.EquipmentStatus",
        "SignalKindEnum": "logbook.telemetry.choices.SignalKind",
        "CharacteristicKindEnum": "logbook.quality.choices.CharacteristicKind",
        "NonconformanceStatusEnum": "logbook.quality.choices.NCStatus",
        "PriorityEnum": "logbook.maintenance.choices.Priority",
    },
}

# Mail (the daily digest): EMAIL_URL, e.g. smtp+tls://user:password@mail.plant.local:587; without
# it, mails are written to the console (development, or a plant that has no relay yet).
_email_url = environ.Env.ENVIRON.get("EMAIL_URL", "")
if _email_url:
    vars().update(environ.Env.email_url_config(_email_url))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = environ.Env.ENVIRON.get("DEFAULT_FROM_EMAIL", "logbook@localhost")
# The address people use to open the logbook: links in mails point there.
SITE_URL = environ.Env.ENVIRON.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Capability indices below this are flagged on the dashboard.
try:
    REPORT_CPK_TARGET = float(environ.Env.ENVIRON.get("REPORT_CPK_TARGET", "1.33"))
except ValueError:
    raise ImproperlyConfigured("REPORT_CPK_TARGET is not a number (e.g. 1.33).") from None

# Log lines on stderr, as JSON (one object a line: time, level, logger, message and the event's
# fields) for journald or a collector; LOG_FORMAT=text for people reading a terminal.
LOG_FORMAT = environ.Env.ENVIRON.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": environ.Env.ENVIRON.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # The request lines say it all: Django's own line for each 4xx/5xx would repeat it.
        "django.request": {"level": "ERROR"},
    },
}

# /metrics (Prometheus): served only with "Authorization: Bearer <METRICS_TOKEN>"; unset, to
# nobody. METRICS_ALLOWED_ADDRESSES (addresses or networks, comma-separated) narrows it further.
METRICS_TOKEN = environ.Env.ENVIRON.get("METRICS_TOKEN", "")
try:
    METRICS_ALLOWED_ADDRESSES = [
        ipaddress.ip_network(item, strict=False)
        for item in envlist("METRICS_ALLOWED_ADDRESSES", [])
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_ADDRESSES: {error}") from None

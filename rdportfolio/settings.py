"""One settings module for every mode, driven by environment variables.

Embedded mode (nothing set): SQLite in ``var/``, Celery tasks run in-process.
Production: ``DATABASE_URL`` (PostgreSQL), ``CELERY_BROKER_URL`` (Redis),
``SECRET_KEY``, ``ALLOWED_HOSTS``; see README "Configuration reference".
"""

import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

env = environ.Env()
BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("RDP_VAR_DIR", default=str(BASE_DIR / "var")))

# Embedded mode is simply "no database configured": the new user's laptop.
EMBEDDED = "DATABASE_URL" not in env

DEBUG = env.bool("DEBUG", default=EMBEDDED)


def _embedded_secret_key() -> str:
    # A random key kept beside the SQLite file, so sessions survive restarts
    # without anyone ever committing a key.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if "SECRET_KEY" in env:
    SECRET_KEY = env.str("SECRET_KEY")
elif EMBEDDED or DEBUG:
    SECRET_KEY = _embedded_secret_key()
else:
    raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is set (production).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "simple_history",
    "axes",
    "health_check",
    "csp",
    # Ours, from the ground up: each may import only those above it (import-linter checks it).
    # rdportfolio itself is the site: the seed command and the roles kept in step on migrate.
    "rdportfolio",
    "programs",
    "technologies",
    "technologies.evaluations",
    "partners",
    "budgets",
    "budgets.kpi",
    "budgets.scenarios",
    "rdportfolio.imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "rdportfolio.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rdportfolio.core.middleware.NullCharacterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Who made a change, for the audit history of every core model.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rdportfolio.urls"
WSGI_APPLICATION = "rdportfolio.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
if EMBEDDED:  # a writer waits its turn up to 30 s (imports take turns: core/turns.py)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": env.db_url_config(f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 30}
else:
    DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if EMBEDDED else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = not EMBEDDED
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------
_PASSWORDS = "django.contrib.auth.password_validation."
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": _PASSWORDS + "UserAttributeSimilarityValidator"},
    {"NAME": _PASSWORDS + "MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": _PASSWORDS + "CommonPasswordValidator"},
    {"NAME": _PASSWORDS + "NumericPasswordValidator"},
    {"NAME": "rdportfolio.core.auth.TokensRevokedWithThePassword"},
]
# django-axes first: a locked-out username/address pair is refused before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rdportfolio.core.auth.PortfolioBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)  # hours
# Per username and address together: one guessed account is locked without locking out a whole
# ministry office behind one NAT address, and one attacker address cannot lock every account.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind N trusted proxies the client address comes from X-Forwarded-For; with none, that
# header is the client's own word and only the socket address counts.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboards:overview"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation: Korean first, English available ------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
# A reader's language outlives the browser session: a year, then the browser's language again.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# Ours first (makemessages writes there); then Korean for the libraries that ship none.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True
# Not on: years would read "2,024". Amounts are formatted by rdportfolio.core.money instead.
USE_THOUSAND_SEPARATOR = False

# --- Uploads: streamed to a temporary file past 2.5 MB, stopped at the limit ---------------
RDP_UPLOAD_MAX_BYTES = env.int("RDP_UPLOAD_MAX_BYTES", default=50 * 2**20)
FILE_UPLOAD_HANDLERS = [
    "rdportfolio.core.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "rdportfolio.core.uploads.SpaceCheckedTemporaryFileUploadHandler",
]
# Import limits (rdportfolio.core.tabular.reading): larger sets go as several files.
RDP_IMPORT_MAX_ROWS = env.int("RDP_IMPORT_MAX_ROWS", default=1_000_000)
RDP_IMPORT_XLSX_MAX_ROWS = env.int("RDP_IMPORT_XLSX_MAX_ROWS", default=300_000)
RDP_IMPORT_XLSX_MAX_UNCOMPRESSED = env.int("RDP_IMPORT_XLSX_MAX_UNCOMPRESSED", default=200 * 2**20)

# --- Static files -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or EMBEDDED
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Celery ---------------------------------------------------------------
# No broker configured means the embedded mode: tasks run in-process, eagerly.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TIMEZONE = TIME_ZONE
# At-least-once delivery: a task is acknowledged after it ran, and given back
# if its worker dies; tasks are written to be idempotent for that reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that hands work to a broker away gives up after this (the watchdog resends).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Redis gives an unacknowledged task to another worker after this: longer than the longest
# task may run (imports: 30 minutes), so that no task is ever run twice at once by it. A
# worker that died is noticed much sooner by the watchdogs below (leases of under a minute).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 35 * 60}
# The watchdogs: waiting work whose message was lost, and work whose worker died, go out again.
# /health/ fails when none ran for three times this (is beat running?).
RDP_WATCHDOG_SECONDS = env.float("RDP_WATCHDOG_SECONDS", default=30)
# A worker renews its lease on a run or an import every third of this; past it, the work is
# taken up again. With the watchdog every 30 s, a dead worker's work resumes within ~75 s.
RDP_LEASE_SECONDS = env.float("RDP_LEASE_SECONDS", default=45)
# One queue unless told otherwise (tests and drills give each run a queue of its own).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
_WATCHDOGS = {
    "share-runs-watchdog": "budgets.kpi.tasks.share_runs_watchdog",
    "scenario-results-watchdog": "budgets.scenarios.tasks.scenario_results_watchdog",
    "import-jobs-watchdog": "rdportfolio.imports.tasks.import_jobs_watchdog",
}
CELERY_BEAT_SCHEDULE = {
    "share-nightly": {  # 02:30 Seoul time, after the nightly imports
        "task": "budgets.kpi.tasks.recompute_share_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
} | {name: {"task": task, "schedule": RDP_WATCHDOG_SECONDS} for name, task in _WATCHDOGS.items()}

# --- REST framework ---------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous API call gets 401 with "WWW-Authenticate: Token".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rdportfolio.core.drf.PortfolioModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "rdportfolio.core.drf.StrictFilterBackend",
        "rdportfolio.core.drf.StrictSearchFilter",
        "rdportfolio.core.drf.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rdportfolio.core.drf.CursorPagination",
    # No browsable API: its pages break the CSP (inline handlers); Swagger UI is the browser's.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only: DRF reads an empty HTML-form field in a partial update as "not sent",
    # which would let a blank required field through. Forms get a clear 415.
    "DEFAULT_PARSER_CLASSES": ["rdportfolio.core.drf.StrictJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="3000/minute"),
        "recompute": env.str("API_THROTTLE_RECOMPUTE", default="6/minute"),
    },
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "rdportfolio.core.api_schema.PortfolioAutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}
_ENUMS = "scenarios.models.ScenarioStatus scenarios.models.ResultStatus kpi.models.ShareStatus"
_ENUMS += " kpi.models.RunStatus models.Basis models.TotalBasis"
SPECTACULAR_SETTINGS = {
    "TITLE": "rdportfolio API",
    "DESCRIPTION": (
        "The MOTIE industrial R&D portfolio and its international-collaboration share. "
        "Amounts are integers in whole won; shares and percents are decimal strings "
        '("6.0000" is 6%). Lists are cursor-paged (follow `next`); add `format=csv` or '
        "`format=xlsx` for every matching row in one file."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # drf-standardized-errors' enums, named once instead of once per endpoint; and each of the
    # models' "status" choice sets a name of its own.
    "ENUM_NAME_OVERRIDES": {
        name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
        for name in ["ValidationErrorEnum", "ClientErrorEnum", "ServerErrorEnum"]
        + [f"ErrorCode{code}Enum" for code in (401, 403, 404, 405, 406, 415, 429, 500)]
    }
    | {f"{p.rsplit('.', 1)[1]}Enum": f"budgets.{p}" for p in _ENUMS.split()},
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
}
DRF_STANDARDIZED_ERRORS = {
    "ALLOWED_ERROR_STATUS_CODES": "400 401 403 404 405 406 409 413 415 429 500 503".split(),
    "EXCEPTION_HANDLER_CLASS": "rdportfolio.core.api_errors.PortfolioExceptionHandler",
}
# Throttle counts must be shared by every web process: Redis when CACHE_URL is set. Without
# it each process counts on its own (n processes let n times the rate through). When Redis is
# away the cache degrades (rdportfolio.core.cache): throttles pause, edits keep saving.
CACHES = {
    "default": (
        {
            "BACKEND": "rdportfolio.core.cache.ResilientRedisCache",
            "LOCATION": env.str("CACHE_URL"),
            # An outage costs a request at most this long, not a hung worker.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if "CACHE_URL" in env
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Security (production values unless DEBUG) -------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Health checks come from inside the network (compose, load balancer) over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script of ours reads the CSRF cookie (forms carry the token), so scripts may not either.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# A shared office computer: closing the browser ends the session.
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
X_FRAME_OPTIONS = "DENY"
# Only our own static files run: no inline script, event handler or style (stored text that
# slipped through as HTML could not act), no other host; the admin's one fixed <style> by its
# hash. Violations are logged through /csp-report/, so a page the policy breaks is noticed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "report-uri": "/csp-report/",
    }
}
# Powerful browser features no page here uses, switched off for every page.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(self), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), "
    "screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
)

# --- Logging: one line per event on stderr, for gunicorn and Celery alike ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes logs every login at INFO; lockouts are WARNING and still shown.
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Project settings -------------------------------------------------------
# The won-per-dollar rate used where a yearly rate is not stored (FACTS.md: 5.7T = $4.33B).
RDP_DEFAULT_KRW_PER_USD = env.int("RDP_DEFAULT_KRW_PER_USD", default=1315)
# Demo logins with published passwords: only ever on a laptop (embedded mode) unless forced.
RDP_DEMO_LOGINS = env.bool("RDP_DEMO_LOGINS", default=EMBEDDED)
# Dashboards open to anyone, read-only (a public portal); off: CTO viewers and up must log in.
RDP_DASHBOARDS_PUBLIC = env.bool("RDP_DASHBOARDS_PUBLIC", default=False)
# How long share runs are kept ("what did we report on 1 March?"); 0 keeps them all.
RDP_SHARE_RUN_RETENTION_DAYS = env.int("RDP_SHARE_RUN_RETENTION_DAYS", default=3 * 365)
# A check can be confirmed (imported) by its requester within this many minutes of it.
RDP_IMPORT_CONFIRM_MINUTES = env.int("RDP_IMPORT_CONFIRM_MINUTES", default=30)
# An import's file is removed this many days after its job finished (0 keeps them all).
RDP_IMPORT_KEEP_DAYS = env.int("RDP_IMPORT_KEEP_DAYS", default=30)
# An import job that checks for longer than this stops and fails, saying so.
RDP_IMPORT_TIME_LIMIT_SECONDS = env.int("RDP_IMPORT_TIME_LIMIT_SECONDS", default=25 * 60)
# /health/'s details (hosts, queues, errors) for staff and a monitor sending this as a Bearer.
RDP_HEALTH_TOKEN = env.str("RDP_HEALTH_TOKEN", default="")

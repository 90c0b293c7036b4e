"""Takoss settings, read from the environment once (see README "Configuration").

Defaults give a working local install: SQLite, console e-mail, in-process jobs.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from takoss import provider_settings
from takoss.clientip import parse_proxies
from takoss.env import env_bool, env_choice, env_int, env_list, env_rate, env_str
from takoss.secret_key import development_key, production_key

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG: bool = env_bool("TAKOSS_DEBUG", True)
# Never a constant (takoss/secret_key.py): production requires a strong TAKOSS_SECRET_KEY;
# development falls back to a random key kept in a git-ignored file, one per checkout.
TAKOSS_SECRET_KEY_FILE: Path = Path(
    env_str("TAKOSS_SECRET_KEY_FILE", str(BASE_DIR / ".takoss-secret-key"))
)
SECRET_KEY = env_str("TAKOSS_SECRET_KEY", "")
if not DEBUG:
    SECRET_KEY = production_key(SECRET_KEY)
elif not SECRET_KEY:
    SECRET_KEY = development_key(TAKOSS_SECRET_KEY_FILE)
ALLOWED_HOSTS = env_list("TAKOSS_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("TAKOSS_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "takoss.apps.TakossAdminConfig",  # django.contrib.admin with Takoss's site (takoss/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_htmx",
    "django_eventstream",
    "allauth",
    "allauth.account",
    "accounts",
    "generator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "takoss.urls"
WSGI_APPLICATION = "takoss.wsgi.application"
ASGI_APPLICATION = "takoss.asgi.application"

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
            ],
        },
    },
]


def _database(url: str) -> dict[str, object]:
    """sqlite:///path or postgres://user:pass@host:port/name -> a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path or BASE_DIR / "db.sqlite3",
            # Generations write from worker threads while requests read and write: WAL lets
            # readers run beside the writer, and IMMEDIATE transactions wait for the write lock
            # (up to the timeout) instead of failing when a read would turn into a write.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Tests run generations in threads too, and SQLite's shared in-memory test database
            # locks whole tables ("database table is locked"): tests use a file instead.
            "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"takoss-test-{os.getpid()}.db")},
        }
    if parts.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 0,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported; use sqlite:/// or postgres://."
    )


def _redis(url: str) -> dict[str, object]:
    """redis://[:password@]host:port/db -> redis.Redis keyword arguments (django-eventstream)."""
    parts = urlsplit(url)
    if parts.scheme != "redis":
        raise ImproperlyConfigured(f"TAKOSS_REDIS_URL must be redis://host:port/db, not {url!r}.")
    db = parts.path.lstrip("/")
    if db and not db.isdigit():
        raise ImproperlyConfigured(f"TAKOSS_REDIS_URL's database must be a number, not {db!r}.")
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(db or 0),
        "password": unquote(parts.password) if parts.password else None,
    }


DATABASES = {"default": _database(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: e-mail is the login, the User model has no username (see accounts/models.py).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SIGNUP_REDIRECT_URL = "accounts:onboarding"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Takoss] "
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}  # "Remember me", in sentence case
ACCOUNT_EMAIL_VERIFICATION = env_choice(
    "TAKOSS_EMAIL_VERIFICATION", "none", ("none", "optional", "mandatory")
)

# Mail (Django 6.1 mailers): printed to the console unless an SMTP host is configured.
_EMAIL_HOST = env_str("TAKOSS_EMAIL_HOST", "")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST,
                "port": env_int("TAKOSS_EMAIL_PORT", 587, minimum=1),
                "username": env_str("TAKOSS_EMAIL_USER", ""),
                "password": env_str("TAKOSS_EMAIL_PASSWORD", ""),
                "use_tls": env_bool("TAKOSS_EMAIL_USE_TLS", True),
            },
        }
        if _EMAIL_HOST
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = env_str("TAKOSS_DEFAULT_FROM_EMAIL", "Takoss <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("TAKOSS_MEDIA_ROOT", str(BASE_DIR / "media")))
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

TAKOSS_MAX_REQUIREMENTS_CHARS = env_int("TAKOSS_MAX_REQUIREMENTS_CHARS", 20_000, minimum=100)

# Generation jobs (README "Scaling"). TAKOSS_TASK_BACKEND=inprocess (the default) runs them inside
# the server process on TAKOSS_WORKERS threads (generator/task_backend.py), runs beyond that
# waiting in an in-memory queue. TAKOSS_TASK_BACKEND=database queues them in the database
# (django-tasks-db) for worker processes (`manage.py takoss_worker`), which needs a database every
# process shares: PostgreSQL through DATABASE_URL. Each user may have at most
# TAKOSS_MAX_CONCURRENT_RUNS_PER_USER runs queued or running at once.
TAKOSS_TASK_BACKEND = env_choice("TAKOSS_TASK_BACKEND", "inprocess", ("inprocess", "database"))
TAKOSS_WORKERS = env_int("TAKOSS_WORKERS", 2, minimum=1)
TAKOSS_MAX_CONCURRENT_RUNS_PER_USER = env_int("TAKOSS_MAX_CONCURRENT_RUNS_PER_USER", 2, minimum=1)
INSTALLED_APPS += ["django_tasks_db"]  # its tables exist in both modes: switching needs no migrate
TASKS = {
    "default": (
        {
            "BACKEND": "generator.task_backend.ThreadPoolBackend",
            "OPTIONS": {"workers": TAKOSS_WORKERS},
        }
        if TAKOSS_TASK_BACKEND == "inprocess"
        else {"BACKEND": "django_tasks_db.DatabaseBackend"}
    )
}
if TAKOSS_TASK_BACKEND == "database" and "sqlite" in str(DATABASES["default"]["ENGINE"]):
    raise ImproperlyConfigured(
        "TAKOSS_TASK_BACKEND=database needs a database shared by every process: set DATABASE_URL "
        "to postgres://… (SQLite serves the one-process default only)."
    )
# A run on a worker process writes a heartbeat every TAKOSS_HEARTBEAT_SECONDS and looks for a
# cancel request several times a second (generator/runwatch.py); every process sweeps runs whose
# heartbeat is older than TAKOSS_STALE_RUN_SECONDS into "interrupted" (their worker died).
TAKOSS_HEARTBEAT_SECONDS = env_int("TAKOSS_HEARTBEAT_SECONDS", 2, minimum=1)
TAKOSS_STALE_RUN_SECONDS = env_int("TAKOSS_STALE_RUN_SECONDS", 15, minimum=2)
if TAKOSS_STALE_RUN_SECONDS <= 2 * TAKOSS_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "TAKOSS_STALE_RUN_SECONDS must be more than twice TAKOSS_HEARTBEAT_SECONDS, or live runs "
        "would be taken for dead ones."
    )
# Redis, for events across processes (django-eventstream's pub/sub, and the API streams' wake-ups).
TAKOSS_REDIS_URL = env_str("TAKOSS_REDIS_URL", "")
if TAKOSS_REDIS_URL:
    EVENTSTREAM_REDIS = _redis(TAKOSS_REDIS_URL)
    # The cache holds the API's rate limits and allauth's: one count for every web process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TAKOSS_REDIS_URL,
            "KEY_PREFIX": "takoss",
        }
    }

# Generated code runs only inside bubblewrap (generator/engine/sandbox.py); "none" runs it
# unisolated and must be asked for, with a warning logged on every run.
TAKOSS_SANDBOX = env_choice("TAKOSS_SANDBOX", "bwrap", ("bwrap", "none"))
# Live previews (generator/preview.py): at most TAKOSS_PREVIEW_MAX run at once (starting one more
# stops the oldest); one is stopped after TAKOSS_PREVIEW_IDLE_SECONDS without a request.
TAKOSS_PREVIEW_MAX = env_int("TAKOSS_PREVIEW_MAX", 3, minimum=1)
TAKOSS_PREVIEW_IDLE_SECONDS = env_int("TAKOSS_PREVIEW_IDLE_SECONDS", 15 * 60, minimum=1)

# django-eventstream: one channel per generation (generator/publishing.py). Its storage must be
# on: a listener's queue holds 10 events and, on overflow or reconnect with a last id, it replays
# from storage; without storage those events are lost. The storage is a replay buffer (trimmed
# after a day); the permanent history is generator.GenerationEvent.
EVENTSTREAM_STORAGE_CLASS = "generator.eventstream.ReplayStorage"
# A run's channel is readable by its owner and staff only (a stranger gets a "forbidden" error).
EVENTSTREAM_CHANNELMANAGER_CLASS = "generator.eventstream.GenerationChannelManager"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("TAKOSS_LOG_LEVEL", "INFO")},
    # httpx logs every request the preview proxy forwards at INFO.
    "loggers": {"httpx": {"level": "WARNING"}},
}

# --- REST API (generator/api/; README "REST API") ----------------------------------------------
INSTALLED_APPS += [
    "corsheaders",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",  # logout and admin revocation (accounts/tokens.py)
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
# CORS answers must come before CommonMiddleware's redirects; API errors are JSON (outermost).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
    "corsheaders.middleware.CorsMiddleware",
)
MIDDLEWARE.insert(0, "generator.api.middleware.json_errors")

CORS_ALLOWED_ORIGINS = env_list("TAKOSS_CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "last-event-id",
    "x-api-key",
    "x-csrftoken",
    "x-requested-with",
)
CORS_EXPOSE_HEADERS = ("content-disposition", "retry-after")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The first class's challenge (Bearer) turns "not authenticated" into 401, not 403.
        "generator.api.authentication.BearerAuthentication",
        "generator.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "generator.api.pagination.ProjectPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "generator.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        # Per user, on the endpoints that start generations (POST generate, stream, regenerate).
        "generate": env_rate("TAKOSS_API_GENERATE_RATE", "30/hour"),
        "auth": env_rate("TAKOSS_API_AUTH_RATE", "20/minute"),
    },
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("TAKOSS_JWT_ACCESS_MINUTES", 60, minimum=1)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("TAKOSS_JWT_REFRESH_DAYS", 7, minimum=1)),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "UPDATE_LAST_LOGIN": True,
    # A password change (through allauth's pages or the admin) revokes every token issued before.
    "CHECK_REVOKE_TOKEN": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Takoss API",
    "DESCRIPTION": (
        "Describe an application in plain language; Takoss generates, verifies and packages it. "
        "Errors are JSON: {error, code, details}."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "GenerationStatusEnum": "generator.constants.GENERATION_STATUS_CHOICES",
        "ApiKeyStatusEnum": "accounts.models.ApiKey.Status",
        "HealthStatusEnum": ["healthy", "unhealthy"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "generator.api.schema.add_stream_endpoints",
    ],
}
# Server-Sent Events to REST clients (generator/api/streams.py): a comment line this often.
TAKOSS_SSE_KEEPALIVE_SECONDS = env_int("TAKOSS_SSE_KEEPALIVE_SECONDS", 15, minimum=1)
# Open API event streams per user, across web processes (generator/api/streamslots.py).
TAKOSS_MAX_OPEN_STREAMS_PER_USER = env_int("TAKOSS_MAX_OPEN_STREAMS_PER_USER", 20, minimum=1)
# POST /api/generate waits at most this long, then answers 202 with the URLs to follow.
TAKOSS_API_WAIT_SECONDS = env_int("TAKOSS_API_WAIT_SECONDS", 600, minimum=1)

# --- Hardening (README "Configuration") --------------------------------------------------------
# X-Forwarded-For is believed only from these proxies (IPs or CIDRs): every per-address limit
# reads the client through takoss.clientip, allauth's too (accounts/adapter.py).
TAKOSS_TRUSTED_PROXIES = parse_proxies(env_list("TAKOSS_TRUSTED_PROXIES", []))
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# JSON nested deeper than takoss.jsonlimits.MAX_JSON_DEPTH is a 400 before any view parses it
# (inside CORS, so a browser client can read the refusal).
MIDDLEWARE.insert(
    MIDDLEWARE.index("corsheaders.middleware.CorsMiddleware") + 1,
    "takoss.jsonlimits.json_depth_limit",
)
# --- Model providers in the web app (README; generator/providers.py, accounts/crypto.py) ------
# New projects read their requirements with this provider unless the person picks another.
TAKOSS_DEFAULT_PROVIDER = env_choice(
    "TAKOSS_DEFAULT_PROVIDER", "offline", provider_settings.PROVIDERS
)
TAKOSS_OPENAI_COMPATIBLE_BASE_URL = env_str("TAKOSS_OPENAI_COMPATIBLE_BASE_URL", "")
# Whether runs may use the operator's keys from the environment when the person has stored none
# (on by default only with DEBUG: on a shared server the operator's keys are the operator's money).
TAKOSS_PROVIDER_ENV_KEYS = env_bool("TAKOSS_PROVIDER_ENV_KEYS", DEBUG)
TAKOSS_PROVIDER_API_KEYS = provider_settings.env_provider_keys()
# Stored provider keys are encrypted with these Fernet keys (comma-separated, newest first; the
# others still decrypt, for rotation). Unset: a key derived from SECRET_KEY (development only).
TAKOSS_KEY_ENCRYPTION_KEYS = provider_settings.env_encryption_keys("TAKOSS_KEY_ENCRYPTION_KEY")
# Spending with model providers per person and calendar month, in USD (admins set overrides).
TAKOSS_MONTHLY_BUDGET_USD = provider_settings.env_usd("TAKOSS_MONTHLY_BUDGET_USD", "10")
# Prices over the engine's catalog: {"provider:model": {"input": "…", "output": "…"}} per 1M tokens.
TAKOSS_MODEL_PRICES = provider_settings.env_model_prices("TAKOSS_MODEL_PRICES")
# The settings page's local model check gives up after this many seconds.
TAKOSS_MODEL_CHECK_SECONDS = env_int("TAKOSS_MODEL_CHECK_SECONDS", 60, minimum=1)
# A run's requests to a model: seconds per request, and the client's retries of 429s and 5xx.
TAKOSS_MODEL_TIMEOUT_SECONDS = env_int("TAKOSS_MODEL_TIMEOUT_SECONDS", 120, minimum=1)
TAKOSS_MODEL_RETRIES = env_int("TAKOSS_MODEL_RETRIES", 2, minimum=0)

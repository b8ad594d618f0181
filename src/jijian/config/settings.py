"""jijian settings. Every value comes from the environment (see README "配置"); a missing or malformed
value stops start-up with a message naming it. There is no separate production settings file:
JIJIAN_ENV=production only makes the secrets mandatory and turns on the TLS-only cookie flags."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from .env import (
    ImproperSetting,
    env_argon2,
    env_argon2_list,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_str,
    env_url,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # src/jijian
PROJECT_DIR = PACKAGE_DIR.parent.parent  # checkout root (for node_modules in development)

JIJIAN_ENV = env_choice("JIJIAN_ENV", "embedded", ("embedded", "production", "test"))
PRODUCTION = JIJIAN_ENV == "production"
TESTING = JIJIAN_ENV == "test"

DATA_DIR = env_path("JIJIAN_DATA_DIR", PROJECT_DIR / "var")
if not TESTING:
    DATA_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret(filename: str, make: callable) -> str:  # type: ignore[valid-type]
    """Embedded default only: a secret generated once and kept in DATA_DIR with mode 0600."""
    path = DATA_DIR / filename
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env_str("JIJIAN_SECRET_KEY")
elif TESTING:
    SECRET_KEY = env_str("JIJIAN_SECRET_KEY", "test-only-" + "x" * 50)
else:
    SECRET_KEY = os.environ.get("JIJIAN_SECRET_KEY") or _embedded_secret(
        "secret_key", lambda: secrets.token_urlsafe(50)
    )
if len(SECRET_KEY) < 32:
    raise ImproperSetting("JIJIAN_SECRET_KEY", "至少 32 个字符 (at least 32 characters)")

# Data-encryption keys (SM4) and the blind-index key (HMAC-SM3). Format and rotation: docs/keys.md.
if PRODUCTION:
    DATA_KEYS = os.environ.get("JIJIAN_DATA_KEYS") or ""
    KEY_FILE = env_path("JIJIAN_KEY_FILE", Path("/nonexistent"))
    if not DATA_KEYS and not KEY_FILE.exists():
        raise ImproperSetting("JIJIAN_DATA_KEYS", "生产环境必须设置 JIJIAN_DATA_KEYS 或 JIJIAN_KEY_FILE")
elif TESTING:
    DATA_KEYS = os.environ.get("JIJIAN_DATA_KEYS") or "k1:" + "11" * 16
    KEY_FILE = env_path("JIJIAN_KEY_FILE", Path("/nonexistent"))
else:
    DATA_KEYS = os.environ.get("JIJIAN_DATA_KEYS") or ""
    KEY_FILE = env_path("JIJIAN_KEY_FILE", DATA_DIR / "keys")
INDEX_KEY = os.environ.get("JIJIAN_INDEX_KEY") or ""

DEBUG = env_bool("JIJIAN_DEBUG", False)
ALLOWED_HOSTS = env_list("JIJIAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("JIJIAN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "channels",
    "jijian.core",
    "jijian.audit",
    "jijian.attachments",
    "jijian.reports",
    "jijian.petitions",
    "jijian.archives",
    "jijian.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jijian.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jijian.core.middleware.AnonymousRateLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jijian.core.middleware.SessionGuardMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "jijian.config.urls"
ASGI_APPLICATION = "jijian.config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jijian.core.context_processors.shell",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{DATA_DIR / 'jijian.sqlite3'}",
    ("sqlite", "postgres", "postgresql", "pgsql"),
)
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("JIJIAN_DB_CONN_MAX_AGE", 0, minimum=0))
except ValueError as exc:
    raise ImproperSetting("DATABASE_URL", str(exc)) from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing with "database is locked" half-way through a transaction.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif env_bool("JIJIAN_DB_POOL", False):
    # A psycopg connection pool per process: at most JIJIAN_DB_POOL_MAX connections. CONN_MAX_AGE would
    # keep one per request thread (up to 64 idle per process: core/handlers.py; docs/deploy.md).
    if _db.get("CONN_MAX_AGE"):
        raise ImproperSetting("JIJIAN_DB_CONN_MAX_AGE", "使用连接池（JIJIAN_DB_POOL）时必须为 0")
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("JIJIAN_DB_POOL_MIN", 2, minimum=0),
        "max_size": env_int("JIJIAN_DB_POOL_MAX", 10, minimum=1),
        "timeout": 10,
    }
DATABASES = {"default": _db}
# The hot paths (API token, the member's submit: core/rawsql.py) prepare their statements once per
# PostgreSQL connection. Worth it where connections last (the pool, CONN_MAX_AGE); turn it off behind
# a pooler that cannot carry prepared statements (PgBouncer in transaction mode before 1.21).
JIJIAN_DB_PREPARE = env_bool(
    "JIJIAN_DB_PREPARE", bool(_db.get("OPTIONS", {}).get("pool") or _db.get("CONN_MAX_AGE"))
)
# The member's submit is answered on the app server's event loop (reports/submit_loop.py) with at most
# this many asynchronous connections per process, beside the pool (docs/deploy.md); 0 turns it off.
# PostgreSQL only.
JIJIAN_SUBMIT_LOOP_CONNECTIONS = env_int("JIJIAN_SUBMIT_LOOP_CONNECTIONS", 4, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The app server moves what it loaded at start-up out of the garbage collector's sight
# (config/asgi.py, core/heap.py): otherwise a full collection walks all ~300,000 of those objects,
# a pause of ~100 ms for every request in flight, every few seconds under load.
JIJIAN_GC_FREEZE = env_bool("JIJIAN_GC_FREEZE", not TESTING)

# --- cache, broker, channels --------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, ("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis host that does not answer must fail a request (and /readyz) fast, not hang it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
else:
    # Embedded default: a file cache shared by the web server and the worker on this machine.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL", REDIS_URL or "filesystem://", ("redis", "rediss", "filesystem", "amqp")
)
if CELERY_BROKER_URL == "filesystem://":
    for sub in ("out", "processed", "control"):
        if not TESTING:
            (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "data_folder_processed": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("JIJIAN_CELERY_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# --- auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["jijian.core.backends.UserWithUnitBackend"]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 on purpose slow; tests create hundreds of accounts. Production never sees this hasher.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "jijian.core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jijian.core.passwords.CharacterClassValidator"},
    {"NAME": "jijian.core.passwords.NotUsernameValidator"},
    {"NAME": "jijian.core.passwords.NotRecentlyUsedValidator"},
]
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
BEHIND_TLS = env_bool("JIJIAN_BEHIND_TLS", PRODUCTION)
SESSION_COOKIE_SECURE = BEHIND_TLS
CSRF_COOKIE_SECURE = BEHIND_TLS
CSRF_COOKIE_HTTPONLY = True
if BEHIND_TLS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("JIJIAN_HSTS_SECONDS", 31536000, minimum=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

IDLE_TIMEOUT_MINUTES = env_int("JIJIAN_IDLE_TIMEOUT_MINUTES", 30, minimum=1, maximum=24 * 60)
LOGIN_FAILURE_LIMIT = env_int("JIJIAN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_BASE_SECONDS = env_int("JIJIAN_LOGIN_LOCKOUT_SECONDS", 60, minimum=1)
# Failures older than this (counted from the last failure and the end of the last lock) are forgotten.
LOGIN_FAILURE_WINDOW_MINUTES = env_int("JIJIAN_LOGIN_FAILURE_WINDOW_MINUTES", 30, minimum=1)
PASSWORD_HISTORY = env_int("JIJIAN_PASSWORD_HISTORY", 5, minimum=0)
OTP_TOTP_ISSUER = env_str("JIJIAN_OTP_ISSUER", "jijian")
AUDIT_RETENTION_DAYS = env_int("JIJIAN_AUDIT_RETENTION_DAYS", 365, minimum=180)
RATE_LIMIT_ANON_PER_MINUTE = env_int("JIJIAN_RATE_LIMIT_ANON_PER_MINUTE", 60, minimum=1)
RATE_LIMIT_LOGIN_PER_MINUTE = env_int("JIJIAN_RATE_LIMIT_LOGIN_PER_MINUTE", 20, minimum=1)
RATE_LIMIT_OTP_PER_MINUTE = env_int("JIJIAN_RATE_LIMIT_OTP_PER_MINUTE", 20, minimum=1)
# Proxies in front of the app whose X-Forwarded-For entries are trusted (nginx: 1).
TRUSTED_PROXY_COUNT = env_int("JIJIAN_TRUSTED_PROXIES", 1 if BEHIND_TLS else 0, minimum=0)

# --- public report portal (信访举报) ---------------------------------------------------------------
PETITION_SUBMIT_PER_MINUTE = env_int("JIJIAN_PETITION_SUBMIT_PER_MINUTE", 3, minimum=1)
PETITION_FOLLOW_PER_MINUTE = env_int("JIJIAN_PETITION_FOLLOW_PER_MINUTE", 10, minimum=1)
PETITION_FOLLOW_FAILS_PER_MINUTE = env_int("JIJIAN_PETITION_FOLLOW_FAILS_PER_MINUTE", 30, minimum=1)
PETITION_POW_BITS = env_int("JIJIAN_PETITION_POW_BITS", 18, minimum=8, maximum=26)
# Argon2id cost of the receipt-code hash, "time_cost,memory_KiB,parallelism" (petitions/receipt.py).
# When it changes, list the earlier cost(s) in ..._PREVIOUS: codes hashed under them still open their
# report, and each is re-hashed under the new cost at its next use (`jijian receipts` counts them).
PETITION_RECEIPT_ARGON2 = env_argon2("JIJIAN_PETITION_RECEIPT_ARGON2", (1, 65536, 1))
PETITION_RECEIPT_ARGON2_PREVIOUS = env_argon2_list("JIJIAN_PETITION_RECEIPT_ARGON2_PREVIOUS")
# Local rules set the preliminary check between 15 working days and two months (DOMAIN.md §2).
PETITION_PRELIMINARY_CHECK_WORKING_DAYS = env_int(
    "JIJIAN_PETITION_PRELIMINARY_CHECK_WORKING_DAYS", 30, minimum=15, maximum=44
)
# The deadline board turns an item yellow this many working days before it is due.
PETITION_DEADLINE_WARN_WORKING_DAYS = env_int("JIJIAN_PETITION_DEADLINE_WARN_WORKING_DAYS", 3, minimum=1)

# --- files --------------------------------------------------------------------------------------
FILES_DIR = env_path("JIJIAN_FILES_DIR", DATA_DIR / "files")
FILE_STORAGE = env_choice("JIJIAN_FILE_STORAGE", "filesystem", ("filesystem", "s3"))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(FILES_DIR)},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if FILE_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("JIJIAN_S3_BUCKET"),
            "endpoint_url": env_str("JIJIAN_S3_ENDPOINT"),
            "access_key": env_str("JIJIAN_S3_ACCESS_KEY"),
            "secret_key": env_str("JIJIAN_S3_SECRET_KEY"),
            "region_name": env_str("JIJIAN_S3_REGION", "us-east-1"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
if TESTING:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = str(FILES_DIR)  # never served directly: files go out through attachments views only
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
UPLOAD_MAX_MB = env_int("JIJIAN_UPLOAD_MAX_MB", 50, minimum=1, maximum=4096)
# Refuse an oversized upload while it streams in, before Django spools it to a temporary file.
FILE_UPLOAD_HANDLERS = [
    "jijian.attachments.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

STATIC_URL = "/static/"
STATIC_ROOT = env_path("JIJIAN_STATIC_ROOT", DATA_DIR / "static")
STATICFILES_DIRS: list = []
# npm packages (package-lock.json) are served from node_modules through a whitelist: core/staticfinders.py
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "jijian.core.staticfinders.VendorFinder",
]

# --- i18n ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [str(PACKAGE_DIR / "locale")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- notifications ------------------------------------------------------------------------------
SMS_BACKEND = env_str("JIJIAN_SMS_BACKEND", "jijian.core.notify_backends.LogBackend")
EMAIL_NOTIFY_BACKEND = env_str("JIJIAN_EMAIL_NOTIFY_BACKEND", "jijian.core.notify_backends.LogBackend")
SMS_GATEWAY_URL = env_url("JIJIAN_SMS_GATEWAY_URL", None, ("http", "https"))
EMAIL_BACKEND = env_str("JIJIAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("JIJIAN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("JIJIAN_EMAIL_PORT", 25, minimum=1, maximum=65535)
DEFAULT_FROM_EMAIL = env_str("JIJIAN_FROM_EMAIL", "jijian@localhost")

# --- API ----------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("JIJIAN_LOG_LEVEL", "INFO")},
    "loggers": {
        # Access logs would keep the IPs of anonymous reporters: off unless asked for.
        "uvicorn.access": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

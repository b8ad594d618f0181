"""jijian settings. Every value comes from the environment (see README "配置"); a missing or malformed
value stops start-up with a message naming it. There is no separate production settings file:
JIJIAN_ENV=production only makes the secrets mandatory and turns on the TLS-only cookie flags."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

import dj_database_url

from jijian.core.ops.env import (
    ImproperSetting,
    env_argon2,
    env_argon2_list,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_path,
    env_str,
    env_uri_list,
    env_url,
    env_url_list,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # src/jijian
PROJECT_DIR = PACKAGE_DIR.parent.parent  # checkout root (for node_modules in development)

JIJIAN_ENV = env_choice("JIJIAN_ENV", "embedded", ("embedded", "production", "test"))
PRODUCTION = JIJIAN_ENV == "production"
TESTING = JIJIAN_ENV == "test"

DATA_DIR = env_path("JIJIAN_DATA_DIR", PROJECT_DIR / "var")
if not TESTING:
    # Everything jijian writes (the SQLite database and its journal, keys, secrets, the file cache and
    # broker, attachments) is for the account it runs as only: directories 0700, files 0600. The umask
    # covers what libraries create (SQLite, kombu, shelve); FILE_UPLOAD_PERMISSIONS below covers the
    # storage, which sets modes itself.
    os.umask(0o077)
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def _embedded_secret(filename: str, make: Callable[[], str]) -> str:
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
# Where `make run` listens (the Procfile reads the same variables); `jijian setup` prints the address.
RUN_HOST = env_str("JIJIAN_HOST", "127.0.0.1")
RUN_PORT = env_int("JIJIAN_PORT", 8000, minimum=1, maximum=65535)
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
    # django-ninja as an app: /api/docs then uses its own Swagger UI files (static), not a CDN.
    "ninja",
    "jijian.core",
    "jijian.audit",
    "jijian.attachments",
    "jijian.reports",
    "jijian.petitions",
    "jijian.archives",
    "jijian.responsibility",
    "jijian.villageaffairs",
    "jijian.reception",
    "jijian.training",
    "jijian.manual",
    # Before evaluation: `jijian setup` loads each app's demo in this order, and the evaluation is
    # computed from the posts held and the guidance tasks (cadres' ports).
    "jijian.cadres",
    "jijian.evaluation",
    "jijian.api",
]

MIDDLEWARE = [
    "jijian.core.ops.streaming.AsyncStreamingMiddleware",  # first: long downloads stream under ASGI
    "django.middleware.security.SecurityMiddleware",
    "jijian.core.ops.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jijian.core.ops.middleware.AnonymousRateLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jijian.core.ops.middleware.SessionGuardMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jijian.core.ops.middleware.DeniedAsNotFoundMiddleware",
    # Last, around the view: a request that wrote reads the primary, not a replica, from then on.
    "jijian.core.ops.replicas.PrimaryAfterWriteMiddleware",
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
    if TESTING and os.environ.get("JIJIAN_TEST_SQLITE_FILE"):
        # Tests on SQLite use an in-memory database, whose connections lock whole tables at once and
        # cannot wait for each other: the concurrency tests need a file, as the embedded default has
        # (`make test` runs them in a second pass with one; docs/development.md "Tests").
        _db["TEST"] = {"NAME": os.environ["JIJIAN_TEST_SQLITE_FILE"]}
elif env_bool("JIJIAN_DB_POOL", False):
    # A psycopg connection pool per process. Under ASGI every request runs in its own thread, so
    # CONN_MAX_AGE would keep one idle connection per thread and exhaust PostgreSQL; the pool does not.
    if _db.get("CONN_MAX_AGE"):
        raise ImproperSetting("JIJIAN_DB_CONN_MAX_AGE", "使用连接池（JIJIAN_DB_POOL）时必须为 0")
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("JIJIAN_DB_POOL_MIN", 2, minimum=0),
        "max_size": env_int("JIJIAN_DB_POOL_MAX", 10, minimum=1),
        "timeout": 10,
    }
DATABASES = {"default": _db}
# Streaming replicas (PostgreSQL only): the reporting reads (statistics, rankings, boards, exports, the
# circular) go to one that answers and is caught up (core/ops/replicas.py); everything else, every write
# and every read that decides a permission or a deadline, to the primary. Aliases replica1, replica2, ...
_replica_urls = env_url_list("JIJIAN_DATABASE_REPLICAS", ("postgres", "postgresql", "pgsql"))
if _replica_urls and _db["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperSetting("JIJIAN_DATABASE_REPLICAS", "只读副本需要 PostgreSQL 主库（DATABASE_URL）")
for _n, _url in enumerate(_replica_urls, start=1):
    try:
        _replica = dj_database_url.parse(_url, conn_max_age=_db.get("CONN_MAX_AGE", 0))
    except ValueError as exc:
        raise ImproperSetting("JIJIAN_DATABASE_REPLICAS", str(exc)) from None
    # A replica that does not answer must be given up quickly, not hang the request that checks it.
    _replica["OPTIONS"] = {"connect_timeout": 2}
    if _db.get("OPTIONS", {}).get("pool"):
        _replica["OPTIONS"]["pool"] = {**_db["OPTIONS"]["pool"], "timeout": 2}
    # Tests see the replica as the test database itself (Django's test mirror).
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_n}"] = _replica
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DATABASE_ROUTERS = ["jijian.core.ops.replicas.PrimaryRouter"]
# A replica further behind than this (seconds) is skipped for the primary; its state is checked at
# most once per JIJIAN_REPLICA_CHECK_SECONDS (cached).
REPLICA_MAX_LAG_SECONDS = env_int("JIJIAN_REPLICA_MAX_LAG_SECONDS", 10, minimum=1)
REPLICA_CHECK_SECONDS = env_int("JIJIAN_REPLICA_CHECK_SECONDS", 5, minimum=1, maximum=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The app server moves what it loaded at start-up out of the garbage collector's sight
# (config/asgi.py, core/ops/heap.py): otherwise every full collection walks all of them, pausing every
# request in flight (bench/README.md, "Garbage collection").
JIJIAN_GC_FREEZE = env_bool("JIJIAN_GC_FREEZE", not TESTING)

# --- cache, broker, channels --------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, ("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                # A Redis host that does not answer must fail a request (and /readyz) fast, not hang it.
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
                # One pool per process, not one per request (core/ops/redispool.py).
                "pool_class": "jijian.core.ops.redispool.SharedConnectionPool",
            },
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
AUTHENTICATION_BACKENDS = ["jijian.core.accounts.backends.UserWithUnitBackend"]
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
    {"NAME": "jijian.core.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jijian.core.accounts.passwords.CharacterClassValidator"},
    {"NAME": "jijian.core.accounts.passwords.NotUsernameValidator"},
    {"NAME": "jijian.core.accounts.passwords.NotRecentlyUsedValidator"},
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
# PostgreSQL: how many months of each month-partitioned table stay attached; older months are detached
# daily (kept as plain tables for the operator to archive and drop; docs/partitions.md). 0: never.
# The audit trail is not here: only its prune (JIJIAN_AUDIT_RETENTION_DAYS) detaches its months.
PARTITION_KEEP_MONTHS: dict[str, int] = {}
for _table, _default, _least in (
    ("core_notificationdelivery", 6, 3),  # deliveries: a short time, once sent nothing reads them
    ("reports_dutyrecord", 0, 24),  # duty records are records of proof: never by default
):
    _name = f"JIJIAN_PARTITION_KEEP_MONTHS_{_table.upper()}"
    PARTITION_KEEP_MONTHS[_table] = env_int(_name, _default, minimum=0)
    if 0 < PARTITION_KEEP_MONTHS[_table] < _least:
        raise ImproperSetting(_name, f"应为 0（永不摘下）或不少于 {_least} 个月")
RATE_LIMIT_ANON_PER_MINUTE = env_int("JIJIAN_RATE_LIMIT_ANON_PER_MINUTE", 60, minimum=1)
RATE_LIMIT_LOGIN_PER_MINUTE = env_int("JIJIAN_RATE_LIMIT_LOGIN_PER_MINUTE", 20, minimum=1)
RATE_LIMIT_OTP_PER_MINUTE = env_int("JIJIAN_RATE_LIMIT_OTP_PER_MINUTE", 20, minimum=1)
# The reverse proxies whose X-Forwarded-For is believed (JIJIAN_FORWARDED_ALLOW_IPS, default: none); the
# Procfile hands the same variable to uvicorn's --forwarded-allow-ips (core/ops/ratelimit.py).
FORWARDED_ALLOW_IPS = env_networks("JIJIAN_FORWARDED_ALLOW_IPS")

# --- public report portal (信访举报) ---------------------------------------------------------------
PETITION_SUBMIT_PER_MINUTE = env_int("JIJIAN_PETITION_SUBMIT_PER_MINUTE", 3, minimum=1)
PETITION_FOLLOW_PER_MINUTE = env_int("JIJIAN_PETITION_FOLLOW_PER_MINUTE", 10, minimum=1)
PETITION_FOLLOW_FAILS_PER_MINUTE = env_int("JIJIAN_PETITION_FOLLOW_FAILS_PER_MINUTE", 30, minimum=1)
PETITION_POW_BITS = env_int("JIJIAN_PETITION_POW_BITS", 18, minimum=8, maximum=26)
# While failed lookups exceed PETITION_FOLLOW_FAILS_PER_MINUTE, a lookup needs this much proof of work
# (petitions/intake/throttle.py): guessing slows down, the owner of a right code still gets in.
PETITION_FOLLOW_BRAKE_POW_BITS = env_int("JIJIAN_PETITION_FOLLOW_BRAKE_POW_BITS", 20, minimum=8, maximum=26)
# Argon2id cost of the receipt-code hash, "time_cost,memory_KiB,parallelism" (petitions/intake/receipt.py).
# When it changes, list the earlier cost(s) in ..._PREVIOUS: codes hashed under them still open their
# report, and each is re-hashed under the new cost at its next use (`jijian receipts` counts them).
PETITION_RECEIPT_ARGON2 = env_argon2("JIJIAN_PETITION_RECEIPT_ARGON2", (1, 65536, 1))
PETITION_RECEIPT_ARGON2_PREVIOUS = env_argon2_list("JIJIAN_PETITION_RECEIPT_ARGON2_PREVIOUS")
# Local rules set the preliminary check between 15 working days and two months (docs/domain.md §2).
PETITION_PRELIMINARY_CHECK_WORKING_DAYS = env_int(
    "JIJIAN_PETITION_PRELIMINARY_CHECK_WORKING_DAYS", 30, minimum=15, maximum=44
)
# The deadline board turns an item yellow this many working days before it is due.
PETITION_DEADLINE_WARN_WORKING_DAYS = env_int("JIJIAN_PETITION_DEADLINE_WARN_WORKING_DAYS", 3, minimum=1)
# A real-name reporter's objection to the result (异议) is answered within this many working days of its
# receipt (petitions/handling/objections.py).
PETITION_OBJECTION_ANSWER_WORKING_DAYS = env_int(
    "JIJIAN_PETITION_OBJECTION_ANSWER_WORKING_DAYS", 15, minimum=1, maximum=60
)
# The township answers a village's risk flag (a decision's 四议两公开 flag, a split expense) within this
# many working days (villageaffairs; a decision keeps the figure of the rules it was registered under).
VILLAGE_FLAG_ANSWER_WORKING_DAYS = env_int(
    "JIJIAN_VILLAGE_FLAG_ANSWER_WORKING_DAYS", 5, minimum=1, maximum=30
)
# A 三重一大 decision whose next 四议两公开 step is not recorded this many days after the last one was held
# is flagged 环节停滞 (villageaffairs/flags.py): any step up to the resolution's publication, then the
# result's publication after implementation.
VILLAGEAFFAIRS_STEP_STALL_DAYS = env_int("JIJIAN_VILLAGE_STEP_STALL_DAYS", 30, minimum=7, maximum=365)
VILLAGEAFFAIRS_RESULT_PUBLIC_DAYS = env_int(
    "JIJIAN_VILLAGE_RESULT_PUBLIC_DAYS", 180, minimum=30, maximum=1095
)

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
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
MEDIA_ROOT = str(FILES_DIR)  # never served directly: files go out through attachments views only
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
UPLOAD_MAX_MB = env_int("JIJIAN_UPLOAD_MAX_MB", 50, minimum=1, maximum=4096)
# The public portal (anonymous reports and a reporter's additions): which kinds, how large a file, how
# many files. The body is refused on its Content-Length and its streamed size before it is spooled
# (attachments/uploads.py, PublicUploadHandler); the kind is checked from the content on storing.
PUBLIC_UPLOAD_KINDS = env_list("JIJIAN_PUBLIC_UPLOAD_KINDS", ["image", "pdf", "office"])
PUBLIC_UPLOAD_MAX_MB = env_int("JIJIAN_PUBLIC_UPLOAD_MAX_MB", 20, minimum=1, maximum=1024)
PUBLIC_UPLOAD_MAX_FILES = env_int("JIJIAN_PUBLIC_UPLOAD_MAX_FILES", 5, minimum=1, maximum=20)
# The most a request to a URL that takes no file may carry, in MB, checked by the app server before
# Django reads the body (config/bodylimits.py, which gives the upload URLs their own limits from the
# attachment limits); 0: DATA_UPLOAD_MAX_MEMORY_SIZE and a small margin.
REQUEST_MAX_MB = env_int("JIJIAN_REQUEST_MAX_MB", 0, minimum=0, maximum=8192)
# Refuse an oversized upload while it streams in, before Django spools it to a temporary file.
FILE_UPLOAD_HANDLERS = [
    "jijian.attachments.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

STATIC_URL = "/static/"
STATIC_ROOT = env_path("JIJIAN_STATIC_ROOT", DATA_DIR / "static")
STATICFILES_DIRS: list = []
# Files answered at the site's root by WhiteNoise (favicon.ico, which browsers ask for on every page).
WHITENOISE_ROOT = PACKAGE_DIR / "core" / "root"
# npm packages (package-lock.json) are served from node_modules through a whitelist: core/ops/staticfinders.py
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "jijian.core.ops.staticfinders.VendorFinder",
]

# --- i18n ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# The languages with a catalogue (src/jijian/locale; `make messages`): Simplified Chinese is the source,
# Traditional Chinese its conversion. A browser asking for another language reads the source; English
# follows when its catalogue does. Each is named in its own language (the footer's switch).
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文")]
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

# --- video reception (docs/reception.md) ---------------------------------------------------------
# Janus's HTTP API as Django reaches it (loopback), and as the browsers reach it.
RECEPTION_JANUS_URL = env_str("JIJIAN_JANUS_URL", "http://127.0.0.1:8088/janus")
RECEPTION_JANUS_PUBLIC_URL = env_str("JIJIAN_JANUS_PUBLIC_URL", RECEPTION_JANUS_URL)
RECEPTION_JANUS_ADMIN_KEY = env_str("JIJIAN_JANUS_ADMIN_KEY", "jijian-janus-dev-admin-key")
# Several Janus hosts (scale-out): each room goes to the least loaded one (reception.media.place_room).
# "<url Django uses> <url browsers use>" per host, comma-separated; empty: the one host above.
RECEPTION_JANUS_HOSTS: list[dict] = []
for _item in env_list("JIJIAN_JANUS_HOSTS", []):
    _urls = _item.split()
    if len(_urls) not in (1, 2) or not all(u.startswith(("http://", "https://")) for u in _urls):
        raise ImproperSetting(
            "JIJIAN_JANUS_HOSTS", f"每一项应为“内部地址 [浏览器地址]”（http/https URL），实际为 {_item!r}"
        )
    RECEPTION_JANUS_HOSTS.append({"url": _urls[0], "public_url": _urls[-1]})
RECEPTION_ICE_SERVERS: list[dict] = []  # fixed ICE entries (an intranet STUN); never a public STUN
# An intranet TURN (coturn with use-auth-secret): Django mints each participant's time-limited
# credential from the shared secret, which never reaches a browser (reception.media.turn_credentials).
RECEPTION_TURN_URLS = env_uri_list("JIJIAN_RECEPTION_TURN_URLS", ("turn", "turns"))
RECEPTION_TURN_SECRET = env_str("JIJIAN_RECEPTION_TURN_SECRET", "")
if RECEPTION_TURN_URLS and len(RECEPTION_TURN_SECRET) < 16:
    raise ImproperSetting(
        "JIJIAN_RECEPTION_TURN_SECRET",
        "设置了 JIJIAN_RECEPTION_TURN_URLS 时必须设置，至少 16 个字符，与 coturn 的 static-auth-secret 相同",
    )
RECEPTION_ROOM_PUBLISHERS = 6
RECEPTION_RECORDINGS_DIR = env_path("JIJIAN_RECEPTION_RECORDINGS_DIR", DATA_DIR / "reception")
RECEPTION_JANUS_PP_REC = env_str("JIJIAN_JANUS_PP_REC", "janus-pp-rec")
RECEPTION_FFMPEG = env_str("JIJIAN_FFMPEG", "ffmpeg")
RECEPTION_FFPROBE = env_str("JIJIAN_FFPROBE", "ffprobe")
RECEPTION_JOIN_TOKEN_SECONDS = env_int("JIJIAN_RECEPTION_JOIN_TOKEN_SECONDS", 120, minimum=10)
RECEPTION_BOOKING_DAYS = env_int("JIJIAN_RECEPTION_BOOKING_DAYS", 21, minimum=1)
RECEPTION_SMS_CODE_SECONDS = 600
# How long converted recordings are kept after the session (days; 0: for ever). Past it the daily
# task removes a recording's file unless its reception is linked to a case still open
# (reception.recordings.retention_purge; docs/reception.md).
RECEPTION_RECORDING_RETENTION_DAYS = env_int("JIJIAN_RECEPTION_RECORDING_RETENTION_DAYS", 0, minimum=0)
if 0 < RECEPTION_RECORDING_RETENTION_DAYS < 180:
    raise ImproperSetting("JIJIAN_RECEPTION_RECORDING_RETENTION_DAYS", "应为 0（永久保存）或不少于 180 天")

# --- primary responsibility (docs/responsibility.md "Thresholds") --------------------------------
# The warning colours (working days left before a period's deadline), the shortest reason for a late
# entry, and the on-time shares from which the annual assessment suggests 好 / 较好 / 一般 (below the
# last: 差). Read at call time by responsibility/thresholds.py, which checks them.
RESPONSIBILITY_THRESHOLDS = {
    "blue_days": env_int("JIJIAN_RESPONSIBILITY_BLUE_DAYS", 10, minimum=1),
    "yellow_days": env_int("JIJIAN_RESPONSIBILITY_YELLOW_DAYS", 3, minimum=0),
    "late_reason_min_chars": env_int("JIJIAN_RESPONSIBILITY_LATE_REASON_MIN_CHARS", 4, minimum=1),
    "grade_floors": {
        "good": env_int("JIJIAN_RESPONSIBILITY_GRADE_GOOD", 90, minimum=1, maximum=100),
        "fairly_good": env_int("JIJIAN_RESPONSIBILITY_GRADE_FAIRLY_GOOD", 75, minimum=1, maximum=100),
        "average": env_int("JIJIAN_RESPONSIBILITY_GRADE_AVERAGE", 60, minimum=1, maximum=100),
    },
}

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
        # WeasyPrint logs each step of every PDF (letters, certificates, posters) at INFO.
        "weasyprint": {"level": "WARNING"},
    },
}

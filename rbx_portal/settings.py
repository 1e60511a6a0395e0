"""Settings for the RBX Portal, read from the environment (twelve-factor, as in cookiecutter-django).

Development defaults apply only with DEBUG on. With DEBUG off, a missing SECRET_KEY stops start-up with a
clear message instead of silently running with a development key.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = env("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the portal refuses to start without one: "
            "export SECRET_KEY to a long random value (for development, set DEBUG=true)."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Applications ------------------------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "django_htmx",
    "template_partials",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "common",  # template tags only (numbers); no models
    "accounts",
    "audit",
    "agencies",
    "practices",
    "ledger",
    "showcases",
    "competitions",
    "notifications",
    "insights",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for browsers that accept it (the page-weight budget in docs/QUALITY.md); Django's GZip
    # pads each response against BREACH and CSRF tokens are masked per request. Static files come pre-compressed
    # from WhiteNoise above.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    # Lists the person's sessions and remembers the interface language they use (after the view).
    "accounts.middleware.AccountActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.AuditAccessDeniedMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Request ids in logs and in the tasks a request queues (rbx_portal/observability.py), first so it covers the rest.
MIDDLEWARE.insert(0, "rbx_portal.observability.RequestIdMiddleware")

ROOT_URLCONF = "rbx_portal.urls"
WSGI_APPLICATION = "rbx_portal.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

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
                "csp.context_processors.nonce",
                "notifications.context_processors.notifications",
                "agencies.context_processors.permissions",
            ],
        },
    },
]

# Data stores -------------------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A PostgreSQL streaming replica for the public read pages (rbx_portal/dbrouter.py); unset, every query goes to
# the primary and nothing below is installed. A writer reads from the primary for REPLICA_PIN_SECONDS after a
# write; a replica that is down or lags more than REPLICA_MAX_LAG_SECONDS is skipped (checked at most every
# REPLICA_CHECK_SECONDS per process). Celery tasks and migrations always use the primary.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=5)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=10.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=2.0)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"].setdefault("OPTIONS", {}).update({"connect_timeout": 1, "application_name": "rbx-replica"})
    # The test runner makes no test database on a read-only server: tests point it at the real replica.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["rbx_portal.dbrouter.ReplicaRouter"]
    # After the person is known (their pin is in the session), before the views.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "rbx_portal.dbrouter.ReplicaReadsMiddleware",
    )

REDIS_URL = env("REDIS_URL")
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", default="rbx")
CACHES = {
    "default": {
        "BACKEND": "common.rediscache.RedisCache",  # Django's, reusing its redis-py clients
        # The cache may live in another Redis database than the broker (the test settings give each parallel
        # test worker its own, since clearing a Redis cache empties its whole database).
        "LOCATION": env("CACHE_REDIS_URL", default=REDIS_URL),
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        "TIMEOUT": 60 * 15,
    }
}
# The cache fails soft and fast (common/rediscache.py): this connect/read timeout, then a breaker skips Redis.
CACHE_REDIS_TIMEOUT = env.float("CACHE_REDIS_TIMEOUT", default=0.25)
CACHE_REDIS_BREAKER_SECONDS = env.float("CACHE_REDIS_BREAKER_SECONDS", default=5)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Each web process keeps the public pages it served last and reuses the cache version it read for this many
# seconds, so that a page-cache hit needs no Redis round trip (common.cache._LocalPages): a publish shows
# everywhere within that time (at once in the process that made it). 0 switches the local copy off.
PUBLIC_CACHE_LOCAL_SECONDS = env.float("PUBLIC_CACHE_LOCAL_SECONDS", default=1.0)
# Nothing kept at all (Django's DummyCache, no local page copies): `make bench`'s BENCH_CACHE=off columns measure
# the cold path with it (issue #20). Never for production: rate limits count in the cache too.
if env.bool("CACHE_DISABLED", default=False):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    PUBLIC_CACHE_LOCAL_SECONDS = 0.0

# How long a worker's claim on an email delivery lasts before another worker may reconcile it (longer than
# any SMTP conversation; see notifications.services.delivery.delivery_send_now).
NOTIFICATIONS_DELIVERY_LEASE_SECONDS = env.int("NOTIFICATIONS_DELIVERY_LEASE_SECONDS", default=300)
# Deliveries per sending task, all over one SMTP connection (notifications.services.delivery.deliveries_send_now).
NOTIFICATIONS_SEND_BATCH = env.int("NOTIFICATIONS_SEND_BATCH", default=100)

# Celery (configured from CELERY_* settings, see rbx_portal/celery.py) --------------------------------------

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="rbx")
# Queues by job, so that a flood of one kind never waits in front of another (an email storm does not delay
# pre-screens): "<CELERY_QUEUE>" is `default`, the others are "<CELERY_QUEUE>.<job>" (per test process in the
# suite). `make run` starts one worker consuming all (devstack passes -Q); in production one worker per queue
# (docs/DEPLOY.md). A task not named here goes to the default queue.
CELERY_JOB_QUEUES = ("mail", "fanout", "screening", "maintenance")
CELERY_QUEUE_NAMES = {
    "default": CELERY_TASK_DEFAULT_QUEUE,
    **{job: f"{CELERY_TASK_DEFAULT_QUEUE}.{job}" for job in CELERY_JOB_QUEUES},
}
_TASK_JOBS = {
    "mail": [
        "notifications.tasks.deliveries_send",
        "notifications.tasks.delivery_send",
        "notifications.tasks.digests_send_daily",
        "notifications.tasks.digests_send_weekly",
        "accounts.tasks.password_reset_send",
    ],
    "fanout": ["notifications.tasks.publish_fanout_send"],
    "screening": ["practices.tasks.revision_screen"],
    "maintenance": [
        "notifications.tasks.deliveries_requeue",
        "notifications.tasks.publish_fanouts_requeue",
        "practices.tasks.screenings_requeue",
        "practices.tasks.reviews_sla_remind",
        "practices.tasks.practices_freshness_check",
        "practices.tasks.facets_restale",
        "practices.tasks.practice_dump_regenerate",
        "practices.tasks.search_vocabulary_rebuild",
        "practices.tasks.practice_search_vectors_refresh",
        "practices.tasks.theme_search_vectors_refresh",
        "practices.tasks.cover_variants_requeue",
        "practices.tasks.translation_machine_requeue",
        "ledger.tasks.questions_remind",
        "agencies.tasks.reference_data_refresh",
        "common.tasks.idempotency_prune",
    ],
    # On the default queue: practices.tasks.cover_variants_make (images for a page being edited),
    # practices.tasks.translation_machine_draft (an outside HTTP service, not to hold up pre-screens), and any
    # task added later until it is given a job here.
}
CELERY_TASK_ROUTES = [
    {task: {"queue": CELERY_QUEUE_NAMES[job]} for job, tasks in _TASK_JOBS.items() for task in tasks},
    # Then any other task that Celery beat runs (CELERY_BEAT_SCHEDULE): a sweep, so `maintenance`.
    "rbx_portal.celery.beat_task_route",
]
# Declared, so that a worker started without -Q (the tests' in-process worker) consumes every queue.
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in CELERY_QUEUE_NAMES.values()]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Jakarta"
# A broker that is down must not hang a web request: publishing tries the connection twice with no pause
# (kombu's default is to sleep 2 s and retry; max_retries/interval_start here are its publishing failover
# options, the worker's own reconnection has its own settings), a breaker then skips the broker for 5 s
# (common/tasks.py), and the outbox sweepers deliver later. socket_timeout stays above the worker's 1 s BRPOP.
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 5,
    "visibility_timeout": 3600,
    "max_retries": 1,
    "interval_start": 0,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    # Review workflow and notifications (notifications/tasks.py, practices/tasks.py).
    # Every 15 s: mail and fan-outs written while the broker was down leave within seconds of its return.
    "deliveries-requeue": {"task": "notifications.tasks.deliveries_requeue", "schedule": 15},
    # Followers of a practice published while the broker was down (or whose fan-out a dead worker left).
    "fanouts-requeue": {"task": "notifications.tasks.publish_fanouts_requeue", "schedule": 15},
    # Followers' digests: daily at 07:00, weekly on Monday 07:00 (CELERY_TIMEZONE); each once per period.
    "digests-daily": {"task": "notifications.tasks.digests_send_daily", "schedule": crontab(hour=7, minute=0)},
    "digests-weekly": {
        "task": "notifications.tasks.digests_send_weekly",
        "schedule": crontab(hour=7, minute=0, day_of_week=1),
    },
    "screenings-requeue": {"task": "practices.tasks.screenings_requeue", "schedule": 60 * 5},
    # Work queued after commit that a broker outage or a dead worker would lose (practices/services/covers.py,
    # translations.py): covers without variants and machine drafts never made are queued again.
    "cover-variants-sweep": {"task": "practices.tasks.cover_variants_requeue", "schedule": 60 * 5},
    "machine-translations-sweep": {"task": "practices.tasks.translation_machine_requeue", "schedule": 60 * 5},
    "reviews-sla-remind": {"task": "practices.tasks.reviews_sla_remind", "schedule": 60 * 60},
    "practices-freshness-check": {"task": "practices.tasks.practices_freshness_check", "schedule": 60 * 60 * 6},
    # The facet cube's stale counts follow the freshness cutoff (practices/services/facets.py; a no-op within a day).
    "facets-restale": {"task": "practices.tasks.facets_restale", "schedule": crontab(minute=7)},
    # Replication ledger / Q&A (ledger/tasks.py): each question is reminded once.
    "questions-remind-unanswered": {"task": "ledger.tasks.questions_remind", "schedule": 60 * 60 * 6},
    # Open data (practices/tasks.py): the JSON Lines dump, nightly at 02:30 WIB (also queued on publish).
    "practices-dump-nightly": {
        "task": "practices.tasks.practice_dump_regenerate",
        "schedule": crontab(hour=2, minute=30),
    },
    # The search vocabulary typos are corrected to (practices/services/indexing.py), recounted nightly.
    "search-vocabulary-rebuild": {
        "task": "practices.tasks.search_vocabulary_rebuild",
        "schedule": crontab(hour=3, minute=0),
    },
    # Calls (competitions/tasks.py, issue #18): entries close at the deadline (idempotent; every minute).
    "calls-close-entries": {"task": "competitions.tasks.calls_close_entries", "schedule": 60},
    # The public objection windows close by themselves (idempotent; every minute).
    "objection-windows-close": {"task": "competitions.tasks.objection_windows_close", "schedule": 60},
    # API answers kept for Idempotency-Key retries (common/idempotency.py) live 24 h.
    "idempotency-prune": {"task": "common.tasks.idempotency_prune", "schedule": 60 * 60},
    # A practice page's similar practices (practices/services/neighbours.py): missing rows filled, oldest refreshed.
    "practice-neighbours-sweep": {"task": "practices.tasks.practice_neighbours_sweep", "schedule": 60 * 5},
}

# Authentication -----------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out user+IP before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 72

# Login throttling (django-axes, database handler): 5 failures for one email from one IP lock that pair for 15
# minutes. Never permanent, and a different IP (or a different email) is not affected.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A fixed cool-off: further tries during the lockout do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.login.login_locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.models.axes_username"
# The client IP for lockouts, rate limits, throttles and audit rows: common.clientip.client_ip. REMOTE_ADDR unless
# TRUSTED_PROXY_COUNT reverse proxies in front append to X-Forwarded-For (never trusted otherwise).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "common.clientip.client_ip"
AXES_VERBOSE = False

# Two-factor login (django-otp, TOTP). Anyone may enrol at /akun/2fa/; moderators and lead moderators must.
OTP_TOTP_ISSUER = "RBX Portal"
ACCOUNTS_2FA_REQUIRED_FOR_MODERATORS = env.bool("ACCOUNTS_2FA_REQUIRED_FOR_MODERATORS", default=True)
# A moderator's API token expires after this many days (accounts.models.TokenGrant).
ACCOUNTS_MODERATOR_TOKEN_DAYS = env.int("ACCOUNTS_MODERATOR_TOKEN_DAYS", default=30)
# An invitation link (agencies.Invitation) works this many days after it was (re)sent.
AGENCIES_INVITATION_DAYS = env.int("AGENCIES_INVITATION_DAYS", default=7)

# Machine translation drafts English versions for translators to correct (practices/machine_translation.py).
# Off unless a LibreTranslate-style URL is given; a draft is never published unverified.
MT_LIBRETRANSLATE_URL = env("MT_LIBRETRANSLATE_URL", default="")
MT_API_KEY = env("MT_API_KEY", default="")
MT_TIMEOUT_SECONDS = env.float("MT_TIMEOUT_SECONDS", default=10.0)
MT_BACKEND = env("MT_BACKEND", default="practices.machine_translation.LibreTranslateBackend")

# Internationalisation: Bahasa Indonesia first, English a full translation under /en/ ----------------------

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
# django-filter's empty choice: "All" in the person's language, never "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("Semua")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
# Dates as each language writes them, on pages and in emails alike: rbx_portal/formats/{id,en}/formats.py.
FORMAT_MODULE_PATH = ["rbx_portal.formats"]

# Static and uploaded files ---------------------------------------------------------------------------------

STATIC_URL = "/static/"
# In development static files come straight from the finders; production serves the collected, fingerprinted copy.
STATIC_ROOT = env("STATIC_ROOT", default=None if DEBUG else str(BASE_DIR / "var" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
    # The open-data dump, rewritten in place (practices/services/dump.py).
    "dumps": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
}
# Uploads, cover variants and the dump on S3-compatible object storage (django-storages) when a bucket is named,
# so that every web node and worker sees the same files; local disk (MEDIA_ROOT) otherwise. Private objects only
# (common/storage.py); the portal streams them through its access checks.
MEDIA_S3_BUCKET = env("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    _s3 = {
        "bucket_name": MEDIA_S3_BUCKET,
        "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", default="") or None,
        "access_key": env("MEDIA_S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
        "region_name": env("MEDIA_S3_REGION", default="") or None,
        "signature_version": "s3v4",
        # Path-style addressing for a self-hosted endpoint (MinIO, Ceph, Garage): no wildcard DNS needed.
        "addressing_style": "path" if env("MEDIA_S3_ENDPOINT_URL", default="") else None,
        "querystring_expire": env.int("MEDIA_S3_URL_SECONDS", default=60),
    }
    STORAGES["default"] = {"BACKEND": "common.storage.PrivateS3Storage", "OPTIONS": _s3}
    STORAGES["dumps"] = {"BACKEND": "common.storage.OverwritingS3Storage", "OPTIONS": _s3}
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365

# Email: console in development unless EMAIL_HOST is set ---------------------------------------------------

EMAIL_HOST = env("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="RBX Portal <no-reply@rbx.menpan.go.id>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The open data's contact point (the DCAT catalogue's vcard:hasEmail, insights/dcat.py).
OPEN_DATA_CONTACT_EMAIL = env("OPEN_DATA_CONTACT_EMAIL", default="data@rbx.menpan.go.id")

# Security ---------------------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Scripts only from the portal's own origin (no unsafe-inline); inline styles are not used either.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every record gets `request_id`: the request's X-Request-ID, also in the tasks it queued.
    "filters": {"request_id": {"()": "rbx_portal.observability.RequestIdFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# LOG_FORMAT=json: one JSON object per line (python-json-logger) for a log collector, from web and workers alike.
LOG_FORMAT = env("LOG_FORMAT", default="text")
if LOG_FORMAT == "json":
    LOGGING["formatters"] = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    }
    LOGGING["handlers"]["console"]["formatter"] = "json"
    CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the workers log through this configuration too

# Prometheus metrics at /metrics (rbx_portal/observability.py), only when a token is set: without it /metrics
# is a 404 and nothing is collected. With several gunicorn workers set PROMETHEUS_MULTIPROC_DIR (prometheus_client).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
if METRICS_TOKEN:
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
    MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")
    for _db in DATABASES.values():  # query counts and latency per alias
        if _db["ENGINE"] == "django.db.backends.postgresql":
            _db["ENGINE"] = "django_prometheus.db.backends.postgresql"

# Error reports to Sentry (or a Sentry-compatible server such as GlitchTip) when a DSN is given; off by default.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,  # no emails, cookies or IPs of the portal's users leave for the error tracker
    )

# The portal's public address, used in emails and printed links.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# `make bench` serves a trivial view next to the real pages, as the yardstick for throughput ratios.
BENCH_ENABLED = env.bool("BENCH_ENABLED", default=False)

# REST API v1 (Django REST framework) ----------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.GrantedTokenAuthentication",  # DRF's token, with expiry and 2FA origin
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.BoundedJSONParser",  # bounded depth, keys, strings and size
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "common.api.StablePagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    # Off only for the benchmark (API_THROTTLE_ENABLED=false): DRF keeps a list of every request's time in the
    # window, so a rate high enough for wrk's one address would make each request read and write a huge list.
    "DEFAULT_THROTTLE_CLASSES": [
        "common.throttling.ClientAnonRateThrottle",
        "common.throttling.ClientUserRateThrottle",
    ]
    if env.bool("API_THROTTLE_ENABLED", default=True)
    else [],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/min"),
        "user": env("API_THROTTLE_USER", default="600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "RBX Portal API",
    "DESCRIPTION": "Open data of the Bureaucratic Reform Best Practice Portal: themes, agencies, published "
    "practices with indicators, replications; write access for agency systems with a token.\n\n"
    "**Retrying writes safely.** Send an `Idempotency-Key` header (1–200 visible ASCII characters, e.g. a UUID) "
    "with a POST, PUT, PATCH or DELETE. The write and its answer are stored together for 24 hours: a retry with "
    "the same key (after a timeout, a lost connection or a 5xx) gets the original answer, marked "
    "`Idempotent-Replayed: true`, instead of writing again. A 5xx answer is never stored and nothing of it was "
    "written, so retrying it runs the request again. The same key with a different request is a 422. Keys are per "
    "user.\n\n**Bodies** are at most 2.5 MB, 32 levels deep, 10,000 keys, and 200,000 characters per string.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# Attachments (practices/services/attachments.py): per file and per practice, in bytes. The per-file limit is
# also a check constraint on Attachment.size (20 MB).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
ATTACHMENT_PRACTICE_MAX_BYTES = env.int("ATTACHMENT_PRACTICE_MAX_BYTES", default=100 * 1024 * 1024)
# Review workflow ---------------------------------------------------------------------------------------------

# Rubric weights (percent, summing to 100); KIPP's defaults.
REVIEW_RUBRIC_WEIGHTS = {"significance": 30, "novelty": 15, "adaptability": 20, "sustainability": 15, "evidence": 20}
# The pre-screen's link check: seconds per request, and whether addresses on private networks may be fetched
# (off in production, so that a submitted link cannot probe the portal's own network).
SCREENING_LINK_TIMEOUT = env.float("SCREENING_LINK_TIMEOUT", default=3.0)
SCREENING_ALLOW_PRIVATE_LINKS = env.bool("SCREENING_ALLOW_PRIVATE_LINKS", default=False)
SCREENING_DUPLICATE_THRESHOLD = 0.35
# Rate limits (common/ratelimit.py): {key: "N/s|m|h|d"} overrides the rate a view declares, e.g.
# {"search": "120/m"}, or from the environment as RATELIMIT_RATES="search=120/m,section-save=30/m" (the
# benchmark drives the portal from one address and lifts them). Keys in use: search, section-save,
# practice-submit, attachment-upload; objection-ip (5/h) and objection-email (3/d): the public objection form of
# a call, per client address and per objector's email address (competitions/views/objections.py).
RATELIMIT_RATES: dict[str, str] = env.dict("RATELIMIT_RATES", default={})

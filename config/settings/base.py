"""Settings shared by every environment; everything that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-secret-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# 32-byte AES-GCM key (base64) for ID and phone numbers; the keyed ID hash uses a key derived from it.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default="ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE=")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "axes",
    "core",
    "cases",
    "mediation",
    "courts",
    "credit_repair",
    "notices",
    "oversight",
    "dashboards",
    "debtor_portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: a replayed form key is refused per user, with a message.
    "core.idempotency.FormKeyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.StaffIdleTimeoutMiddleware",
    # Last, as its documentation asks: it turns a lock-out raised during authentication into the response.
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
                "django.template.context_processors.i18n",
                "core.context_processors.platform",
            ],
            "builtins": ["core.templatetags.form_keys"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock at BEGIN and wait for it, instead of failing midway with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
else:
    # A server process keeps its PostgreSQL connection between requests (checked before reuse):
    # a new backend per page view costs the server more than the page's own queries.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=300)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password guessing: every login form and the token endpoint count failures per account and per client
# address (django-axes); locked out for AXES_COOLOFF_MINUTES after AXES_FAILURE_LIMIT failures.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.clients.client_ip"
AXES_VERBOSE = False
# Proxies in front of the platform whose X-Forwarded-For is believed (0: use the connection's address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Staff sessions end after this many minutes without a request; API tokens expire after this many hours.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=24 * 30)
# Uploaded evidence and attachments: the size limit for one file.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Private files (notices, evidence) are served only through views that check permission.
PRIVATE_STORAGE_ROOT = env.path("PRIVATE_STORAGE_ROOT", default=BASE_DIR / "media" / "private")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Small-debt dispute platform API",
    "DESCRIPTION": "Cases, batches, events. Every endpoint is scoped to the caller's organisation and role.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies get their own components, so required text fields are documented as non-empty.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.document_common_responses",
    ],
}

REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Task modules outside an app's tasks.py, which autodiscovery finds on its own.
CELERY_IMPORTS = ("cases.batches.tasks",)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "deadlines-act-on-due": {
        "task": "cases.tasks.deadlines_act_on_due",
        "schedule": crontab(minute="*/15"),
    },
    "court-mediation-assign": {
        "task": "mediation.tasks.court_mediation_assign_pending",
        "schedule": crontab(minute="5-59/15"),
    },
    "performance-breaches-detect": {
        "task": "credit_repair.tasks.performance_breaches_detect",
        # After 08:00: its reminders are collection messages (collection hours, notices.services).
        "schedule": crontab(hour=8, minute=30),
    },
    "credit-repairs-advance": {
        "task": "credit_repair.tasks.credit_repairs_advance",
        "schedule": crontab(minute="10-59/15"),
    },
    "dashboards-refresh-changed": {
        "task": "dashboards.tasks.dashboards_refresh_changed",
        "schedule": crontab(),
    },
    "dashboards-refresh-all": {
        "task": "dashboards.tasks.dashboards_refresh_all",
        "schedule": crontab(minute="10-59/15"),
    },
    "judicial-suggestions-draft": {
        "task": "oversight.tasks.suggestions_generate_all",
        "schedule": crontab(minute=30, hour=6, day_of_week="mon"),
    },
    "group-risks-detect": {
        "task": "oversight.tasks.group_risks_detect_all",
        "schedule": crontab(minute=0, hour=6),
    },
}

CACHES = (
    {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="notices@localhost")
# SMS provider: a file backend writes messages to disk for development and tests.
SMS_BACKEND = env("SMS_BACKEND", default="notices.channels.sms.FileSmsBackend")
# The one public address of the platform: every link in an SMS, e-mail or PDF starts with it (tasks have no
# request to build links from). NOTICE_PUBLIC_BASE_URL is its former name.
PUBLIC_BASE_URL = env(
    "PUBLIC_BASE_URL", default=env("NOTICE_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
)
NOTICE_LINK_MAX_AGE_DAYS = env.int("NOTICE_LINK_MAX_AGE_DAYS", default=30)
NOTICE_DELIVERY_RETRY_BACKOFF_SECONDS = env.int("NOTICE_DELIVERY_RETRY_BACKOFF_SECONDS", default=30)

# Creditor batch files: refused above these sizes, with the limit named in the message.
BATCH_MAX_BYTES = env.int("BATCH_MAX_BYTES", default=100 * 1024 * 1024)
BATCH_MAX_ROWS = env.int("BATCH_MAX_ROWS", default=1_000_000)

# Whether `manage.py seed_demo` may write demonstration users and cases (never in production).
DEMO_DATA_ALLOWED = env.bool("DEMO_DATA_ALLOWED", default=True)

PLATFORM_NAME = _("Small-debt dispute resolution platform")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "pii_access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
}

"""Settings of SDR Ops, read from the environment (12-factor).

With nothing set the app runs on embedded defaults: an SQLite file and a Celery broker kept in
files under ``var/``, so a newcomer needs no server installed. Production and CI set
``DATABASE_URL`` (PostgreSQL) and ``CELERY_BROKER_URL`` (Redis). ``settings_production`` adds
the hardening that only makes sense behind HTTPS.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

# Everything the app writes at run time (SQLite file, embedded broker, beat schedule) lives here.
VAR_DIR = Path(env.str("SDR_OPS_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env.str(
    "SECRET_KEY", default="development-only-key-never-used-in-production-0123456789abcdef"
)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
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
    "rest_framework",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "sdr_ops",
    "leads",
    "handoffs",
    "metrics",
    "telephony",
    "meetings",
    "certainty",
    "cadences",
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
    "sdr_ops.middleware.NulByteMiddleware",
    "sdr_ops.middleware.LoginRequiredMiddleware",
    "sdr_ops.middleware.UserLanguageMiddleware",
    "sdr_ops.middleware.TeamTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Failed log-ins (django-axes records them; sdr_ops/throttle.py decides): after 5 for one
# account, each further try waits, 30 s doubling up to 15 minutes; 50 from one client address
# within an hour, whatever the accounts, pause that address. A success clears the account's
# count. The client address is read through TRUSTED_PROXIES only (sdr_ops/clientip.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a paused log-in before the password
    "sdr_ops.auth.ModelBackend",  # Django's, loading the session's user with their team
]
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_HANDLER = "sdr_ops.throttle.LoginThrottle"
AXES_CLIENT_IP_CALLABLE = "sdr_ops.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "sdr_ops.throttle.lockout_response"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(hours=24)  # how long a failure is remembered
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "username"  # the log-in form names the e-mail field "username"
AXES_USERNAME_CALLABLE = "sdr_ops.throttle.username_of"
LOGIN_DELAY_BASE = datetime.timedelta(seconds=30)
LOGIN_DELAY_MAX = datetime.timedelta(minutes=15)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=50)
LOGIN_ADDRESS_WINDOW = datetime.timedelta(hours=1)
# Password-reset mails: at most this many per address an hour; the form answers alike anyway.
PASSWORD_RESET_MAILS_PER_HOUR = env.int("PASSWORD_RESET_MAILS_PER_HOUR", default=3)
# axes warns that attempts are not counted per address: LoginThrottle counts them per address
# itself, across accounts, with a limit of its own.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_VERBOSE = False

ROOT_URLCONF = "sdr_ops.urls"
WSGI_APPLICATION = "sdr_ops.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sdr_ops.navigation.navigation",
            ],
        },
    },
]

# Django's own form templates (widgets, labels, errors, field groups) written in Python, the
# same HTML for a fraction of the CPU; any other form template goes to the template engine.
FORM_RENDERER = "sdr_ops.form_renderer.PythonRenderer"


def _default_database_url() -> str:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'db.sqlite3'}"


DATABASES = {"default": env.db("DATABASE_URL", default=_default_database_url())}
# PostgreSQL: each web worker (and each Celery worker process) keeps its one connection for
# CONN_MAX_AGE seconds instead of opening one per request, and checks it with a round trip at
# the start of a request, so a connection the server dropped is replaced rather than failing.
_persistent = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300 if _persistent else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The test database is a file, not memory, so that a Celery worker started by a test can
    # open the same database as the test.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test-db.sqlite3")
    # Several processes (web, worker, beat) share the file in development: wait for locks
    # instead of failing at once, and take write locks up front to avoid upgrade deadlocks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "sdr_ops.User"
# Django's database sessions, read with one statement instead of the ORM (sdr_ops.sessions).
SESSION_ENGINE = "sdr_ops.sessions"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language (sdr_ops/formats/<language>/formats.py), zero-padded.
FORMAT_MODULE_PATH = ["sdr_ops.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def _mailer_from_url(config: dict) -> dict:
    """One MAILERS entry from django-environ's parse of EMAIL_URL (smtp://user:pw@host:587)."""
    options = {
        "host": config.get("EMAIL_HOST"),
        "port": config.get("EMAIL_PORT"),
        "username": config.get("EMAIL_HOST_USER"),
        "password": config.get("EMAIL_HOST_PASSWORD"),
        "use_tls": config.get("EMAIL_USE_TLS"),
        "use_ssl": config.get("EMAIL_USE_SSL"),
    }
    backend = config["EMAIL_BACKEND"]
    if not backend.endswith("smtp.EmailBackend"):
        options = {}
    return {"BACKEND": backend, "OPTIONS": {k: v for k, v in options.items() if v}}


# E-mail goes to the console unless EMAIL_URL names a server, e.g. smtp+tls://user:pw@host:587.
MAILERS = {"default": _mailer_from_url(env.email_url("EMAIL_URL", default="consolemail://"))}
# Where people outside reach the app (the one-click unsubscribe link in cadence e-mail).
PUBLIC_URL = env.str("PUBLIC_URL", default="http://localhost:8000")
# The key mailbox passwords are encrypted with (Fernet); derived from SECRET_KEY when empty.
MAILBOX_KEY = env.str("MAILBOX_KEY", default="")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SDR Ops <sdr-ops@localhost>")
# The address people reach the site at, for the absolute links of the e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The teams (slugs) whose stakeholders get the market-insight digest by e-mail each Monday.
MARKET_DIGEST_TEAMS = env.list("MARKET_DIGEST_TEAMS", default=["marketing"])

# No inline scripts or styles anywhere: every script and stylesheet is a static file.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous API call gets 401 with a WWW-Authenticate header.
        "sdr_ops.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SDR Ops API",
    "DESCRIPTION": "Leads, call lists, handoffs and KPIs of an inside-sales team.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation's refusals (400, 401, 404) in the schema too: sdr_ops/schema.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sdr_ops.schema.document_refusals",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RejectionReasonEnum": "handoffs.models.RejectionReason",
        "TaskKindEnum": "leads.models.Task.Kind",
        # Two sets of choices named "outcome": activities keep the name they had.
        "OutcomeEnum": "leads.models.Activity.Outcome",
        "StepRunOutcomeEnum": "cadences.models.StepRun.Outcome",
    },
}

# A confirmed lead import of more rows than this runs as a job on the worker (a progress page)
# instead of in the request.
LEAD_IMPORT_JOB_ROWS = env.int("SDR_OPS_LEAD_IMPORT_JOB_ROWS", default=5000)

# Celery. Without CELERY_BROKER_URL the broker is a folder of files under var/, which the web
# server, the worker and beat share without any server running.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _control_dir = VAR_DIR / "celery" / "control"
    for _folder in (_queue_dir, _control_dir, VAR_DIR / "celery" / "results"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_control_dir),
    }
    _default_result_backend = f"file://{VAR_DIR / 'celery' / 'results'}"
else:
    _default_result_backend = CELERY_BROKER_URL
    # A task taken by a worker that died unacknowledged goes back to the queue after this
    # many seconds; longer than any task may run (the hard limit is 10 minutes).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=_default_result_backend)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# A task is acknowledged only when it finished, so a worker killed mid-task hands it to the
# next one; tasks are therefore written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    # Every 10 minutes: build the next working day's call lists of each team whose evening
    # build time (team setting, team time zone) has passed and that has none yet.
    "build-due-call-lists": {"task": "leads.build_due_call_lists", "schedule": 600.0},
    # Each minute: remind SDRs in the app of the callbacks that fell due (once per callback).
    "remind-callbacks": {"task": "leads.remind_callbacks", "schedule": 60.0},
    # Cadences: move enrollments on (qualified exits, done and skipped steps, resumes) before
    # the evening builds read them; send the e-mail steps due; read the replies.
    "advance-cadences": {"task": "cadences.advance_due", "schedule": 600.0},
    "send-cadence-mail": {"task": "cadences.send_due", "schedule": 300.0},
    "poll-cadence-mailboxes": {"task": "cadences.poll_mailboxes", "schedule": 300.0},
    # Hourly: flag handoffs that wait past their team's response time to the AE and manager.
    "flag-overdue-handoffs": {"task": "handoffs.flag_overdue", "schedule": 3600.0},
    # Mondays 03:00 (TIME_ZONE): store last week's KPIs of every team.
    "roll-up-kpis": {
        "task": "metrics.roll_up_last_week",
        "schedule": crontab(minute=0, hour=3, day_of_week="mon"),
    },
    # Every 15 minutes: the Monday e-mail of the week's figures to each team's managers and
    # the stakeholders once the team's Monday e-mail time (team time zone) has passed, and
    # from 08:00 the market-insight digest to marketing; each person gets each once a week.
    "send-weekly-mail": {"task": "metrics.send_weekly_mail", "schedule": 900.0},
    # Every 15 minutes: the alert rules (metrics/alerts.py), each occurrence told once.
    "check-alerts": {"task": "metrics.check_alerts", "schedule": 900.0},
    # Every minute: recompute the stored weeks a change marked, and those whose cohorts
    # matured since (metrics.freshness); a no-op when there are none.
    "recompute-marked-weeks": {"task": "metrics.recompute_marked", "schedule": 60.0},
    # Mondays 08:00 (TIME_ZONE): e-mail last week's praise to everyone.
    "send-praise-digest": {
        "task": "handoffs.send_praise_digest",
        "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
    },
}

# -- Operating it (docs/deploy.md) -------------------------------------------------------------
# Request ids on every log line and task (sdr_ops.observability); request counts for /metrics.
MIDDLEWARE[:0] = ["sdr_ops.observability.RequestIdMiddleware"]
MIDDLEWARE.append("sdr_ops.monitoring.RequestMetricsMiddleware")
# A connection that died (a database restart) is noticed and reopened before it is used.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A streaming replica for the dashboards' reads (sdr_ops.routers), when configured.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["sdr_ops.routers.ReplicaRouter"]
    DATABASE_REPLICA_PATHS = env.list(
        "DATABASE_REPLICA_PATHS", default=["/dashboards/", "/api/v1/kpis/"]
    )
    MIDDLEWARE.append("sdr_ops.routers.ReplicaReadsMiddleware")
# /metrics answers these addresses, and any caller that sends "Authorization: Bearer <token>".
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# A task that cannot be queued waits in the outbox; beat sends what is left every minute.
# Weekly (Sunday night): retrain each team's certainty model; nightly: store the scores of
# every open lead for the call lists.
CELERY_BEAT_SCHEDULE["train-certainty"] = {
    "task": "certainty.train_all",
    "schedule": crontab(minute=30, hour=2, day_of_week="sun"),
}
CELERY_BEAT_SCHEDULE["score-open-leads"] = {
    "task": "certainty.score_all",
    "schedule": crontab(minute=0, hour=17),
}
CELERY_BEAT_SCHEDULE["drain-outbox"] = {"task": "sdr_ops.drain_outbox", "schedule": 60.0}
# Every 10 minutes: each team's data-version marks folded into one row (sdr_ops.changes).
CELERY_BEAT_SCHEDULE["compact-change-marks"] = {
    "task": "sdr_ops.compact_change_marks",
    "schedule": 600.0,
}
# Seconds between the checks for teams past their evening build time (CI shortens it).
CELERY_BEAT_SCHEDULE["build-due-call-lists"]["schedule"] = env.float(
    "CALL_LIST_CHECK_SECONDS", default=600.0
)
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=4.0)
if CELERY_BROKER_URL.startswith(("amqp://", "pyamqp://")):
    # RabbitMQ keeps messages itself (durable queues, redelivery of unacknowledged messages);
    # results go back to the caller over the same connection unless a backend is named.
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="rpc://")
# Several installations (or the parallel workers of the test suite, tests/parallel.py) may
# share one Redis database or RabbitMQ server: with CELERY_KEY_PREFIX each keeps its own
# queues. On Redis every key and channel of the broker and of the results starts with it; on
# RabbitMQ the task queue is named with it.
CELERY_KEY_PREFIX = env.str("CELERY_KEY_PREFIX", default="")
if CELERY_KEY_PREFIX and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = CELERY_KEY_PREFIX
if CELERY_KEY_PREFIX and CELERY_RESULT_BACKEND.startswith(("redis://", "rediss://")):
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": CELERY_KEY_PREFIX}
if CELERY_KEY_PREFIX and CELERY_BROKER_URL.startswith(("amqp://", "pyamqp://")):
    CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_KEY_PREFIX}celery"

# LOG_FORMAT=json (the default in production) writes one JSON object a line.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sdr_ops.observability.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

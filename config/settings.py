"""Settings for the platform, read from the environment (12-factor).

PostgreSQL is the only database.  With no DATABASE_URL the platform starts (or reuses) the embedded
PostgreSQL of ``utilities.devservices``, its data under var/postgres.  With no REDIS_URL Celery runs tasks
eagerly in-process and the cache is local memory; ``make run`` and ``make test`` set REDIS_URL to a Redis
they start themselves.  Production sets both.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from utilities import devservices

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
INSECURE_KEY = "django-insecure-development-only-key-change-me-0123456789"
# keys anyone can read (this file, .env.example): with DEBUG off none of them is accepted, nor a short key
PLACEHOLDER_KEYS = {INSECURE_KEY, "change-me-to-a-long-random-string", "change-me", "changeme", "secret"}
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_KEY)
if not DEBUG and (SECRET_KEY in PLACEHOLDER_KEYS or SECRET_KEY.startswith("change-me") or len(SECRET_KEY) < 40):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off. (Not the placeholder of .env.example; 40 characters at least.)"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

LOCAL_APPS = ["community", "partybuild", "staffing", "funding", "services", "worklist", "governance"]

INSTALLED_APPS = [
    "community.admin_site.PlatformAdminConfig",  # django.contrib.admin with its navigation kept per user
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "import_export",
    "csp",
    *LOCAL_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "utilities.sessions.IdleSessionMiddleware",  # Django's, its idle timeout moved once a minute
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "community.User"

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
                "utilities.context_processors.site",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------
DATABASE_EMBEDDED = not os.environ.get("DATABASE_URL") or os.environ["DATABASE_URL"] == devservices.embedded_url()
DATABASE_URL = os.environ.get("DATABASE_URL") or devservices.database_settings()
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_URL must name a PostgreSQL database (postgres://user:password@host:5432/name); "
        "unset it to use the embedded PostgreSQL under var/."
    )
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The planner's cost of reading a page out of order, for this application's connections: its tables are read from
# memory or an SSD, where PostgreSQL's default (4, a spinning disk's) made it hash a whole table rather than look up
# a community's rows by key (a community's voucher-line dates: 95 ms -> 19 ms).  Empty: the server's own setting.
DATABASE_RANDOM_PAGE_COST = os.environ.get("DATABASE_RANDOM_PAGE_COST", "1.1")
if DATABASE_RANDOM_PAGE_COST:
    try:
        _cost = f"-c random_page_cost={float(DATABASE_RANDOM_PAGE_COST)}"
    except ValueError:
        raise ImproperlyConfigured(
            f"DATABASE_RANDOM_PAGE_COST must be a number (1.1 for memory or an SSD), "
            f"not {DATABASE_RANDOM_PAGE_COST!r}; leave it empty to keep the server's setting."
        ) from None
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} {_cost}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, broker, jobs --------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "utilities.cache.RedisCache",  # Django's, its client kept between operations
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_PREFIX", "shequ"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# rendered pages and fragments that are the same for every visitor, keyed by what they show (the resident form's
# page and its parts, an admin user's sidebar): in each worker's memory, so a page never waits on Redis for
# them, nor fails when Redis is down; a county's 100 communities x 8 kinds of request fit with room to spare
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL) or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL and not os.environ.get("CELERY_BROKER_URL")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "max_retries": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# --- auth and safety ------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "utilities.login_throttle.AccountThrottleBackend",
    "utilities.permission_cache.CachedModelBackend",  # Django's ModelBackend, a user's permissions kept in Redis
]
# how long a user's permissions are kept between requests (utilities.permission_cache): a change of role or grant
# reaches every worker at once; this bounds one the cache missed.  0 (no shared cache) reads them every request
PERMISSION_CACHE_SECONDS = int(os.environ.get("PERMISSION_CACHE_SECONDS", "300")) if REDIS_URL else 0
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "community.validators.CharacterClassValidator"},
    {"NAME": "community.validators.PasswordReuseValidator", "OPTIONS": {"count": 3}},
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=10)
# a lock is per account AND address: wrong passwords from one place do not lock the account everywhere, and
# made-up names do not lock an address (behind a proxy, the whole county); a success resets only its own pair.
# Guessing one account from many addresses meets the slower per-account throttle (utilities.login_throttle).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# the client's address: the trusted proxy's header (RATELIMIT_IP_META_KEY) or the socket's; django-ipware is not
# installed, so the AXES_IPWARE_* settings would be ignored: the callable is how axes documents this case
AXES_CLIENT_IP_CALLABLE = "utilities.clientip.client_ip"
AXES_IPWARE_PROXY_COUNT = 1
AXES_IPWARE_META_PRECEDENCE_ORDER = [os.environ.get("RATELIMIT_IP_META_KEY") or "REMOTE_ADDR"]
LOGIN_THROTTLE_AFTER = int(os.environ.get("LOGIN_THROTTLE_AFTER", "10"))  # failures of one account, all addresses
LOGIN_THROTTLE_SECONDS = int(os.environ.get("LOGIN_THROTTLE_SECONDS", "60"))  # then one try a minute
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# PIPL: the personal-data access log is kept this long (never less than six months, whatever is set)
PERSONAL_DATA_LOG_RETENTION_DAYS = int(os.environ.get("PERSONAL_DATA_LOG_RETENTION_DAYS", "365"))

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "dashboard:index"
SESSION_COOKIE_AGE = 30 * 60  # an idle session ends after thirty minutes (utilities.sessions)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- language and time ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# behind the production proxy: the internal location the proxy serves MEDIA_ROOT from (community/media.py)
MEDIA_ACCEL_REDIRECT = os.environ.get("MEDIA_ACCEL_REDIRECT", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "utilities.authentication.ExpiringTokenAuthentication",
    ],
    # JSON nested too deep, NaN/Infinity or a number no float holds is a 400 (utilities.parsers)
    "DEFAULT_PARSER_CLASSES": [
        "utilities.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["community.permissions.ScopedModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "utilities.filtering.FilterBackend",  # django-filter's, its FilterSet built only when a filter is asked for
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "utilities.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "EXCEPTION_HANDLER": "community.api_base.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["utilities.throttling.UserRateThrottle"],  # DRF's rate, counted in fixed windows
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_USER_RATE", "6000/hour")},
}
# an API token older than this is refused (401) and must be made anew
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "90"))
SPECTACULAR_SETTINGS = {
    "TITLE": "Community residents' committees platform API",
    "DESCRIPTION": "社区居委会平台 API: the community core and every app's endpoints, scoped to the caller.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # every operation documents its 4xx answers and their one error body
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "community.api_base.document_error_responses",
        "community.api_base.times_of_day",
    ],
    # one name per choice set, so transition fields (old/new/to/status) of different apps do not collide
    "ENUM_NAME_OVERRIDES": {
        "CommunityScopeLevelEnum": "community.choices.ScopeLevel",
        "CommunityRoleEnum": "community.choices.Role",
        "CommunityTownKindEnum": "community.choices.TownKind",
        "CommunityGenderEnum": "community.choices.Gender",
        "CommunityRelationEnum": "community.choices.Relation",
        "CommunityResidenceTypeEnum": "community.choices.ResidenceType",
        "CommunityVulnerabilityEnum": "community.choices.Vulnerability",
        "CommunityUnitKindEnum": "community.choices.UnitKind",
        "CommunityDepartmentCodeEnum": "community.choices.DepartmentCode",
        "FundingAccountTypeEnum": "funding.choices.AccountType",
        "FundingSourceKindEnum": "funding.choices.SourceKind",
        "FundingRestrictionEnum": "funding.choices.Restriction",
        "FundingUseEnum": "funding.choices.Use",
        "FundingSideEnum": "funding.choices.Side",
        "FundingEntryStatusEnum": "funding.choices.EntryStatus",
        "FundingEntryKindEnum": "funding.choices.EntryKind",
        "FundingBudgetStatusEnum": "funding.choices.BudgetStatus",
        "FundingProjectStatusEnum": "funding.choices.ProjectStatus",
        "PartybuildOrgKindEnum": "partybuild.choices.OrgKind",
        "PartybuildMemberStatusEnum": "partybuild.choices.MemberStatus",
        "PartybuildMemberKindEnum": "partybuild.choices.MemberKind",
        "PartybuildPositionRoleEnum": "partybuild.choices.PositionRole",
        "PartybuildLiaisonKindEnum": "partybuild.choices.LiaisonKind",
        "PartybuildCoverageRoleEnum": "partybuild.choices.CoverageRole",
        "PartybuildEndReasonEnum": "partybuild.choices.EndReason",
        "PartybuildLeaveReasonEnum": "partybuild.choices.LeaveReason",
        "PartybuildVisitWayEnum": "partybuild.choices.VisitWay",
        "ServicesStatusEnum": "services.choices.Status",
        "ServicesChannelEnum": "services.choices.Channel",
        "ServicesRatingEnum": "services.choices.Rating",
        "ServicesEventKindEnum": "services.choices.EventKind",
        "ServicesNotificationStatusEnum": "services.choices.NotificationStatus",
        "ServicesQuestionTypeEnum": "services.choices.QuestionType",
        "ServicesActivityKindEnum": "services.choices.ActivityKind",
        "ServicesCommitmentPeriodEnum": "services.choices.CommitmentPeriod",
        "ServicesGradeEnum": "services.choices.Grade",
        "ServicesFacilityKindEnum": "services.choices.FacilityKind",
        "ServicesBookingStatusEnum": "services.choices.BookingStatus",
        "ServicesCommunityEventKindEnum": "services.choices.CommunityEventKind",
        "ServicesCommunityEventStatusEnum": "services.choices.CommunityEventStatus",
        "StaffingCampaignKindEnum": "staffing.choices.CampaignKind",
        "StaffingCampaignStatusEnum": "staffing.choices.CampaignStatus",
        "StaffingStageEnum": "staffing.choices.Stage",
        "StaffingEducationEnum": "staffing.choices.Education",
        "StaffingStaffPostEnum": "staffing.choices.StaffPost",
        "StaffingOriginEnum": "staffing.choices.Origin",
        "StaffingCertificateKindEnum": "staffing.choices.CertificateKind",
        "StaffingRefillPolicyEnum": "staffing.choices.RefillPolicy",
        "StaffingTieBreakEnum": "staffing.choices.TieBreak",
        "StaffingScoreKindEnum": "staffing.choices.ScoreKind",
        "StaffingObjectionStatusEnum": "staffing.choices.ObjectionStatus",
        "StaffingPayerEnum": "staffing.choices.Payer",
        "StaffingPayrollStatusEnum": "staffing.choices.PayrollStatus",
        "WorklistCommunityRoleEnum": "worklist.choices.CommunityRole",
        "WorklistIssuerKindEnum": "worklist.choices.IssuerKind",
        "WorklistFeedbackKindEnum": "worklist.choices.FeedbackKind",
        "WorklistAssignmentStatusEnum": "worklist.choices.AssignmentStatus",
        "WorklistReminderKindEnum": "worklist.choices.ReminderKind",
        "WorklistGuidanceKindEnum": "worklist.choices.GuidanceKind",
        "WorklistSupportStatusEnum": "worklist.choices.SupportStatus",
    },
}

# --- personal data, files, fonts ------------------------------------------------------
PDF_CJK_FONT = os.environ.get("PDF_CJK_FONT", str(BASE_DIR / "static" / "vendor" / "fonts" / "NotoSansSC-Regular.ttf"))
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True  # a cell "=HYPERLINK(…)" typed by someone opens as text in Excel
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
RATELIMIT_FAIL_OPEN = True  # a resident's form still works when Redis is down
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None  # e.g. HTTP_X_REAL_IP behind a proxy
SITE_TITLE = os.environ.get("SITE_TITLE", "")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # a refused request (403) is logged once, without a traceback
    "filters": {"forbidden": {"()": "utilities.logfilters.ForbiddenWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["forbidden"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

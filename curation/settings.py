"""Settings for the curation service, read from the environment.

SQLite is the default database; set DATABASE_URL (postgres://...) for PostgreSQL.
DEBUG is off unless asked for, and without DEBUG a real SECRET_KEY is required.
"""

import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from curation.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
# Django's own rule (check --deploy, security.W009): a key it would warn about never starts.
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or "insecure" in SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set, or is not a real secret (at least 50 characters, at least 5 "
        "of them different; e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'). "
        "Set it in the environment, or set DEBUG=1 for local work."
    )
SECRET_KEY = SECRET_KEY or "insecure-local-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Browser tools on these origins may call the API (django-cors-headers); none by default.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = ("accept", "authorization", "content-type", "if-match", "if-none-match")
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Retry-After")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "corsheaders",
    "axes",
    "csp",
    "claims",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before the response cache: cached answers carry the policy too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the response cache, so cached answers carry the CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    # Before any view or cache: a query string no page can use is a 400 (curation/request_limits.py).
    "curation.request_limits.QueryLimitsMiddleware",
    # Before the session and authentication middleware: a cached anonymous read touches no database.
    "claims.api.cache.CachedReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a sign-in it refused into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "curation.urls"
WSGI_APPLICATION = "curation.wsgi.application"
ASGI_APPLICATION = "curation.asgi.application"

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
            ],
        },
    },
]

# Connections are kept across requests (seconds; 0 closes each at the end of its request) and
# checked before reuse. Under DEBUG they are closed: the development server runs each request
# in a thread of its own, which would leave a connection open per request.
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 0 if DEBUG else 600)

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=DB_CONN_MAX_AGE,
        conn_health_checks=True,
    )
}

# A read replica: reads go to it, writes and a request's reads after a write to the primary
# (curation/db_router.py). A test run with it set uses the test database as the replica.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=DB_CONN_MAX_AGE,
                                                 conn_health_checks=True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["curation.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE = ["curation.db_router.PrimaryAfterWriteMiddleware", *MIDDLEWARE]

# Behind PgBouncer in transaction pooling, a server-side cursor (QuerySet.iterator()) would
# outlive the transaction that holds its server connection (docs/scaling.md).
if env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", False):
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks: IMMEDIATE transactions take the write lock up front, so
    # concurrent requests queue (up to the timeout) instead of failing "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE",
                                                          timeout=20)

# The cache: Redis, shared by every process, when REDIS_URL is set; otherwise memory private to
# each process (enough for one local server).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # A stalled Redis slows a request by seconds at most; the API then answers uncached.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous API reads served from the cache (claims/api/cache.py), until the next write or for
# API_CACHE_SECONDS. On by default where every process shares the cache (REDIS_URL) and for
# local work; off for several processes that each keep their own memory: a write in one would
# not reach the others' readers.
API_CACHE = env_bool("API_CACHE", bool(REDIS_URL) or DEBUG)
API_CACHE_SECONDS = env_int("API_CACHE_SECONDS", 300)
# Writes must name the copy they change (If-Match with its ETag), or answer 428.
API_REQUIRE_IF_MATCH = env_bool("API_REQUIRE_IF_MATCH", False)
# The `count` of paginated lists, for every reader, kept under the same data version: still
# exact, but counted once per write instead of once per page. Same default, for the same reason.
API_COUNT_CACHE = env_bool("API_COUNT_CACHE", bool(REDIS_URL) or DEBUG)

# Background work (curation/celery.py): webhook deliveries, on the Redis at REDIS_URL. Without
# it nothing is sent (subscriptions keep their cursors) and writes never wait for a broker.
CELERY_BROKER_URL = REDIS_URL or None
# A task taken but not acknowledged within the visibility timeout is given to another worker:
# longer than the longest retry delay (WEBHOOK_RETRY_MAX_SECONDS), which waits unacknowledged.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "visibility_timeout": 7200}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task is acknowledged once it has run, so one lost with its worker runs again; one worker
# process takes one task at a time, so a slow receiver holds up no other subscription's.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The workers' beat (`celery worker --beat`) sends what a lost task message left waiting.
WEBHOOK_SWEEP_SECONDS = env_int("WEBHOOK_SWEEP_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {"webhook-sweep": {"task": "claims.tasks.sweep",
                                          "schedule": WEBHOOK_SWEEP_SECONDS}}

# Webhooks (claims/webhooks.py): failures in a row before a subscription is paused, the first
# retry's delay (doubling each time, up to the maximum), a receiver's time to answer, and
# feed entries per POST.
WEBHOOK_MAX_FAILURES = env_int("WEBHOOK_MAX_FAILURES", 8)
WEBHOOK_RETRY_SECONDS = env_int("WEBHOOK_RETRY_SECONDS", 15)
WEBHOOK_RETRY_MAX_SECONDS = env_int("WEBHOOK_RETRY_MAX_SECONDS", 3600)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_PAGE_SIZE = env_int("WEBHOOK_PAGE_SIZE", 100)
# Pages one task sends before it makes way for other subscriptions' deliveries.
WEBHOOK_PAGES_PER_RUN = 10
WEBHOOK_LOCK_PREFIX = "curation:webhook-lock:"
# Webhooks go to public addresses only (claims/destinations.py): a receiver inside the
# deployment's own network (a private, loopback or link-local address) needs this on.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)

# Sessions live in the database: any process can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: a sign-in it refuses never reaches the password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Failed sign-ins to the admin and to POST /api/v1/auth/token/ (curation/lockout.py): after
# LOGIN_FAILURE_LIMIT of them for one account, or from one address, within LOGIN_COOLOFF_MINUTES,
# sign-in there is refused, the right password too, until that long after the last failure.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Sign-ins refused during a lockout do not prolong it, so Retry-After holds. A success does not
# clear earlier failures: it would clear its address's count against other accounts too.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "curation.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "curation.lockout.lockout_response"

# Proxies in front of the service that append the client's address to X-Forwarded-For (1 behind
# compose's nginx). 0: the connection's own address; X-Forwarded-For is then never believed,
# since any client could send one to pass for another address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# API requests per client (claims/api/throttles.py): anonymous ones per address, signed-in ones
# per account; beyond, 429 with Retry-After. "N/second|minute|hour|day"; "off" for no limit.
# Anonymous reads answered from the response cache are not counted.
API_THROTTLE_RATES = {
    "anon": env_str("API_THROTTLE_ANON", "3000/minute").strip(),
    "user": env_str("API_THROTTLE_USER", "6000/minute").strip(),
}
for _scope, _rate in API_THROTTLE_RATES.items():
    if _rate.lower() in ("off", ""):
        API_THROTTLE_RATES[_scope] = None
    elif not re.fullmatch(r"[0-9]+/(s|sec|second|m|min|minute|h|hour|d|day)", _rate):
        raise ImproperlyConfigured(f"API_THROTTLE_{_scope.upper()} must be like 3000/minute or off, "
                                   f"got {_rate!r}")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Data releases (manage.py release_curation): kept for ever, so a volume in production.
RELEASES_ROOT = Path(env_str("RELEASES_ROOT", str(BASE_DIR / "releases")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "curation@localhost")

# How many distinct reviewers must approve a submitted claim or evidence item.
CURATION_REQUIRED_APPROVALS = env_int("CURATION_REQUIRED_APPROVALS", 1)

# Importing papers and claims from files in the admin (claims/admin/imports.py) is adding them:
# the import page is for users who may add the model (curators); rows that change stored
# objects also need the change permission.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "claims.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        # Last: an Authorization header none of the above understood is refused (401), never
        # taken for an anonymous request.
        "claims.api.authentication.RefuseUnknownCredentials",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["claims.api.permissions.ModelPermissionsOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "claims.api.parameters.KnownParameters",
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "claims.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "claims.api.schema.CurationSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "claims.api.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "claims.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "claims.api.negotiation.BrowsableForLoggedInUsers",
    "EXCEPTION_HANDLER": "claims.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "claims.api.throttles.AnonRateThrottle",
        "claims.api.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Claims and evidence curation API",
    "DESCRIPTION": (
        "Papers, claims, the typed evidence that links them, and curator reviews. "
        "Readers see accepted work; curators and reviewers see everything."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schemes a client can sign in with. DRF's own TokenAuthentication reads the same
    # `Authorization: Token` header as the named tokens' class (which hands it keys it does not
    # know): one scheme. RefuseUnknownCredentials signs no one in: none.
    "AUTHENTICATION_WHITELIST": [
        "claims.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes tells of every sign-in at INFO; failures and lockouts are its warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Only behind a proxy that terminates HTTPS and sets X-Forwarded-Proto, replacing any value a
# client sent: otherwise any client could claim its plain request came over HTTPS.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# HTTPS only, in production: plain requests are redirected, and browsers told to use nothing
# else for SECURE_HSTS_SECONDS (sent on HTTPS answers only, so a plain-HTTP run never gets it).
# Behind a proxy that terminates HTTPS, TRUST_X_FORWARDED_PROTO=1, or every request looks plain
# and is redirected for ever. SECURE_SSL_REDIRECT=0 and SECURE_COOKIES=0 for plain HTTP (compose
# on localhost, the benchmarks); DEBUG runs (make run) have neither.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The container's own health check asks over plain HTTP from inside (Dockerfile).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Only a name submitted to the browsers' preload list is preloaded; the flag alone commits to nothing.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)

# Content Security Policy (django-csp): scripts, fonts, images and requests from this site only,
# so a script that slipped into a page as text cannot run. The admin, the browsable API and
# Swagger UI (its assets from drf-spectacular-sidecar, its start-up script a file of its own)
# need no inline script. Styles may be inline: the browsable API writes style attributes and
# Swagger UI's page a style element, and a style runs no code. Images may be data: URIs
# (Swagger UI's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

"""Configuration, read only from the environment (twelve-factor).

`Config` is what `create_app()` uses by default; `TestConfig` is for the test suite.
Every name documented in CONTRACT.md is read here and nowhere else.
"""
import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def normalize_database_url(url):
    """Map the accepted spellings of a database URL onto the drivers we ship (psycopg 3)."""
    # Heroku-style URLs and bare "postgresql://" both mean psycopg 3 here.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-change-me"
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'inventory.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    CATALOG_BASE_URI = os.environ.get("CATALOG_BASE_URI", "http://127.0.0.1:5000").rstrip("/")
    CATALOG_PAGE_SIZE = _int("CATALOG_PAGE_SIZE", 100)
    # Organization code of the catalogue's publisher (dct:publisher of the dcat:Catalog).
    CATALOG_PUBLISHER = os.environ.get("CATALOG_PUBLISHER", "PG")

    CKAN_URL = os.environ.get("CKAN_URL", "")
    CKAN_API_TOKEN = os.environ.get("CKAN_API_TOKEN", "")
    CKAN_CA_BUNDLE = os.environ.get("CKAN_CA_BUNDLE", "")
    CKAN_WITHDRAW_MODE = os.environ.get("CKAN_WITHDRAW_MODE", "private")  # private | delete
    CKAN_RATE_PER_SECOND = float(os.environ.get("CKAN_RATE_PER_SECOND", "5"))

    CKAN_TIMEOUT = float(os.environ.get("CKAN_TIMEOUT", "30"))  # seconds per portal call
    CKAN_MAX_ATTEMPTS = _int("CKAN_MAX_ATTEMPTS", 8)  # per request, transient failures only
    CKAN_RETRY_BASE_SECONDS = float(os.environ.get("CKAN_RETRY_BASE_SECONDS", "5"))

    QUEUE_URL = os.environ.get("QUEUE_URL", "")  # "" = embedded (SQLite file); redis://... = workers
    QUEUE_NAME = os.environ.get("QUEUE_NAME", "inventory")  # key prefix on a shared Redis
    QUEUE_LEASE_SECONDS = _int("QUEUE_LEASE_SECONDS", 600)  # a claimed job lost after this is redone
    QUEUE_SWEEP_SECONDS = float(os.environ.get("QUEUE_SWEEP_SECONDS", "2"))
    # Embedded queue: the web process runs the jobs itself (one thread) unless told not to.
    QUEUE_EMBEDDED_WORKER = _bool("QUEUE_EMBEDDED_WORKER", True)

    DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "ar")
    LANGUAGES = ("ar", "fr", "en")
    BABEL_DEFAULT_LOCALE = DEFAULT_LOCALE
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Africa/Tunis")
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")

    # Required text languages at submission: at least one of these must carry title+description.
    REQUIRED_TEXT_LANGUAGES = tuple(
        os.environ.get("REQUIRED_TEXT_LANGUAGES", "ar,fr").split(","))

    # Sessions and cookies: secure by default, relaxed only by explicit configuration.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=_int("SESSION_MINUTES", 8 * 60))
    WTF_CSRF_TIME_LIMIT = None  # the CSRF token lives as long as the session

    # Login throttling: after N failures for one account or address within the window, wait.
    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    LOGIN_FAILURE_WINDOW = timedelta(minutes=_int("LOGIN_FAILURE_WINDOW_MINUTES", 15))

    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 20 * 1024 * 1024)
    MAX_FORM_MEMORY_SIZE = _int("MAX_FORM_MEMORY_SIZE", 2 * 1024 * 1024)
    LIST_PAGE_SIZE = _int("LIST_PAGE_SIZE", 25)
    # Spreadsheet register imports: largest file and most rows accepted.
    REGISTER_IMPORT_MAX_BYTES = _int("REGISTER_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
    REGISTER_IMPORT_MAX_ROWS = _int("REGISTER_IMPORT_MAX_ROWS", 20000)

    # JSON API (/api/v1): per-token rate limit shared by all workers ("N/second|minute|hour|
    # day"), personal token lifetime, request body size and page size limits.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300/minute")
    API_TOKEN_DEFAULT_DAYS = _int("API_TOKEN_DEFAULT_DAYS", 90)
    API_TOKEN_MAX_DAYS = _int("API_TOKEN_MAX_DAYS", 365)
    API_MAX_BODY_BYTES = _int("API_MAX_BODY_BYTES", 1024 * 1024)
    API_MAX_PER_PAGE = _int("API_MAX_PER_PAGE", 100)

    # Behind a reverse proxy: trust this many X-Forwarded-* hops.
    PROXY_FIX_HOPS = _int("PROXY_FIX_HOPS", 0)
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # text | json


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    WTF_CSRF_ENABLED = False
    LOGIN_MAX_FAILURES = 5
    QUEUE_URL = "memory://"
    DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_LOCALE = "en"

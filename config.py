"""Configuration classes; every value can be overridden from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _optional_bool(name: str) -> bool | None:
    """The variable as a bool, or None when it is not set."""
    if os.environ.get(name) is None:
        return None
    return _bool(name, False)


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None or not value.strip() else int(value)


def _default_database_url() -> str:
    return "sqlite:///" + str(BASE_DIR / "instance" / "clusgo.sqlite3")


def _instance_file(variable: str, name: str) -> str:
    """The path in ``variable``, else ``instance/<name>``."""
    return os.environ.get(variable) or str(BASE_DIR / "instance" / name)


def read_secret_file(path: str | Path) -> str | None:
    """The secret kept in ``path`` (stripped), or None when the file is missing or empty."""
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return value or None


def ensure_secret_file(path: str | Path, nbytes: int = 32) -> str:
    """The secret kept in ``path``; made (random, readable by the owner only) when missing.

    ``make run`` calls it for ``instance/secret_key`` before anything else, so a newcomer's
    machine gets a key of its own once and keeps it across runs."""
    existing = read_secret_file(path)
    if existing:
        return existing
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(value + "\n")
    return value


class Config:
    """Defaults for a single machine; production overrides them from the environment."""

    # No public default: the environment's key, else the one `make run` generated into
    # instance/secret_key; with neither, create_app refuses to start outside development
    # and tests (clusgo_events.security.require_secret_key).
    SECRET_KEY_FILE = _instance_file("SECRET_KEY_FILE", "secret_key")
    SECRET_KEY = os.environ.get("SECRET_KEY") or read_secret_file(SECRET_KEY_FILE)
    # "development" (a key is generated into SECRET_KEY_FILE when missing) or "production";
    # FLASK_DEBUG=1 also counts as development, TESTING as a test run
    APP_ENV = os.environ.get("APP_ENV", "production").strip().lower()
    # the demo accounts' password: DEMO_PASSWORD, else one generated once into
    # DEMO_PASSWORD_FILE by `flask demo` (never a published one)
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD") or None
    DEMO_PASSWORD_FILE = _instance_file("DEMO_PASSWORD_FILE", "demo_password")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # a pooled connection idle longer than this is pinged before use; younger ones are checked
    # without a round trip (clusgo_events/database.py)
    DATABASE_PING_AFTER = float(os.environ.get("DATABASE_PING_AFTER", "30"))
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "8025"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "ClusGo Events <no-reply@clusgo.example>"
    )
    MAIL_SUPPRESS_SEND = False
    MAIL_MAX_EMAILS = int(os.environ.get("MAIL_MAX_EMAILS", "100"))
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30"))
    # seconds after which a message left 'sending' by a dead worker is taken over; must exceed
    # a few MAIL_TIMEOUTs
    MAIL_LOCK_TIMEOUT = float(os.environ.get("MAIL_LOCK_TIMEOUT", "300"))
    # days a failed message keeps its bodies (tokens, links) before the purge drops them
    OUTBOX_FAILED_BODY_DAYS = int(os.environ.get("OUTBOX_FAILED_BODY_DAYS", "30"))
    # calendar invitations by e-mail (iMIP) on registration and changes; their ORGANIZER
    CALENDAR_MAIL = os.environ.get("CALENDAR_MAIL", "1") != "0"
    CALENDAR_ORGANIZER = os.environ.get("CALENDAR_ORGANIZER") or None
    # a real mailbox that answers questions about accounts, and any event without a contact
    MAIL_CONTACT = os.environ.get("MAIL_CONTACT", "")
    # the relay accepts internationalised local parts (RFC 6531): the survey import then keeps
    # addresses such as jiří@example.cz, which it otherwise refuses
    MAIL_SMTPUTF8 = _bool("MAIL_SMTPUTF8", False)

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ["en", "cs", "hu", "sk", "pl"]
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(5 * 1024 * 1024)))
    SURVEY_MAX_UPLOAD = int(os.environ.get("SURVEY_MAX_UPLOAD", str(4 * 1024 * 1024)))
    # where uploaded survey files wait between preview and confirmation (survey-uploads/);
    # empty: the app's instance folder
    INSTANCE_TMP = os.environ.get("INSTANCE_TMP", "")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # None = decided by create_app from BASE_URL: HTTPS-only cookies unless the app is served
    # over plain http on 127.0.0.1/localhost (clusgo_events.security.resolve_cookie_security)
    SESSION_COOKIE_SECURE = _optional_bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    BOOTSTRAP_SERVE_LOCAL = True

    # calendar invitations by e-mail (iMIP) on registration, change and cancellation; "0" off
    CALENDAR_MAIL = _bool("CALENDAR_MAIL", True)
    # the ORGANIZER of those invitations ("Name <address>"); default: MAIL_DEFAULT_SENDER
    CALENDAR_ORGANIZER = os.environ.get("CALENDAR_ORGANIZER") or None

    # the app's own database (shared by every gunicorn worker); redis://host:6379 for Redis
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "database://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # sign-up and password-reset requests (each mails a link) per client address
    ACCOUNT_MAIL_RATE_LIMIT = os.environ.get("ACCOUNT_MAIL_RATE_LIMIT", "5 per 10 minutes")
    # how many proxies in front of the app set X-Forwarded-For/-Proto/-Host/-Port (0: trust
    # none, the client is the connection's peer); nginx in front of gunicorn: 1
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    PASSWORD_HASH_FAST = False


class ProductionConfig(Config):
    """Production: secure cookies unless told otherwise."""

    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    """Tests: a database URL given by the test fixtures, fast password hashing."""

    TESTING = True
    SECRET_KEY = "testing-secret"
    DEMO_PASSWORD = "testing-demo-password"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    PASSWORD_HASH_FAST = True
    SERVER_NAME = None

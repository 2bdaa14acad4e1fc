"""Configuration classes; every value can be overridden from the environment."""

from __future__ import annotations

import os
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


def _default_database_url() -> str:
    return "sqlite:///" + str(BASE_DIR / "instance" / "clusgo.sqlite3")


class Config:
    """Defaults for a single machine; production overrides them from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
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

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ["en", "cs", "hu", "sk", "pl"]
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(5 * 1024 * 1024)))
    SURVEY_MAX_UPLOAD = int(os.environ.get("SURVEY_MAX_UPLOAD", str(4 * 1024 * 1024)))
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

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    PASSWORD_HASH_FAST = False


class ProductionConfig(Config):
    """Production: secure cookies unless told otherwise."""

    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    """Tests: a database URL given by the test fixtures, fast password hashing."""

    TESTING = True
    SECRET_KEY = "testing-secret"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    PASSWORD_HASH_FAST = True
    SERVER_NAME = None

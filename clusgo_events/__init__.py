"""ClusGo Events: invitation-only events and trainings for cluster networks."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template, request
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from . import database, i18n, security
from .extensions import babel, bootstrap, csrf, db, limiter, login_manager, mail, migrate
from .signals import connect_receivers

log = logging.getLogger(__name__)


def create_app(config: Any = None) -> Flask:
    """Build the application; ``config`` is a config class, object or mapping."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object("config.Config")
    if isinstance(config, dict):
        app.config.from_mapping(config)
    elif config is not None:
        app.config.from_object(config)
    security.init_app(app)  # first: no extension starts without the app's own secret key
    register_extensions(app)
    register_blueprints(app)
    connect_receivers()
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to ``app``."""
    from . import models  # noqa: F401  (register the mappers)
    from .i18n import select_locale, select_timezone

    db.init_app(app)
    database.watch_engines(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "warning"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    i18n.init_app(app)
    bootstrap.init_app(app)
    mail.init_app(app)
    from .services import throttle  # noqa: F401  (registers the database:// storage)

    limiter.init_app(app)

    from .models import User
    from .services.users import user_for_session

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        return user_for_session(session_id)


def register_blueprints(app: Flask) -> None:
    """Register one blueprint per area."""
    from .admin.routes import bp as admin_bp
    from .attendance import report as _attendance_report  # noqa: F401  (its views)
    from .attendance.certificate_views import public_bp as certificates_bp
    from .attendance.routes import bp as attendance_bp
    from .audit.routes import bp as audit_bp
    from .auth.routes import bp as auth_bp
    from .calendar.routes import bp as calendar_bp
    from .delivery.routes import bp as outbox_bp
    from .events.routes import bp as events_bp
    from .invitations.routes import bp as invitations_bp
    from .main.routes import bp as main_bp
    from .participants.routes import bp as participants_bp
    from .privacy.routes import bp as privacy_bp
    from .registration.routes import bp as registration_bp
    from .respondents.routes import bp as respondents_bp
    from .survey.routes import bp as survey_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(events_bp, url_prefix="/events")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(registration_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(survey_bp, url_prefix="/survey")
    app.register_blueprint(respondents_bp, url_prefix="/survey")
    app.register_blueprint(attendance_bp, url_prefix="/attendance")
    app.register_blueprint(certificates_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(participants_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(outbox_bp)
    app.register_blueprint(audit_bp)


def register_errorhandlers(app: Flask) -> None:
    """Plain error pages; unexpected errors are logged, never shown."""

    def render_http_error(error: HTTPException) -> tuple[str, int]:
        return render_template("errors/error.html", error=error), error.code or 500

    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, render_http_error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        if isinstance(error, HTTPException):
            return render_http_error(error)
        db.session.rollback()
        log.exception("unexpected error on %s %s", request.method, request.path)
        return render_template("errors/500.html"), 500


def register_template_helpers(app: Flask) -> None:
    """Filters used by the templates."""
    from flask_babel import get_locale

    from .services.timeutil import format_moment, format_span
    from .texts import country_name, enum_label, kind_label, language_name, role_name

    app.jinja_env.filters["local"] = format_moment  # value|local(zone[, "date"|"time"])
    app.jinja_env.filters["span"] = format_span  # start|span(end, zone)
    app.jinja_env.globals["role_name"] = role_name
    app.jinja_env.globals["enum_label"] = enum_label
    app.jinja_env.globals["country_name"] = country_name
    app.jinja_env.filters["country_name"] = country_name
    app.jinja_env.globals["language_name"] = language_name
    app.jinja_env.globals["kind_label"] = kind_label
    app.jinja_env.globals["get_locale"] = get_locale  # base.html's <html lang>


def register_commands(app: Flask) -> None:
    """Register the flask commands."""
    from .cli import register

    register(app)


@sa_event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL mode, foreign keys on and a busy timeout on every SQLite connection."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        from .collation import register_sqlite

        register_sqlite(dbapi_connection)  # ORDER BY name COLLATE cs, as PostgreSQL's ICU does


@sa_event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Any) -> None:
    """``BEGIN IMMEDIATE`` on SQLite for a transaction begun with ``sqlite_begin="IMMEDIATE"``.

    Other transactions keep pysqlite's own handling (reads outside a transaction, a deferred
    BEGIN just before the first write), so nothing changes for them. A write transaction that
    must read and then write without losing a race (``services.transactions.begin_write``)
    takes the database's write lock at once, waiting on the busy timeout; pysqlite then sees a
    transaction open and adds no BEGIN of its own.
    """
    if conn.dialect.name != "sqlite":
        return
    raw = conn.connection.dbapi_connection
    if conn.get_execution_options().get("sqlite_begin") == "IMMEDIATE" and not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE")
    # lets begin_write() tell a transaction that has already written from a read-only one
    conn.info["sqlite_changes_at_begin"] = raw.total_changes

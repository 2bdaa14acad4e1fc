"""Fixtures: a real database (SQLite file, or PostgreSQL from TEST_DATABASE_URL), app, client."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text

from clusgo_events import create_app
from clusgo_events.extensions import db
from clusgo_events.models import User
from clusgo_events.models.base import utcnow
from clusgo_events.services.users import create_user
from config import TestingConfig

PASSWORD = "correct-horse-42"

# The subprocesses tests start (`flask --app wsgi ...`, gunicorn) build the app from the
# environment, and it refuses to start without a secret key outside development: give them one.
os.environ.setdefault("SECRET_KEY", "testing-subprocess-secret")

#: the status of Flask's ``redirect()`` (302 now, 303 from Flask 3.2): compare a redirect's
#: status with it exactly, and check its ``Location``
REDIRECT = Flask(__name__).redirect("/").status_code


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--now",
        metavar="WHEN",
        help="run as if the real clock said WHEN (ISO 8601, e.g. 2035-07-01T12:00Z): the dates "
        "in the tests are relative, so the suite must pass on any day; use with -m 'not slow' "
        "(a subprocess keeps the machine's clock)",
    )


def pytest_configure(config: pytest.Config) -> None:
    when = config.getoption("--now")
    if when:
        traveller = time_machine.travel(datetime.fromisoformat(when), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database shared by the session; each test empties it afterwards."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    app = create_app({**_config(), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(Path(__file__).parent.parent / "migrations"))
        db.engine.dispose()
    yield url


def _config() -> dict:
    return {k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()}


def empty_all_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.delete())
            conn.execute(text("DELETE FROM sqlite_sequence")) if _has_sqlite_sequence(
                conn
            ) else None


def _has_sqlite_sequence(conn) -> bool:  # type: ignore[no-untyped-def]
    return bool(
        conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='sqlite_sequence'")
        ).first()
    )


@contextmanager
def _bound_app(database_url: str, instance_tmp: Path) -> Iterator[Flask]:
    """The application on the test database, in its app context; every table emptied after."""
    app = create_app(
        {**_config(), "SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_TMP": str(instance_tmp)}
    )
    with app.app_context():
        yield app
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()


@pytest.fixture()
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The application bound to the test database, emptied after each test."""
    with _bound_app(database_url, tmp_path) as app:
        yield app


@pytest.fixture(scope="module")
def module_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application for a module that builds its world once (the crawl, the security walk):
    emptied after the module, not after each test. Do not mix with ``app`` in one module."""
    with _bound_app(database_url, tmp_path_factory.mktemp("instance")) as app:
        yield app


class TableSnapshot:
    """Every row of every table, taken once and put back before each test of a module that
    builds its world once (``module_app``): the world is made once, each test starts from it."""

    def __init__(self) -> None:
        db.session.commit()
        with db.engine.connect() as conn:
            self.rows = {
                table: [dict(row._mapping) for row in conn.execute(table.select())]
                for table in db.metadata.sorted_tables
            }

    def restore(self) -> None:
        """Empty every table and insert the rows taken, with the same ids; the session's
        objects are expired so they read them again."""
        db.session.rollback()
        empty_all_tables()
        with db.engine.begin() as conn:
            for table, rows in self.rows.items():
                if rows:
                    conn.execute(table.insert(), rows)
            if conn.dialect.name == "postgresql":
                for table, rows in self.rows.items():
                    if rows and "id" in table.c and table.c.id.autoincrement:
                        conn.execute(
                            text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)"),
                            {"t": f'"{table.name}"', "n": max(row["id"] for row in rows)},
                        )
        db.session.expire_all()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


def make_user(role: str, email: str | None = None, name: str = "") -> User:
    """A committed account with the test password."""
    user = create_user(email or f"{role}@example.org", role, PASSWORD, name=name or role.title())
    db.session.commit()
    return user


@pytest.fixture()
def users(app: Flask) -> dict[str, User]:
    """One account of each role."""
    return {role: make_user(role) for role in ("admin", "organiser", "trainer", "representative")}


class AuthActions:
    """Log in and out through the real log-in form."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        return self._client.post("/auth/login", data={"email": email, "password": password})

    def login_as(self, user: User):  # type: ignore[no-untyped-def]
        return self.login(user.email)

    def logout(self):  # type: ignore[no-untyped-def]
        return self._client.post("/auth/logout")


@pytest.fixture()
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


class QueryCounter:
    """Counts the SQL statements run while it is active."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            self.count += 1
            self.statements.append(statement)


@pytest.fixture()
def count_queries(app: Flask):  # type: ignore[no-untyped-def]
    """Use as ``with count_queries() as counter: ...``; ``counter.count`` is the total."""

    @contextmanager
    def _counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return _counting


def copy_fixture(name: str, dest: Path) -> Path:
    """Copy a file from tests/data to ``dest``."""
    target = dest / name
    shutil.copy(Path(__file__).parent / "data" / name, target)
    return target


#: where the controlled clock starts: a Monday morning in winter (CET, far from a DST change).
#: Tests never name dates themselves; they say "in three days" relative to ``clock.now``.
CLOCK_START = datetime(2031, 1, 13, 8, 0, tzinfo=UTC)


class Clock:
    """The controlled clock: ``now`` stands still until ``advance`` moves it."""

    def __init__(self, traveller: time_machine.Coordinates) -> None:
        self._traveller = traveller

    @property
    def now(self) -> datetime:
        return utcnow()

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move the clock forward by ``delta`` (or ``days=``, ``hours=`` ...); the new now."""
        self._traveller.shift(delta or timedelta(**parts))
        return self.now

    def set(self, moment: datetime) -> datetime:
        """Put the clock at ``moment``."""
        self._traveller.move_to(moment)
        return self.now


@pytest.fixture()
def clock() -> Iterator[Clock]:
    """Time held still at ``CLOCK_START`` for the test (``time.monotonic`` still runs, so
    timeouts work). Not for subprocess tests: another process keeps the real time."""
    with time_machine.travel(CLOCK_START, tick=False) as traveller:
        yield Clock(traveller)

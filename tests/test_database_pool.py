"""Pooled connections (clusgo_events/database.py), on the database under test.

* A connection that died while it sat in the pool (PostgreSQL: ``pg_terminate_backend``;
  SQLite: the connection closed behind the pool's back) is replaced before a request uses it:
  the next request answers 200, not 500.
* A GET request reads outside any transaction (no BEGIN and no ROLLBACK on PostgreSQL), while
  a POST request runs in one, and a write made during a GET request is still atomic.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, func, select, text

from clusgo_events.extensions import db
from clusgo_events.models import Organisation, Role
from tests import factories as f
from tests.conftest import AuthActions


def _in_transaction(raw: Any) -> bool:
    """Whether the DBAPI connection ``raw`` is inside a transaction now."""
    if db.engine.dialect.name == "sqlite":
        return bool(raw.in_transaction)
    from psycopg.pq import TransactionStatus

    return raw.info.transaction_status != TransactionStatus.IDLE


def _kill(app: Flask, raw: Any) -> None:
    """End the pooled connection ``raw`` from outside, as a server restart would."""
    if db.engine.dialect.name == "sqlite":
        raw.close()
        return
    pid = raw.info.backend_pid
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.connect() as conn:
            assert conn.execute(
                text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}
            ).scalar()
    finally:
        other.dispose()


@pytest.fixture()
def page(app, clock) -> str:  # type: ignore[no-untyped-def]
    event = f.event(title="Brno 2031")
    f.session(event)
    f.user(Role.ORGANISER, email="organiser@example.org")
    db.session.commit()
    return f"/events/{event.slug}"


def _pooled_connection() -> Any:
    """The one connection the pool holds (after a dispose), as the DBAPI object."""
    db.session.remove()
    db.engine.dispose()
    proxy = db.engine.raw_connection()
    raw = proxy.dbapi_connection
    proxy.close()  # back into the pool, where the next checkout finds it
    return raw


def test_a_connection_that_died_in_the_pool_is_replaced(app, client, page) -> None:
    assert client.get(page).status_code == 200
    dead = _pooled_connection()
    _kill(app, dead)
    response = client.get(page)
    assert response.status_code == 200 and "Brno 2031" in response.get_data(as_text=True)
    proxy = db.engine.raw_connection()
    try:
        assert proxy.dbapi_connection is not dead
    finally:
        proxy.close()
    # a POST (in a transaction from its first statement) after a death as well
    _kill(app, _pooled_connection())
    assert AuthActions(client).login("organiser@example.org").status_code == 302


def test_reads_outside_a_transaction_writes_inside(app, client, page) -> None:
    seen: list[tuple[str, bool]] = []

    def after(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append((statement.split()[0].upper(), _in_transaction(cursor.connection)))

    event.listen(db.engine, "after_cursor_execute", after)
    try:
        db.session.remove()
        assert client.get(page).status_code == 200
        reads = list(seen)
        seen.clear()
        assert AuthActions(client).login("organiser@example.org").status_code == 302
        writes = list(seen)
    finally:
        event.remove(db.engine, "after_cursor_execute", after)
    assert reads and all(verb == "SELECT" and not inside for verb, inside in reads)
    assert any(verb == "UPDATE" and inside for verb, inside in writes)


def test_a_write_during_a_get_request_is_atomic(app) -> None:
    db.session.remove()
    with app.test_request_context("/", method="GET"):
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
        db.session.add(Organisation(name="Klastr Řeřicha", country="CZ"))
        db.session.flush()
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
        db.session.remove()

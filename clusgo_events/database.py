"""Database connections: few round trips per request, and no request on a dead connection.

With SQLAlchemy's defaults a page that runs one query made four round trips to PostgreSQL:
the pool's pre-ping, psycopg's ``BEGIN``, the query, and the ``ROLLBACK`` that resets the
connection on its return to the pool. On the event page that held the throughput at 0.26x the
bare ``/hello`` route. Here:

* **No ping on every checkout.** A connection is checked without a round trip instead: its
  socket has nothing to read while it sits idle in the pool, unless the server has sent
  something, which for an idle connection means it was terminated (a restart,
  ``pg_terminate_backend``, ``idle_session_timeout``: the server says FATAL and closes the
  socket). Only then, or when the connection sat idle longer than ``DATABASE_PING_AFTER``
  seconds (a firewall may drop an idle connection without a word), is it pinged; a connection
  that fails the ping is replaced before any request uses it (SQLAlchemy retries the checkout).
* **No transaction for reading.** A GET or HEAD request gets its connection in autocommit
  mode: its SELECTs run without ``BEGIN`` and so need no ``ROLLBACK`` either. READ COMMITTED
  gives every statement its own snapshot inside a transaction as well, so the reads see the
  same data. The first statement that is not a plain SELECT (a flush, an UPDATE, ``SELECT ...
  FOR UPDATE``, a savepoint, a server-side cursor, any textual SQL) switches the connection
  back to a transaction first, so every write of a GET request is still atomic and locks
  still hold to the commit. That is what pysqlite does on SQLite, too: no ``BEGIN`` before
  the first write. POST requests, the command line and the delivery worker keep ordinary
  transactions from their first statement.

What each step is worth on this machine: ``scripts/bench_registration.py --database-url ...``
(figures in the README's Performance section).
"""

from __future__ import annotations

import select as select_module
import sqlite3
import time
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import event as sa_event
from sqlalchemy import exc
from sqlalchemy.engine import Engine

from .extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_CHECKED_IN = "clusgo_checked_in_at"


def watch_engines(app: Flask) -> None:
    """Install the checkout check on every engine of ``app`` and, on PostgreSQL with psycopg,
    reads without transactions for GET and HEAD requests (see the module notes)."""
    ping_after = float(app.config["DATABASE_PING_AFTER"])
    with app.app_context():
        for engine in db.engines.values():
            _watch(engine, ping_after)


def _watch(engine: Engine, ping_after: float) -> None:
    pool = engine.pool
    if getattr(pool, "_clusgo_watched", False):
        return
    pool._clusgo_watched = True  # type: ignore[attr-defined]
    dialect = engine.dialect
    psycopg = dialect.name == "postgresql" and dialect.driver == "psycopg"

    def on_checkin(dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    def on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if _is_dead(dbapi_connection, record, ping_after, dialect):
            raise exc.DisconnectionError("the pooled connection is gone")
        if psycopg:
            _set_autocommit(
                dbapi_connection, has_request_context() and request.method in SAFE_METHODS
            )

    sa_event.listen(pool, "checkin", on_checkin)
    sa_event.listen(pool, "checkout", on_checkout)
    if psycopg:
        sa_event.listen(engine, "before_cursor_execute", _begin_before_writing)


def _set_autocommit(dbapi_connection: Any, value: bool) -> None:
    try:
        dbapi_connection.autocommit = value
    except Exception:  # noqa: BLE001 - psycopg refuses inside a transaction: leave it so
        pass


def _has_input(dbapi_connection: Any) -> bool:
    """True when the server sent something to a connection that sat idle (no round trip)."""
    poller = select_module.poll()  # poll, not select: no limit on the descriptor's number
    poller.register(dbapi_connection.fileno(), select_module.POLLIN)
    return bool(poller.poll(0))


def _is_dead(dbapi_connection: Any, record: Any, ping_after: float, dialect: Any) -> bool:
    """Whether the pooled connection is unusable, asking the server only when in doubt."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        try:
            dbapi_connection.in_transaction  # noqa: B018 - raises once it is closed
        except sqlite3.ProgrammingError:
            return True
        return False
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        return True
    checked_in = record.info.get(_CHECKED_IN)
    idle = time.monotonic() - checked_in if checked_in is not None else 0.0
    try:
        if idle <= ping_after and not _has_input(dbapi_connection):
            return False
        dialect.do_ping(dbapi_connection)
    except Exception:  # noqa: BLE001 - whatever failed, the connection is replaced
        return True
    return False


def _plain_read(context: Any) -> bool:
    """A compiled SELECT without locks and without a server-side cursor."""
    compiled = getattr(context, "compiled", None)
    if compiled is None or getattr(context, "is_text", False):
        return False
    statement = getattr(compiled, "statement", None)
    if statement is None or not getattr(statement, "is_select", False):
        return False
    if getattr(statement, "_for_update_arg", None) is not None:
        return False
    return not context.execution_options.get("stream_results", False)


def _begin_before_writing(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    """Leave autocommit before the first statement that needs a transaction (psycopg then
    sends BEGIN ahead of it)."""
    raw = cursor.connection
    if raw.autocommit and not _plain_read(context):
        raw.autocommit = False

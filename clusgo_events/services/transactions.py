"""Write transactions that are safe under concurrency on SQLite and PostgreSQL."""

from __future__ import annotations

from ..extensions import db


def begin_write() -> None:
    """Make sure the session's transaction may write without losing a race.

    On SQLite a deferred transaction that has read first cannot become a writer once another
    connection has committed (SQLITE_BUSY, the busy timeout does not help), so a read-only
    transaction still open is ended and a new one is begun with ``BEGIN IMMEDIATE``: writers
    queue on the database lock (busy timeout) and then read fresh data. A transaction that
    already holds changes is kept as it is. On PostgreSQL nothing happens here: the callers
    take row locks (``SELECT ... FOR UPDATE``) instead.
    """
    session = db.session()
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        session.flush()
        connection = session.connection()
        if connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
            return
        raw = connection.connection.dbapi_connection
        if raw is not None and raw.total_changes != connection.info.get(
            "sqlite_changes_at_begin", raw.total_changes
        ):
            return  # it has written already, so it holds the write lock
        session.rollback()  # only reads happened: nothing is lost
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})

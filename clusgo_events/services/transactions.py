"""Write transactions that are safe under concurrency on SQLite and PostgreSQL, and the one
lock that serialises every change to an event's places, invitations and settings."""

from __future__ import annotations

from typing import TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Event
from . import ServiceError

T = TypeVar("T")


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


def lock_event(event_id: int) -> Event:
    """Begin the write transaction and lock the event's row; returns it freshly loaded.

    The one write lock of an event: registration, places and waiting lists, capacities,
    invitations and reminders, and the organiser's changes all take it first, so the check
    ("is a place free", "is this respondent invited yet") and the change are never separated
    by an unlocked gap. PostgreSQL: ``SELECT ... FOR UPDATE`` on the event's row. SQLite:
    ``BEGIN IMMEDIATE`` (the database's write lock, see :func:`begin_write`), which also opens
    the transaction for real, so a later SAVEPOINT's RELEASE cannot commit on its own.
    Everything read before the lock may be stale: it is expired and read again on use.
    """
    begin_write()
    db.session.flush()
    db.session.expire_all()
    event = db.session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if event is None:
        raise ServiceError(_l("This event no longer exists."))
    return event


def reload(obj: T) -> T:
    """``obj`` read again after the lock was taken (another request may have changed it)."""
    db.session.refresh(obj)
    return obj

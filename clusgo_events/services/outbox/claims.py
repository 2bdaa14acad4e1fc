"""Claims and outcomes: which worker holds which message, and what happened to it.

* A batch is *claimed* in its own committed transaction before any SMTP: one UPDATE marks the
  rows ``sending`` with this worker's id. On PostgreSQL the rows are picked with
  ``FOR UPDATE SKIP LOCKED`` so concurrent workers share the work; on SQLite the UPDATE takes
  the database's write lock first, so a second worker waits and then sees the rows taken.
* Each outcome is written with ``WHERE locked_by = <worker>`` and committed at once: a worker
  that lost its claim (lock timed out, another took over) changes nothing.
* A worker killed mid-batch leaves its rows in ``sending``; once their lock is older than the
  lock timeout another run reclaims them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from blinker import NamedSignal
from sqlalchemy import and_, bindparam, or_, select, text, update

from ...extensions import db
from ...models import OutboxMessage, OutboxStatus
from ...models.base import utcnow
from ...signals import message_failed, message_sent
from .. import audit

log = logging.getLogger(__name__)

RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=6)
#: temporary failures are retried for at least this long (a weekend outage included)
RETRY_FOR = timedelta(days=3)
#: what a sent message keeps of its bodies: nothing (they hold tokens, feed URLs, codes)
NO_BODIES: dict[str, Any] = {
    "body_text": "",
    "body_html": "",
    "calendar_ics": None,
    "attachments": [],
    "headers": {},
}


def retry_delay(attempts: int) -> timedelta:
    """1 min, 2, 4, 8 ... capped at 6 hours, after ``attempts`` failed attempts."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_CAP)


def _max_attempts(period: timedelta) -> int:
    """Attempts whose waits in between add up to at least ``period``."""
    waited, attempts = timedelta(0), 1
    while waited < period:
        waited += retry_delay(attempts)
        attempts += 1
    return attempts


#: 1, 2, 4 ... 256 minutes, then every 6 hours: 21 attempts over 3 days and 2½ hours
MAX_ATTEMPTS = _max_attempts(RETRY_FOR)


def _claimable(now: datetime, lock_timeout: float) -> Any:
    stale = now - timedelta(seconds=lock_timeout)
    return or_(
        and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.locked_at < stale),
    )


def claim_batch(size: int, worker: str, lock_timeout: float) -> list[OutboxMessage]:
    """Take up to ``size`` deliverable messages for ``worker`` and commit the claim; with
    them, any message this worker still holds from an interrupted batch."""
    db.session.commit()  # the claim's UPDATE must be the first statement of its transaction
    now = utcnow()
    picked = (
        select(OutboxMessage.id)
        .where(_claimable(now, lock_timeout))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(size)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        picked = picked.with_for_update(skip_locked=True)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(picked.scalar_subquery()))
        .values(status=OutboxStatus.SENDING, locked_by=worker, locked_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    claimed = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.locked_by == worker, OutboxMessage.status == OutboxStatus.SENDING)
            .order_by(OutboxMessage.id)
        )
    )
    # transient snapshots: the per-message commits below expire session objects, and
    # reloading each one would cost a query per message
    return [_snapshot(message) for message in claimed]


def _snapshot(message: OutboxMessage) -> OutboxMessage:
    copy = OutboxMessage()
    for column in OutboxMessage.__table__.columns:
        setattr(copy, column.key, getattr(message, column.key))
    return copy


@lru_cache(maxsize=16)
def _finish_statement(keys: tuple[str, ...]) -> Any:
    """UPDATE ... WHERE id = :id AND locked_by = :worker, built once per set of columns."""
    table = OutboxMessage.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.locked_by == bindparam("b_worker"))
        .values(locked_by=None, locked_at=None, **{k: bindparam(f"b_{k}") for k in keys})
    )


def _finish(message: OutboxMessage, worker: str, **values: Any) -> bool:
    """Write ``values`` if ``worker`` still holds the message. False if it lost it.

    A cached Core UPDATE (not the ORM's bulk update): this runs once per message.
    """
    statement = _finish_statement(tuple(sorted(values)))
    params = {f"b_{k}": v for k, v in values.items()}
    result = db.session.execute(statement, {"b_id": message.id, "b_worker": worker, **params})
    return result.rowcount == 1


def mark_sent(message: OutboxMessage, worker: str, message_id: str, sent_at: datetime) -> None:
    """The server accepted ``message``: sent, its bodies dropped, committed."""
    values = {
        "status": OutboxStatus.SENT,
        "sent_at": sent_at,
        "message_id": message_id[:300],
        "attempts": message.attempts + 1,
        "last_error": "",
        "purged_at": sent_at,
        **NO_BODIES,
    }
    _finish_and_notify(message, worker, message_sent, values)


def mark_temporary(message: OutboxMessage, worker: str, error: str) -> str:
    """Try again later (``retried``), or give up after ``MAX_ATTEMPTS`` (``failed``)."""
    attempts = message.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        mark_failed(message, worker, f"gave up after {attempts} attempts; last: {error}")
        return "failed"
    _finish(
        message,
        worker,
        status=OutboxStatus.QUEUED,
        attempts=attempts,
        next_attempt_at=utcnow() + retry_delay(attempts),
        last_error=error[:2000],
    )
    db.session.commit()
    return "retried"


def mark_failed(message: OutboxMessage, worker: str, error: str) -> None:
    """Failed for good: kept (bodies too, for ``OUTBOX_FAILED_BODY_DAYS``), audited."""
    values = {
        "status": OutboxStatus.FAILED,
        "attempts": message.attempts + 1,
        "last_error": error[:2000],
        "failed_at": utcnow(),
    }
    _finish_and_notify(message, worker, message_failed, values)


def _finish_and_notify(
    message: OutboxMessage, worker: str, signal: NamedSignal, values: dict[str, Any]
) -> None:
    """Store the outcome, let the receivers (invitation status ...) add to the same
    transaction, commit. A receiver that fails is logged and its work dropped: the message's
    own status is committed whatever happens."""
    if _finish(message, worker, **values):
        try:
            signal.send(message)
        except Exception as exc:  # noqa: BLE001
            # ids and the error's type only: an error's text (SQL parameters, say) may quote
            # the message, and the log is no place for its links and codes
            log.error(
                "receiver of %s failed for outbox message %s: %s",
                signal.name,
                message.id,
                type(exc).__name__,
            )
            db.session.rollback()
            _finish(message, worker, **values)
        if values["status"] == OutboxStatus.FAILED:
            audit.record("outbox.failed", message, {"error": values["last_error"][:300]})
    db.session.commit()


def _give_back(messages: Iterable[OutboxMessage], worker: str, **values: Any) -> int:
    """Return ``worker``'s claimed ``messages`` to the queue (with ``values``); committed."""
    ids = [m.id for m in messages]
    if not ids:
        return 0
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.locked_by == worker)
        .values(status=OutboxStatus.QUEUED, locked_by=None, locked_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return len(ids)


def hold_back(messages: Iterable[OutboxMessage], worker: str, until: datetime, answer: str) -> int:
    """The server asked to slow down: give ``messages`` back to the queue until ``until``,
    without an attempt counted, with the server's answer; committed."""
    return _give_back(messages, worker, next_attempt_at=until, last_error=answer[:2000])


def release(messages: Iterable[OutboxMessage], worker: str) -> int:
    """Give claimed, unattempted messages back to the queue as they were."""
    return _give_back(messages, worker)


def refresh_lock(messages: list[OutboxMessage], worker: str) -> list[OutboxMessage]:
    """Renew the lock of the rest of a long batch; keep only the messages still ours."""
    ids = [m.id for m in messages]
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.locked_by == worker)
        .values(locked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    still = set(
        db.session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.id.in_(ids), OutboxMessage.locked_by == worker
            )
        )
    )
    return [m for m in messages if m.id in still]


def fast_commits() -> None:
    """Commit each message's outcome without waiting for the disk, on this connection.

    SQLite in WAL mode: ``synchronous=NORMAL``; PostgreSQL: ``synchronous_commit=off``.
    A commit then survives the worker being killed (the case that matters: the worker dies,
    the server has the message, the row says ``sent``); only a crash of the machine or of the
    database server can lose the last fraction of a second of commits, and with them re-send
    those few messages. Without it every message waits for an fsync, longer than the SMTP
    exchange itself.
    """
    dialect = db.session.get_bind().dialect.name
    db.session.commit()  # neither setting may change inside a transaction
    if dialect == "sqlite":
        db.session.execute(text("PRAGMA synchronous=NORMAL"))
    elif dialect == "postgresql":
        db.session.execute(text("SET SESSION synchronous_commit TO OFF"))
    db.session.commit()

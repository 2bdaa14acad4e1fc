"""Delivery workers and their heartbeats: a dead worker holds nothing back.

Every delivery run registers its worker (``delivery_worker``: host, pid, started, heartbeat)
and a thread of its own writes the heartbeat every ``HEARTBEAT_EVERY`` seconds over its own
database connection, so a slow SMTP exchange never makes a live worker look dead. Before it
claims, a worker looks for dead ones: a heartbeat older than ``MAIL_HEARTBEAT_TIMEOUT``, or a
worker on this host whose process is gone (``kill -9``: dead at once). It deletes the dead
worker's record (a compare-and-set on its last heartbeat, so only one worker takes over) and
puts the messages that worker had claimed back in the queue. Of those, only the one in flight
at the crash may have reached the server already: at most that one goes twice.

A worker whose record was deleted while it lived (its heartbeat could not be written for a
whole timeout) notices on its next heartbeat and stops sending the rest of its batch.
Messages claimed by a worker without a record (a run older than this table) still wait for
``MAIL_LOCK_TIMEOUT`` (:mod:`.claims`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ...extensions import db
from ...models import DeliveryWorker, MailJob, MailJobStatus, OutboxMessage, OutboxStatus
from ...models.base import utcnow

if TYPE_CHECKING:
    from .worker import Worker

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 2.0  # seconds


def host_name() -> str:
    """This machine's name as a worker record keeps it."""
    return socket.gethostname()[:100]


def process_alive(pid: int) -> bool:
    """True when a process ``pid`` runs on this machine (signal 0 checks without sending)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


@dataclass(frozen=True)
class TakeOver:
    """The claimed messages of one dead worker, put back in the queue."""

    worker: str
    messages: int
    reason: str


class Heartbeat(threading.Thread):
    """Writes the worker's heartbeat every ``every`` seconds; ``lost`` is set when the record
    is gone (another worker took this one for dead)."""

    def __init__(self, engine: Engine, worker_id: str, every: float) -> None:
        super().__init__(name=f"heartbeat {worker_id}", daemon=True)
        self.engine = engine
        self.worker_id = worker_id
        self.every = every
        self.stopping = threading.Event()
        self.lost = threading.Event()

    def beat(self) -> None:
        table = DeliveryWorker.__table__
        with self.engine.begin() as connection:
            result = connection.execute(
                update(table).where(table.c.id == self.worker_id).values(heartbeat_at=utcnow())
            )
        if result.rowcount == 0:
            self.lost.set()

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            try:
                self.beat()
            except SQLAlchemyError as exc:  # the database is away: the next beat tries again
                log.warning("heartbeat of %s not written: %s", self.worker_id, type(exc).__name__)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=self.every + 5)


def register(worker: Worker) -> None:
    """Write (or refresh) ``worker``'s record, committed."""
    now = utcnow()
    record = db.session.get(DeliveryWorker, worker.id)
    if record is None:
        db.session.add(
            DeliveryWorker(
                id=worker.id, host=host_name(), pid=os.getpid(), started_at=now, heartbeat_at=now
            )
        )
    else:
        record.heartbeat_at = now
    db.session.commit()


def retire(worker: Worker) -> None:
    """Delete ``worker``'s record when it holds nothing any more, committed."""
    db.session.execute(delete(DeliveryWorker).where(DeliveryWorker.id == worker.id))
    db.session.commit()


def heartbeat_timeout() -> timedelta:
    """``MAIL_HEARTBEAT_TIMEOUT``: a worker silent this long is dead."""
    return timedelta(seconds=float(current_app.config["MAIL_HEARTBEAT_TIMEOUT"]))


def take_over_dead(worker: Worker) -> list[TakeOver]:
    """Requeue the claimed messages of every dead worker, committed; what was taken over."""
    now = utcnow()
    stale = now - heartbeat_timeout()
    here = host_name()
    taken: list[TakeOver] = []
    others = list(db.session.scalars(select(DeliveryWorker).where(DeliveryWorker.id != worker.id)))
    for other in others:
        if other.heartbeat_at < stale:
            seconds = int((now - other.heartbeat_at).total_seconds())
            reason = f"no heartbeat for {seconds} s"
        elif other.host == here and other.pid != os.getpid() and not process_alive(other.pid):
            reason = f"process {other.pid} is gone"
        else:
            continue
        gone = db.session.execute(
            delete(DeliveryWorker).where(
                DeliveryWorker.id == other.id, DeliveryWorker.heartbeat_at == other.heartbeat_at
            )
        )
        if gone.rowcount != 1:  # it beat again, or another worker took it over first
            db.session.rollback()
            continue
        requeued = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.locked_by == other.id, OutboxMessage.status == OutboxStatus.SENDING
            )
            .values(status=OutboxStatus.QUEUED, locked_by=None, locked_at=None)
            .execution_options(synchronize_session=False)
        )
        # a background job it was running goes again (sending is idempotent: nothing twice)
        db.session.execute(
            update(MailJob)
            .where(MailJob.locked_by == other.id, MailJob.status == MailJobStatus.RUNNING)
            .values(status=MailJobStatus.QUEUED, locked_by=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        taken.append(TakeOver(other.id, requeued.rowcount or 0, reason))
    db.session.commit()
    return taken


def start(worker: Worker) -> Heartbeat:
    """Register ``worker`` and start its heartbeat (once per process, or per run)."""
    register(worker)
    heartbeat = Heartbeat(db.engine, worker.id, HEARTBEAT_EVERY)
    heartbeat.start()
    worker.heartbeat = heartbeat
    return heartbeat


def stop(worker: Worker) -> None:
    """Stop ``worker``'s heartbeat and retire it, unless it still holds messages whose
    ``sent`` is not recorded (then its record stays, and whoever takes it over sends them)."""
    if worker.heartbeat is not None:
        worker.heartbeat.stop()
        worker.heartbeat = None
    if not worker.accepted:
        try:
            retire(worker)
        except SQLAlchemyError:
            db.session.rollback()


@contextmanager
def on_duty(worker: Worker) -> Iterator[Worker]:
    """``worker`` registered with a heartbeat for the block, unless it already is."""
    if worker.heartbeat is not None:
        yield worker
        return
    start(worker)
    try:
        yield worker
    finally:
        stop(worker)

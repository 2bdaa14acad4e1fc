"""The delivery loop: claim a batch, send it over one SMTP connection, record each outcome.

How a message is never sent twice (see :mod:`.claims` for the claims themselves):

* Each message is marked ``sent`` and committed right after the server accepted it, before
  anything else (Flask-Mail's reconnect, a ``quit()``) can raise.
* When that commit fails (the database went away at that moment), the :class:`Worker`
  remembers the message as accepted and marks it sent as soon as the database answers again,
  before it claims or sends anything: the worker that sent a message never sends it again.
* A worker killed mid-batch leaves its rows in ``sending``; the next worker to claim sees
  that it is dead (:mod:`.workers`: its process is gone, or its heartbeat stopped) and takes
  them over at once. Only the message in flight at the kill can be sent twice.
"""

from __future__ import annotations

import binascii
import os
import smtplib
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_mail import email_dispatched
from sqlalchemy.exc import SQLAlchemyError

from ...extensions import db
from ...models import OutboxMessage
from ...models.base import utcnow
from . import claims, mime, relay, workers
from .addresses import mailbox, sender_of
from .errors import PermanentFailure, asks_to_slow_down, classify, describe
from .smtp import DeliveryConnection, OutgoingMail, mark_accepted

DEFAULT_BATCH_SIZE = 100
#: the first pause when the server asks to slow down; it doubles while it keeps asking
SLOW_DOWN_FIRST = 30.0
SLOW_DOWN_CAP = 15 * 60.0


class SlowDown(Exception):
    """The server asked to slow down (421, 432, 451, 452): the whole connection backs off."""


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    held_back: int = 0
    connection_error: str = ""
    #: the server's "slow down" answer, and until when the messages wait
    slow_down: str = ""
    resume_at: datetime | None = None
    taken_over: list[workers.TakeOver] = field(default_factory=list)

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.released += other.released
        self.held_back += other.held_back
        self.slow_down = other.slow_down or self.slow_down
        self.resume_at = other.resume_at or self.resume_at
        self.connection_error = other.connection_error or self.connection_error
        self.taken_over.extend(other.taken_over)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed


def new_worker_id() -> str:
    """A process's name in ``locked_by``: host, pid and a random part."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@dataclass
class _Accepted:
    message: OutboxMessage
    message_id: str
    sent_at: datetime


@dataclass
class Worker:
    """One delivery process: its id in ``locked_by``, and the messages the server accepted
    whose ``sent`` the database has not recorded yet."""

    id: str = field(default_factory=new_worker_id)
    accepted: dict[int, _Accepted] = field(default_factory=dict)
    heartbeat: workers.Heartbeat | None = None
    #: the current pause after "slow down" answers (0: none); doubles while they go on
    pause: float = 0.0

    def slow_down(self) -> float:
        """One more "slow down" answer: how many seconds the connection backs off now."""
        self.pause = min(max(self.pause * 2, SLOW_DOWN_FIRST), SLOW_DOWN_CAP)
        return self.pause

    @property
    def lost(self) -> bool:
        """True when another worker took this one for dead and took its claims over."""
        return self.heartbeat is not None and self.heartbeat.lost.is_set()

    def sent(self, message: OutboxMessage, message_id: str) -> None:
        """The server accepted ``message``: remember it, then record it."""
        self.accepted[message.id] = _Accepted(message, message_id, utcnow())
        self.settle()

    def settle(self) -> int:
        """Record every remembered message as sent (raises while the database is away)."""
        done = 0
        for outbox_id, item in list(self.accepted.items()):
            claims.mark_sent(item.message, self.id, item.message_id, item.sent_at)
            del self.accepted[outbox_id]
            done += 1
        return done


def message_id_domain() -> str:
    """The domain of every Message-ID: ``BASE_URL``'s host (never the machine's name)."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def send_batch(
    messages: list[OutboxMessage],
    worker: Worker,
    lock_timeout: float,
    on_message: Callable[[], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    interval: float | None = None,
) -> DeliveryReport:
    """Send claimed ``messages`` over one SMTP connection; each outcome is committed at once.
    With ``interval`` (the relay limits), each message first waits for its shared slot."""
    report = DeliveryReport()
    if not messages:
        return report
    state = current_app.extensions["mail"]
    connection = DeliveryConnection(state, float(current_app.config["MAIL_TIMEOUT"]))
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        if asks_to_slow_down(exc):
            _hold_back(report, messages, worker, f"{describe(exc)} (on connecting)")
            return report
        # nothing was sent: every message of the batch waits and tries again later
        error = f"cannot connect to {state.server}:{state.port}: {describe(exc)}"
        report.connection_error = error
        for message in messages:
            report.count(claims.mark_temporary(message, worker.id, error))
        return report
    sender = state.default_sender or current_app.config["MAIL_DEFAULT_SENDER"]
    domain = message_id_domain()
    locked_at = time.monotonic()
    pending = list(messages)
    try:
        with email_dispatched.connected_to(mark_accepted):
            while pending:
                if (should_stop is not None and should_stop()) or worker.lost:
                    break
                if time.monotonic() - locked_at > lock_timeout / 3:
                    pending = claims.refresh_lock(pending, worker.id)
                    locked_at = time.monotonic()
                    if not pending:
                        break
                if connection.host is None and not state.suppress:
                    # the connection is gone and could not be reopened: the rest waits
                    report.connection_error = "connection to the SMTP server lost"
                    break
                if interval:
                    relay.wait_for_slot(interval, should_stop)
                message = pending.pop(0)
                try:
                    report.count(_send_one(connection, message, worker, sender, domain))
                except SlowDown as exc:
                    _hold_back(report, [message, *pending], worker, str(exc))
                    pending = []
                    break
                if on_message is not None:
                    on_message()
    except BaseException:
        # the database failed (or Ctrl-C): give the rest back if it can; else the rest stays
        # claimed by this worker, which resumes it on its next claim
        db.session.rollback()
        try:
            report.released += claims.release(pending, worker.id)
        except SQLAlchemyError:
            db.session.rollback()
        raise
    else:
        report.released += claims.release(pending, worker.id)
    finally:
        connection.close()
    return report


def _hold_back(
    report: DeliveryReport, messages: list[OutboxMessage], worker: Worker, answer: str
) -> None:
    """Back the whole connection off: ``messages`` wait (no attempt counted) for the pause."""
    pause = worker.slow_down()
    until = utcnow() + timedelta(seconds=pause)
    note = f"{answer}; the server asked to slow down, waiting {int(pause)} s (not counted)"
    report.held_back += claims.hold_back(messages, worker.id, until, note)
    relay.pause(until, answer)
    report.slow_down = answer
    report.resume_at = until


def _prepare(message: OutboxMessage, sender: str, domain: str) -> OutgoingMail:
    """The Flask-Mail message with its bytes built."""
    from_name, from_box = sender_of(sender)
    recipient = mailbox(message.recipient)
    data, message_id = mime.build(message, (from_name, from_box), recipient, domain)
    return OutgoingMail(data, message_id, from_box, recipient)


def _send_one(
    connection: DeliveryConnection,
    message: OutboxMessage,
    worker: Worker,
    sender: str,
    domain: str,
) -> str:
    try:
        mail = _prepare(message, sender, domain)
    except (PermanentFailure, ValueError, TypeError, IndexError, binascii.Error) as exc:
        claims.mark_failed(message, worker.id, f"cannot build the message: {describe(exc)}")
        return "failed"
    try:
        connection.transmit(mail)
    except Exception as exc:  # noqa: BLE001  (any failure after acceptance must not resend)
        if mail.accepted:
            worker.sent(message, mail.msgId)
            connection.reopen()
            return "sent"
        if asks_to_slow_down(exc):
            raise SlowDown(describe(exc)) from exc
        if classify(exc) is PermanentFailure:
            claims.mark_failed(message, worker.id, describe(exc))
            outcome = "failed"
        else:
            outcome = claims.mark_temporary(message, worker.id, describe(exc))
        # then make the connection usable for the next message
        broken = isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(
            exc, smtplib.SMTPException | PermanentFailure
        )
        if broken or getattr(connection.host, "sock", True) is None:
            connection.reopen()
        else:
            connection.reset()
        return outcome
    worker.sent(message, mail.msgId)
    worker.pause = 0.0
    return "sent"


def deliver(
    limit: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    lock_timeout: float | None = None,
    worker: Worker | None = None,
    on_batch: Callable[[int], Any] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Deliver queued mail, batch after batch, until none is due or ``limit`` were handled.

    ``lock_timeout`` defaults to ``MAIL_LOCK_TIMEOUT``. Pass the same ``worker`` to every run
    of one process (``flask mail deliver --watch``), so what it sent stays sent across a
    database error. ``on_batch(n)`` may return a context manager with ``update(1)`` (a click
    progress bar).
    """
    worker = worker or Worker()
    if lock_timeout is None:
        lock_timeout = float(current_app.config["MAIL_LOCK_TIMEOUT"])
    report = DeliveryReport()
    claims.fast_commits()
    pace = relay.pace()
    with workers.on_duty(worker):
        report.sent += worker.settle()
        while limit is None or report.total < limit:
            report.taken_over.extend(workers.take_over_dead(worker))
            held = relay.paused()
            if held is not None:  # the server asked to slow down: nobody sends until then
                report.slow_down, report.resume_at = held.pause_answer, held.paused_until
                break
            size = batch_size if limit is None else min(batch_size, limit - report.total)
            claimed = claims.claim_batch(pace.batch_size(size), worker.id, lock_timeout)
            if not claimed:
                break
            progress = None
            if on_batch is not None:
                with on_batch(len(claimed)) as bar:
                    batch = send_batch(
                        claimed,
                        worker,
                        lock_timeout,
                        lambda: bar.update(1),
                        should_stop,
                        pace.interval,
                    )
            else:
                batch = send_batch(
                    claimed, worker, lock_timeout, progress, should_stop, pace.interval
                )
            report.add(batch)
            if (
                batch.connection_error
                or batch.slow_down
                or (should_stop is not None and should_stop())
            ):
                break
    return report

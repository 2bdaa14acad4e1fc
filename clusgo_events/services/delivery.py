"""Delivery of the outbox over SMTP with Flask-Mail: claimed, sent once, retried with back-off.

How a message is never sent twice:

* A batch is *claimed* in its own committed transaction before any SMTP: one UPDATE marks the
  rows ``sending`` with this worker's claim id. On PostgreSQL the rows are picked with
  ``FOR UPDATE SKIP LOCKED`` so concurrent workers share the work; on SQLite the UPDATE takes
  the database's write lock first, so a second worker waits and then sees the rows taken.
* Each message is marked ``sent`` and committed right after the server accepted it, before
  anything else (Flask-Mail's signal, a ``quit()``) can raise.
* A worker killed mid-batch leaves its rows in ``sending``; once their lock is older than the
  lock timeout another run reclaims them. Only the message in flight at the kill can be sent
  twice (accepted by the server, not yet committed as sent).
"""

from __future__ import annotations

import base64
import logging
import os
import re
import smtplib
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import charset as email_charset
from email.charset import Charset
from email.header import Header
from email.utils import encode_rfc2231, format_datetime, formataddr, make_msgid, parseaddr
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from blinker import Namespace
from flask import current_app
from flask_mail import Connection, Message, email_dispatched
from sqlalchemy import and_, bindparam, or_, select, text, update

from ..extensions import db
from ..models import OutboxMessage
from ..models.base import utcnow

log = logging.getLogger(__name__)

CRLF = "\r\n"
# our own UTF-8 charset for encoded words: Flask-Mail re-registers "utf-8" globally
UTF8 = Charset("utf-8")
UTF8.header_encoding = email_charset.BASE64
UTF8.body_encoding = email_charset.BASE64
DEFAULT_BATCH_SIZE = 100
DEFAULT_LOCK_TIMEOUT = 300.0  # seconds; must exceed a few MAIL_TIMEOUTs
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=6)
MAX_ATTEMPTS = 12

_signals = Namespace()
#: an outbox message was accepted by the server (sender = the OutboxMessage), same transaction
message_sent = _signals.signal("outbox-message-sent")
#: an outbox message failed for good (sender = the OutboxMessage), same transaction
message_failed = _signals.signal("outbox-message-failed")


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    connection_error: str = ""

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.released += other.released
        self.connection_error = other.connection_error or self.connection_error

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed


class _TemporaryFailure(Exception):
    """The server or the network said "not now"."""


class _PermanentFailure(Exception):
    """The server refused this message for good (5xx)."""


def _clean(value: str) -> str:
    """A header value without control characters (no header injection through data)."""
    return " ".join("".join(ch if ch >= " " else " " for ch in (value or "")).split())


def _header(value: str) -> str:
    """A header value: as is when ASCII, else RFC 2047 encoded words (spaces kept)."""
    if value.isascii():
        return value
    return Header(value, UTF8, header_name="Subject").encode(linesep=CRLF)


def _address_header(name: str, address: str) -> str:
    """``Name <address>`` with the name quoted or encoded; refuses a malformed address."""
    # no spaces or control characters either: a line break would start a header of its own
    if (
        not address
        or any(c in ' <>,;"()\\' or ord(c) < 33 or ord(c) == 127 for c in address)
        or address.count("@") != 1
    ):
        raise ValueError(f"not a deliverable address: {address!r}")
    if not address.isascii():
        raise ValueError(f"not an ASCII address (SMTPUTF8 unsupported): {address!r}")
    if not name:
        return address
    if name.isascii():
        return formataddr((name, address))
    return formataddr((Header(name, UTF8).encode(linesep=CRLF), address))


def _message_id_domain() -> str:
    host = urlsplit(current_app.config.get("BASE_URL", "")).hostname
    return host or "localhost"


def _base64(data: bytes) -> str:
    """Base64 in lines of 76 characters (RFC 2045)."""
    encoded = base64.b64encode(data).decode("ascii")
    return CRLF.join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def _leaf(content_type: str, data: bytes, disposition: str = "") -> str:
    lines = [f"Content-Type: {content_type}", "Content-Transfer-Encoding: base64"]
    if disposition:
        lines.append(f"Content-Disposition: {disposition}")
    return CRLF.join(lines) + CRLF + CRLF + _base64(data)


def _multipart(subtype: str, parts: list[str]) -> str:
    # base64 bodies never contain "-" or "_": a boundary with them cannot collide
    boundary = f"=_clusgo-{uuid.uuid4().hex}"
    body = "".join(f"--{boundary}{CRLF}{part}{CRLF}" for part in parts)
    return (
        f'Content-Type: multipart/{subtype}; boundary="{boundary}"{CRLF}{CRLF}{body}--{boundary}--'
    )


def _filename(name: str) -> str:
    if name.isascii():
        return 'filename="{}"'.format(name.replace("\\", "_").replace('"', "_"))
    return "filename*=" + encode_rfc2231(name, "utf-8")


@lru_cache(maxsize=8)
def _from_header(sender: str) -> str:
    """The From header for MAIL_DEFAULT_SENDER (computed once)."""
    return _address_header(*parseaddr(_clean(sender)))


@lru_cache(maxsize=8)
def _envelope_sender(sender: str) -> str:
    return parseaddr(sender)[1]


def build_mime(message: OutboxMessage, sender: str, domain: str) -> tuple[bytes, str]:
    """The message as bytes (CRLF line ends, 7-bit) and its Message-ID.

    With a calendar object: multipart/mixed > multipart/alternative (text/plain, text/html,
    text/calendar with ``method=``) + the same object as the attachment ``invite.ics``
    (RFC 6047; the structure Google and Thunderbird send). Every body is base64.

    Written directly rather than with the ``email`` package: its generator re-encodes every
    header of every part through ``email.header.Header`` (most of the delivery's CPU time), and
    ``policy.SMTP``'s folding drops the space between two encoded words ("Brno, Győr" would
    arrive as "Brno,Győr"). The tests read every message back with the ``email`` package.
    """
    text_type = "text/{}; charset=UTF-8"
    parts = [_leaf(text_type.format("plain"), (message.body_text or "").encode("utf-8"))]
    if message.body_html:
        parts.append(_leaf(text_type.format("html"), message.body_html.encode("utf-8")))
    ics = message.calendar_ics.encode("utf-8") if message.calendar_ics else b""
    if ics:
        method = "".join(c for c in (message.calendar_method or "REQUEST") if c.isalpha())
        parts.append(
            _leaf(text_type.format("calendar") + f"; method={method.upper() or 'REQUEST'}", ics)
        )
    body = parts[0] if len(parts) == 1 else _multipart("alternative", parts)
    attachments = []
    if ics:
        attachments.append(
            _leaf('application/ics; name="invite.ics"', ics, 'attachment; filename="invite.ics"')
        )
    for item in message.attachments or []:
        content_type = _clean(item.get("content_type") or "application/octet-stream")
        if not re.fullmatch(r"[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+", content_type):
            content_type = "application/octet-stream"
        filename = _clean(item.get("filename") or "attachment")
        attachments.append(
            _leaf(
                content_type,
                base64.b64decode(item.get("data_b64") or ""),
                "attachment; " + _filename(filename),
            )
        )
    if attachments:
        body = _multipart("mixed", [body, *attachments])
    message_id = make_msgid(domain=domain)
    headers = [
        f"Subject: {_header(_clean(message.subject))}",
        f"From: {_from_header(sender)}",
        f"To: {_address_header(_clean(message.recipient_name), message.recipient.strip())}",
        f"Date: {format_datetime(utcnow(), usegmt=True)}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        "Auto-Submitted: auto-generated",
        "X-Auto-Response-Suppress: All",
    ]
    return (CRLF.join(headers) + CRLF + body + CRLF).encode("ascii"), message_id


class PreparedMessage(Message):
    """A Flask-Mail message whose MIME was built by :func:`build_mime`.

    Flask-Mail's own builder cannot put ``method=`` on the calendar part, and its constructor
    calls ``make_msgid()`` without a domain (a host-name look-up per message), so the
    constructor is replaced; sending still goes through Flask-Mail's ``Connection.send``.
    """

    def __init__(
        self, data: bytes, message_id: str, sender: str, recipient: str, subject: str
    ) -> None:
        self.data = data
        self.subject = subject
        self.sender = sender
        self.recipients = [recipient]
        self.cc = []
        self.bcc = []
        self.reply_to = None
        self.body = None
        self.alts = {}
        self.attachments = []
        self.charset = "utf-8"
        self.extra_headers = None
        self.date = time.time()
        self.msgId = message_id
        self.mail_options = []
        self.rcpt_options = []
        self.accepted = False

    @property
    def html(self) -> str | None:  # type: ignore[override]
        return None

    @html.setter
    def html(self, value: str | None) -> None:
        pass

    def as_bytes(self) -> bytes:
        return self.data


class DeliveryConnection(Connection):
    """Flask-Mail's connection, with a socket timeout (Flask-Mail sets none: a hung server
    would block the worker for ever)."""

    def __init__(self, state: Any, timeout: float) -> None:
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP | smtplib.SMTP_SSL:
        state = self.mail
        host: smtplib.SMTP | smtplib.SMTP_SSL
        if state.use_ssl:
            host = smtplib.SMTP_SSL(state.server, state.port, timeout=self.timeout)
        else:
            host = smtplib.SMTP(state.server, state.port, timeout=self.timeout)
        host.set_debuglevel(int(state.debug))
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host

    def open(self) -> None:
        self.num_emails = 0
        self.host = None if self.mail.suppress else self.configure_host()

    def close(self) -> None:
        """Say goodbye; a server that is already gone is fine."""
        host, self.host = self.host, None
        if host is None:
            return
        try:
            host.quit()
        except (smtplib.SMTPException, OSError):
            host.close()


def _mark_accepted(sender: Any, message: Message | None = None, **_: Any) -> None:
    if isinstance(message, PreparedMessage):
        message.accepted = True


def _classify(exc: BaseException) -> type[Exception]:
    """Temporary (retry later) or permanent (give up) for an SMTP-level error."""
    code: int | None = None
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in exc.recipients.values()]
        code = min(codes) if codes else None
    elif isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
    elif isinstance(exc, smtplib.SMTPNotSupportedError | UnicodeError | ValueError):
        return _PermanentFailure
    if code is not None and 500 <= code < 600:
        return _PermanentFailure
    return _TemporaryFailure


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def retry_delay(attempts: int) -> timedelta:
    """1 min, 2, 4, 8 ... capped at 6 hours, after ``attempts`` failed attempts."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_CAP)


def new_worker_id() -> str:
    """This process's name in ``locked_by``: host, pid and a random part."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _claimable(now: datetime, lock_timeout: float) -> Any:
    stale = now - timedelta(seconds=lock_timeout)
    return or_(
        and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.locked_at < stale),
    )


def claim_batch(size: int, worker: str, lock_timeout: float) -> list[OutboxMessage]:
    """Take up to ``size`` deliverable messages for ``worker`` and commit the claim."""
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
        .values(status="sending", locked_by=worker, locked_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    claimed = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.locked_by == worker, OutboxMessage.status == "sending")
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


def _mark_sent(message: OutboxMessage, worker: str, message_id: str) -> None:
    values = {
        "status": "sent",
        "sent_at": utcnow(),
        "message_id": message_id[:300],
        "attempts": message.attempts + 1,
        "last_error": "",
    }
    _finish_and_notify(message, worker, message_sent, values)


def _mark_temporary(message: OutboxMessage, worker: str, error: str) -> str:
    attempts = message.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _mark_failed(message, worker, f"gave up after {attempts} attempts; last: {error}")
        return "failed"
    _finish(
        message,
        worker,
        status="queued",
        attempts=attempts,
        next_attempt_at=utcnow() + retry_delay(attempts),
        last_error=error[:2000],
    )
    db.session.commit()
    return "retried"


def _mark_failed(message: OutboxMessage, worker: str, error: str) -> None:
    values = {"status": "failed", "attempts": message.attempts + 1, "last_error": error[:2000]}
    _finish_and_notify(message, worker, message_failed, values)


def _finish_and_notify(
    message: OutboxMessage, worker: str, signal: Any, values: dict[str, Any]
) -> None:
    """Store the outcome, let the receivers (invitation status ...) add to the same
    transaction, commit. A receiver that fails is logged and its work dropped: the message's
    own status is committed whatever happens."""
    if _finish(message, worker, **values):
        try:
            signal.send(message)
        except Exception:  # noqa: BLE001
            log.exception("receiver of %s failed for outbox message %s", signal.name, message.id)
            db.session.rollback()
            _finish(message, worker, **values)
    db.session.commit()


def _release(messages: Iterable[OutboxMessage], worker: str) -> int:
    """Give claimed, unattempted messages back to the queue as they were."""
    ids = [m.id for m in messages]
    if not ids:
        return 0
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.locked_by == worker)
        .values(status="queued", locked_by=None, locked_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return len(ids)


def _refresh_lock(messages: list[OutboxMessage], worker: str) -> list[OutboxMessage]:
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


def send_batch(
    messages: list[OutboxMessage],
    worker: str,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_message: Callable[[], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Send claimed ``messages`` over one SMTP connection; each outcome is committed at once."""
    report = DeliveryReport()
    if not messages:
        return report
    config = current_app.config
    state = current_app.extensions["mail"]
    sender = state.default_sender or config["MAIL_DEFAULT_SENDER"]
    domain = _message_id_domain()
    connection = DeliveryConnection(state, float(config.get("MAIL_TIMEOUT", 30)))
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        # nothing was sent: every message of the batch waits and tries again later
        error = f"cannot connect to {state.server}:{state.port}: {_describe(exc)}"
        report.connection_error = error
        for message in messages:
            outcome = _mark_temporary(message, worker, error)
            setattr(report, outcome, getattr(report, outcome) + 1)
        return report
    locked_at = time.monotonic()
    pending = list(messages)
    try:
        with email_dispatched.connected_to(_mark_accepted):
            while pending:
                if should_stop is not None and should_stop():
                    break
                if time.monotonic() - locked_at > lock_timeout / 3:
                    pending = _refresh_lock(pending, worker)
                    locked_at = time.monotonic()
                    if not pending:
                        break
                if connection.host is None and not state.suppress:
                    # the connection is gone and could not be reopened: the rest waits
                    report.connection_error = "connection to the SMTP server lost"
                    break
                message = pending.pop(0)
                outcome = _send_one(connection, message, worker, sender, domain)
                setattr(report, outcome, getattr(report, outcome) + 1)
                if on_message is not None:
                    on_message()
    finally:
        report.released += _release(pending, worker)
        connection.close()
    return report


def _prepare(message: OutboxMessage, sender: str, domain: str) -> PreparedMessage:
    """The Flask-Mail message with its bytes built."""
    data, message_id = build_mime(message, sender, domain)
    # bare addresses: they only make the envelope (MAIL FROM, RCPT TO); the headers are in data
    return PreparedMessage(
        data,
        message_id,
        _envelope_sender(sender),
        message.recipient.strip(),
        _clean(message.subject),
    )


def _send_one(
    connection: DeliveryConnection,
    message: OutboxMessage,
    worker: str,
    sender: str,
    domain: str,
) -> str:
    try:
        prepared = _prepare(message, sender, domain)
    except (ValueError, TypeError, IndexError, UnicodeError) as exc:
        _mark_failed(message, worker, f"cannot build the message: {exc}")
        return "failed"
    try:
        connection.send(prepared)
    except Exception as exc:  # noqa: BLE001  (any failure after acceptance must not resend)
        if prepared.accepted:
            _mark_sent(message, worker, prepared.msgId)
            connection.close()
            _reconnect(connection)
            return "sent"
        if _classify(exc) is _PermanentFailure:
            _mark_failed(message, worker, _describe(exc))
            outcome = "failed"
        else:
            outcome = _mark_temporary(message, worker, _describe(exc))
        # then make the connection usable for the next message
        broken = isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(
            exc, smtplib.SMTPException
        )
        if broken or getattr(connection.host, "sock", True) is None:
            connection.close()
            _reconnect(connection)
        else:
            _reset(connection)
        return outcome
    _mark_sent(message, worker, prepared.msgId)
    return "sent"


def _reconnect(connection: DeliveryConnection) -> None:
    try:
        connection.open()
    except (smtplib.SMTPException, OSError):
        connection.host = None


def _reset(connection: DeliveryConnection) -> None:
    """After a refused transaction, RSET so the next message starts clean."""
    if connection.host is None:
        return
    try:
        connection.host.rset()
    except (smtplib.SMTPException, OSError):
        connection.close()
        _reconnect(connection)


def _fast_commits() -> None:
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


def deliver(
    limit: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    worker: str | None = None,
    on_batch: Callable[[int], Any] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Deliver queued mail, batch after batch, until none is due or ``limit`` were handled.

    ``on_batch(n)`` may return a context manager with ``update(1)`` (a click progress bar).
    """
    worker = worker or new_worker_id()
    report = DeliveryReport()
    _fast_commits()
    while limit is None or report.total < limit:
        size = batch_size if limit is None else min(batch_size, limit - report.total)
        claimed = claim_batch(size, worker, lock_timeout)
        if not claimed:
            break
        if on_batch is not None:
            with on_batch(len(claimed)) as bar:
                batch = send_batch(
                    claimed, worker, lock_timeout, lambda: bar.update(1), should_stop
                )
        else:
            batch = send_batch(claimed, worker, lock_timeout, None, should_stop)
        report.add(batch)
        if batch.connection_error or (should_stop is not None and should_stop()):
            break
    return report

"""A real SMTP server (aiosmtpd) on a loopback port for the mail tests, and their test data
(through ``tests/factories.py``)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask

from clusgo_events.extensions import db, mail
from clusgo_events.models import Event, EventStatus, Respondent
from tests import factories


def free_port() -> int:
    """A loopback port nobody listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    mail_options: list[str] = field(default_factory=list)

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Behaviour:
    """How the server answers: refusals by recipient, a delay, dropping the connection."""

    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> "550 ..." / "451 ..."
    data_reply: str | None = None  # e.g. "554 5.7.1 rejected" for every DATA
    delay: float = 0.0  # seconds before answering DATA
    drop_on_data: set[str] = field(default_factory=set)  # recipients whose DATA drops the link
    smtputf8: bool = False  # offer SMTPUTF8 (RFC 6531): UTF-8 addresses


class CollectingHandler:
    """aiosmtpd handler that keeps every accepted message."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.received: list[Received] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        reply = self.behaviour.refuse_rcpt.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.behaviour.delay:
            await asyncio.sleep(self.behaviour.delay)
        if set(envelope.rcpt_tos) & self.behaviour.drop_on_data:
            server.transport.abort()
            return "421 closing"
        if self.behaviour.data_reply:
            return self.behaviour.data_reply
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    bytes(envelope.content),
                    list(envelope.mail_options),
                )
            )
        return "250 Message accepted"


class SMTPServer:
    """aiosmtpd on 127.0.0.1:<free port>; ``received`` holds what it accepted."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour or Behaviour()
        self.handler = CollectingHandler(self.behaviour)
        self.port = free_port()
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            enable_SMTPUTF8=self.behaviour.smtputf8,
        )

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received


def use_smtp(app: Flask, port: int) -> None:
    """Point the app's Flask-Mail at 127.0.0.1:port, really sending."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False)
    mail.init_app(app)  # Flask-Mail reads its settings once, at init_app


def running_smtp(app: Flask) -> Iterator[SMTPServer]:
    """A running SMTP server that the app sends to (wrap it in a fixture)."""
    server = SMTPServer().start()
    use_smtp(app, server.port)
    yield server
    server.stop()


def make_event(slug: str = "brno-2030", *, publish: bool = True, **kw: Any) -> Event:
    """A committed event by invitation only (published unless told), from ``tests/factories.py``:
    in a month for two days, registration closing five days before it."""
    values: dict[str, Any] = dict(
        title="V4ClusGo internationalisation event",
        address="Výstaviště 405/1, Brno",
        description="",
        starts_in_days=30,
        closes_in_days=25,
        allow_direct_signup=False,
        status=EventStatus.PUBLISHED if publish else EventStatus.DRAFT,
    )
    values.update(kw)
    event = factories.event(slug, **values)
    db.session.commit()
    return event


def make_respondent(email: str, **kw: Any) -> Respondent:
    """A committed respondent who consented and is interested in the event."""
    kw.setdefault("contact_name", "Jana Břusková")
    kw.setdefault("organisation_name", "")
    respondent = factories.respondent(email, **kw)
    db.session.commit()
    return respondent

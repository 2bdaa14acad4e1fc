"""A real SMTP server (aiosmtpd) on a loopback port for the mail tests, and test data."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask

from clusgo_events.extensions import db, mail
from clusgo_events.models import Event, Respondent
from clusgo_events.services.events import EventData, create_event, publish_event


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
    mail_reply: str | None = None  # e.g. "421 4.7.0 slow down" for every MAIL FROM


class CollectingHandler:
    """aiosmtpd handler that keeps every accepted message."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.received: list[Received] = []
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.behaviour.mail_reply:
            return self.behaviour.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

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


def make_event(slug: str = "brno-2030", **kw: Any) -> Event:
    values: dict[str, Any] = dict(
        title="V4ClusGo internationalisation event",
        slug=slug,
        venue="Brno Exhibition Centre",
        address="Výstaviště 405/1, Brno",
        starts_local=datetime(2030, 2, 15, 9, 0),
        ends_local=datetime(2030, 2, 16, 17, 0),
        registration_closes_local=datetime(2030, 2, 10, 23, 59),
    )
    publish = kw.pop("publish", True)
    values.update(kw)
    event = create_event(EventData(**values))
    if publish:
        publish_event(event)
    db.session.commit()
    return event


def make_respondent(email: str, **kw: Any) -> Respondent:
    values: dict[str, Any] = dict(
        email=email.lower(),
        contact_name="Jana Břusková",
        country="CZ",
        language=None,
        interested_in_event=True,
        interested_in_training=False,
        consent=True,
        raw_answers={},
    )
    values.update(kw)
    respondent = Respondent(**values)
    db.session.add(respondent)
    db.session.commit()
    return respondent

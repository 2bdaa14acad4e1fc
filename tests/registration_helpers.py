"""Helpers for the registration tests: events with sessions, attendees, a real HTTP server."""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from clusgo_events.extensions import db
from clusgo_events.models import Event, EventStatus, OutboxMessage, Respondent
from clusgo_events.services import registration as reg_service
from tests import factories


def make_event(
    slug: str = "brno-reg",
    capacity: int = 100,
    session_capacities: tuple[int, ...] = (2, 30),
    direct: bool = True,
    publish: bool = True,
) -> Event:
    """A committed event a month from now (published unless told), from ``tests/factories.py``,
    with one one-hour session per capacity given (10:00, 11:00 ... on its first day)."""
    event = factories.event(
        slug,
        title="V4ClusGo event " + slug,
        description="",
        address="Výstaviště 405/1, Brno",
        capacity=capacity,
        allow_direct_signup=direct,
        closes_in_days=None,
        status=EventStatus.PUBLISHED if publish else EventStatus.DRAFT,
    )
    for number, session_capacity in enumerate(session_capacities, start=1):
        factories.session(
            event,
            hour=9 + number,
            hours=1,
            title=f"Training {number}",
            room=f"Room {number}",
            capacity=session_capacity,
        )
    db.session.commit()
    return event


def attendee(email: str, country: str = "CZ", **kw: object) -> reg_service.Attendee:
    values: dict[str, object] = {
        "name": email.split("@")[0].title(),
        "email": email,
        "organisation_name": "Moravian Cluster",
        "country": country,
        "position": "Manager",
        "privacy_consent": True,
    }
    values.update(kw)
    return reg_service.Attendee(**values)  # type: ignore[arg-type]


def make_respondent(email: str, language: str = "hu", country: str = "HU") -> Respondent:
    """A respondent of a cluster organisation of their own."""
    org = factories.organisation("Pannon Cluster " + email, country=country)
    return factories.respondent(
        email,
        country=country,
        language=language,
        contact_name="Kovács Anna",
        organisation=org,
        organisation_name=org.name,
    )


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """The app served by werkzeug in a thread (one thread per request); yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


class Browser:
    """A tiny HTTP client with its own cookies (one per simulated person)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, path: str, data: dict | list | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")


def notices(notice: str | None = None) -> list[OutboxMessage]:
    """The registration notices queued (``notice``: confirmed, waitlisted, promoted,
    cancelled), whether a mail of their own or carried by a calendar invitation."""
    query = select(OutboxMessage).where(OutboxMessage.notice != "").order_by(OutboxMessage.id)
    if notice:
        query = query.where(OutboxMessage.notice == notice)
    return list(db.session.scalars(query))

"""Test data for attendance: events, sessions and registrations built straight from models."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from clusgo_events.extensions import db
from clusgo_events.models import Event, Registration, SessionSeat, TrainingSession, User

_counter = itertools.count(1)

NAMES = [
    ("Řehoř Dvořák", "Jihomoravský klastr", "CZ"),
    ("Győző Szőke-Fűzfa", "Pannon Mechatronikai Klaszter", "HU"),
    ("Ľubomír Ďurčo-Kráľ", "Žilinský automobilový klaster", "SK"),
    ("Michał Żąbkowski-Różycki", "Łódzki Klaster Tekstylny", "PL"),
]


def make_event(slug: str = "brno-2030", title: str = "V4ClusGo Brno") -> Event:
    start = datetime(2030, 2, 15, 8, 0, tzinfo=UTC)
    event = Event(
        slug=slug,
        title=title,
        venue="Brno Exhibition Centre",
        address="Výstaviště 1, Brno",
        timezone="Europe/Prague",
        starts_at=start,
        ends_at=start + timedelta(days=1),
        status="published",
    )
    db.session.add(event)
    db.session.flush()
    return event


def make_session(
    event: Event,
    trainers: list[User] | None = None,
    title: str = "Internationalisation strategy",
    hours_from_start: int = 1,
) -> TrainingSession:
    start = event.starts_at + timedelta(hours=hours_from_start)
    session = TrainingSession(
        event=event,
        title=title,
        room="Hall A",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=50,
    )
    session.trainers = list(trainers or [])
    db.session.add(session)
    db.session.flush()
    return session


def make_registration(
    event: Event,
    name: str,
    organisation: str = "",
    country: str | None = "CZ",
    status: str = "confirmed",
    sessions: list[TrainingSession] | None = None,
    seat_status: str = "confirmed",
    language: str = "en",
    code: str | None = None,
) -> Registration:
    n = next(_counter)
    user = User(
        email=f"rep{n}-{event.id}@example.org",
        name=name,
        password_hash="x",
        role="representative",
    )
    db.session.add(user)
    db.session.flush()
    registration = Registration(
        event=event,
        user=user,
        status=status,
        name=name,
        email=user.email,
        organisation_name=organisation,
        country=country,
        language=language,
        checkin_code=code or f"CODE{n:04d}X{event.id}",
    )
    db.session.add(registration)
    db.session.flush()
    for session in sessions or []:
        db.session.add(SessionSeat(registration=registration, session=session, status=seat_status))
    db.session.flush()
    return registration


def populate(event: Event, session: TrainingSession) -> list[Registration]:
    """The four participants with V4 diacritics, each with a confirmed seat in ``session``."""
    regs = [
        make_registration(event, name, org, country, sessions=[session])
        for name, org, country in NAMES
    ]
    db.session.commit()
    return regs


def allow_early_marking(client, session_id: int) -> None:  # type: ignore[no-untyped-def]
    """Confirm, as the roster asks once, marking a session that has not started yet."""
    response = client.post(f"/attendance/sessions/{session_id}/start-early")
    assert response.status_code == 302

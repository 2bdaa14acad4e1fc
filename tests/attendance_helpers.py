"""Test data for attendance: events, sessions and registrations from ``tests/factories.py``
with the V4 names and codes the attendance tests read."""

from __future__ import annotations

import itertools
from datetime import timedelta

from clusgo_events.extensions import db
from clusgo_events.models import Event, Registration, Role, TrainingSession, User
from tests import factories

_counter = itertools.count(1)

NAMES = [
    ("Řehoř Dvořák", "Jihomoravský klastr", "CZ"),
    ("Győző Szőke-Fűzfa", "Pannon Mechatronikai Klaszter", "HU"),
    ("Ľubomír Ďurčo-Kráľ", "Žilinský automobilový klaster", "SK"),
    ("Michał Żąbkowski-Różycki", "Łódzki Klaster Tekstylny", "PL"),
]


def make_event(slug: str = "brno-2030", title: str = "V4ClusGo Brno") -> Event:
    """A published event in Brno a month from now."""
    return factories.event(slug, title=title, address="Výstaviště 1, Brno")


def make_session(
    event: Event,
    trainers: list[User] | None = None,
    title: str = "Internationalisation strategy",
    hours_from_start: int = 1,
) -> TrainingSession:
    """A two-hour session ``hours_from_start`` hours after the event starts, 50 places."""
    return factories.session(
        event,
        title=title,
        room="Hall A",
        starts_at=event.starts_at + timedelta(hours=hours_from_start),
        capacity=50,
        trainers=trainers or [],
    )


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
    """``name`` registered (with an account of their own) and seated in ``sessions``."""
    n = next(_counter)
    account = factories.user(Role.REPRESENTATIVE, f"rep{n}-{event.id}@example.org", name=name)
    return factories.registration(
        event,
        account=account,
        status=status,
        sessions=sessions or [],
        seat_status=seat_status,
        name=name,
        organisation_name=organisation,
        country=country,
        language=language,
        checkin_code=code or f"CODE{n:04d}X{event.id}",
    )


def populate(event: Event, session: TrainingSession) -> list[Registration]:
    """The four participants with V4 diacritics, each with a confirmed seat in ``session``."""
    regs = [
        make_registration(event, name, org, country, sessions=[session])
        for name, org, country in NAMES
    ]
    db.session.commit()
    return regs

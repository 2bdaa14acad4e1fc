"""Test data and readers for the calendar tests: objects built with the models, and every
calendar text checked by three independent parsers."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import icalendar
import vobject
from ical.calendar_stream import IcsCalendarStream

from clusgo_events.extensions import db
from clusgo_events.models import Event, Registration, SessionSeat, TrainingSession, User
from clusgo_events.services.timeutil import local_to_utc

ZONE = "Europe/Prague"


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Prague as aware UTC."""
    return local_to_utc(datetime(year, month, day, hour, minute), ZONE)


def make_event(
    slug: str = "brno-2030",
    *,
    status: str = "published",
    title: str = "V4ClusGo internationalisation event",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    created_by: User | None = None,
    **values: object,
) -> Event:
    """A committed event: by default 30 March – 1 April 2030 in Brno (across the DST change)."""
    event = Event(
        slug=slug,
        title=title,
        description=values.pop("description", "Trainings on internationalisation strategy."),
        venue=values.pop("venue", "Brno Exhibition Centre"),
        address=values.pop("address", "Výstaviště 405/1, 603 00 Brno"),
        timezone=ZONE,
        starts_at=starts_at or local(2030, 3, 30, 9),
        ends_at=ends_at or local(2030, 4, 1, 17),
        status=status,
        sequence=0,
        created_by_id=created_by.id if created_by else None,
        **values,
    )
    db.session.add(event)
    db.session.commit()
    return event


def make_session(
    event: Event,
    title: str = "Internationalisation strategy, part 1",
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    trainers: list[User] | None = None,
    commit: bool = True,
    **values: object,
) -> TrainingSession:
    """A training session of ``event`` (Saturday 30 March 2030, 10:00–12:00 by default)."""
    session = TrainingSession(
        event=event,
        title=title,
        room=values.pop("room", "Pavilion A, room 2"),
        starts_at=starts_at or local(2030, 3, 30, 10),
        ends_at=ends_at or local(2030, 3, 30, 12),
        status=values.pop("status", "scheduled"),
        sequence=0,
        trainers=trainers or [],
        **values,
    )
    db.session.add(session)
    if commit:
        db.session.commit()
    return session


def make_registration(
    event: Event,
    user: User,
    *,
    status: str = "confirmed",
    language: str = "en",
    email: str | None = None,
    name: str | None = None,
    commit: bool = True,
) -> Registration:
    """A registration of ``user`` for ``event``."""
    registration = Registration(
        event=event,
        user=user,
        status=status,
        name=name if name is not None else user.name,
        email=email or user.email,
        language=language,
        checkin_code=secrets.token_hex(8),
    )
    db.session.add(registration)
    if commit:
        db.session.commit()
    return registration


def make_seat(
    registration: Registration,
    session: TrainingSession,
    *,
    status: str = "confirmed",
    commit: bool = True,
) -> SessionSeat:
    """A seat of ``registration`` in ``session``."""
    seat = SessionSeat(registration=registration, session=session, status=status)
    db.session.add(seat)
    if commit:
        db.session.commit()
    return seat


def parse_all(text: str) -> icalendar.Calendar:
    """Check ``text`` with icalendar (no errors), the strict ical package and vobject
    (validate=True); return the icalendar object."""
    assert "\r\n" in text
    assert "\n" not in text.replace("\r\n", ""), "a bare LF: every line must end with CRLF"
    calendar = icalendar.Calendar.from_ical(text)
    for component in calendar.walk():
        assert component.errors == [], (component.name, component.errors)
    strict = IcsCalendarStream.calendar_from_ics(text)
    assert len(strict.events) == len(calendar.walk("VEVENT"))
    vcal = vobject.readOne(text, validate=True)
    assert vcal.prodid.value
    return calendar


def physical_lines(text: str) -> list[bytes]:
    """The lines of ``text`` as octets, split at CRLF."""
    data = text.encode("utf-8")
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def at_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)

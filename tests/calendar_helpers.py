"""Test data and readers for the calendar tests: objects from ``tests/factories.py`` placed
across the next change to summer time, and every calendar text checked by three independent
parsers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import vobject
from ical.calendar_stream import IcsCalendarStream

from clusgo_events.extensions import db
from clusgo_events.models import Event, Registration, SessionSeat, TrainingSession, User
from clusgo_events.services.timeutil import local_to_utc, utc_to_local
from tests import factories
from tests.factories import local_day

ZONE = "Europe/Prague"


def spring_forward(zone: str = ZONE) -> date:
    """The next day, a fortnight or more from now, on which ``zone`` moves its clocks forward
    (in Europe a Sunday at the end of March): the calendar tests put events across it."""
    tz = ZoneInfo(zone)
    day = local_day(14, zone)
    for _ in range(400):
        before = datetime.combine(day, time(0), tz).utcoffset()
        after = datetime.combine(day + timedelta(days=1), time(0), tz).utcoffset()
        if before is not None and after is not None and after > before:
            return day
        day += timedelta(days=1)
    raise AssertionError(f"{zone} has no summer time")


def dst_weekend() -> tuple[date, date]:
    """The day before and the day after the next spring change (Saturday and Monday)."""
    change = spring_forward()
    return change - timedelta(days=1), change + timedelta(days=1)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at a wall-clock time in Prague, as aware UTC."""
    return local_to_utc(datetime.combine(day, time(hour, minute)), ZONE)


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
    """A committed event in Brno: by default Saturday 09:00 to Monday 17:00 across the next
    spring change to summer time (``dst_weekend``), with no registration deadline."""
    saturday, monday = dst_weekend()
    event = factories.event(
        slug,
        status=status,
        title=title,
        starts_in_days=(saturday - local_day(0)).days,
        days=(monday - saturday).days + 1,
        closes_in_days=None,
        created_by_id=created_by.id if created_by else None,
        **values,
    )
    event.starts_at = starts_at or event.starts_at
    event.ends_at = ends_at or event.ends_at
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
    """A training session of ``event`` (by default on the event's first day, 10:00–12:00)."""
    starts = starts_at or local(utc_to_local(event.starts_at, ZONE).date(), 10)
    ends = ends_at or starts + timedelta(hours=2)
    session = factories.session(
        event,
        title=title,
        room=values.pop("room", "Pavilion A, room 2"),
        starts_at=starts,
        hours=(ends - starts).total_seconds() / 3600,
        trainers=trainers or [],
        **values,
    )
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
    registration = factories.registration(
        event,
        account=user,
        status=status,
        language=language,
        name=name if name is not None else user.name,
        email=email or user.email,
    )
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
    seat = factories.seat(registration, session, status)
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

"""Events and training sessions: creation, changes, publication, cancellation, listing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Event, Organisation, TrainingSession, User
from ..models.base import utcnow
from ..signals import event_cancelled, event_changed, session_cancelled, session_changed
from . import ServiceError, ValidationErrors
from .timeutil import get_zone, local_to_utc, utc_to_local

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# changes a calendar must see raise the iCal SEQUENCE
EVENT_CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "venue", "address", "status")
SESSION_CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "room", "status")


@dataclass
class EventData:
    """What an organiser enters for an event; times are wall-clock times in ``timezone``."""

    title: str
    slug: str
    starts_local: datetime
    ends_local: datetime
    timezone: str = "Europe/Prague"
    description: str = ""
    venue: str = ""
    address: str = ""
    capacity: int = 100
    registration_opens_local: datetime | None = None
    registration_closes_local: datetime | None = None
    host_organisation_id: int | None = None
    allow_direct_signup: bool = False
    target_countries: list[str] = field(default_factory=lambda: ["CZ", "HU", "SK", "PL"])


@dataclass
class SessionData:
    """What an organiser enters for a training session (times in the event's zone)."""

    title: str
    starts_local: datetime
    ends_local: datetime
    description: str = ""
    room: str = ""
    capacity: int = 30
    trainer_ids: list[int] = field(default_factory=list)


def _check_length(errors: dict[str, str], name: str, value: str, limit: int) -> None:
    if len(value or "") > limit:
        errors[name] = f"At most {limit} characters (this has {len(value)})."


def _validate_event(data: EventData, event: Event | None) -> dict[str, object]:
    """Check ``data``; return the column values to store, or raise ``ValidationErrors``."""
    errors: dict[str, str] = {}
    title = (data.title or "").strip()
    slug = (data.slug or "").strip().lower()
    if not title:
        errors["title"] = "A title is required."
    _check_length(errors, "title", title, 200)
    _check_length(errors, "venue", data.venue, 200)
    _check_length(errors, "address", data.address, 300)
    _check_length(errors, "description", data.description, 20000)
    if not SLUG_RE.match(slug):
        errors["slug"] = "Use lower-case letters, digits and single dashes, e.g. brno-2017."
    elif len(slug) > 80:
        errors["slug"] = "At most 80 characters."
    else:
        clash = db.session.scalar(select(Event.id).where(Event.slug == slug))
        if clash is not None and (event is None or clash != event.id):
            errors["slug"] = f"Another event already uses the address {slug!r}."
    try:
        get_zone(data.timezone)
    except ValueError:
        errors["timezone"] = f"Unknown time zone {data.timezone!r}."
    if data.capacity is None or data.capacity < 0:
        errors["capacity"] = "The capacity cannot be negative."
    if data.starts_local is None:
        errors["starts_local"] = "A start is required."
    if data.ends_local is None:
        errors["ends_local"] = "An end is required."
    countries = [c.strip().upper() for c in data.target_countries if c.strip()]
    if not countries:
        errors["target_countries"] = "Choose at least one country."
    if (
        data.host_organisation_id
        and db.session.get(Organisation, data.host_organisation_id) is None
    ):
        errors["host_organisation_id"] = "Unknown organisation."
    if errors:
        raise ValidationErrors(errors)
    zone = data.timezone
    values: dict[str, object] = {
        "title": title,
        "slug": slug,
        "description": data.description or "",
        "venue": (data.venue or "").strip(),
        "address": (data.address or "").strip(),
        "timezone": zone,
        "starts_at": local_to_utc(data.starts_local, zone),
        "ends_at": local_to_utc(data.ends_local, zone),
        "capacity": data.capacity,
        "registration_opens_at": (
            local_to_utc(data.registration_opens_local, zone)
            if data.registration_opens_local
            else None
        ),
        "registration_closes_at": (
            local_to_utc(data.registration_closes_local, zone)
            if data.registration_closes_local
            else None
        ),
        "host_organisation_id": data.host_organisation_id or None,
        "allow_direct_signup": bool(data.allow_direct_signup),
        "target_countries": ",".join(countries),
    }
    if values["ends_at"] <= values["starts_at"]:  # type: ignore[operator]
        errors["ends_local"] = "The end must come after the start."
    opens, closes = values["registration_opens_at"], values["registration_closes_at"]
    if opens and closes and closes <= opens:  # type: ignore[operator]
        errors["registration_closes_local"] = "Registration must close after it opens."
    if closes and closes > values["ends_at"]:  # type: ignore[operator]
        errors["registration_closes_local"] = "Registration cannot close after the event ends."
    if event is not None and data.capacity < event.confirmed_count:
        errors["capacity"] = (
            f"{event.confirmed_count} people are confirmed; the capacity cannot be lower."
        )
    if event is not None:
        _check_sessions_still_fit(event, values, errors)
    if errors:
        raise ValidationErrors(errors)
    return values


def _check_sessions_still_fit(event: Event, values: dict[str, object], errors: dict) -> None:
    zone = str(values["timezone"])
    first = utc_to_local(values["starts_at"], zone).date()  # type: ignore[arg-type]
    last = utc_to_local(values["ends_at"], zone).date()  # type: ignore[arg-type]
    for session in event.sessions:
        if session.status == "cancelled":
            continue
        if (
            utc_to_local(session.starts_at, zone).date() < first
            or utc_to_local(session.ends_at, zone).date() > last
        ):
            errors["starts_local"] = (
                f"The session {session.title!r} would fall outside the event's days; move it first."
            )
            return


def create_event(data: EventData, created_by: User | None = None) -> Event:
    """Create a draft event."""
    values = _validate_event(data, None)
    event = Event(status="draft", sequence=0, created_by_id=created_by.id if created_by else None)
    for key, value in values.items():
        setattr(event, key, value)
    db.session.add(event)
    db.session.flush()
    return event


def update_event(event: Event, data: EventData) -> bool:
    """Apply ``data``; returns True when a change calendars must see was made (SEQUENCE rose)."""
    if event.status == "cancelled":
        raise ServiceError("A cancelled event cannot be changed.")
    values = _validate_event(data, event)
    calendar_changed = any(
        getattr(event, name) != values[name] for name in EVENT_CALENDAR_FIELDS if name in values
    )
    for key, value in values.items():
        setattr(event, key, value)
    if calendar_changed:
        event.sequence += 1
    db.session.flush()
    if calendar_changed:
        event_changed.send(event)
    return calendar_changed


def publish_event(event: Event) -> None:
    """Make a draft visible to everyone."""
    if event.status == "cancelled":
        raise ServiceError("A cancelled event cannot be published.")
    if event.status == "published":
        raise ServiceError("The event is already published.")
    event.status = "published"
    db.session.flush()


def cancel_event(event: Event) -> None:
    """Cancel the event (and with it every session); calendars see the change."""
    if event.status == "cancelled":
        raise ServiceError("The event is already cancelled.")
    event.status = "cancelled"
    event.sequence += 1
    for session in event.sessions:
        if session.status != "cancelled":
            session.status = "cancelled"
            session.sequence += 1
    db.session.flush()
    event_cancelled.send(event)


def _validate_session(
    event: Event, data: SessionData, session: TrainingSession | None
) -> dict[str, object]:
    errors: dict[str, str] = {}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = "A title is required."
    _check_length(errors, "title", title, 200)
    _check_length(errors, "room", data.room, 120)
    _check_length(errors, "description", data.description, 20000)
    if data.capacity is None or data.capacity < 0:
        errors["capacity"] = "The capacity cannot be negative."
    if (
        session is not None
        and data.capacity is not None
        and data.capacity < session.confirmed_count
    ):
        errors["capacity"] = (
            f"{session.confirmed_count} people hold a seat; the capacity cannot be lower."
        )
    if data.starts_local is None:
        errors["starts_local"] = "A start is required."
    if data.ends_local is None:
        errors["ends_local"] = "An end is required."
    trainers: list[User] = []
    if data.trainer_ids:
        trainers = list(db.session.scalars(select(User).where(User.id.in_(data.trainer_ids))))
        if len(trainers) != len(set(data.trainer_ids)) or any(
            t.role not in ("trainer", "organiser", "admin") for t in trainers
        ):
            errors["trainer_ids"] = "Choose trainers from the list."
    if errors:
        raise ValidationErrors(errors)
    starts = local_to_utc(data.starts_local, event.timezone)
    ends = local_to_utc(data.ends_local, event.timezone)
    if ends <= starts:
        errors["ends_local"] = "The end must come after the start."
    first = utc_to_local(event.starts_at, event.timezone).date()
    last = utc_to_local(event.ends_at, event.timezone).date()
    if data.starts_local.date() < first or data.starts_local.date() > last:
        errors["starts_local"] = f"The session must take place between {first} and {last}."
    if data.ends_local.date() > last or data.ends_local.date() < first:
        errors["ends_local"] = f"The session must end by {last}."
    if errors:
        raise ValidationErrors(errors)
    return {
        "title": title,
        "description": data.description or "",
        "room": (data.room or "").strip(),
        "starts_at": starts,
        "ends_at": ends,
        "capacity": data.capacity,
        "trainers": trainers,
    }


def add_session(event: Event, data: SessionData) -> TrainingSession:
    """Add a training session to ``event``."""
    if event.status == "cancelled":
        raise ServiceError("A cancelled event cannot get new sessions.")
    values = _validate_session(event, data, None)
    session = TrainingSession(event=event, status="scheduled", sequence=0)
    for key, value in values.items():
        setattr(session, key, value)
    db.session.add(session)
    db.session.flush()
    return session


def update_session(session: TrainingSession, data: SessionData) -> bool:
    """Apply ``data``; returns True when calendars must see the change (SEQUENCE rose)."""
    if session.status == "cancelled":
        raise ServiceError("A cancelled session cannot be changed.")
    values = _validate_session(session.event, data, session)
    calendar_changed = any(
        getattr(session, name) != values[name] for name in SESSION_CALENDAR_FIELDS if name in values
    )
    for key, value in values.items():
        setattr(session, key, value)
    if calendar_changed:
        session.sequence += 1
    db.session.flush()
    if calendar_changed:
        session_changed.send(session)
    return calendar_changed


def cancel_session(session: TrainingSession) -> None:
    """Cancel one training session."""
    if session.status == "cancelled":
        raise ServiceError("The session is already cancelled.")
    session.status = "cancelled"
    session.sequence += 1
    db.session.flush()
    session_cancelled.send(session)


def list_events(include_drafts: bool = False) -> tuple[list[Event], list[Event]]:
    """Upcoming events (soonest first) and past events (latest first).

    One query for the events (host joined in), one for their sessions; split in Python.
    """
    now = utcnow()
    query = _LIST_ALL if include_drafts else _LIST_PUBLIC
    upcoming: list[Event] = []
    past: list[Event] = []
    for event in db.session.scalars(query):
        (upcoming if event.ends_at >= now else past).append(event)
    past.reverse()
    return upcoming, past


def get_event(slug: str, include_drafts: bool = False) -> Event | None:
    """The event at ``slug`` with its sessions and trainers loaded; drafts only when asked."""
    event = db.session.execute(_EVENT_BY_SLUG, {"slug": slug}).unique().scalar_one_or_none()
    if event is None or (event.status == "draft" and not include_drafts):
        return None
    return event


# Built once: SQLAlchemy memoises a statement's cache key on the object, so a module-level
# statement with a bound parameter skips building the query and its loader options per request.
_LIST_ALL = (
    select(Event)
    .options(joinedload(Event.host_organisation), selectinload(Event.sessions))
    .order_by(Event.starts_at, Event.id)
)
_LIST_PUBLIC = _LIST_ALL.where(Event.status != "draft")
# the whole page in one query: the host (many-to-one), the sessions and their trainers joined
# (a few rows per session); three round trips and two selectin loaders cost more than the join
_EVENT_BY_SLUG = (
    select(Event)
    .where(Event.slug == bindparam("slug"))
    .options(
        joinedload(Event.host_organisation),
        joinedload(Event.sessions).joinedload(TrainingSession.trainers),
    )
)


def get_session(event: Event, session_id: int) -> TrainingSession | None:
    """The session ``session_id`` of ``event`` (None for another event's session)."""
    session = db.session.get(TrainingSession, session_id)
    if session is None or session.event_id != event.id:
        return None
    return session


def trainer_choices() -> list[User]:
    """Accounts that can teach a session."""
    return list(db.session.scalars(select(User).where(User.role == "trainer").order_by(User.name)))


def organisation_choices() -> list[Organisation]:
    """Organisations that can host an event."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def count_events() -> int:
    """How many events exist."""
    return db.session.scalar(select(func.count(Event.id))) or 0

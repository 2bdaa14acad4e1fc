"""Reading events: the public list, one event's page, the forms' choice lists."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from ...collation import collated
from ...extensions import db
from ...models import Event, Organisation, TrainingSession, User
from ...models.base import utcnow
from ...models.enums import EventStatus, Role


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
    if event is None or (event.status == EventStatus.DRAFT and not include_drafts):
        return None
    return event


# Built once: SQLAlchemy memoises a statement's cache key on the object, so a module-level
# statement with a bound parameter skips building the query and its loader options per request.
_LIST_ALL = (
    select(Event)
    .options(joinedload(Event.host_organisation), selectinload(Event.sessions))
    .order_by(Event.starts_at, Event.id)
)
_LIST_PUBLIC = _LIST_ALL.where(Event.status != EventStatus.DRAFT)
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
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.TRAINER).order_by(collated(User.name))
        )
    )


def organisation_choices() -> list[Organisation]:
    """Organisations that can host an event."""
    return list(db.session.scalars(select(Organisation).order_by(collated(Organisation.name))))


def count_events() -> int:
    """How many events exist."""
    return db.session.scalar(select(func.count(Event.id))) or 0

"""Training sessions: adding, the edit form, cancellation (under the event's lock)."""

from __future__ import annotations

from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Event, TrainingSession, User
from ...models.enums import EventStatus, Role, SessionStatus
from ...signals import session_cancelled, session_changed
from .. import ServiceError, ValidationErrors, audit
from ..transactions import lock_event, reload
from ..versions import check_fresh
from .checks import (
    Edit,
    SessionData,
    apply_edit,
    check_capacity,
    check_length,
    local_day,
    to_utc,
)
from .texts import check_texts, store_texts

SESSION_CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "room", "status")
TRAINER_ROLES = (Role.TRAINER, Role.ORGANISER, Role.ADMIN)


def _validate_session(
    event: Event, data: SessionData, session: TrainingSession | None
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = _l("A title is required.")
    check_length(errors, "title", title, TrainingSession.title)
    check_length(errors, "room", data.room, TrainingSession.room)
    check_length(errors, "description", data.description, TrainingSession.description)
    check_capacity(errors, data.capacity, session.confirmed_count if session is not None else 0)
    texts = check_texts(errors, TrainingSession, data.translations, event.main_language or "en")
    trainers: list[User] = []
    if data.trainer_ids:
        trainers = list(db.session.scalars(select(User).where(User.id.in_(data.trainer_ids))))
        if len(trainers) != len(set(data.trainer_ids)) or any(
            t.role not in TRAINER_ROLES for t in trainers
        ):
            errors["trainer_ids"] = _l("Choose trainers from the list.")
    starts = to_utc(errors, "starts_local", data.starts_local, event.timezone)
    ends = to_utc(errors, "ends_local", data.ends_local, event.timezone)
    if errors:
        raise ValidationErrors(errors)
    if ends <= starts:
        errors["ends_local"] = _l("The end must come after the start.")
    first = local_day(event.starts_at, event.timezone)
    last = local_day(event.ends_at, event.timezone)
    if not first <= data.starts_local.date() <= last:
        errors["starts_local"] = _l(
            "The session must take place between %(first)s and %(last)s.",
            first=format_date(first),
            last=format_date(last),
        )
    if not first <= data.ends_local.date() <= last:
        errors["ends_local"] = _l("The session must end by %(last)s.", last=format_date(last))
    if errors:
        raise ValidationErrors(errors)
    return {
        "title": title,
        "description": data.description or "",
        "room": (data.room or "").strip(),
        "starts_at": starts,
        "ends_at": ends,
        "capacity": int(data.capacity),
        "trainers": trainers,
        "texts": texts,
    }


def add_session(event: Event, data: SessionData) -> TrainingSession:
    """Add a training session to ``event``."""
    event = lock_event(event.id)
    if event.status == EventStatus.CANCELLED:
        raise ServiceError(_l("A cancelled event cannot get new sessions."))
    values = _validate_session(event, data, None)
    texts = values.pop("texts")
    session = TrainingSession(event=event, status=SessionStatus.SCHEDULED, sequence=0)
    for key, value in values.items():
        setattr(session, key, value)
    store_texts(session, texts)
    db.session.add(session)
    db.session.flush()
    audit.record("session.create", session)
    return session


def edit_session(session: TrainingSession, data: SessionData) -> Edit:
    """Apply the session form's ``data`` under the event's lock (the capacity through places)."""
    lock_event(session.event_id)
    session = reload(session)
    if session.status == SessionStatus.CANCELLED:
        raise ServiceError(_l("A cancelled session cannot be changed."))
    values = _validate_session(session.event, data, session)
    texts = values.pop("texts")
    edit = apply_edit(session, values, SESSION_CALENDAR_FIELDS)
    store_texts(session, texts)
    if edit.calendar_changed:
        session_changed.send(session)
    audit.record("session.update", session, {"calendar_changed": edit.calendar_changed})
    return edit


def update_session(session: TrainingSession, data: SessionData) -> bool:
    """Apply ``data``; returns True when calendars must see the change (SEQUENCE rose)."""
    return edit_session(session, data).calendar_changed


def cancel_session(session: TrainingSession, *, seen: str | None = None) -> None:
    """Cancel one training session; from now on nobody moves up from its waiting list."""
    lock_event(session.event_id)
    session = reload(session)
    check_fresh(session, seen)
    if session.status == SessionStatus.CANCELLED:
        raise ServiceError(_l("The session is already cancelled."))
    session.status = SessionStatus.CANCELLED
    session.sequence += 1
    db.session.flush()
    session_cancelled.send(session)
    audit.record("session.cancel", session)

"""Marking attendance: one record per person and session, who marked it, when and how.

A mark names a line of the session's roster: a confirmed seat holder (by registration id) or
one of the session's walk-ins (by record id). Anything else (an id that does not exist, a
registration of another event or session, a cancelled or waiting one) gets one and the same
refusal, :class:`UnknownParticipant`, that names nobody: the mark endpoint must not tell a
trainer who is behind an id they do not teach.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import (
    AttendanceMethod,
    AttendanceRecord,
    AttendanceStatus,
    Registration,
    SessionSeat,
    TrainingSession,
    User,
)
from ...models.base import utcnow
from .. import ServiceError, audit
from .access import require_change
from .roster import ATTENDED, seated

#: the largest id an INTEGER column holds (PostgreSQL refuses a larger number outright)
MAX_ID = 2**31 - 1


class UnknownParticipant(ServiceError):
    """The id is not a line of this session's roster (whatever it is, it is not said)."""

    def __init__(self) -> None:
        super().__init__(_l("No such participant in this session."))


def _on_roster(registration_id: int, session: TrainingSession) -> Registration | None:
    """The registration, if it holds a confirmed seat (and is confirmed) in ``session``."""
    if not 0 < registration_id <= MAX_ID:
        return None
    return db.session.scalar(
        select(Registration)
        .join(SessionSeat, SessionSeat.registration_id == Registration.id)
        .where(Registration.id == registration_id, seated(session.id))
    )


def _walk_in(record_id: int, session: TrainingSession) -> AttendanceRecord | None:
    """The session's record ``record_id``, if it is one of its walk-ins."""
    if not 0 < record_id <= MAX_ID:
        return None
    record = db.session.get(AttendanceRecord, record_id)
    if record is None or record.session_id != session.id or not record.is_walk_in:
        return None
    return record


def find_record(session: TrainingSession, registration: Registration) -> AttendanceRecord | None:
    """The record of ``registration`` at ``session``, if marked."""
    return db.session.scalar(
        select(AttendanceRecord).where(
            AttendanceRecord.session_id == session.id,
            AttendanceRecord.registration_id == registration.id,
        )
    )


def _record_for(session: TrainingSession, registration: Registration) -> AttendanceRecord:
    """The one record per (session, registration): found, or created under a savepoint."""
    record = AttendanceRecord(
        session_id=session.id,
        registration_id=registration.id,
        is_walk_in=False,
        name=registration.name,
        organisation_name=registration.organisation_name or "",
        country=registration.country,
        email=registration.email,
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:  # another device marked the same person at the same moment
        found = find_record(session, registration)
        if found is None:
            raise
        return found
    return record


def _apply(
    session: TrainingSession,
    record: AttendanceRecord,
    status: AttendanceStatus,
    by: User,
    method: AttendanceMethod,
    *,
    before: str | None,
) -> None:
    record.status = status
    record.method = method
    record.marked_by_id = by.id
    record.marked_at = utcnow()
    if status in ATTENDED:
        if record.checked_in_at is None:
            record.checked_in_at = record.marked_at
    else:
        record.checked_in_at = None
    if session.attendance_closed_at is not None:
        audit.record(
            "attendance.change_after_close",
            record,
            {
                "session_id": session.id,
                "registration_id": record.registration_id,
                "name": record.name,
                "from": before,
                "to": status.value,
                "method": method.value,
            },
            actor=by,
        )
    db.session.flush()


def _choice(enum: type[AttendanceStatus] | type[AttendanceMethod], value: str, field: str):  # type: ignore[no-untyped-def]
    try:
        return enum(value)
    except ValueError:
        raise ServiceError(_l("Choose one of the offered values."), field) from None


def mark(
    session: TrainingSession,
    *,
    status: str,
    by: User,
    registration: Registration | None = None,
    record: AttendanceRecord | None = None,
    method: str = AttendanceMethod.MANUAL,
) -> AttendanceRecord:
    """Mark a participant on the roster (or an existing record, e.g. a walk-in) at ``session``."""
    status = _choice(AttendanceStatus, status, "status")
    method = _choice(AttendanceMethod, method, "method")
    require_change(by, session)
    if record is not None:
        if record.session_id != session.id:
            raise UnknownParticipant()
        before: str | None = record.status
    elif registration is not None:
        if _on_roster(registration.id, session) is None:
            raise UnknownParticipant()
        record = find_record(session, registration)
        before = record.status if record is not None else None
        record = record or _record_for(session, registration)
    else:
        raise UnknownParticipant()
    _apply(session, record, status, by, method, before=before)
    return record


def mark_line(session: TrainingSession, key: str, status: str, by: User) -> AttendanceRecord:
    """Mark the roster line ``key`` (``r<registration id>`` or ``w<walk-in record id>``).

    Every key that is not a line of this session's roster gets :class:`UnknownParticipant`,
    and only after the user has been found allowed to change the session: a stranger learns
    nothing, and nothing changes.
    """
    require_change(by, session)
    kind, digits = key[:1], key[1:]
    if kind not in ("r", "w") or not digits.isdigit() or len(digits) > 12:
        raise UnknownParticipant()
    if kind == "r":
        registration = _on_roster(int(digits), session)
        if registration is None:
            raise UnknownParticipant()
        return mark(session, status=status, by=by, registration=registration)
    record = _walk_in(int(digits), session)
    if record is None:
        raise UnknownParticipant()
    return mark(session, status=status, by=by, record=record)

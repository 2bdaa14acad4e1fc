"""Attendance at training sessions: rosters, marks, QR check-in, walk-ins, closing.

Who may change a session's attendance: its trainers and organisers (admins pass every role
check) while it is open; once a session is closed, organisers only, and each such change
goes into the audit trail. Every mark keeps who marked it, when, and how (manual, QR, walk-in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import (
    ATTENDANCE_METHODS,
    ATTENDANCE_STATUSES,
    AttendanceRecord,
    Registration,
    SessionSeat,
    TrainingSession,
    User,
    session_trainers,
)
from ..models.base import utcnow
from . import ServiceError, ValidationErrors, audit
from .timeutil import format_local

ATTENDED = ("present", "late")


@dataclass(frozen=True)
class RosterEntry:
    """One line of a session's roster: a confirmed seat or a walk-in."""

    registration_id: int | None
    record_id: int | None
    name: str
    organisation: str
    country: str
    email: str
    status: str | None
    method: str | None
    checked_in_at: datetime | None
    is_walk_in: bool

    @property
    def key(self) -> str:
        """A stable identifier for the page (``r<registration>`` or ``w<record>``)."""
        return f"r{self.registration_id}" if self.registration_id else f"w{self.record_id}"


@dataclass(frozen=True)
class CheckInResult:
    """What a check-in did; ``already`` when the person had been checked in before."""

    record: AttendanceRecord
    registration: Registration
    already: bool
    message: str


# --- permissions -------------------------------------------------------------------------


def is_trainer_of(user: User, session: TrainingSession) -> bool:
    """True when ``user`` is one of the session's trainers."""
    return any(t.id == user.id for t in session.trainers)


def can_view(user: User, session: TrainingSession) -> bool:
    """Organisers and admins see every session; a trainer sees their own."""
    return user.is_authenticated and (user.has_role("organiser") or is_trainer_of(user, session))


def can_change(user: User, session: TrainingSession) -> bool:
    """While open: the session's trainers and organisers; once closed: organisers only."""
    if session.attendance_closed_at is not None:
        return user.has_role("organiser")
    return can_view(user, session)


def _require_change(user: User, session: TrainingSession) -> None:
    if not can_view(user, session):
        raise ServiceError("You are not a trainer of this session.")
    if not can_change(user, session):
        raise ServiceError("Attendance of this session is closed; only an organiser can change it.")
    if session.status == "cancelled":
        raise ServiceError("This session was cancelled.")


def sessions_for(user: User) -> list[TrainingSession]:
    """The sessions whose attendance ``user`` takes: their own; organisers see all."""
    from sqlalchemy.orm import selectinload

    query = (
        select(TrainingSession)
        .options(selectinload(TrainingSession.event), selectinload(TrainingSession.trainers))
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )
    if not user.has_role("organiser"):
        query = query.join(
            session_trainers, session_trainers.c.session_id == TrainingSession.id
        ).where(session_trainers.c.user_id == user.id)
    return list(db.session.scalars(query))


# --- the roster --------------------------------------------------------------------------


def roster_query(session_id: int):  # type: ignore[no-untyped-def]
    """Confirmed seats of a session with their mark (if any), by name; plain rows."""
    return (
        select(
            Registration.id,
            AttendanceRecord.id,
            Registration.name,
            Registration.organisation_name,
            Registration.country,
            Registration.email,
            AttendanceRecord.status,
            AttendanceRecord.method,
            AttendanceRecord.checked_in_at,
        )
        .join(SessionSeat, SessionSeat.registration_id == Registration.id)
        .outerjoin(
            AttendanceRecord,
            and_(
                AttendanceRecord.session_id == SessionSeat.session_id,
                AttendanceRecord.registration_id == Registration.id,
            ),
        )
        .where(
            SessionSeat.session_id == session_id,
            SessionSeat.status == "confirmed",
            Registration.status == "confirmed",
        )
        .order_by(Registration.name, Registration.id)
    )


def walk_in_query(session_id: int):  # type: ignore[no-untyped-def]
    """A session's walk-ins, in the same column order as :func:`roster_query`."""
    return (
        select(
            AttendanceRecord.registration_id,
            AttendanceRecord.id,
            AttendanceRecord.name,
            AttendanceRecord.organisation_name,
            AttendanceRecord.country,
            AttendanceRecord.email,
            AttendanceRecord.status,
            AttendanceRecord.method,
            AttendanceRecord.checked_in_at,
        )
        .where(
            AttendanceRecord.session_id == session_id,
            AttendanceRecord.is_walk_in.is_(True),
        )
        .order_by(AttendanceRecord.name, AttendanceRecord.id)
    )


def roster(session: TrainingSession) -> list[RosterEntry]:
    """Confirmed participants (by name), then walk-ins; two queries whatever the size."""
    entries = [
        RosterEntry(*row[:3], row[3] or "", row[4] or "", row[5] or "", *row[6:], False)
        for row in db.session.execute(roster_query(session.id))
    ]
    entries += [
        RosterEntry(*row[:3], row[3] or "", row[4] or "", row[5] or "", *row[6:], True)
        for row in db.session.execute(walk_in_query(session.id))
    ]
    return entries


def roster_entry(session: TrainingSession, record: AttendanceRecord) -> RosterEntry:
    """The roster line of one record (for a JSON answer)."""
    reg = record.registration
    return RosterEntry(
        registration_id=record.registration_id,
        record_id=record.id,
        name=reg.name if reg else record.name,
        organisation=(reg.organisation_name if reg else record.organisation_name) or "",
        country=(reg.country if reg else record.country) or "",
        email=(reg.email if reg else record.email) or "",
        status=record.status,
        method=record.method,
        checked_in_at=record.checked_in_at,
        is_walk_in=record.is_walk_in,
    )


# --- marking -----------------------------------------------------------------------------


def _has_confirmed_seat(registration: Registration, session: TrainingSession) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    SessionSeat.registration_id == registration.id,
                    SessionSeat.session_id == session.id,
                    SessionSeat.status == "confirmed",
                )
            )
        )
    )


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
    record = find_record(session, registration)
    if record is not None:
        return record
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
    status: str,
    by: User,
    method: str,
    *,
    created: bool,
) -> None:
    before = None if created else record.status
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
                "to": status,
                "method": method,
            },
            actor=by,
        )
    db.session.flush()


def mark(
    session: TrainingSession,
    *,
    status: str,
    by: User,
    registration: Registration | None = None,
    record: AttendanceRecord | None = None,
    method: str = "manual",
) -> AttendanceRecord:
    """Mark a registered participant (or an existing record, e.g. a walk-in) at ``session``."""
    if status not in ATTENDANCE_STATUSES:
        raise ServiceError(f"Unknown status {status!r}.", "status")
    if method not in ATTENDANCE_METHODS:
        raise ServiceError(f"Unknown method {method!r}.", "method")
    _require_change(by, session)
    if record is not None:
        if record.session_id != session.id:
            raise ServiceError("This record belongs to another session.")
        created = False
    elif registration is not None:
        if registration.event_id != session.event_id:
            raise ServiceError("This participant is registered for another event.")
        if registration.status != "confirmed":
            raise ServiceError(f"The registration of {registration.name} is {registration.status}.")
        if not _has_confirmed_seat(registration, session):
            raise ServiceError(f"{registration.name} has no confirmed seat in this session.")
        existing = find_record(session, registration)
        created = existing is None
        record = existing or _record_for(session, registration)
    else:
        raise ServiceError("Nobody to mark.")
    _apply(session, record, status, by, method, created=created)
    return record


# --- check-in by code --------------------------------------------------------------------

_CODE_RE = re.compile(r"[A-Za-z0-9_-]{4,32}")


def normalise_code(text: str) -> str:
    """The check-in code in what a scanner or a person gave: a bare code or a link holding it."""
    text = (text or "").strip()
    if "://" in text or text.startswith("/"):
        parts = urlsplit(text)
        query = parse_qs(parts.query)
        for name in ("code", "checkin", "c"):
            if query.get(name):
                return query[name][0].strip()
        segments = [s for s in parts.path.split("/") if s]
        return segments[-1] if segments else ""
    return text.replace(" ", "")


def check_in(session: TrainingSession, code: str, by: User, method: str = "qr") -> CheckInResult:
    """Check someone in by their code; every refusal says why."""
    _require_change(by, session)
    code = normalise_code(code)
    if not code or not _CODE_RE.fullmatch(code):
        raise ServiceError("That is not a check-in code.", "code")
    registration = None
    for candidate in dict.fromkeys((code, code.upper(), code.lower())):
        registration = db.session.scalar(
            select(Registration).where(Registration.checkin_code == candidate)
        )
        if registration is not None:
            break
    if registration is None:
        raise ServiceError("No registration has this code.", "code")
    if registration.event_id != session.event_id:
        raise ServiceError(
            f"This code belongs to another event ({registration.event.title}).", "code"
        )
    if registration.status == "cancelled":
        raise ServiceError(f"The registration of {registration.name} was cancelled.", "code")
    if registration.status != "confirmed":
        raise ServiceError(
            f"{registration.name} is on the waiting list, not confirmed for the event.", "code"
        )
    seat = db.session.scalar(
        select(SessionSeat).where(
            SessionSeat.registration_id == registration.id, SessionSeat.session_id == session.id
        )
    )
    if seat is None or seat.status == "cancelled":
        raise ServiceError(f"{registration.name} has no seat in this session.", "code")
    if seat.status != "confirmed":
        raise ServiceError(
            f"{registration.name} is on this session's waiting list, not confirmed.", "code"
        )
    record = find_record(session, registration)
    if record is not None and record.status in ATTENDED:
        when = format_local(record.checked_in_at, session.event.timezone, "%H:%M")
        return CheckInResult(
            record, registration, True, f"{registration.name} was already checked in at {when}."
        )
    record = mark(session, status="present", by=by, registration=registration, method=method)
    return CheckInResult(record, registration, False, f"{registration.name} checked in.")


# --- walk-ins ----------------------------------------------------------------------------


@dataclass
class WalkInData:
    """What a trainer types for someone who came without registering."""

    name: str
    organisation: str = ""
    country: str = ""
    email: str = ""


def add_walk_in(
    session: TrainingSession, data: WalkInData, by: User, status: str = "present"
) -> AttendanceRecord:
    """Record a walk-in: counted as attendance, flagged ``is_walk_in``, method ``walk-in``."""
    _require_change(by, session)
    errors: dict[str, str] = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = "Enter the participant's name."
    elif len(name) > 200:
        errors["name"] = "At most 200 characters."
    organisation = " ".join((data.organisation or "").split())
    if len(organisation) > 300:
        errors["organisation"] = "At most 300 characters."
    country = (data.country or "").strip().upper()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        errors["country"] = "Use the two-letter country code, e.g. CZ."
    email = (data.email or "").strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = "Enter a valid e-mail address."
    if status not in ATTENDED:
        errors["status"] = "A walk-in is present or late."
    if errors:
        raise ValidationErrors(errors)
    now = utcnow()
    record = AttendanceRecord(
        session_id=session.id,
        registration_id=None,
        is_walk_in=True,
        name=name,
        organisation_name=organisation,
        country=country or None,
        email=email,
        status=status,
        method="walk-in",
        checked_in_at=now,
        marked_by_id=by.id,
        marked_at=now,
    )
    db.session.add(record)
    db.session.flush()
    if session.attendance_closed_at is not None:
        audit.record(
            "attendance.walk_in_after_close",
            record,
            {"session_id": session.id, "name": name},
            actor=by,
        )
    return record


# --- closing -----------------------------------------------------------------------------


def close(session: TrainingSession, by: User) -> None:
    """Close the session's attendance; from now on only organisers change it."""
    if not can_view(by, session):
        raise ServiceError("You are not a trainer of this session.")
    if session.attendance_closed_at is not None:
        raise ServiceError("Attendance of this session is already closed.")
    session.attendance_closed_at = utcnow()
    session.attendance_closed_by_id = by.id
    audit.record("attendance.close", session, {"session_id": session.id}, actor=by)
    db.session.flush()


def reopen(session: TrainingSession, by: User) -> None:
    """Open a closed session's attendance again (organisers only)."""
    if not by.has_role("organiser"):
        raise ServiceError("Only an organiser can reopen attendance.")
    if session.attendance_closed_at is None:
        raise ServiceError("Attendance of this session is open.")
    session.attendance_closed_at = None
    session.attendance_closed_by_id = None
    audit.record("attendance.reopen", session, {"session_id": session.id}, actor=by)
    db.session.flush()

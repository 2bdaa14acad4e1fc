"""Check-in by a participant's code: scanned from their QR code, or typed in.

The code holder presented it, so the answers name them ("Jana Nováková has no seat in this
session"): that tells the trainer what to say at the door. A code of another event names
neither the person nor the event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import (
    AttendanceMethod,
    AttendanceRecord,
    AttendanceStatus,
    Registration,
    RegistrationStatus,
    SeatStatus,
    SessionSeat,
    TrainingSession,
    User,
)
from .. import ServiceError
from ..timeutil import utc_to_local
from .access import require_change
from .marking import find_record, mark
from .roster import ATTENDED

_CODE_RE = re.compile(r"[A-Za-z0-9_-]{4,32}")


@dataclass(frozen=True)
class CheckInResult:
    """What a check-in did; ``already`` when the person had been checked in before."""

    record: AttendanceRecord
    registration: Registration
    already: bool
    message: str


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


def _registration_with(code: str) -> Registration | None:
    """The registration whose code is ``code`` as typed, in capitals or in small letters."""
    for candidate in dict.fromkeys((code, code.upper(), code.lower())):
        registration = db.session.scalar(
            select(Registration).where(Registration.checkin_code == candidate)
        )
        if registration is not None:
            return registration
    return None


def _refuse_unless_seated(registration: Registration, session: TrainingSession) -> None:
    """Say why ``registration`` cannot be checked in to ``session``, if it cannot."""
    name = registration.name
    if registration.event_id != session.event_id:
        raise ServiceError(_l("This code belongs to another event."), "code")
    if registration.status == RegistrationStatus.CANCELLED:
        raise ServiceError(_l("The registration of %(name)s was cancelled.", name=name), "code")
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ServiceError(
            _l("%(name)s is on the waiting list, not confirmed for the event.", name=name), "code"
        )
    seat = db.session.scalar(
        select(SessionSeat).where(
            SessionSeat.registration_id == registration.id, SessionSeat.session_id == session.id
        )
    )
    if seat is None or seat.status == SeatStatus.CANCELLED:
        raise ServiceError(_l("%(name)s has no seat in this session.", name=name), "code")
    if seat.status != SeatStatus.CONFIRMED:
        raise ServiceError(
            _l("%(name)s is on this session's waiting list, not confirmed.", name=name), "code"
        )


def check_in(
    session: TrainingSession, code: str, by: User, method: str = AttendanceMethod.QR
) -> CheckInResult:
    """Check someone in by their code; every refusal says why."""
    require_change(by, session)
    code = normalise_code(code)
    if not code or not _CODE_RE.fullmatch(code):
        raise ServiceError(_l("That is not a check-in code."), "code")
    registration = _registration_with(code)
    if registration is None:
        raise ServiceError(_l("No registration has this code."), "code")
    _refuse_unless_seated(registration, session)
    name = registration.name
    record = find_record(session, registration)
    if record is not None and record.status in ATTENDED and record.checked_in_at is not None:
        when = utc_to_local(record.checked_in_at, session.event.timezone)
        message = _l(
            "%(name)s was already checked in at %(time)s.",
            name=name,
            time=format_time(when, "short", rebase=False),
        )
        return CheckInResult(record, registration, True, str(message))
    record = mark(
        session, status=AttendanceStatus.PRESENT, by=by, registration=registration, method=method
    )
    return CheckInResult(record, registration, False, str(_l("%(name)s checked in.", name=name)))

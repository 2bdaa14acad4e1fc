"""Walk-ins: people who came to a session without registering.

A walk-in counts as attendance (present or late), is flagged ``is_walk_in`` and marked with
the method ``walk-in``; every walk-in goes into the audit trail, since it adds a person's data
that no registration brought.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import AttendanceMethod, AttendanceRecord, AttendanceStatus, TrainingSession, User
from ...models.base import max_length, utcnow
from .. import ValidationErrors, audit
from .access import require_change
from .roster import ATTENDED


@dataclass
class WalkInData:
    """What a trainer types for someone who came without registering."""

    name: str
    organisation: str = ""
    country: str = ""
    email: str = ""


def _too_long(limit: int):  # type: ignore[no-untyped-def]
    return _l("At most %(n)s characters.", n=limit)


def _cleaned(data: WalkInData, status: str) -> tuple[WalkInData, AttendanceStatus]:
    """The walk-in's fields tidied and checked; every problem at once, beside its field."""
    errors: dict[str, object] = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = _l("Enter the participant's name.")
    elif len(name) > (limit := max_length(AttendanceRecord.name)):
        errors["name"] = _too_long(limit)
    organisation = " ".join((data.organisation or "").split())
    if len(organisation) > (limit := max_length(AttendanceRecord.organisation_name)):
        errors["organisation"] = _too_long(limit)
    country = (data.country or "").strip().upper()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        errors["country"] = _l("Use the two-letter country code, e.g. CZ.")
    email = (data.email or "").strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = _l("Enter a valid e-mail address.")
        else:
            if len(email) > (limit := max_length(AttendanceRecord.email)):
                errors["email"] = _too_long(limit)
    arrived = AttendanceStatus(status) if status in ATTENDED else None
    if arrived is None:
        errors["status"] = _l("A walk-in is present or late.")
    if errors:
        raise ValidationErrors(errors)
    assert arrived is not None
    return WalkInData(name, organisation, country, email), arrived


def add_walk_in(
    session: TrainingSession, data: WalkInData, by: User, status: str = AttendanceStatus.PRESENT
) -> AttendanceRecord:
    """Record a walk-in: counted as attendance, flagged ``is_walk_in``, method ``walk-in``."""
    require_change(by, session)
    person, arrived = _cleaned(data, status)
    now = utcnow()
    record = AttendanceRecord(
        session_id=session.id,
        registration_id=None,
        is_walk_in=True,
        name=person.name,
        organisation_name=person.organisation,
        country=person.country or None,
        email=person.email,
        status=arrived,
        method=AttendanceMethod.WALK_IN,
        checked_in_at=now,
        marked_by_id=by.id,
        marked_at=now,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        "attendance.walk_in",
        record,
        {
            "session_id": session.id,
            "name": person.name,
            "status": arrived.value,
            "after_close": session.attendance_closed_at is not None,
        },
        actor=by,
    )
    return record

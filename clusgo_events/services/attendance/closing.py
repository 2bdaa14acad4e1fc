"""Closing a session's attendance, and opening it again.

Closing hands the list over to the organisers: from then on only they change it, and each
change is audited (:mod:`.marking`). Both steps write their own audit entry.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Role, TrainingSession, User
from ...models.base import utcnow
from .. import ServiceError, audit
from .access import require_view


def close(session: TrainingSession, by: User) -> None:
    """Close the session's attendance; from now on only organisers change it."""
    require_view(by, session)
    if session.attendance_closed_at is not None:
        raise ServiceError(_l("Attendance of this session is already closed."))
    session.attendance_closed_at = utcnow()
    session.attendance_closed_by_id = by.id
    audit.record("attendance.close", session, {"session_id": session.id}, actor=by)
    db.session.flush()


def reopen(session: TrainingSession, by: User) -> None:
    """Open a closed session's attendance again (organisers only)."""
    if not by.has_role(Role.ORGANISER):
        raise ServiceError(_l("Only an organiser can reopen attendance."))
    if session.attendance_closed_at is None:
        raise ServiceError(_l("Attendance of this session is open."))
    session.attendance_closed_at = None
    session.attendance_closed_by_id = None
    audit.record("attendance.reopen", session, {"session_id": session.id}, actor=by)
    db.session.flush()

"""Who may see and change a session's attendance.

Organisers and admins see every session; a trainer sees their own. While a session is open
its trainers and organisers change its attendance; once it is closed, organisers only (each
such change goes into the audit trail, see :mod:`.marking`). A cancelled session takes no
marks at all.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Role, SessionStatus, TrainingSession, User, session_trainers
from ...models.base import utcnow
from .. import ServiceError


def is_trainer_of(user: User, session: TrainingSession) -> bool:
    """True when ``user`` is one of the session's trainers."""
    return any(t.id == user.id for t in session.trainers)


def can_view(user: User, session: TrainingSession) -> bool:
    """Organisers and admins see every session; a trainer sees their own."""
    return user.is_authenticated and (user.has_role(Role.ORGANISER) or is_trainer_of(user, session))


def can_change(user: User, session: TrainingSession) -> bool:
    """While open: the session's trainers and organisers; once closed: organisers only."""
    if session.attendance_closed_at is not None:
        return user.has_role(Role.ORGANISER)
    return can_view(user, session)


def require_view(user: User, session: TrainingSession) -> None:
    """Refuse anyone who may not see the session's roster."""
    if not can_view(user, session):
        raise ServiceError(_l("You are not a trainer of this session."))


def require_change(user: User, session: TrainingSession) -> None:
    """Refuse a change of the session's attendance by ``user`` now, saying why."""
    require_view(user, session)
    if not can_change(user, session):
        raise ServiceError(
            _l("Attendance of this session is closed; only an organiser can change it.")
        )
    if session.status == SessionStatus.CANCELLED:
        raise ServiceError(_l("This session was cancelled."))


def sessions_for(user: User) -> list[TrainingSession]:
    """The sessions whose attendance ``user`` takes (their own; organisers see all): the
    coming and running ones first, soonest first, then the past ones, latest first."""
    query = (
        select(TrainingSession)
        .options(selectinload(TrainingSession.event), selectinload(TrainingSession.trainers))
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )
    if not user.has_role(Role.ORGANISER):
        query = query.join(
            session_trainers, session_trainers.c.session_id == TrainingSession.id
        ).where(session_trainers.c.user_id == user.id)
    sessions = list(db.session.scalars(query))
    now = utcnow()
    upcoming = [s for s in sessions if s.ends_at >= now]
    past = [s for s in sessions if s.ends_at < now]
    return upcoming + past[::-1]  # what comes next first, then the latest past


def marking_is_early(session: TrainingSession) -> bool:
    """True before the session starts: marking then asks once (the roster's notice)."""
    return session.starts_at > utcnow()

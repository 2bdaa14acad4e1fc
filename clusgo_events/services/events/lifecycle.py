"""An event's and a session's life after publication: reinstating what was cancelled,
deleting a draft, duplicating an event as a new draft; and what each destructive step will
do (the consequences its confirmation page names, computed here from the same rules).

A cancellation writes what it cancelled into its audit entry (``previous`` status and the
``sessions`` cancelled with the event), so reinstating restores exactly that and no more.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, func, select

from ...extensions import db
from ...models import AuditEntry, Event, Invitation, Registration, SessionSeat, TrainingSession
from ...models.base import new_uid, utcnow
from ...models.enums import EventStatus, RegistrationStatus, SeatStatus, SessionStatus
from ...signals import event_changed, session_changed
from .. import ServiceError, ValidationErrors, audit
from ..timeutil import local_to_utc, utc_to_local
from ..transactions import lock_event, reload
from ..versions import check_fresh
from .changes import SLUG_RE


def _count(statement) -> int:  # type: ignore[no-untyped-def]
    return int(db.session.scalar(statement) or 0)


def _registrations(event: Event, status: str) -> int:
    return _count(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.status == status
        )
    )


def _seats(session: TrainingSession, status: str) -> int:
    return _count(
        select(func.count(SessionSeat.id))
        .join(Registration, Registration.id == SessionSeat.registration_id)
        .where(
            SessionSeat.session_id == session.id,
            SessionSeat.status == status,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )


def _told(count: int) -> str:
    if not current_app.config["CALENDAR_MAIL"] or count == 0:
        return _("Nobody is told by e-mail: no confirmed participant has a calendar entry.")
    return ngettext(
        "%(num)d participant will be told by e-mail.",
        "%(num)d participants will be told by e-mail.",
        count,
    )


def has_started(item: Event | TrainingSession) -> bool:
    """True once ``item``'s start has passed: from then on it cannot be reinstated."""
    return item.starts_at <= utcnow()


# --- what a step will do ---------------------------------------------------------------------


def cancel_event_consequences(event: Event) -> list[str]:
    """What cancelling ``event`` does, with the real counts."""
    lines = [_told(_registrations(event, RegistrationStatus.CONFIRMED))]
    waiting = _registrations(event, RegistrationStatus.WAITLISTED)
    if waiting:
        lines.append(
            ngettext(
                "%(num)d person on the waiting list will no longer move up.",
                "%(num)d people on the waiting list will no longer move up.",
                waiting,
            )
        )
    sessions = sum(1 for s in event.sessions if s.status != SessionStatus.CANCELLED)
    if sessions:
        lines.append(
            ngettext(
                "%(num)d training session is cancelled with it.",
                "%(num)d training sessions are cancelled with it.",
                sessions,
            )
        )
    return lines


def cancel_session_consequences(session: TrainingSession) -> list[str]:
    """What cancelling one training session does."""
    lines = [_told(_seats(session, SeatStatus.CONFIRMED))]
    waiting = _seats(session, SeatStatus.WAITLISTED)
    if waiting:
        lines.append(
            ngettext(
                "%(num)d person on the session's waiting list will no longer move up.",
                "%(num)d people on the session's waiting list will no longer move up.",
                waiting,
            )
        )
    return lines


def reinstate_consequences(item: Event | TrainingSession) -> list[str]:
    """What reinstating a cancelled event or session does."""
    if isinstance(item, Event):
        lines = [_told(_registrations(item, RegistrationStatus.CONFIRMED))]
        sessions = len(_cancelled_with(item))
        if sessions:
            lines.append(
                ngettext(
                    "%(num)d training session cancelled with the event takes place again.",
                    "%(num)d training sessions cancelled with the event take place again.",
                    sessions,
                )
            )
        return lines
    return [_told(_seats(item, SeatStatus.CONFIRMED))]


def delete_consequences(event: Event) -> list[str]:
    """What deleting a draft does."""
    invitations = _count(select(func.count(Invitation.id)).where(Invitation.event_id == event.id))
    lines = [
        ngettext(
            "The event and its %(num)d training session are deleted.",
            "The event and its %(num)d training sessions are deleted.",
            len(event.sessions),
        )
    ]
    if invitations:
        lines.append(
            ngettext(
                "%(num)d invitation is deleted; its link stops working.",
                "%(num)d invitations are deleted; their links stop working.",
                invitations,
            )
        )
    return lines


# --- the steps -------------------------------------------------------------------------------


def _last_cancel(event: Event) -> AuditEntry | None:
    return db.session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.action == "event.cancel",
            AuditEntry.object_type == "Event",
            AuditEntry.object_id == event.id,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


def _cancelled_with(event: Event) -> list[TrainingSession]:
    entry = _last_cancel(event)
    ids = set((entry.details or {}).get("sessions", [])) if entry is not None else set()
    return [s for s in event.sessions if s.id in ids and s.status == SessionStatus.CANCELLED]


def reinstate_event(event: Event, *, seen: str | None = None) -> list[TrainingSession]:
    """Undo an event's cancellation before it starts: its status before, the sessions that
    were cancelled with it; SEQUENCE rises, so calendars get a new REQUEST."""
    event = lock_event(event.id)
    check_fresh(event, seen)
    if event.status != EventStatus.CANCELLED:
        raise ServiceError(_l("Only a cancelled event can be reinstated."))
    if has_started(event):
        raise ServiceError(_l("The event has started: it can no longer be reinstated."))
    entry = _last_cancel(event)
    previous = (entry.details or {}).get("previous") if entry is not None else None
    event.status = EventStatus.DRAFT if previous == EventStatus.DRAFT else EventStatus.PUBLISHED
    event.sequence += 1
    sessions = _cancelled_with(event)
    for session in sessions:
        session.status = SessionStatus.SCHEDULED
        session.sequence += 1
    db.session.flush()
    event_changed.send(event)
    audit.record("event.reinstate", event, {"sessions": [s.id for s in sessions]})
    return sessions


def reinstate_session(session: TrainingSession, *, seen: str | None = None) -> None:
    """Undo a session's cancellation before it starts (its event must not be cancelled)."""
    lock_event(session.event_id)
    session = reload(session)
    check_fresh(session, seen)
    if session.status != SessionStatus.CANCELLED:
        raise ServiceError(_l("Only a cancelled session can be reinstated."))
    if session.event.status == EventStatus.CANCELLED:
        raise ServiceError(_l("Reinstate the event first: it is cancelled."))
    if has_started(session):
        raise ServiceError(_l("The session has started: it can no longer be reinstated."))
    session.status = SessionStatus.SCHEDULED
    session.sequence += 1
    db.session.flush()
    session_changed.send(session)
    audit.record("session.reinstate", session)


def can_delete(event: Event) -> bool:
    """A draft, or a cancelled event nobody ever registered for, can be deleted."""
    if event.status == EventStatus.PUBLISHED:
        return False
    return not _count(select(func.count(Registration.id)).where(Registration.event_id == event.id))


def delete_event(event: Event, *, seen: str | None = None) -> None:
    """Delete a draft (or a cancelled event without registrations) with its sessions and
    invitations; its audit entries stay, filed under its id."""
    event = lock_event(event.id)
    check_fresh(event, seen)
    if not can_delete(event):
        raise ServiceError(
            _l("Only a draft without registrations can be deleted; cancel a published event.")
        )
    audit.record(
        "event.delete",
        event,
        {"title": event.title, "slug": event.slug, "sessions": len(event.sessions)},
    )
    db.session.execute(delete(Invitation).where(Invitation.event_id == event.id))
    db.session.delete(event)
    db.session.flush()


def _shift(moment: datetime, zone: str, days: int) -> datetime:
    """``moment`` moved by ``days`` calendar days, keeping its wall-clock time in ``zone``."""
    local = utc_to_local(moment, zone).replace(tzinfo=None)
    return local_to_utc(local + timedelta(days=days), zone)


def duplicate_event(event: Event, starts_on: date | None, slug: str) -> Event:
    """A new draft like ``event`` starting on ``starts_on`` (the event's zone): its sessions
    keep their offsets from the start; new UIDs; no registrations or invitations."""
    slug = (slug or "").strip().lower()
    errors = {}
    if starts_on is None:
        errors["starts_on"] = _l("Give the new start date.")
    if not SLUG_RE.match(slug):
        errors["slug"] = _l("Use lower-case letters, digits and single dashes, e.g. brno-2017.")
    elif db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        errors["slug"] = _l("Another event already uses the address “%(slug)s”.", slug=slug)
    if errors:
        raise ValidationErrors(errors)
    assert starts_on is not None
    zone = event.timezone
    days = (starts_on - utc_to_local(event.starts_at, zone).date()).days
    copy = Event(
        slug=slug,
        uid=new_uid(),
        status=EventStatus.DRAFT,
        sequence=0,
        confirmed_count=0,
        created_by_id=audit.current_actor()[0].id if audit.current_actor()[0] else None,
    )
    for name in (
        "main_language", "title", "description", "venue", "address", "timezone", "capacity",
        "host_organisation_id", "target_countries", "invite_interest", "allow_direct_signup",
    ):  # fmt: skip
        setattr(copy, name, getattr(event, name))
    copy.texts = {k: dict(v) for k, v in (event.texts or {}).items()}
    copy.starts_at = _shift(event.starts_at, zone, days)
    copy.ends_at = _shift(event.ends_at, zone, days)
    for name in ("registration_opens_at", "registration_closes_at"):
        value = getattr(event, name)
        setattr(copy, name, _shift(value, zone, days) if value else None)
    db.session.add(copy)
    for session in event.sessions:
        if session.status == SessionStatus.CANCELLED:
            continue
        db.session.add(
            TrainingSession(
                event=copy,
                uid=new_uid(),
                title=session.title,
                description=session.description,
                texts={k: dict(v) for k, v in (session.texts or {}).items()},
                room=session.room,
                starts_at=_shift(session.starts_at, zone, days),
                ends_at=_shift(session.ends_at, zone, days),
                capacity=session.capacity,
                confirmed_count=0,
                status=SessionStatus.SCHEDULED,
                sequence=0,
                trainers=list(session.trainers),
            )
        )
    db.session.flush()
    audit.record("event.duplicate", copy, {"from": event.id, "from_slug": event.slug})
    return copy

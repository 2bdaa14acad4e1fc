"""Reminders to the invitees who have not answered, at most once per interval.

A reminder cannot repeat the old link (only the token's hash is stored): it draws a fresh
token and replaces the hash, so the newest e-mail's link works and older links stop working
(a forwarded old mail cannot answer for the invitee).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Event, Invitation, Respondent
from ...models.base import utcnow
from ...models.enums import InvitationStatus
from .. import ServiceError, audit
from ..outbox import keys
from ..sender import Sender, senders_of
from ..tokens import new_token
from ..transactions import lock_event
from .eligibility import contactable
from .sending import SendResult, check_can_invite, queue_mail

DEFAULT_REMINDER_INTERVAL = timedelta(days=7)


def reminder_candidates(event: Event, interval: timedelta = DEFAULT_REMINDER_INTERVAL) -> Any:
    """Invitations delivered, unanswered, unexpired, last contacted at least ``interval`` ago."""
    now = utcnow()
    last_contact = func.coalesce(Invitation.last_reminder_at, Invitation.sent_at)
    return (
        select(Invitation)
        .join(Respondent, Respondent.id == Invitation.respondent_id)
        .where(
            Invitation.event_id == event.id,
            contactable(),
            Invitation.status == InvitationStatus.SENT,
            ~Invitation.lapsed(now),
            last_contact <= now - interval,
        )
    )


def remind(invitation: Invitation, senders: Callable[[str | None], Sender] | None = None) -> bool:
    """Queue the next reminder of ``invitation`` with a fresh link (the old one stops
    working); False when a concurrent run reminded it first."""
    raw, token_hash = new_token()
    number = invitation.reminders_sent + 1
    # a compare-and-set on the counter: two concurrent runs cannot both remind
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.reminders_sent == number - 1)
        .values(reminders_sent=number, last_reminder_at=utcnow(), token_hash=token_hash)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    db.session.refresh(invitation)
    queue_mail(invitation, raw, "reminder", keys.reminder(invitation, number), senders)
    return True


def send_reminders(
    event: Event,
    interval: timedelta = DEFAULT_REMINDER_INTERVAL,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SendResult:
    """Remind the invitees who have not answered, at most once per ``interval``."""
    if interval < timedelta(hours=1):
        raise ServiceError(_l("Remind at most once an hour."), "interval")
    check_can_invite(event)
    if not dry_run:
        event = lock_event(event.id)
    invitations = list(
        db.session.scalars(
            reminder_candidates(event, interval)
            .options(joinedload(Invitation.respondent), joinedload(Invitation.event))
            .order_by(Invitation.id)
        )
    )
    result = SendResult(dry_run=dry_run)
    senders = senders_of(event)
    for invitation in invitations:
        country = invitation.respondent.country or "?"
        result.per_country[country] = result.per_country.get(country, 0) + 1
        if dry_run:
            result.queued += 1
            continue
        if not remind(invitation, senders):
            continue
        result.queued += 1
        if progress is not None:
            progress(1)
    if not dry_run:
        audit.record("invitations.remind", event, {"queued": result.queued})
    return result

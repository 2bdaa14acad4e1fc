"""The Outbox page's actions: send a failed message again, cancel a queued one, send every
failed message of an event again.

Each action has a *plan* (what would happen, computed without changing anything) that the
confirmation step shows, and the action itself, which follows the same plan and writes its
audit entry. A message goes again as the same row (same idempotency key), so it can never be
queued twice; to the respondent's current address when it was corrected since. A message whose
text was dropped (``OUTBOX_FAILED_BODY_DAYS``, or a cancelled one) is written again from its
source where there is one (an invitation or reminder: with a new link, the old one stops
working); any other such message says why it cannot go again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select, update

from ...extensions import db
from ...models import Event, Invitation, OutboxKind, OutboxMessage, OutboxStatus, Respondent, User
from ...models.base import utcnow
from ...models.enums import InvitationStatus
from .. import ServiceError, audit
from .claims import NO_BODIES
from .listing import may_see, visible

#: kinds whose text can be written again from their invitation
FROM_INVITATION = {
    OutboxKind.INVITATION: "invitation",
    OutboxKind.INVITATION_REMINDER: "reminder",
}
RESENDABLE = (OutboxStatus.FAILED, OutboxStatus.CANCELLED)


@dataclass
class ResendPlan:
    """What sending ``message`` again would do; ``refusal`` says why it cannot."""

    message: OutboxMessage
    new_recipient: str | None = None
    rerender: bool = False
    refusal: str = ""

    @property
    def ok(self) -> bool:
        return not self.refusal


def _check_visible(user: User | None, message: OutboxMessage) -> None:
    if not may_see(user, message):
        raise ServiceError(_l("You cannot change this message."))


def plan_resend(message: OutboxMessage) -> ResendPlan:
    """What a resend of ``message`` would do (nothing changes)."""
    plan = ResendPlan(message)
    if message.status not in RESENDABLE:
        plan.refusal = str(_l("Only a failed or cancelled message can be sent again."))
        return plan
    respondent = (
        db.session.get(Respondent, message.respondent_id) if message.respondent_id else None
    )
    if respondent is not None and respondent.email.lower() != message.recipient.lower():
        plan.new_recipient = respondent.email
    if message.purged_at is None:
        return plan
    template = FROM_INVITATION.get(OutboxKind(message.kind))
    invitation = (
        db.session.get(Invitation, message.invitation_id) if message.invitation_id else None
    )
    if template is None or invitation is None:
        plan.refusal = str(
            _l(
                "Its text was dropped (it held personal links) and cannot be written again: "
                "send a new message from where this one came from."
            )
        )
        return plan
    from ..invitations import USABLE, check_can_invite, standing

    try:
        check_can_invite(invitation.event)
    except ServiceError as exc:
        plan.refusal = str(exc.message)
        return plan
    if standing(invitation) not in USABLE:
        plan.refusal = str(_l("The invitation can no longer be answered (answered or expired)."))
        return plan
    plan.rerender = True
    return plan


def _rerender(message: OutboxMessage) -> dict[str, Any]:
    """New bodies for an invitation or reminder message (a new link: the old one stops)."""
    from ..invitations.sending import rerender_mail
    from ..privacy.unsubscribe import headers_for

    invitation = db.session.get(Invitation, message.invitation_id)
    subject, text, html = rerender_mail(invitation, FROM_INVITATION[OutboxKind(message.kind)])
    return {
        "subject": subject,
        "body_text": text,
        "body_html": html,
        "headers": headers_for(invitation.respondent),  # dropped with the bodies
        "purged_at": None,
    }


def _move_invitation(
    message: OutboxMessage, before: InvitationStatus, after: InvitationStatus
) -> None:
    """An invitation's own message went again (failed -> queued) or was cancelled (queued
    -> failed): its invitation shows it."""
    if message.invitation_id is None or message.kind != OutboxKind.INVITATION:
        return
    db.session.execute(
        update(Invitation)
        .where(Invitation.id == message.invitation_id, Invitation.status == before)
        .values(status=after, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _requeue(plan: ResendPlan) -> None:
    message = plan.message
    values: dict[str, Any] = {
        "status": OutboxStatus.QUEUED,
        "attempts": 0,
        "next_attempt_at": utcnow(),
        "failed_at": None,
        "locked_by": None,
        "locked_at": None,
    }
    if plan.new_recipient:
        values["recipient"] = plan.new_recipient
    if plan.rerender:
        values.update(_rerender(message))
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status.in_(RESENDABLE))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise ServiceError(_l("The message changed in the meantime: look again."))
    _move_invitation(message, InvitationStatus.FAILED, InvitationStatus.QUEUED)
    audit.record(
        "outbox.resent",
        message,
        {
            "recipient_changed": bool(plan.new_recipient),
            "rewritten": plan.rerender,
            "was": message.status,
        },
        event=message.event,
    )
    db.session.expire(message)


def resend_consequences(plan: ResendPlan) -> list[str]:
    """The confirmation step's lines for one message."""
    lines = [str(_l("The message goes out again with the next delivery run."))]
    if plan.new_recipient:
        lines.append(
            str(
                _l(
                    "It goes to the corrected address %(new)s, not to %(old)s.",
                    new=plan.new_recipient,
                    old=plan.message.recipient,
                )
            )
        )
    if plan.rerender:
        lines.append(
            str(_l("Its text is written again with a new link; the old link stops working."))
        )
    return lines


def resend(user: User | None, message: OutboxMessage) -> ResendPlan:
    """Send a failed (or cancelled) ``message`` again; the caller commits."""
    _check_visible(user, message)
    plan = plan_resend(message)
    if not plan.ok:
        raise ServiceError(plan.refusal)
    _requeue(plan)
    return plan


def cancel_consequences(message: OutboxMessage) -> list[str]:
    """The confirmation step's lines for cancelling ``message``."""
    lines = [
        str(_l("The message to %(to)s is not sent.", to=message.recipient)),
        str(_l("Its text is dropped (it holds personal links).")),
    ]
    if message.kind == OutboxKind.INVITATION:
        lines.append(str(_l("The invitation is shown as failed on the event's Invitations page.")))
    return lines


def cancel(user: User | None, message: OutboxMessage) -> None:
    """Withdraw a queued ``message`` before it goes out; the caller commits."""
    _check_visible(user, message)
    now = utcnow()
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.CANCELLED, purged_at=now, **NO_BODIES)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise ServiceError(
            _l("Only a queued message can be cancelled: this one is being sent or went out.")
        )
    _move_invitation(message, InvitationStatus.QUEUED, InvitationStatus.FAILED)
    audit.record("outbox.cancelled", message, {"recipient": message.recipient}, event=message.event)
    db.session.expire(message)


def withdraw_invitation_mail(invitation_ids: list[int], reason: str) -> int:
    """Take back the mail of ``invitation_ids`` that carries their old link (an address
    corrected, a record deleted or merged away, a new link sent): queued invitations and
    reminders are cancelled, their invitations shown as failed as after the Outbox's
    "Cancel"; failed ones lose their texts, so that sending them again from the Outbox
    writes them anew with a working link. How many queued ones were cancelled; the caller's
    audit entry says so."""
    if not invitation_ids:
        return 0
    kinds = [OutboxKind.INVITATION, OutboxKind.INVITATION_REMINDER]
    about = (OutboxMessage.invitation_id.in_(invitation_ids), OutboxMessage.kind.in_(kinds))
    queued = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.invitation_id, OutboxMessage.kind).where(
            *about, OutboxMessage.status == OutboxStatus.QUEUED
        )
    ).all()
    now = utcnow()
    if queued:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([row.id for row in queued]))
            .values(status=OutboxStatus.CANCELLED, purged_at=now, last_error=reason, **NO_BODIES)
            .execution_options(synchronize_session=False)
        )
        invited = {row.invitation_id for row in queued if row.kind == OutboxKind.INVITATION}
        if invited:
            db.session.execute(
                update(Invitation)
                .where(Invitation.id.in_(invited), Invitation.status == InvitationStatus.QUEUED)
                .values(status=InvitationStatus.FAILED)
                .execution_options(synchronize_session=False)
            )
    db.session.execute(
        update(OutboxMessage)
        .where(
            *about,
            OutboxMessage.status == OutboxStatus.FAILED,
            OutboxMessage.purged_at.is_(None),
        )
        .values(purged_at=now, **NO_BODIES)
        .execution_options(synchronize_session=False)
    )
    return len(queued)


@dataclass
class EventRequeue:
    """What requeuing an event's failed messages would do (or did)."""

    event: Event
    plans: list[ResendPlan] = field(default_factory=list)

    @property
    def ready(self) -> list[ResendPlan]:
        return [plan for plan in self.plans if plan.ok]

    @property
    def refused(self) -> list[ResendPlan]:
        return [plan for plan in self.plans if not plan.ok]

    def consequences(self) -> list[str]:
        ready = self.ready
        lines = [
            lazy_ngettext(
                "%(num)d failed message goes out again with the next delivery run.",
                "%(num)d failed messages go out again with the next delivery run.",
                len(ready),
            )
        ]
        moved = sum(1 for plan in ready if plan.new_recipient)
        if moved:
            lines.append(
                lazy_ngettext(
                    "%(num)d of them goes to a corrected address.",
                    "%(num)d of them go to a corrected address.",
                    moved,
                )
            )
        rewritten = sum(1 for plan in ready if plan.rerender)
        if rewritten:
            lines.append(
                lazy_ngettext(
                    "%(num)d is written again with a new link (the old one stops working).",
                    "%(num)d are written again with a new link (the old ones stop working).",
                    rewritten,
                )
            )
        if self.refused:
            lines.append(
                lazy_ngettext(
                    "%(num)d cannot go again (its text was dropped) and stays failed.",
                    "%(num)d cannot go again (their text was dropped) and stay failed.",
                    len(self.refused),
                )
            )
        return [str(line) for line in lines]


def plan_event_requeue(user: User | None, event: Event) -> EventRequeue:
    """The failed messages of ``event`` that ``user`` sees, each with its plan."""
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(
            visible(user),
            OutboxMessage.event_id == event.id,
            OutboxMessage.status == OutboxStatus.FAILED,
        )
        .order_by(OutboxMessage.id)
    )
    return EventRequeue(event, [plan_resend(message) for message in messages])


def requeue_event(user: User | None, event: Event) -> EventRequeue:
    """Send every failed message of ``event`` again (those that can go); the caller commits."""
    done = plan_event_requeue(user, event)
    if not done.ready:
        raise ServiceError(_l("No failed message of this event can be sent again."))
    for plan in done.ready:
        _requeue(plan)
    audit.record(
        "outbox.requeued_event",
        event,
        {"requeued": len(done.ready), "refused": len(done.refused)},
    )
    return done

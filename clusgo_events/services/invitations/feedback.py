"""The outbox side of invitations: the keys of their e-mails, and delivery turning an
invitation ``sent`` (or ``failed``).

Delivery is linked back through the outbox message's kind and key:
``invitation:<event id>:<respondent id>``. The keys are built and read only here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, update

from ...extensions import db
from ...models import Invitation, OutboxMessage
from ...models.base import utcnow
from ...models.enums import InvitationStatus
from ..delivery import message_failed, message_sent

#: the outbox kinds of the two invitation e-mails
INVITATION_KIND = "invitation"
REMINDER_KIND = "invitation-reminder"


def invitation_key(event_id: int, respondent_id: int) -> str:
    """The outbox idempotency key of an invitation e-mail."""
    return f"invitation:{event_id}:{respondent_id}"


def reminder_key(invitation_id: int, number: int) -> str:
    """The outbox idempotency key of the ``number``-th reminder of an invitation."""
    return f"reminder:{invitation_id}:{number}"


def _invitation_of(message: OutboxMessage) -> tuple[int, int] | None:
    """(event id, respondent id) of an invitation e-mail, else None."""
    if message.kind != INVITATION_KIND:
        return None
    parts = (message.idempotency_key or "").split(":")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return int(parts[1]), int(parts[2])


@lru_cache(maxsize=2)
def _delivered_statement(new_status: InvitationStatus) -> Any:
    """UPDATE invitation for one (event, respondent), built once: it runs per message."""
    table = Invitation.__table__
    sent = new_status == InvitationStatus.SENT
    from_states = (
        (InvitationStatus.QUEUED, InvitationStatus.FAILED) if sent else (InvitationStatus.QUEUED,)
    )
    values: dict[str, Any] = {"status": new_status, "updated_at": bindparam("b_now")}
    if sent:
        values["sent_at"] = bindparam("b_now")
    return (
        update(table)
        .where(
            table.c.event_id == bindparam("b_event"),
            table.c.respondent_id == bindparam("b_respondent"),
            table.c.status.in_(from_states),
        )
        .values(**values)
    )


def _on_delivered(message: OutboxMessage, new_status: InvitationStatus) -> None:
    ids = _invitation_of(message)
    if ids is not None:
        db.session.execute(
            _delivered_statement(new_status),
            {"b_event": ids[0], "b_respondent": ids[1], "b_now": utcnow()},
        )


def _on_sent(message: OutboxMessage, **_: Any) -> None:
    _on_delivered(message, InvitationStatus.SENT)


def _on_failed(message: OutboxMessage, **_: Any) -> None:
    _on_delivered(message, InvitationStatus.FAILED)


message_sent.connect(_on_sent)
message_failed.connect(_on_failed)

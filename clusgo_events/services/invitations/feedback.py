"""Delivery feedback: an invitation e-mail sent (or failed for good) turns its invitation
``sent`` (or ``failed``).

The outbox message says what it is about in columns (``kind``, ``invitation_id``; the keys
are built by :mod:`..outbox.keys`), so nothing here reads a key. The receivers are connected
by ``signals.connect_receivers`` from ``RECEIVERS``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, update

from ... import signals
from ...extensions import db
from ...models import Invitation, OutboxKind, OutboxMessage
from ...models.base import utcnow
from ...models.enums import InvitationStatus


@lru_cache(maxsize=2)
def _delivered_statement(new_status: InvitationStatus) -> Any:
    """UPDATE of one invitation, built once: it runs per message."""
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
        .where(table.c.id == bindparam("b_invitation"), table.c.status.in_(from_states))
        .values(**values)
    )


def _on_delivered(message: OutboxMessage, new_status: InvitationStatus) -> None:
    if message.kind == OutboxKind.INVITATION and message.invitation_id is not None:
        db.session.execute(
            _delivered_statement(new_status),
            {"b_invitation": message.invitation_id, "b_now": utcnow()},
        )


def _on_sent(message: OutboxMessage, **_: Any) -> None:
    _on_delivered(message, InvitationStatus.SENT)


def _on_failed(message: OutboxMessage, **_: Any) -> None:
    _on_delivered(message, InvitationStatus.FAILED)


RECEIVERS = ((signals.message_sent, _on_sent), (signals.message_failed, _on_failed))

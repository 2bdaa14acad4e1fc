"""How long the outbox keeps what a message said.

A message's bodies hold the raw invitation token, the personal feed URL, the check-in code:
the worker drops them the moment the server accepts the message (:func:`.claims.mark_sent`).
A failed message keeps them for ``OUTBOX_FAILED_BODY_DAYS`` (default 30) so it can be looked
at and sent again, then :func:`purge_bodies` drops them too. ``flask mail deliver`` runs it at
start and ``--watch`` every ``PURGE_EVERY``; the privacy purge may call it as well. The rest
of the row (recipient, subject, status, the server's answer) stays: it is the outbox's record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, update

from ...extensions import db
from ...models import OutboxMessage, OutboxStatus
from ...models.base import utcnow
from .. import audit
from .claims import NO_BODIES

PURGE_EVERY = timedelta(hours=1)


@dataclass
class BodyPurge:
    """What the audit trail records of a purge."""

    messages: int
    id: None = None


def failed_body_days() -> int:
    """``OUTBOX_FAILED_BODY_DAYS``: how long a failed message keeps its bodies."""
    return int(current_app.config["OUTBOX_FAILED_BODY_DAYS"])


def purge_bodies(now: datetime | None = None) -> int:
    """Drop the bodies of sent messages (any left) and of messages failed longer ago than
    ``OUTBOX_FAILED_BODY_DAYS``; how many; audited, committed by the caller."""
    now = now or utcnow()
    cutoff = now - timedelta(days=failed_body_days())
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.purged_at.is_(None),
            or_(
                OutboxMessage.status == OutboxStatus.SENT,
                and_(
                    OutboxMessage.status == OutboxStatus.FAILED,
                    or_(OutboxMessage.failed_at.is_(None), OutboxMessage.failed_at <= cutoff),
                ),
            ),
        )
        .values(purged_at=now, **NO_BODIES)
        .execution_options(synchronize_session=False)
    )
    purged = result.rowcount or 0
    if purged:
        audit.record(
            "outbox.bodies_purged",
            BodyPurge(purged),
            {"messages": purged, "failed_body_days": failed_body_days()},
        )
    return purged

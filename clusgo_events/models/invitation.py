"""Invitations of respondents to events."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .enums import InvitationStatus, check_in, values

if TYPE_CHECKING:
    from .event import Event
    from .respondent import Respondent

INVITATION_STATUSES = values(InvitationStatus)
DECLINE_REASON_LIMIT = 2000


class Invitation(db.Model):
    """One respondent invited to one event; only the token's hash is stored."""

    __tablename__ = "invitation"
    __table_args__ = (
        UniqueConstraint("event_id", "respondent_id", name="uq_invitation_event_respondent"),
        check_in("status", InvitationStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondent.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(5), default="en")
    status: Mapped[str] = mapped_column(String(20), default=InvitationStatus.QUEUED, index=True)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(
        Text, default="", info={"max_length": DECLINE_REASON_LIMIT}
    )
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    respondent: Mapped[Respondent] = relationship()

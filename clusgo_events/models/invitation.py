"""Invitations of respondents to events."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, and_, case
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .enums import InvitationStatus, check_in, values

if TYPE_CHECKING:
    from .event import Event
    from .respondent import Respondent

INVITATION_STATUSES = values(InvitationStatus)
DECLINE_REASON_LIMIT = 2000
#: not answered yet: such an invitation lapses at its expiry
UNANSWERED = (InvitationStatus.QUEUED, InvitationStatus.SENT, InvitationStatus.FAILED)
ANSWERED = (InvitationStatus.ACCEPTED, InvitationStatus.DECLINED)


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
        Text, default="", info={"max_length": DECLINE_REASON_LIMIT, "personal": True}
    )
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    respondent: Mapped[Respondent] = relationship()

    # the one spelling of "past its expiry" and of the status a person sees, in Python and SQL
    # (the organiser's counts and the reminders' query use the same rule as the pages)

    @hybrid_method
    def lapsed(self, now: datetime) -> bool:
        """Its expiry (the registration deadline) has come by ``now``."""
        return self.expires_at is not None and self.expires_at <= now

    @lapsed.inplace.expression
    @classmethod
    def _lapsed_expression(cls, now: datetime) -> Any:
        return and_(cls.expires_at.is_not(None), cls.expires_at <= now)

    @hybrid_method
    def state_at(self, now: datetime) -> str:
        """The status to show at ``now``: an unanswered invitation past its expiry is expired."""
        if self.status in UNANSWERED and self.lapsed(now):
            return InvitationStatus.EXPIRED
        return InvitationStatus(self.status)

    @state_at.inplace.expression
    @classmethod
    def _state_at_expression(cls, now: datetime) -> Any:
        return case(
            (and_(cls.status.in_(UNANSWERED), cls.lapsed(now)), InvitationStatus.EXPIRED.value),
            else_=cls.status,
        )

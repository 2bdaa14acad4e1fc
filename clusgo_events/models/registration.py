"""Registrations for events and seats in training sessions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .enums import RegistrationStatus, SeatStatus, check_in, values

if TYPE_CHECKING:
    from .event import Event, TrainingSession
    from .user import User

REGISTRATION_STATUSES = values(RegistrationStatus)
NEEDS_LIMIT = 2000  # dietary and accessibility needs


class Registration(db.Model):
    """A representative registered for an event (confirmed, waitlisted or cancelled)."""

    __tablename__ = "registration"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_registration_event_user"),
        check_in("status", RegistrationStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="SET NULL")
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(
        String(20), default=RegistrationStatus.CONFIRMED, index=True
    )
    # order in the event's waiting list: a rising number taken under the event's lock
    waitlist_position: Mapped[int | None] = mapped_column(Integer, info={"personal": False})
    name: Mapped[str] = mapped_column(String(200), info={"personal": True})
    email: Mapped[str] = mapped_column(String(254), info={"personal": True})
    organisation_name: Mapped[str] = mapped_column(
        String(300), default="", info={"personal": False}
    )
    country: Mapped[str | None] = mapped_column(String(2))
    position: Mapped[str] = mapped_column(String(200), default="", info={"personal": True})
    phone: Mapped[str] = mapped_column(String(50), default="", info={"personal": True})
    dietary_needs: Mapped[str] = mapped_column(
        Text, default="", info={"max_length": NEEDS_LIMIT, "personal": True, "needs": True}
    )
    accessibility_needs: Mapped[str] = mapped_column(
        Text, default="", info={"max_length": NEEDS_LIMIT, "personal": True, "needs": True}
    )
    language: Mapped[str] = mapped_column(String(5), default="en")
    privacy_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkin_code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()
    seats: Mapped[list[SessionSeat]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )


class SessionSeat(db.Model):
    """A registration's place in one training session, on that session's own capacity."""

    __tablename__ = "session_seat"
    __table_args__ = (
        UniqueConstraint("registration_id", "session_id", name="uq_session_seat_reg_session"),
        check_in("status", SeatStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=SeatStatus.CONFIRMED, index=True)
    waitlist_position: Mapped[int | None] = mapped_column(Integer, info={"personal": False})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="seats")
    session: Mapped[TrainingSession] = relationship()

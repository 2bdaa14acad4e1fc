"""Attendance at training sessions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .enums import AttendanceMethod, AttendanceStatus, check_in, values

if TYPE_CHECKING:
    from .event import TrainingSession
    from .registration import Registration
    from .user import User

ATTENDANCE_STATUSES = values(AttendanceStatus)
ATTENDANCE_METHODS = values(AttendanceMethod)


class AttendanceRecord(db.Model):
    """One person at one training session; a walk-in has no registration."""

    __tablename__ = "attendance_record"
    __table_args__ = (
        UniqueConstraint("session_id", "registration_id", name="uq_attendance_session_reg"),
        check_in("status", AttendanceStatus),
        check_in("method", AttendanceMethod),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    is_walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(200), default="", info={"personal": True})
    organisation_name: Mapped[str] = mapped_column(
        String(300), default="", info={"personal": False}
    )
    country: Mapped[str | None] = mapped_column(String(2))
    email: Mapped[str] = mapped_column(String(254), default="", info={"personal": True})
    status: Mapped[str] = mapped_column(String(20), default=AttendanceStatus.PRESENT)
    method: Mapped[str] = mapped_column(String(20), default=AttendanceMethod.MANUAL)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[TrainingSession] = relationship()
    registration: Mapped[Registration | None] = relationship()
    marked_by: Mapped[User | None] = relationship()

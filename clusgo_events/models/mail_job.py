"""Mail work a page asks for and the delivery worker does: rendering and queuing many mails."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow
from .enums import MailJobKind, MailJobStatus, check_in


class MailJob(db.Model):
    """ "Send N invitations" (or reminders) from the page: the request writes this row and
    answers at once; a delivery worker claims it (``locked_by``: its worker record), renders
    and queues the mails, and counts what it queued."""

    __tablename__ = "mail_job"
    __table_args__ = (check_in("kind", MailJobKind), check_in("status", MailJobStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=MailJobStatus.QUEUED, index=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), index=True
    )
    #: what the page asked for (countries, interest; the reminders' interval in days)
    # the page's choices (event, countries, narrowing): no person
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info={"personal": False})
    queued: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="", info={"personal": False})
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    locked_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

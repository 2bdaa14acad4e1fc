"""The outbox: every e-mail the app sends is written here first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow
from .enums import OutboxKind, OutboxStatus, check_in, values

OUTBOX_STATUSES = values(OutboxStatus)
OUTBOX_KINDS = values(OutboxKind)


def _reference(target: str) -> Any:
    """A nullable, indexed reference that outlives its target (the message stays, the link
    goes): privacy erasure and deletions never fail on the outbox."""
    return mapped_column(ForeignKey(target, ondelete="SET NULL"), index=True)


class OutboxMessage(db.Model):
    """One e-mail to deliver; ``idempotency_key`` makes queuing it twice impossible.

    ``kind`` and the reference columns say what the message is about (the key is built from
    them by ``services.outbox.keys``); nobody parses the key. The bodies (text, HTML, calendar,
    attachments) carry invitation tokens, feed URLs and check-in codes: they are dropped when
    the message is sent, and a failed message's after ``OUTBOX_FAILED_BODY_DAYS``
    (``purged_at`` says when).
    """

    __tablename__ = "outbox_message"
    __table_args__ = (check_in("status", OutboxStatus), check_in("kind", OutboxKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default=OutboxKind.OTHER, index=True)
    event_id: Mapped[int | None] = _reference("event.id")
    invitation_id: Mapped[int | None] = _reference("invitation.id")
    registration_id: Mapped[int | None] = _reference("registration.id")
    session_id: Mapped[int | None] = _reference("training_session.id")
    respondent_id: Mapped[int | None] = _reference("respondent.id")
    recipient: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    # the person who answers (the event's contact): the Reply-To header, "" for none
    reply_to: Mapped[str] = mapped_column(String(254), default="", info={"personal": True})
    reply_to_name: Mapped[str] = mapped_column(String(200), default="", info={"personal": True})
    language: Mapped[str] = mapped_column(String(5), default="en")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    # the registration notice (confirmed, waitlisted, promoted, cancelled) this message says,
    # "" for none: a calendar invitation may carry one (services.registration.mail)
    notice: Mapped[str] = mapped_column(String(20), default="")
    # calendar part (iMIP): METHOD and the VCALENDAR text, sent inline and as invite.ics
    calendar_method: Mapped[str | None] = mapped_column(String(20))
    calendar_ics: Mapped[str | None] = mapped_column(Text)
    # other attachments: [{"filename", "content_type", "data_b64"}]
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

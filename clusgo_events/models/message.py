"""An organiser's message to the participants of an event or of one session."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .translated import Translated

if TYPE_CHECKING:
    from .event import Event, TrainingSession
    from .user import User

MESSAGE_BODY_LIMIT = 10000


class ParticipantMessage(Translated, db.Model):
    """What was sent, by whom, when and to how many: it stays on the event. ``subject`` and
    ``body`` are in the event's main language, the other languages in ``texts``."""

    TRANSLATED_FIELDS = ("subject", "body")

    __tablename__ = "participant_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_session.id", ondelete="SET NULL")
    )
    include_waitlisted: Mapped[bool] = mapped_column(Boolean, default=False)
    main_language: Mapped[str] = mapped_column(String(5), default="en")
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, info={"max_length": MESSAGE_BODY_LIMIT})
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    # recipients per language: {"cs": 12, "hu": 3}
    per_language: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    session: Mapped[TrainingSession | None] = relationship()
    sent_by: Mapped[User | None] = relationship()

    @property
    def text_language(self) -> str:
        return self.main_language or "en"

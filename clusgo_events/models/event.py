"""Events and their training sessions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, new_uid, utcnow
from .enums import EventStatus, Interest, SessionStatus, check_in, values
from .translated import Translated

if TYPE_CHECKING:
    from .organisation import Organisation
    from .user import User

EVENT_STATUSES = values(EventStatus)
SESSION_STATUSES = values(SessionStatus)
DESCRIPTION_LIMIT = 20000
#: the organiser's own paragraph in a mail (per language, in ``texts``)
NOTE_LIMIT = 2000
DEFAULT_REMINDER_DAYS = 2
MAX_REMINDER_DAYS = 60
V4_COUNTRIES = "CZ,HU,SK,PL"

session_trainers = Table(
    "session_trainer",
    db.metadata,
    Column(
        "session_id",
        Integer,
        ForeignKey("training_session.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Event(Translated, db.Model):
    """An event of European format, with its training sessions; its title, description and
    venue exist in its main language and optionally the other four (``text()``)."""

    # the organiser's own paragraphs for the invitation and the reminder live only in ``texts``
    TRANSLATED_FIELDS = ("title", "description", "venue", "invitation_note", "reminder_note")

    __tablename__ = "event"
    __table_args__ = (
        check_in("status", EventStatus),
        check_in("invite_interest", Interest),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uid)
    # the language title, description and venue are written in; the others are in ``texts``
    main_language: Mapped[str] = mapped_column(String(5), default="en")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(
        Text, default="", info={"max_length": DESCRIPTION_LIMIT}
    )
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Prague")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer, default=100)
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    host_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.DRAFT, index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    target_countries: Mapped[str] = mapped_column(String(200), default=V4_COUNTRIES)
    invite_interest: Mapped[str] = mapped_column(String(20), default=Interest.ANY)
    allow_direct_signup: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # who the event's mails name: the contact person (their address is the Reply-To) and the
    # inviting association (None: the partner association of each recipient's country)
    contact_name: Mapped[str] = mapped_column(String(200), default="", info={"personal": True})
    contact_email: Mapped[str] = mapped_column(String(254), default="", info={"personal": True})
    inviting_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    # the reminder to confirmed participants this many days before the start (0: none)
    reminder_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_REMINDER_DAYS)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    host_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[host_organisation_id]
    )
    inviting_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[inviting_organisation_id]
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="event",
        order_by="TrainingSession.starts_at",
        cascade="all, delete-orphan",
    )

    @property
    def text_language(self) -> str:
        return self.main_language or "en"

    @property
    def target_country_list(self) -> list[str]:
        """The ISO codes of the countries this event invites."""
        return [c for c in (self.target_countries or "").split(",") if c]

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class TrainingSession(Translated, db.Model):
    """A training session within an event, with its own capacity; title and description in
    the event's main language and optionally the others."""

    TRANSLATED_FIELDS = ("title", "description")

    __tablename__ = "training_session"
    __table_args__ = (check_in("status", SessionStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uid)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(
        Text, default="", info={"max_length": DESCRIPTION_LIMIT}
    )
    room: Mapped[str] = mapped_column(String(120), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer, default=30)
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=SessionStatus.SCHEDULED)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    attendance_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="sessions")
    trainers: Mapped[list[User]] = relationship(secondary=session_trainers, order_by="User.name")

    @property
    def text_language(self) -> str:
        return self.event.main_language if self.event is not None else "en"

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id} {self.title!r}>"

"""An event's settings for the funder's report: the Fund's calendar fields, the funder's line.

They live in their own table (one row per event, created on first save) so that the report's
settings stay on their own page and model, apart from the event's own form.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .enums import CertificateRule, LogoKind, check_in
from .event import Event


class ReportSettings(db.Model):
    """What the International Visegrad Fund's event calendar asks of an event, and whether
    the sign-in sheets print the funder's line."""

    __tablename__ = "event_report_settings"
    __table_args__ = (check_in("certificate_rule", CertificateRule),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    event_type: Mapped[str] = mapped_column(String(120), default="")
    web_page: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), default="", info={"personal": False})
    country: Mapped[str | None] = mapped_column(String(2))
    funder_line: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the certificates: the issuing association, who signs them, and who earns one
    issuer: Mapped[str] = mapped_column(String(300), default="")
    signatory_name: Mapped[str] = mapped_column(String(200), default="", info={"personal": True})
    signatory_role: Mapped[str] = mapped_column(String(200), default="")
    certificate_rule: Mapped[str] = mapped_column(String(20), default=CertificateRule.ALL)
    certificate_min_sessions: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()

    def __repr__(self) -> str:
        return f"<ReportSettings event={self.event_id}>"


class ReportLogo(db.Model):
    """A logo the organiser uploaded for the event's sign-in sheets and certificates.

    Kept in the database, not under instance/: every web worker and machine reads the same
    images without a shared disk, a backup or a copy of the database carries them, and they go
    when the event goes (cascade). Uploads are bounded (see services/attendance/logos.py), so
    the rows stay small.
    """

    __tablename__ = "event_report_logo"
    __table_args__ = (check_in("kind", LogoKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=LogoKind.EVENT)
    filename: Mapped[str] = mapped_column(String(200), default="")
    mimetype: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set when the organiser removed it (its image is dropped; the row answers a second
    #: "remove" as done rather than as unknown)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    def __repr__(self) -> str:
        return f"<ReportLogo {self.id} {self.kind} {self.filename!r}>"

"""Privacy: consent records, the privacy notice's versions, erasure requests.

Every column that holds personal data, here and in every other model, says so with
``info={"personal": True}`` (``info={"personal": False}`` marks a column that looks personal
and is not); ``services.privacy.registry`` reads those marks, and the export, the erasure
and the retention purge are driven by them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow
from .enums import ConsentMethod, ErasureStatus, check_in
from .translated import Translated

CONSENT_DETAIL_LIMIT = 300
NOTICE_LIMIT = 50000


class ConsentRecord(db.Model):
    """One giving or withdrawal of a respondent's consent to be contacted: when, how (with
    the file's name or the organiser's reason) and under which version of the notice."""

    __tablename__ = "consent_record"
    __table_args__ = (check_in("method", ConsentMethod),)

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondent.id", ondelete="CASCADE"), index=True
    )
    given: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(String(20))
    # the survey file's name or the organiser's reason: typed by a person, so personal
    detail: Mapped[str] = mapped_column(
        String(CONSENT_DETAIL_LIMIT), default="", info={"personal": True}
    )
    notice_version: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class PrivacyNotice(Translated, db.Model):
    """One version of the privacy notice, its text in up to five languages (``text("body")``);
    the newest version is the one in force."""

    TRANSLATED_FIELDS = ("body",)

    __tablename__ = "privacy_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    body: Mapped[str] = mapped_column(
        Text, default="", info={"max_length": NOTICE_LIMIT, "personal": False}
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ErasureRequest(db.Model):
    """A user's request to be erased, which an admin carries out (or declines)."""

    __tablename__ = "erasure_request"
    __table_args__ = (check_in("status", ErasureStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(String(254), default="", info={"personal": True})
    status: Mapped[str] = mapped_column(String(20), default=ErasureStatus.PENDING, index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

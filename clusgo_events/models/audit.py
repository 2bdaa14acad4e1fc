"""The audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow
from .enums import AuditSource, check_in


class AuditEntry(db.Model):
    """Who changed what, when, and from where (a page, the command line, the worker)."""

    __tablename__ = "audit_entry"
    __table_args__ = (check_in("source", AuditSource),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[str] = mapped_column(String(10), default=AuditSource.WEB)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column()
    # the event the change belongs to, for its audit page (kept when the event is deleted)
    event_id: Mapped[int | None] = mapped_column(index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info={"personal": True})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

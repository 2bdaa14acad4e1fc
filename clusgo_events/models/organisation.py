"""Cluster organisations, partner associations and hosts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow
from .enums import OrganisationKind, check_in


class Organisation(db.Model):
    """A cluster organisation (or partner association, or host)."""

    __tablename__ = "organisation"
    __table_args__ = (
        UniqueConstraint("name", "country", name="uq_organisation_name_country"),
        check_in("kind", OrganisationKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), info={"personal": False})
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str] = mapped_column(String(120), default="", info={"personal": False})
    sector: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(300), default="", info={"personal": False})
    kind: Mapped[str] = mapped_column(String(20), default=OrganisationKind.CLUSTER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Organisation {self.name} ({self.country})>"

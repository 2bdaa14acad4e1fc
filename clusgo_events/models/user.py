"""Accounts and roles."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .enums import Role, check_in, values

if TYPE_CHECKING:
    from .organisation import Organisation

ROLES = values(Role)


def new_feed_salt() -> str:
    """A fresh random salt; the personal feed token is derived from it."""
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    """A person who logs in: admin, organiser, trainer or representative."""

    __tablename__ = "user"
    __table_args__ = (check_in("role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, info={"personal": True})
    name: Mapped[str] = mapped_column(String(200), default="", info={"personal": True})
    password_hash: Mapped[str] = mapped_column(String(255), info={"personal": True})
    role: Mapped[str] = mapped_column(String(20), index=True)
    #: the language the person chose (None until they do: their browser's decides)
    language: Mapped[str | None] = mapped_column(String(5))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    feed_salt: Mapped[str] = mapped_column(String(32), default=new_feed_salt)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: rises on every password change: the sessions and remember-me cookies of the account
    #: carry it (``get_id``), so those made before the change stop working
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the partner association the organiser works for: they see its country's people only;
    #: None (the lead partner, admins) sees every country (services.scope)
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    association: Mapped[Organisation | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    def get_id(self) -> str:
        """Flask-Login's id for the session and the remember-me cookie: ``<id>:<version>``."""
        return f"{self.id}:{self.session_version or 0}"

    def has_role(self, *roles: str) -> bool:
        """True when the user holds one of ``roles`` (admins hold every role)."""
        return self.role in roles or self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"

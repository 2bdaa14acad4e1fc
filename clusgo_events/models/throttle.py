"""Rate-limit counters kept in the database, so every gunicorn worker counts together."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RateLimitCounter(db.Model):
    """One fixed window of one limit for one client (Flask-Limiter's key), until it expires."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(
        String(255), primary_key=True, info={"personal": True}
    )  # holds the IP
    count: Mapped[int] = mapped_column(Integer, default=0)
    #: when the window ends, in seconds since the epoch (the ``limits`` library's clock)
    expires_at: Mapped[float] = mapped_column(Float, index=True)

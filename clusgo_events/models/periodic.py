"""When each scheduled task last ran (shared by every worker)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime


class PeriodicRun(db.Model):
    """One scheduled task: the last time a worker claimed it, and what that run did."""

    __tablename__ = "periodic_run"

    name: Mapped[str] = mapped_column(String(60), primary_key=True, info={"personal": False})
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_result: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, info={"personal": False}
    )
    last_error: Mapped[str] = mapped_column(String(2000), default="", info={"personal": False})

"""What every delivery worker of one outbox shares about the relay (one ``outbox_relay`` row).

* **Slow down**: when the server answers 421, 432, 451 or 452, the worker that got it sets a
  pause (``paused_until``); no worker claims before it ends, so the whole outbox backs off,
  and the messages wait without an attempt counted (:func:`.claims.hold_back`).
* **Relay limits**: ``MAIL_PER_MINUTE`` and ``MAIL_PER_DAY`` become one interval between two
  messages (60/minute-limit or 86,400/day-limit seconds, the longer), so the sending is
  spread evenly. Each message takes the next free slot with a compare-and-set on
  ``next_slot_at`` (PostgreSQL and SQLite alike), so two workers together keep the limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import OutboxMessage, OutboxRelay, OutboxStatus
from ...models.base import utcnow

NAME = "default"


class LimitSettingError(ValueError):
    """``MAIL_PER_MINUTE`` or ``MAIL_PER_DAY`` cannot be read."""


def _limit(name: str) -> int | None:
    raw = str(current_app.config.get(name) or "").strip()
    if raw.lower() in ("", "none", "0"):
        return None
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 1:
        raise LimitSettingError(
            f"{name}={raw!r} is not a number of messages: give a whole number above 0, "
            "or leave it empty for no limit"
        )
    return value


@dataclass(frozen=True)
class Pace:
    """The relay's limits and the interval they give (``None``: no limit)."""

    per_minute: int | None
    per_day: int | None

    @property
    def interval(self) -> float | None:
        gaps = [60 / self.per_minute] if self.per_minute else []
        gaps += [86_400 / self.per_day] if self.per_day else []
        return max(gaps) if gaps else None

    def batch_size(self, wanted: int) -> int:
        """At most a minute's worth of messages per claim, so workers share the work."""
        if self.interval is None:
            return wanted
        return max(1, min(wanted, int(60 / self.interval)))


def pace() -> Pace:
    """The configured limits; :class:`LimitSettingError` (one clear line) when unreadable."""
    return Pace(_limit("MAIL_PER_MINUTE"), _limit("MAIL_PER_DAY"))


def _row() -> OutboxRelay:
    row = db.session.get(OutboxRelay, NAME)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(OutboxRelay(name=NAME))
        except IntegrityError:
            pass  # another worker added it first
        row = db.session.get(OutboxRelay, NAME)
    assert row is not None
    return row


def paused(now: datetime | None = None) -> OutboxRelay | None:
    """The relay's row while a slow-down pause lasts, else None."""
    now = now or utcnow()
    row = db.session.get(OutboxRelay, NAME)
    if row is not None and row.paused_until is not None and row.paused_until > now:
        return row
    return None


def pause(until: datetime, answer: str) -> None:
    """Every worker waits until ``until`` (the server's ``answer`` kept); committed."""
    _row()
    db.session.execute(
        update(OutboxRelay)
        .where(OutboxRelay.name == NAME)
        .values(paused_until=until, pause_answer=answer[:300])
    )
    db.session.commit()


def take_slot(interval: float) -> datetime:
    """The moment this worker may send its next message: the next free slot, taken."""
    step = timedelta(seconds=interval)
    while True:
        row = _row()
        db.session.commit()
        taken = row.next_slot_at
        now = utcnow()
        slot = taken if taken is not None and taken > now else now
        condition = (
            OutboxRelay.next_slot_at.is_(None)
            if taken is None
            else OutboxRelay.next_slot_at == taken
        )
        won = db.session.execute(
            update(OutboxRelay)
            .where(OutboxRelay.name == NAME, condition)
            .values(next_slot_at=slot + step)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if won.rowcount == 1:
            return slot
        db.session.expire_all()  # another worker took it: read the new one


def wait_for_slot(interval: float, should_stop: object = None) -> None:
    """Take a slot and sleep until it comes (in short steps, so a stop is heard)."""
    slot = take_slot(interval)
    while True:
        left = (slot - utcnow()).total_seconds()
        if left <= 0 or (callable(should_stop) and should_stop()):
            return
        time.sleep(min(left, 0.5))


@dataclass(frozen=True)
class Outlook:
    """When the queued mail will have gone, as the page and ``mail deliver`` say it."""

    queued: int
    pace: Pace | None
    done_by: datetime | None
    paused_until: datetime | None
    pause_answer: str


def outlook(now: datetime | None = None) -> Outlook:
    """How many messages wait, and (under a limit or a pause) when the last will go."""
    now = now or utcnow()
    queued = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.SENDING])
        )
    )
    try:
        limits = pace()
    except LimitSettingError:
        limits = None
    row = db.session.get(OutboxRelay, NAME)
    start = now
    until = None
    answer = ""
    if row is not None and row.paused_until is not None and row.paused_until > now:
        until, answer, start = row.paused_until, row.pause_answer, row.paused_until
    if row is not None and row.next_slot_at is not None and row.next_slot_at > start:
        start = row.next_slot_at
    interval = limits.interval if limits is not None else None
    done_by = None
    if queued and (interval or until):
        done_by = start + timedelta(seconds=(interval or 0) * queued)
    return Outlook(int(queued or 0), limits, done_by, until, answer)

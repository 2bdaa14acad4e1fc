"""Work the delivery worker does on a schedule (reminders that fall due, the daily purge ...).

A service registers a task with ``@task("name", every=timedelta(...))``: a function of the
current time that does its work, flushes and returns what it did (a count, or counts by
kind). ``run_due()`` runs every task whose interval has passed. Several workers may share one
outbox: each task is claimed with a conditional UPDATE of its ``periodic_run`` row, so only one
worker runs it per interval; each task commits on its own, and one that fails is logged and
rolled back without stopping the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models.base import utcnow
from ..models.periodic import PeriodicRun
from .audit import acting_from

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    """A scheduled task."""

    name: str
    every: timedelta
    run: Callable[[datetime], Any]


TASKS: dict[str, Task] = {}


def task(name: str, every: timedelta) -> Callable[[Callable[[datetime], Any]], Callable]:
    """Register the decorated function as the scheduled task ``name``."""

    def register(function: Callable[[datetime], Any]) -> Callable[[datetime], Any]:
        TASKS[name] = Task(name, every, function)
        return function

    return register


def _claim(item: Task, now: datetime) -> bool:
    """Take the task for this interval (True) unless another worker ran it within it."""
    if db.session.get(PeriodicRun, item.name) is None:
        try:
            with db.session.begin_nested():
                db.session.add(PeriodicRun(name=item.name, last_run_at=None))
        except IntegrityError:
            pass  # another worker added it first
    claimed = db.session.execute(
        update(PeriodicRun)
        .where(
            PeriodicRun.name == item.name,
            or_(PeriodicRun.last_run_at.is_(None), PeriodicRun.last_run_at <= now - item.every),
        )
        .values(last_run_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1


def run_due(now: datetime | None = None, names: list[str] | None = None) -> dict[str, Any]:
    """Run every registered task (or those in ``names``) that is due; name -> its result."""
    now = now or utcnow()
    results: dict[str, Any] = {}
    for item in sorted(TASKS.values(), key=lambda t: t.name):
        if names is not None and item.name not in names:
            continue
        if not _claim(item, now):
            continue
        try:
            with acting_from("worker"):
                result = item.run(now)
            db.session.commit()
            error = ""
        except Exception as exc:  # noqa: BLE001  (one task's failure must not stop the rest)
            db.session.rollback()
            log.exception("scheduled task %s failed", item.name)
            result, error = None, f"{type(exc).__name__}: {exc}"[:2000]
        db.session.execute(
            update(PeriodicRun)
            .where(PeriodicRun.name == item.name)
            .values(last_result={"result": result} if _jsonable(result) else {}, last_error=error)
        )
        db.session.commit()
        results[item.name] = result
    return results


def _jsonable(value: Any) -> bool:
    return value is None or isinstance(value, int | float | str | dict | list)

"""A rate-limit storage in the app's own database: ``RATELIMIT_STORAGE_URI=database://``.

Flask-Limiter keeps its counters in a ``limits`` storage; the in-memory one counts per process,
so behind gunicorn each worker would allow the limit again, and ``limits`` has no SQL storage.
This one keeps each fixed window in ``rate_limit_counter``: one atomic upsert per hit
(``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, on SQLite and PostgreSQL alike) on a
connection of its own, so a counted attempt stays counted whatever the request does with its
own transaction afterwards. Redis (``redis://``) is ``limits``' own storage.
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import RateLimitCounter

COUNTERS = RateLimitCounter.__table__


def _upsert(conn: Connection) -> Any:
    """The dialect's ``INSERT`` with ``ON CONFLICT`` support."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(COUNTERS)


class DatabaseStorage(Storage):
    """Fixed-window counters in the app's database (the current app's ``db.engine``)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count ``amount`` more in ``key``'s window (a new window once the last one ended)."""
        now = time.time()
        ended = COUNTERS.c.expires_at <= now
        with db.engine.begin() as conn:
            insert = _upsert(conn).values(key=key, count=amount, expires_at=now + expiry)
            statement = insert.on_conflict_do_update(
                index_elements=[COUNTERS.c.key],
                set_={
                    "count": case((ended, amount), else_=COUNTERS.c.count + amount),
                    "expires_at": case((ended, now + expiry), else_=COUNTERS.c.expires_at),
                },
            ).returning(COUNTERS.c.count)
            count = int(conn.execute(statement).scalar_one())
        if count == amount:  # a new window: about once per client and limit, sweep old ones
            self._prune(now)
        return count

    def _prune(self, now: float) -> None:
        """Drop the windows that have ended (housekeeping: a failure here costs nothing)."""
        try:
            with db.engine.begin() as conn:
                conn.execute(delete(COUNTERS).where(COUNTERS.c.expires_at <= now))
        except SQLAlchemyError:
            pass

    def get(self, key: str) -> int:
        """The count in ``key``'s current window (0 when it has ended)."""
        with db.engine.connect() as conn:
            count = conn.scalar(
                select(COUNTERS.c.count).where(
                    COUNTERS.c.key == key, COUNTERS.c.expires_at > time.time()
                )
            )
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        """When ``key``'s window ends (now, when there is none)."""
        now = time.time()
        with db.engine.connect() as conn:
            expires = conn.scalar(
                select(COUNTERS.c.expires_at).where(
                    COUNTERS.c.key == key, COUNTERS.c.expires_at > now
                )
            )
        return float(expires if expires is not None else now)

    def check(self) -> bool:
        """True when the database answers."""
        try:
            with db.engine.connect() as conn:
                conn.scalar(select(func.count()).select_from(COUNTERS))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; how many there were."""
        with db.engine.begin() as conn:
            return conn.execute(delete(COUNTERS)).rowcount

    def clear(self, key: str) -> None:
        """Forget ``key``'s counter."""
        with db.engine.begin() as conn:
            conn.execute(delete(COUNTERS).where(COUNTERS.c.key == key))

"""Scheduled tasks run once per interval, whichever worker asks."""

from __future__ import annotations

from datetime import timedelta

from clusgo_events.extensions import db
from clusgo_events.models import PeriodicRun
from clusgo_events.services import periodic


def test_a_task_runs_once_per_interval_and_a_failure_is_kept(app, clock) -> None:
    calls: list[str] = []

    @periodic.task("test-count", every=timedelta(hours=1))
    def count(now):  # type: ignore[no-untyped-def]
        calls.append(now.isoformat())
        return len(calls)

    @periodic.task("test-broken", every=timedelta(hours=1))
    def broken(now):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    try:
        names = ["test-count", "test-broken"]
        assert periodic.run_due(names=names) == {"test-count": 1, "test-broken": None}
        assert periodic.run_due(names=names) == {}  # not due again yet
        clock.advance(minutes=59)
        assert periodic.run_due(names=names) == {}
        clock.advance(minutes=1)
        assert periodic.run_due(names=names)["test-count"] == 2
        row = db.session.get(PeriodicRun, "test-broken")
        assert row.last_error == "RuntimeError: disk full"
        assert db.session.get(PeriodicRun, "test-count").last_result == {"result": 2}
    finally:
        periodic.TASKS.pop("test-count", None)
        periodic.TASKS.pop("test-broken", None)

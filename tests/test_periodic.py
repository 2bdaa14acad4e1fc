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


def test_the_delivery_worker_loop_runs_a_registered_task(app, runner) -> None:  # type: ignore[no-untyped-def]
    """``flask mail deliver --watch`` runs the due tasks; this one stops the worker (SIGTERM,
    as a service manager would), so the loop's own stop path ends the test."""
    import os
    import signal

    ran: list[object] = []

    @periodic.task("test-from-worker", every=timedelta(hours=1))
    def stop_the_worker(now):  # type: ignore[no-untyped-def]
        ran.append(now)
        os.kill(os.getpid(), signal.SIGTERM)
        return 7

    try:
        result = runner.invoke(args=["mail", "deliver", "--watch", "--interval", "0.1"])
        assert result.exit_code == 0, result.output
        assert len(ran) == 1
        assert "Scheduled task test-from-worker: 7" in result.output
        row = db.session.get(PeriodicRun, "test-from-worker")
        assert row.last_result == {"result": 7} and row.last_run_at is not None
    finally:
        periodic.TASKS.pop("test-from-worker", None)

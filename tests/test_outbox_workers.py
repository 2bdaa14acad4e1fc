"""Worker records and heartbeats: a dead worker's claims are taken over at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from clusgo_events.extensions import db
from clusgo_events.models import DeliveryWorker, OutboxMessage, OutboxStatus
from clusgo_events.models.base import utcnow
from clusgo_events.services import outbox
from clusgo_events.services.outbox import workers
from clusgo_events.services.outbox.worker import Worker
from tests import factories
from tests.mail_helpers import SMTPServer, running_smtp


@pytest.fixture()
def smtp(app: Flask) -> Iterator[SMTPServer]:
    yield from running_smtp(app)


def _claimed_by(worker_id: str, n: int) -> list[OutboxMessage]:
    messages = [
        factories.outbox_message(
            status=OutboxStatus.SENDING, locked_by=worker_id, locked_at=utcnow()
        )
        for _ in range(n)
    ]
    db.session.commit()
    return messages


def _record(worker_id: str, host: str, pid: int, beat_ago: timedelta) -> None:
    beat = utcnow() - beat_ago
    db.session.add(
        DeliveryWorker(id=worker_id, host=host, pid=pid, started_at=beat, heartbeat_at=beat)
    )
    db.session.commit()


def _gone_pid() -> int:
    """The pid of a process that has exited."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_stale_heartbeat_on_another_host_is_taken_over(app: Flask, smtp: SMTPServer) -> None:
    _record("far:1:dead", "far-away-host", 1, timedelta(seconds=60))
    _claimed_by("far:1:dead", 3)
    report = outbox.deliver()
    assert report.sent == 3
    [taken] = report.taken_over
    assert (taken.worker, taken.messages) == ("far:1:dead", 3)
    assert "no heartbeat" in taken.reason
    assert db.session.get(DeliveryWorker, "far:1:dead") is None


def test_a_gone_process_on_this_host_is_dead_at_once(app: Flask, smtp: SMTPServer) -> None:
    _record("here:gone", workers.host_name(), _gone_pid(), timedelta(seconds=0))
    _claimed_by("here:gone", 2)
    report = outbox.deliver()
    assert report.sent == 2 and "is gone" in report.taken_over[0].reason


def test_a_live_worker_keeps_its_claims(app: Flask, smtp: SMTPServer) -> None:
    _record("far:2:alive", "far-away-host", 2, timedelta(seconds=1))
    _record("here:alive", workers.host_name(), os.getppid(), timedelta(seconds=1))
    _claimed_by("far:2:alive", 2)
    _claimed_by("here:alive", 2)
    report = outbox.deliver()
    assert report.total == 0 and report.taken_over == []
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses == ["sending"] * 4


def test_the_heartbeat_keeps_a_worker_alive_and_notices_when_it_is_taken_over(
    app: Flask,
) -> None:
    worker = Worker()
    heartbeat = workers.start(worker)
    try:
        heartbeat.every = 0.05
        first = db.session.get(DeliveryWorker, worker.id).heartbeat_at
        time.sleep(2.5)
        db.session.expire_all()
        assert db.session.get(DeliveryWorker, worker.id).heartbeat_at > first
        assert not worker.lost
        db.session.execute(
            update(DeliveryWorker)
            .where(DeliveryWorker.id == worker.id)
            .values(heartbeat_at=utcnow() - timedelta(minutes=5))
        )
        db.session.commit()
        # another worker takes it for dead ... and the next heartbeat notices
        assert [t.worker for t in workers.take_over_dead(Worker())] == [worker.id]
        deadline = time.monotonic() + 10
        while not worker.lost and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker.lost
    finally:
        workers.stop(worker)
    assert db.session.get(DeliveryWorker, worker.id) is None


def test_a_lost_worker_sends_nothing_more(app: Flask, smtp: SMTPServer) -> None:
    from clusgo_events.services.outbox import claims
    from clusgo_events.services.outbox.worker import send_batch

    worker = Worker()
    workers.start(worker)
    try:
        factories.outbox_message()
        db.session.commit()
        claimed = claims.claim_batch(10, worker.id, 300)
        worker.heartbeat.lost.set()
        report = send_batch(claimed, worker, 300)
    finally:
        workers.stop(worker)
    assert report.sent == 0
    assert smtp.received == []

"""Retries through real outages, and the relay's limits, against a real aiosmtpd server."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import OutboxMessage, OutboxRelay
from clusgo_events.services import outbox
from clusgo_events.services.outbox import claims, enqueue, relay
from tests.mail_helpers import Behaviour, SMTPServer, use_smtp


def _queue(recipients: list[str]) -> None:
    for i, recipient in enumerate(recipients):
        enqueue(key=f"outage:{i}", recipient=recipient, subject=f"Zpráva {i}", body_text="Ahoj")
    db.session.commit()


def _row(recipient: str) -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == recipient))


def test_temporary_failures_are_retried_for_three_days_at_growing_intervals() -> None:
    waits = [claims.retry_delay(n) for n in range(1, claims.MAX_ATTEMPTS)]
    assert sum(waits, timedelta(0)) >= timedelta(days=3)
    assert sum(waits[:-1], timedelta(0)) < timedelta(days=3)  # no longer than needed
    assert waits == sorted(waits) and waits[0] == timedelta(minutes=1)
    assert max(waits) == claims.RETRY_CAP


def test_a_weekend_outage_does_not_fail_a_message(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    server = SMTPServer(Behaviour(refuse_rcpt={"ana@example.org": "450 4.2.1 Mailbox busy"}))
    server.start()
    try:
        use_smtp(app, server.port)
        _queue(["ana@example.org"])
        started = clock.now
        while clock.now - started < timedelta(days=2, hours=23):
            outbox.deliver()
            row = _row("ana@example.org")
            assert row.status == "queued", (clock.now - started, row.attempts)
            clock.set(row.next_attempt_at)
        server.behaviour.refuse_rcpt.clear()  # Monday morning: the mailbox answers again
        assert outbox.deliver().sent == 1
    finally:
        server.stop()


def test_550_fails_421_slows_down_and_a_dropped_connection_retries(  # type: ignore[no-untyped-def]
    app: Flask, clock, client, auth
) -> None:
    behaviour = Behaviour(
        refuse_rcpt={"bad@example.org": "550 5.1.1 No such user"},
        drop_on_data={"drop@example.org"},
        mail_reply="421 4.7.0 Too many messages, slow down",
    )
    server = SMTPServer(behaviour).start()
    recipients = ["bad@example.org", "b@example.org", "drop@example.org", "d@example.org"]
    try:
        use_smtp(app, server.port)
        _queue(recipients)
        # the server says 421 for a while: everything waits, nothing is counted or failed
        report = outbox.deliver()
        assert report.total == 0 and report.held_back == 4 and "421" in report.slow_down
        rows = [_row(r) for r in recipients]
        assert {(r.status, r.attempts) for r in rows} == {("queued", 0)}
        assert all("slow down" in r.last_error for r in rows)
        pause_end = db.session.get(OutboxRelay, "default").paused_until
        assert pause_end > clock.now
        # a second worker (or run) does not even claim while the pause lasts
        clock.advance(seconds=10)
        again = outbox.deliver()
        assert again.total == 0 and again.held_back == 0 and again.resume_at == pause_end
        # it ends; the server takes mail again
        behaviour.mail_reply = None
        clock.set(pause_end + timedelta(seconds=1))
        report = outbox.deliver()
        got = server.wait_for(2)
    finally:
        server.stop()
    assert (report.sent, report.failed, report.retried) == (2, 1, 1)
    assert sorted(r.rcpt_tos[0] for r in got) == ["b@example.org", "d@example.org"]
    dropped = _row("drop@example.org")
    assert dropped.status == "queued" and dropped.attempts == 1
    bad = _row("bad@example.org")
    assert bad.status == "failed" and "550 5.1.1 No such user" in bad.last_error
    # the final failure is visible and can be sent again
    from tests import factories

    auth.login_as(factories.user("admin"))
    db.session.commit()
    page = client.get("/outbox?status=failed").get_data(as_text=True)
    assert "550 5.1.1 No such user" in page
    assert f"/outbox/{bad.id}/resend" in client.get(f"/outbox/{bad.id}").get_data(as_text=True)


def test_a_limit_that_cannot_be_read_stops_the_worker_with_one_line(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    app.config["MAIL_PER_MINUTE"] = "thirty"
    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [
        "Error: MAIL_PER_MINUTE='thirty' is not a number of messages: give a whole number "
        "above 0, or leave it empty for no limit"
    ]
    app.config.update(MAIL_PER_MINUTE="", MAIL_PER_DAY="-5")
    assert "MAIL_PER_DAY='-5'" in runner.invoke(args=["mail", "deliver"]).output


def test_the_limits_give_one_even_interval(app: Flask) -> None:
    app.config.update(MAIL_PER_MINUTE="30", MAIL_PER_DAY="")
    assert relay.pace().interval == 2.0
    app.config.update(MAIL_PER_MINUTE="30", MAIL_PER_DAY="1440")
    assert relay.pace().interval == 60.0  # the day's limit is the tighter one
    app.config.update(MAIL_PER_MINUTE="", MAIL_PER_DAY="")
    assert relay.pace().interval is None


@pytest.mark.slow
def test_two_workers_share_one_rate_limit(app: Flask) -> None:
    """Two workers (threads with their own sessions) under MAIL_PER_MINUTE=300 (one message
    every 0.2 s between them): every message once, and never two closer than the limit."""
    app.config.update(MAIL_PER_MINUTE="300")
    server = SMTPServer().start()
    try:
        use_smtp(app, server.port)
        _queue([f"p{i}@example.org" for i in range(12)])
        db.session.remove()
        errors: list[BaseException] = []

        def work() -> None:
            with app.app_context():
                try:
                    outbox.deliver()
                except BaseException as exc:  # noqa: BLE001
                    errors.append(exc)
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=work) for _ in range(2)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        elapsed = time.monotonic() - started
        got = server.wait_for(12)
    finally:
        server.stop()
    assert errors == []
    assert Counter(r.rcpt_tos[0] for r in got) == Counter(f"p{i}@example.org" for i in range(12))
    assert elapsed >= 11 * 0.2  # 12 messages need 11 intervals, whoever sends them


def test_the_page_and_the_command_say_when_the_rest_will_go(
    app: Flask, client, auth, runner
) -> None:  # type: ignore[no-untyped-def]
    from tests import factories

    app.config.update(MAIL_PER_MINUTE="30")
    _queue([f"p{i}@example.org" for i in range(10)])
    auth.login_as(factories.user("organiser"))
    db.session.commit()
    html = client.get("/outbox").get_data(as_text=True)
    assert "Relay limit:" in html and "30 messages a minute" in html
    assert "10 messages wait; the last should go by" in html
    seen = relay.outlook()
    assert seen.queued == 10
    assert timedelta(seconds=19) <= seen.done_by - relay.utcnow() <= timedelta(seconds=21)
    relay.pause(relay.utcnow() + timedelta(minutes=5), "421 4.7.0 slow down")
    html = client.get("/outbox").get_data(as_text=True)
    assert "The mail server asked to slow down (421 4.7.0 slow down)" in html
    result = runner.invoke(args=["mail", "deliver"])
    assert "10 message(s) still queued (relay limit 30 a minute; the server asked" in result.output

"""Delivery of the outbox to a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_string, policy
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, OutboxMessage
from clusgo_events.models.base import utcnow
from clusgo_events.services import outbox
from clusgo_events.services.outbox import attachment, claims, enqueue
from clusgo_events.services.outbox.smtp import DeliveryConnection
from tests import factories
from tests.mail_helpers import Behaviour, SMTPServer, free_port, running_smtp, use_smtp


@pytest.fixture()
def smtp(app: Flask) -> Iterator[SMTPServer]:
    yield from running_smtp(app)


ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"https?://[^\s\"<>]+/invitations/([A-Za-z0-9_-]+)")
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ClusGo//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:1b4e28ba-2fa1-11d2-883f-0016d3cca427\r\nDTSTAMP:20300101T000000Z\r\n"
    "DTSTART:20300215T080000Z\r\nSUMMARY:Školení v Brně – Győr\r\n"
    "ORGANIZER:mailto:no-reply@clusgo.example\r\n"
    "ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:jana@example.org\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def queue(n: int = 1, prefix: str = "m", **kw: object) -> list[OutboxMessage]:
    messages = []
    for i in range(n):
        values: dict = dict(
            key=f"{prefix}:{i}",
            recipient=f"person{i}@example.org",
            recipient_name="Jana Břusková",
            subject=f"Pozvánka do Győru, Łódź, Žilina #{i}",
            body_text=f"Dobrý den, paní Břusková, zpráva {i}.",
            body_html=f"<p>Dobrý den, paní <b>Břusková</b>, zpráva {i}.</p>",
        )
        values.update(kw)
        messages.append(enqueue(**values))
    db.session.commit()
    return messages


def statuses() -> Counter:
    return Counter(db.session.scalars(select(OutboxMessage.status)))


def test_message_headers_parts_and_diacritics(app: Flask, smtp: SMTPServer) -> None:
    app.config["BASE_URL"] = "https://events.example.org"
    queue(1)
    report = outbox.deliver()
    assert (report.sent, report.failed, report.retried) == (1, 0, 0)
    [got] = smtp.wait_for(1)
    msg = got.message
    assert got.rcpt_tos == ["person0@example.org"]
    assert got.mail_from == "no-reply@clusgo.example"
    assert msg["Subject"] == "Pozvánka do Győru, Łódź, Žilina #0"
    assert msg["To"].addresses[0].display_name == "Jana Břusková"
    assert msg["To"].addresses[0].addr_spec == "person0@example.org"
    assert msg["From"].addresses[0].addr_spec == "no-reply@clusgo.example"
    assert msg["Message-ID"].endswith("@events.example.org>")
    assert msg["Date"] is not None
    assert msg["Auto-Submitted"] == "auto-generated"
    assert got.data.isascii()  # 7-bit safe: encoded words and quoted-printable/base64
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.get_payload()
    assert plain.get_content_type() == "text/plain" and "Břusková" in plain.get_content()
    assert html.get_content_type() == "text/html" and "<b>Břusková</b>" in html.get_content()
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == "sent" and row.sent_at is not None and row.locked_by is None
    assert row.message_id == msg["Message-ID"]


def test_calendar_structure(app: Flask, smtp: SMTPServer) -> None:
    queue(
        1,
        calendar_method="REQUEST",
        calendar_ics=ICS,
        attachments=[attachment("programme.pdf", "application/pdf", b"%PDF-1.4 test")],
    )
    outbox.deliver()
    msg = smtp.wait_for(1)[0].message
    assert msg.get_content_type() == "multipart/mixed"
    alternative, ics_file, pdf = msg.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    kinds = [p.get_content_type() for p in alternative.get_payload()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    calendar = alternative.get_payload()[2]
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset() == "utf-8"
    assert calendar.get_content_disposition() is None  # inline, not an attachment
    assert "SUMMARY:Školení v Brně – Győr" in calendar.get_content()
    assert ics_file.get_content_type() == "application/ics"
    assert ics_file.get_filename() == "invite.ics"
    assert ics_file.get_content().decode("utf-8") == ICS  # the same object, CRLF intact
    assert pdf.get_filename() == "programme.pdf" and pdf.get_content() == b"%PDF-1.4 test"
    assert smtp.received[0].data.count(b"MIME-Version:") == 1  # on top only


def test_cancel_method_in_mime(app: Flask, smtp: SMTPServer) -> None:
    queue(1, calendar_method="CANCEL", calendar_ics=ICS.replace("REQUEST", "CANCEL"))
    outbox.deliver()
    msg = smtp.wait_for(1)[0].message
    calendar = msg.get_payload()[0].get_payload()[2]
    assert calendar.get_param("method") == "CANCEL"


def test_no_header_injection(app: Flask, smtp: SMTPServer) -> None:
    queue(
        1,
        recipient_name="Eve\r\nBcc: victim@example.org",
        subject="Hello\nBcc: victim@example.org",
    )
    outbox.deliver()
    [got] = smtp.wait_for(1)
    assert got.rcpt_tos == ["person0@example.org"]
    assert got.message["Bcc"] is None
    assert b"\nBcc:" not in got.data
    assert "Bcc" in got.message["To"].addresses[0].display_name  # kept as text, harmless


def test_one_connection_per_batch(app: Flask, smtp: SMTPServer) -> None:
    queue(5)
    connections: list[object] = []
    original = DeliveryConnection.configure_host

    def counting(self):  # type: ignore[no-untyped-def]
        connections.append(self)
        return original(self)

    DeliveryConnection.configure_host = counting  # type: ignore[method-assign]
    try:
        report = outbox.deliver(batch_size=10)
    finally:
        DeliveryConnection.configure_host = original  # type: ignore[method-assign]
    assert report.sent == 5 and len(connections) == 1
    assert len(smtp.wait_for(5)) == 5


def test_limit(app: Flask, smtp: SMTPServer) -> None:
    queue(5)
    assert outbox.deliver(limit=2).sent == 2
    assert statuses() == Counter(sent=2, queued=3)


def test_permanent_refusal_marks_failed(app: Flask) -> None:
    server = SMTPServer(Behaviour(refuse_rcpt={"person1@example.org": "550 5.1.1 No such user"}))
    server.start()
    try:
        use_smtp(app, server.port)
        queue(3)
        report = outbox.deliver()
        assert (report.sent, report.failed) == (2, 1)
        assert sorted(r.rcpt_tos[0] for r in server.wait_for(2)) == [
            "person0@example.org",
            "person2@example.org",
        ]
    finally:
        server.stop()
    failed = db.session.scalar(select(OutboxMessage).where(OutboxMessage.status == "failed"))
    assert failed.recipient == "person1@example.org"
    assert "550" in failed.last_error and "No such user" in failed.last_error


def test_deliver_command_audits_a_final_failure_as_the_worker(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    server = SMTPServer(Behaviour(refuse_rcpt={"person0@example.org": "550 5.1.1 No such user"}))
    server.start()
    try:
        use_smtp(app, server.port)
        [message] = queue(1)
        result = runner.invoke(args=["mail", "deliver"])
    finally:
        server.stop()
    assert "0 sent, 0 to retry, 1 failed" in result.output, result.output
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "outbox.failed"))
    assert (entry.source, entry.object_type, entry.object_id) == (
        "worker",
        "OutboxMessage",
        message.id,
    )
    assert "No such user" in entry.details["error"]


def test_permanent_data_refusal(app: Flask) -> None:
    server = SMTPServer(Behaviour(data_reply="554 5.7.1 Message rejected as spam")).start()
    try:
        use_smtp(app, server.port)
        queue(1)
        assert outbox.deliver().failed == 1
    finally:
        server.stop()
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == "failed" and "554 5.7.1 Message rejected as spam" in row.last_error


def test_temporary_refusal_retries_with_growing_delay(app: Flask) -> None:
    server = SMTPServer(Behaviour(refuse_rcpt={"person0@example.org": "451 4.3.0 Try later"}))
    server.start()
    try:
        use_smtp(app, server.port)
        queue(1)
        before = utcnow()
        report = outbox.deliver()
        assert (report.sent, report.retried) == (0, 1)
        row = db.session.scalar(select(OutboxMessage))
        assert row.status == "queued" and row.attempts == 1 and "451" in row.last_error
        assert row.next_attempt_at >= before + timedelta(seconds=59)
        # not due yet: nothing happens
        assert outbox.deliver().total == 0
        # due again, refused again: the delay doubles
        row.next_attempt_at = utcnow()
        db.session.commit()
        before = utcnow()
        outbox.deliver()
        db.session.refresh(row)
        assert row.attempts == 2 and row.next_attempt_at >= before + timedelta(seconds=119)
        # the server takes it now
        server.behaviour.refuse_rcpt.clear()
        row.next_attempt_at = utcnow()
        db.session.commit()
        assert outbox.deliver().sent == 1
        assert len(server.wait_for(1)) == 1
    finally:
        server.stop()
    assert claims.retry_delay(1) == timedelta(minutes=1)
    assert claims.retry_delay(3) == timedelta(minutes=4)
    assert claims.retry_delay(30) == claims.RETRY_CAP


def test_server_down_is_temporary(app: Flask) -> None:
    use_smtp(app, free_port())
    queue(3)
    report = outbox.deliver()
    assert report.retried == 3 and report.sent == 0
    assert "cannot connect" in report.connection_error
    rows = list(db.session.scalars(select(OutboxMessage)))
    assert {r.status for r in rows} == {"queued"}
    assert all(r.attempts == 1 and r.next_attempt_at > utcnow() for r in rows)
    assert all("Connection refused" in r.last_error or "refused" in r.last_error for r in rows)


def test_dropped_connection_is_temporary_and_rest_continues(app: Flask) -> None:
    server = SMTPServer(Behaviour(drop_on_data={"person1@example.org"})).start()
    try:
        use_smtp(app, server.port)
        queue(4)
        report = outbox.deliver()
        got = server.wait_for(3)
    finally:
        server.stop()
    assert report.sent == 3 and report.retried == 1
    assert sorted(r.rcpt_tos[0] for r in got) == [
        "person0@example.org",
        "person2@example.org",
        "person3@example.org",
    ]
    dropped = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "person1@example.org")
    )
    assert dropped.status == "queued" and dropped.attempts == 1
    assert "Disconnected" in dropped.last_error or "closed" in dropped.last_error.lower()


def test_rollback_sends_nothing(app: Flask, smtp: SMTPServer) -> None:
    factories.respondent("a@example.org")  # the change that causes the mail
    enqueue(key="rolled-back", recipient="a@example.org", subject="x", body_text="x")
    db.session.rollback()
    assert outbox.deliver().total == 0
    time.sleep(0.2)
    assert smtp.received == []
    assert db.session.scalar(select(OutboxMessage)) is None


def test_stale_sending_is_reclaimed_fresh_is_not(app: Flask, smtp: SMTPServer) -> None:
    stale, fresh = queue(2)
    stale.status = fresh.status = "sending"
    stale.locked_by = fresh.locked_by = "dead-worker"
    stale.locked_at = utcnow() - timedelta(seconds=600)
    fresh.locked_at = utcnow()
    db.session.commit()
    assert outbox.deliver(lock_timeout=300).sent == 1
    assert [r.rcpt_tos[0] for r in smtp.wait_for(1)] == [stale.recipient]
    db.session.refresh(fresh)
    assert fresh.status == "sending" and fresh.locked_by == "dead-worker"


def test_failure_after_acceptance_is_still_sent(app: Flask, smtp: SMTPServer) -> None:
    """quit() raising after the server took the message must not cause a resend."""
    app.extensions["mail"].max_emails = 1  # Flask-Mail reconnects (quit) after each message
    queue(2)
    original = DeliveryConnection.configure_host
    calls = {"n": 0}

    def flaky(self):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:  # the reconnect after message 1
            raise ConnectionRefusedError("reconnect refused")
        return original(self)

    DeliveryConnection.configure_host = flaky  # type: ignore[method-assign]
    try:
        report = outbox.deliver()
    finally:
        DeliveryConnection.configure_host = original  # type: ignore[method-assign]
    assert report.sent == 2
    assert len(smtp.wait_for(2)) == 2
    assert statuses() == Counter(sent=2)


def _fail_commit_after(server: SMTPServer, accepted: int) -> tuple[object, dict[str, bool]]:
    """A commit listener that fails the commit once, when the server holds ``accepted``
    messages: the database goes away just after the server took a message."""
    fired = {"done": False}

    def fail(conn) -> None:  # type: ignore[no-untyped-def]
        if not fired["done"] and len(server.received) >= accepted:
            fired["done"] = True
            raise OperationalError(
                "COMMIT", {}, Exception("server closed the connection unexpectedly")
            )

    return fail, fired


def test_database_error_after_acceptance_never_resends(app: Flask, smtp: SMTPServer) -> None:
    """The commit that records message 2 as sent fails: the same worker, once the database
    answers again, records it as sent and sends it no second time."""
    queue(3)
    worker = outbox.Worker()
    fail, fired = _fail_commit_after(smtp, accepted=2)
    event.listen(db.engine, "commit", fail)
    try:
        with pytest.raises(OperationalError):
            outbox.deliver(worker=worker)
    finally:
        event.remove(db.engine, "commit", fail)
    assert fired["done"]
    db.session.rollback()  # what the command does after a database error
    report = outbox.deliver(worker=worker)
    got = smtp.wait_for(3)
    time.sleep(0.2)
    per_recipient = Counter(r.rcpt_tos[0] for r in smtp.received)
    assert per_recipient == Counter(f"person{i}@example.org" for i in range(3))
    assert report.sent == 2 and not worker.accepted  # message 2 recorded, message 3 sent
    db.session.expire_all()
    assert statuses() == Counter(sent=3)
    rows = {r.recipient: r for r in db.session.scalars(select(OutboxMessage))}
    second = rows["person1@example.org"]
    assert second.message_id == got[1].message["Message-ID"] and second.attempts == 1


def test_deliver_command_database_error_is_one_line(app: Flask, smtp: SMTPServer, runner) -> None:  # type: ignore[no-untyped-def]
    queue(1)
    fail, fired = _fail_commit_after(smtp, accepted=1)
    event.listen(db.engine, "commit", fail)
    try:
        result = runner.invoke(args=["mail", "deliver"])
    finally:
        event.remove(db.engine, "commit", fail)
    assert fired["done"] and result.exit_code != 0
    assert "database error: Exception: server closed the connection unexpectedly" in (result.output)
    assert "UPDATE" not in result.output and "COMMIT" not in result.output


def test_deliver_command(app: Flask, smtp: SMTPServer, runner) -> None:  # type: ignore[no-untyped-def]
    queue(3)
    result = runner.invoke(args=["mail", "deliver", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "2 sent, 0 to retry, 0 failed" in result.output
    result = runner.invoke(args=["mail", "deliver"])
    assert "1 sent" in result.output
    assert len(smtp.wait_for(3)) == 3


# -- international addresses ---------------------------------------------------------------


def test_non_ascii_domain_goes_as_idna(app: Flask, smtp: SMTPServer) -> None:
    """``jan@żółw.pl`` (imported as it is) is delivered to ``jan@xn--w-uga1v8h.pl``."""
    queue(1, recipient="jan@żółw.pl", recipient_name="Jan Żółkiewski")
    report = outbox.deliver()
    assert (report.sent, report.failed) == (1, 0)
    [got] = smtp.wait_for(1)
    assert got.rcpt_tos == ["jan@xn--w-uga1v8h.pl"] and "SMTPUTF8" not in got.mail_options
    assert got.data.isascii()
    [to] = got.message["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Jan Żółkiewski", "jan@xn--w-uga1v8h.pl")
    assert statuses() == Counter(sent=1)


def test_non_ascii_local_part_with_smtputf8(app: Flask) -> None:
    server = SMTPServer(Behaviour(smtputf8=True)).start()
    try:
        use_smtp(app, server.port)
        queue(1, recipient="jiří@żółw.pl", recipient_name="Jiří Dvořák")
        report = outbox.deliver()
        [got] = server.wait_for(1)
    finally:
        server.stop()
    assert report.sent == 1
    assert got.rcpt_tos == ["jiří@xn--w-uga1v8h.pl"] and "SMTPUTF8" in got.mail_options
    msg = message_from_string(got.data.decode("utf-8"), policy=policy.SMTPUTF8)  # RFC 6532
    [to] = msg["To"].addresses
    assert to.addr_spec == "jiří@xn--w-uga1v8h.pl" and to.display_name == "Jiří Dvořák"
    assert msg["Subject"] == "Pozvánka do Győru, Łódź, Žilina #0"
    assert "Dobrý den" in msg.get_body(("plain",)).get_content()


def test_non_ascii_local_part_without_smtputf8_fails_clearly(app: Flask, smtp: SMTPServer) -> None:
    """The server does not offer SMTPUTF8: that one message fails for good, with a reason a
    person understands; the rest of the batch goes."""
    first, second = queue(2)
    first.recipient = "jiří@example.cz"
    db.session.commit()
    report = outbox.deliver()
    assert (report.sent, report.failed, report.retried) == (1, 1, 0)
    assert [r.rcpt_tos for r in smtp.wait_for(1)] == [["person1@example.org"]]
    db.session.expire_all()
    failed = db.session.get(OutboxMessage, first.id)
    assert failed.status == "failed" and failed.attempts == 1
    assert "non-ASCII characters before the @" in failed.last_error
    assert "SMTPUTF8" in failed.last_error


@pytest.mark.parametrize("recipient", ["jan@-żółw.pl", "jan@żółw..pl", "jan@"])
def test_invalid_domain_fails_for_good(app: Flask, smtp: SMTPServer, recipient: str) -> None:
    [message] = queue(1)
    message.recipient = recipient
    db.session.commit()
    assert outbox.deliver().failed == 1
    db.session.expire_all()
    row = db.session.get(OutboxMessage, message.id)
    assert row.status == "failed" and "cannot build the message" in row.last_error


# -- what the outbox keeps -----------------------------------------------------------------


def _stored_text(row: OutboxMessage) -> str:
    """Every stored column of ``row`` as one text (the bodies, the attachments' base64 ...)."""
    return " ".join(str(getattr(row, c.key)) for c in OutboxMessage.__table__.columns)


def test_sent_invitation_keeps_no_token(app: Flask, smtp: SMTPServer) -> None:
    """The raw invitation token lives only in the e-mail: once the server has it, the outbox
    row keeps recipient, subject and status, and no body."""
    from clusgo_events.services.invitations import send_invitations
    from tests.mail_helpers import make_event, make_respondent

    event = make_event()
    make_respondent("jana@example.cz", language="cs")
    send_invitations(event)
    db.session.commit()
    queued = db.session.scalar(select(OutboxMessage))
    token = LINK.search(queued.body_text).group(1)
    assert outbox.deliver().sent == 1
    assert token in smtp.wait_for(1)[0].message.get_body(("plain",)).get_content()
    db.session.expire_all()
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == "sent" and row.subject and row.recipient == "jana@example.cz"
    assert token not in _stored_text(row)
    assert (row.body_text, row.body_html, row.calendar_ics, row.attachments) == ("", "", None, [])
    assert row.purged_at == row.sent_at


def test_sent_calendar_and_attachments_are_dropped(app: Flask, smtp: SMTPServer) -> None:
    qr = b"\x89PNG check-in code ABC-123"
    queue(
        1,
        calendar_method="REQUEST",
        calendar_ics=ICS,
        attachments=[attachment("checkin-code.png", "image/png", qr)],
    )
    outbox.deliver()
    msg = smtp.wait_for(1)[0].message
    assert msg.get_payload()[2].get_content() == qr
    row = db.session.scalar(select(OutboxMessage))
    db.session.refresh(row)
    assert row.calendar_ics is None and row.attachments == [] and row.calendar_method == "REQUEST"
    assert "ATTENDEE" not in _stored_text(row) and "Q0hFQ0" not in _stored_text(row)


def test_failed_message_keeps_its_bodies_for_a_while(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    server = SMTPServer(Behaviour(refuse_rcpt={"person0@example.org": "550 5.1.1 No such user"}))
    server.start()
    try:
        use_smtp(app, server.port)
        queue(2, calendar_method="REQUEST", calendar_ics=ICS)
        report = outbox.deliver()
    finally:
        server.stop()
    assert (report.sent, report.failed) == (1, 1)
    failed = db.session.scalar(select(OutboxMessage).where(OutboxMessage.status == "failed"))
    assert failed.failed_at == clock.now and failed.purged_at is None
    days = app.config["OUTBOX_FAILED_BODY_DAYS"]
    assert days == 30
    clock.advance(days=days - 1)
    assert outbox.purge_bodies() == 0  # still there to look at, and to send again
    db.session.commit()
    db.session.refresh(failed)
    assert "Dobrý den" in failed.body_text and failed.calendar_ics == ICS
    clock.advance(days=1)
    assert outbox.purge_bodies() == 1
    db.session.commit()
    db.session.refresh(failed)
    assert (failed.body_text, failed.body_html, failed.calendar_ics) == ("", "", None)
    assert failed.purged_at == clock.now
    assert failed.status == "failed" and "No such user" in failed.last_error  # the record stays
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.bodies_purged"))
    assert entry.details["messages"] == 1
    assert outbox.purge_bodies() == 0  # once


def test_purge_drops_bodies_a_sent_message_still_has(app: Flask) -> None:
    """A row sent before bodies were dropped at sending (or by another writer)."""
    row = factories.outbox_message(status="sent", body_html="<p>token</p>")
    db.session.commit()
    assert outbox.purge_bodies() == 1
    db.session.commit()
    db.session.refresh(row)
    assert (row.body_text, row.body_html) == ("", "")


def test_deliver_command_purges_as_the_worker(app: Flask, clock, runner) -> None:  # type: ignore[no-untyped-def]
    old = factories.outbox_message(status="failed", failed_at=clock.now - timedelta(days=31))
    recent = factories.outbox_message(status="failed", failed_at=clock.now - timedelta(days=1))
    db.session.commit()
    use_smtp(app, free_port())  # nothing queued: no connection is made
    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0, result.output
    assert "Dropped the bodies of 1 old message(s)." in result.output
    db.session.expire_all()
    assert db.session.get(OutboxMessage, old.id).body_text == ""
    assert db.session.get(OutboxMessage, recent.id).body_text != ""
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.bodies_purged"))
    assert entry.source == "worker"


def test_no_secret_in_a_log_line(app: Flask, smtp: SMTPServer, caplog, capfd) -> None:  # type: ignore[no-untyped-def]
    """A failing receiver whose error quotes the message, a refused address and the SMTP
    debug setting on: the log and the terminal name ids and answers, never a link."""
    from clusgo_events.signals import message_sent

    app.config["MAIL_DEBUG"] = 1
    use_smtp(app, smtp.port)
    secret = "https://events.example.org/invitations/s3cr3t-t0k3n-0123456789abcdefghijklmn"
    queue(2, body_text=f"Your link: {secret}", body_html=f'<a href="{secret}">link</a>')

    def leaky(message: OutboxMessage, **_: object) -> None:
        raise RuntimeError(f"cannot handle {message.body_text}")

    message_sent.connect(leaky)
    try:
        with caplog.at_level(logging.DEBUG):
            assert outbox.deliver().sent == 2
    finally:
        message_sent.disconnect(leaky)
    ours = [r for r in caplog.records if r.name.startswith(("clusgo_events", "sqlalchemy"))]
    assert any("receiver of outbox-message-sent failed" in r.getMessage() for r in ours)
    for record in ours:
        assert "s3cr3t" not in record.getMessage()
        assert not record.exc_info or "s3cr3t" not in str(record.exc_info[1])
    out, err = capfd.readouterr()
    assert "s3cr3t" not in out + err
    assert "send: " not in err and "reply: " not in err  # smtplib's transcript stays off
    assert statuses() == Counter(sent=2)


# -- processes -----------------------------------------------------------------------------


def _env(app: Flask, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(port),
        PYTHONPATH=str(ROOT),
    )
    return env


def _deliver_process(app: Flask, port: int, *args: str) -> subprocess.Popen:
    flask = str(Path(sys.executable).parent / "flask")
    return subprocess.Popen(
        [flask, "--app", "wsgi", "mail", "deliver", *args],
        cwd=ROOT,
        env=_env(app, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_killed_mid_batch_then_resumed(app: Flask) -> None:
    server = SMTPServer(Behaviour(delay=0.05)).start()
    try:
        queue(40)
        db.session.remove()
        proc = _deliver_process(app, server.port, "--lock-timeout", "1")
        deadline = time.monotonic() + 30
        while len(server.received) < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
        before_kill = len(server.received)
        assert 8 <= before_kill < 40
        assert statuses()["sending"] > 0  # the dead worker's claim is left behind
        time.sleep(1.2)  # the lock times out
        resumed = _deliver_process(app, server.port, "--lock-timeout", "1")
        out, err = resumed.communicate(timeout=60)
        assert resumed.returncode == 0, err.decode()
        got = server.received
    finally:
        server.stop()
    per_recipient = Counter(r.rcpt_tos[0] for r in got)
    assert set(per_recipient) == {f"person{i}@example.org" for i in range(40)}
    twice = [rcpt for rcpt, n in per_recipient.items() if n > 1]
    assert len(twice) <= 1 and max(per_recipient.values()) <= 2  # at most the one in flight
    db.session.expire_all()
    assert statuses() == Counter(sent=40)


@pytest.mark.slow
def test_two_processes_never_send_the_same_message(app: Flask) -> None:
    server = SMTPServer(Behaviour(delay=0.005)).start()
    try:
        queue(60)
        db.session.remove()
        procs = [_deliver_process(app, server.port, "--batch-size", "7") for _ in range(2)]
        results = [p.communicate(timeout=120) for p in procs]
        for proc, (_, err) in zip(procs, results, strict=True):
            assert proc.returncode == 0, err.decode()
        got = server.received
    finally:
        server.stop()
    per_recipient = Counter(r.rcpt_tos[0] for r in got)
    assert len(got) == 60 and set(per_recipient.values()) == {1}
    db.session.expire_all()
    assert statuses() == Counter(sent=60)


@pytest.mark.parametrize(
    "name,subject",
    [
        ("Eve\r\nBcc: evil@example.org", "Hello\r\nBcc: evil@example.org"),
        ("Éva Kovács\r\nBcc: evil@example.org", "Pozvánka\r\nBcc: evil@example.org"),
        ("Eve\rBcc: evil@example.org", "Hi\rBcc: evil@example.org\r\n\r\nforged body"),
        ("Eve\u2028Bcc: evil@example.org", "Hi\x85Bcc: evil@example.org"),
    ],
)
def test_no_header_injection_through_name_or_stored_subject(
    app: Flask, smtp: SMTPServer, name: str, subject: str
) -> None:
    """Even a subject stored without enqueue's clean-up (an older row, another writer) and a
    name with line breaks give one To, no Bcc, and one envelope recipient."""
    [message] = queue(1, recipient_name=name, recipient="jana@example.org")
    message.subject = subject  # written as is, past enqueue's own clean-up
    db.session.commit()
    report = outbox.deliver()
    assert report.sent == 1
    [got] = smtp.wait_for(1)
    assert got.rcpt_tos == ["jana@example.org"]
    assert got.message["Bcc"] is None
    assert got.message.get_all("To") is not None and len(got.message.get_all("To")) == 1
    assert [a.addr_spec for a in got.message["To"].addresses] == ["jana@example.org"]
    headers = got.data.split(b"\r\n\r\n", 1)[0]
    assert b"\nBcc" not in headers and b"evil@example.org>" not in headers
    assert all(line[:1] in b" \t" or b":" in line for line in headers.split(b"\r\n"))
    assert b"\r" not in headers.replace(b"\r\n", b"") and b"\n" not in headers.replace(b"\r\n", b"")
    assert "Bcc" in str(got.message["Subject"])  # kept as harmless text on the same line


@pytest.mark.parametrize(
    "recipient",
    [
        "jana@example.org\r\nBcc: evil@example.org",
        "jana@example.org\r\nX-Injected:yes",
        "jana@example.org\nevil@example.org",
        "jana@example.org,evil@example.org",
    ],
)
def test_recipient_with_line_breaks_is_refused(
    app: Flask, smtp: SMTPServer, recipient: str
) -> None:
    [message] = queue(1)
    message.recipient = recipient
    db.session.commit()
    report = outbox.deliver()
    assert report.failed == 1 and report.sent == 0
    time.sleep(0.2)
    assert smtp.received == []
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "failed"

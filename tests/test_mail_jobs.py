"""Sending from the page in the background: the request answers at once, the worker sends."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import DeliveryWorker, Invitation, MailJob, OutboxMessage
from clusgo_events.models.base import utcnow
from clusgo_events.models.enums import InvitationStatus
from clusgo_events.services import mail_jobs
from clusgo_events.services.outbox import workers
from clusgo_events.services.outbox.worker import Worker
from tests import factories
from tests.mail_helpers import SMTPServer, use_smtp


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _organiser(auth):  # type: ignore[no-untyped-def]
    user = factories.user("organiser")
    db.session.commit()
    auth.login_as(user)
    return user


def test_send_answers_at_once_and_the_worker_sends(app: Flask, client, auth, runner) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    for _ in range(3):
        factories.respondent()
    _organiser(auth)
    response = client.post(
        f"/events/{event.slug}/invitations", data={"interest": "any"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "3 invitations are being prepared and sent in the background." in html
    assert (_count(Invitation), _count(OutboxMessage)) == (0, 0)  # nothing rendered yet
    [job] = db.session.scalars(select(MailJob)).all()
    assert (job.kind, job.status, job.parameters["expected"]) == ("invitations", "queued", 3)
    # the page shows the counts at load, and loads the script that updates them
    assert 'id="mail-progress"' in html and "waiting for the worker" in html
    assert "js/mail-progress.js" in html
    assert client.get(f"/events/{event.slug}/invitations/progress").json["jobs"][0]["status"] == (
        "queued"
    )
    # a second request while it waits (a double click) is answered by the same job
    again = client.post(f"/events/{event.slug}/invitations", data={"interest": "any"})
    assert again.headers["Location"] == f"/events/{event.slug}/invitations"
    assert _count(MailJob) == 1
    # the real worker command: renders, queues and delivers
    server = SMTPServer().start()
    try:
        use_smtp(app, server.port)
        result = runner.invoke(args=["mail", "deliver"])
        assert result.exit_code == 0, result.output
        assert f"Mail job {job.id} (invitations, event {event.id}): 3 queued" in result.output
        assert len(server.wait_for(3)) == 3
    finally:
        server.stop()
    db.session.expire_all()
    statuses = db.session.scalars(select(Invitation.status)).all()
    assert statuses == [InvitationStatus.SENT] * 3
    [progress] = client.get(f"/events/{event.slug}/invitations/progress").json["jobs"]
    assert (progress["status"], progress["queued"], progress["sent"], progress["failed"]) == (
        "done",
        0,
        3,
        0,
    )
    assert progress["finished"] is True and progress["status_label"] == "prepared"


def test_a_request_that_cannot_be_sent_is_refused_at_once(client, auth) -> None:  # type: ignore[no-untyped-def]
    event = factories.event(status="draft")
    factories.respondent()
    _organiser(auth)
    response = client.post(
        f"/events/{event.slug}/invitations", data={"interest": "any"}, follow_redirects=True
    )
    assert "Publish the event before inviting anyone." in response.get_data(as_text=True)
    assert _count(MailJob) == 0


def test_reminders_go_in_the_background_too(app: Flask, client, auth) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    factories.invitation(event, sent_at=utcnow() - timedelta(days=10))
    _organiser(auth)
    response = client.post(
        f"/events/{event.slug}/invitations/reminders",
        data={"interval_days": "7"},
        follow_redirects=True,
    )
    assert "1 reminder is being prepared" in response.get_data(as_text=True)
    assert _count(OutboxMessage) == 0
    [job] = mail_jobs.run_queued("test-worker")
    assert (job.status, job.queued) == ("done", 1)
    assert db.session.scalar(select(OutboxMessage.kind)) == "invitation-reminder"


def test_a_dead_workers_job_is_taken_over_and_queues_nothing_twice(app: Flask) -> None:
    event = factories.event()
    factories.respondent()
    job = mail_jobs.request_invitations(event, mail_jobs.invitation_service.Narrowing(), None)
    db.session.commit()
    # a worker on another machine claimed it, ran it, and died before recording the end
    assert mail_jobs._claim(job.id, "far:1:dead")
    mail_jobs.RUNNERS[job.kind](job, event)
    db.session.commit()
    beat = utcnow() - timedelta(minutes=5)
    db.session.add(
        DeliveryWorker(id="far:1:dead", host="far", pid=1, started_at=beat, heartbeat_at=beat)
    )
    db.session.commit()
    [taken] = workers.take_over_dead(Worker())
    assert taken.worker == "far:1:dead"
    [again] = mail_jobs.run_queued("test-worker")
    assert (again.status, again.queued) == ("done", 0)  # sending is idempotent
    assert _count(OutboxMessage) == 1

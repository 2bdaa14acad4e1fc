"""Background mail jobs: "Send N invitations" (or reminders) answers at once.

The request checks what the page asked for (the same rules as sending: a dry run of
:func:`.invitations.send_invitations` / ``send_reminders``), writes a :class:`MailJob` and
commits. A delivery worker (``flask mail deliver``) claims queued jobs (a compare-and-set on
the status; ``locked_by`` is its worker record, so a dead worker's job is taken over like its
messages) and runs them: rendering and queuing happen there, and its own delivery sends them.
Sending is idempotent (one invitation per respondent, one key per reminder), so a job that
runs again after a crash queues nothing twice. The page follows a job through
:func:`progress` (queued, sent, failed), in a JSON endpoint too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import (
    Event,
    MailJob,
    MailJobKind,
    MailJobStatus,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    User,
)
from ..models.base import utcnow
from . import ServiceError, audit
from . import invitations as invitation_service

log = logging.getLogger(__name__)

#: the kind of message each job queues (its progress counts these)
MESSAGE_KIND = {
    MailJobKind.INVITATIONS: OutboxKind.INVITATION,
    MailJobKind.REMINDERS: OutboxKind.INVITATION_REMINDER,
}
OPEN = (MailJobStatus.QUEUED, MailJobStatus.RUNNING)


def _create(
    event: Event, kind: MailJobKind, parameters: dict[str, Any], user: User | None
) -> MailJob:
    job = MailJob(
        kind=kind,
        event_id=event.id,
        parameters=parameters,
        requested_by_id=getattr(user, "id", None),
        status=MailJobStatus.QUEUED,
    )
    db.session.add(job)
    db.session.flush()
    audit.record("mail_job.requested", job, {"kind": str(kind), **parameters}, event=event)
    return job


def request_invitations(
    event: Event, narrowing: invitation_service.Narrowing, user: User | None
) -> MailJob:
    """Ask the worker to invite everyone eligible under ``narrowing``; the caller commits."""
    narrowing = invitation_service.check_narrowing(event, narrowing)
    expected = invitation_service.send_invitations(event, narrowing, dry_run=True).queued
    waiting = latest(event, MailJobKind.INVITATIONS, open_only=True)
    if waiting is not None:  # asked twice (a double click): the job that waits answers both
        return waiting
    parameters = {
        "countries": narrowing.countries,
        "interest": narrowing.interest,
        "expected": expected,
    }
    return _create(event, MailJobKind.INVITATIONS, parameters, user)


def request_reminders(event: Event, interval: timedelta, user: User | None) -> MailJob:
    """Ask the worker to remind those who have not answered; the caller commits."""
    expected = invitation_service.send_reminders(event, interval=interval, dry_run=True).queued
    waiting = latest(event, MailJobKind.REMINDERS, open_only=True)
    if waiting is not None:
        return waiting
    parameters = {"interval_hours": interval.total_seconds() / 3600, "expected": expected}
    return _create(event, MailJobKind.REMINDERS, parameters, user)


def _send_invitations(job: MailJob, event: Event) -> int:
    narrowing = invitation_service.Narrowing(
        countries=list(job.parameters.get("countries") or []),
        interest=job.parameters.get("interest") or "any",
    )
    return invitation_service.send_invitations(event, narrowing).queued


def _send_reminders(job: MailJob, event: Event) -> int:
    interval = timedelta(hours=float(job.parameters.get("interval_hours") or 24 * 7))
    return invitation_service.send_reminders(event, interval=interval).queued


RUNNERS: dict[str, Callable[[MailJob, Event], int]] = {
    MailJobKind.INVITATIONS: _send_invitations,
    MailJobKind.REMINDERS: _send_reminders,
}


def _claim(job_id: int, worker_id: str) -> bool:
    claimed = db.session.execute(
        update(MailJob)
        .where(MailJob.id == job_id, MailJob.status == MailJobStatus.QUEUED)
        .values(status=MailJobStatus.RUNNING, locked_by=worker_id, started_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1


def run_queued(worker_id: str) -> list[MailJob]:
    """Run every queued job (oldest first) as ``worker_id``; each commits on its own."""
    done: list[MailJob] = []
    waiting = db.session.scalars(
        select(MailJob.id).where(MailJob.status == MailJobStatus.QUEUED).order_by(MailJob.id)
    ).all()
    for job_id in waiting:
        if not _claim(job_id, worker_id):
            continue  # another worker took it
        job = db.session.get(MailJob, job_id)
        event = db.session.get(Event, job.event_id) if job.event_id else None
        values: dict[str, Any]
        try:
            if event is None:
                raise ServiceError(_l("The event is gone."))
            queued = RUNNERS[job.kind](job, event)
            values = {"status": MailJobStatus.DONE, "queued": queued}
        except Exception as exc:  # noqa: BLE001  (a failed job is recorded, the worker goes on)
            db.session.rollback()
            message = exc.message if isinstance(exc, ServiceError) else type(exc).__name__
            if not isinstance(exc, ServiceError):
                log.exception("mail job %s failed", job_id)
            values = {"status": MailJobStatus.FAILED, "error": str(message)[:2000]}
        db.session.execute(
            update(MailJob)
            .where(MailJob.id == job_id, MailJob.locked_by == worker_id)
            .values(finished_at=utcnow(), locked_by=None, **values)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        done.append(db.session.get(MailJob, job_id))
    return done


def latest(event: Event, kind: MailJobKind | str, open_only: bool = False) -> MailJob | None:
    """The event's newest job of ``kind`` (only a queued or running one with ``open_only``)."""
    query = select(MailJob).where(MailJob.event_id == event.id, MailJob.kind == kind)
    if open_only:
        query = query.where(MailJob.status.in_(OPEN))
    return db.session.scalar(query.order_by(MailJob.id.desc()).limit(1))


def progress(job: MailJob) -> dict[str, Any]:
    """Where ``job`` stands: its status and the messages it queued, by delivery state."""
    counts = {OutboxStatus.QUEUED: 0, OutboxStatus.SENT: 0, OutboxStatus.FAILED: 0}
    if job.started_at is not None:
        rows = db.session.execute(
            select(OutboxMessage.status, func.count(OutboxMessage.id))
            .where(
                OutboxMessage.event_id == job.event_id,
                OutboxMessage.kind == MESSAGE_KIND[MailJobKind(job.kind)],
                OutboxMessage.created_at >= job.started_at,
            )
            .group_by(OutboxMessage.status)
        )
        for status, n in rows:
            key = OutboxStatus.QUEUED if status == OutboxStatus.SENDING else status
            if key in counts:
                counts[key] += n
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "expected": int(job.parameters.get("expected") or 0),
        "queued": counts[OutboxStatus.QUEUED],
        "sent": counts[OutboxStatus.SENT],
        "failed": counts[OutboxStatus.FAILED],
        "error": job.error,
        "finished": job.status not in OPEN and counts[OutboxStatus.QUEUED] == 0,
    }

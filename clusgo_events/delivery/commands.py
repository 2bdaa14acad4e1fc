"""``flask --app wsgi mail deliver [--limit N] [--watch]``."""

from __future__ import annotations

import signal
import time
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import DBAPIError

from ..extensions import db
from ..models import AuditSource
from ..services import mail_jobs, periodic
from ..services.audit import acting_from
from ..services.outbox import DeliveryReport, Worker, deliver, purge_bodies, relay, workers
from ..services.outbox.retention import PURGE_EVERY
from ..services.outbox.worker import DEFAULT_BATCH_SIZE

mail_cli = AppGroup("mail", help="Deliver the outbox.")


@mail_cli.command("deliver")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N messages.")
@click.option("--watch", is_flag=True, help="Keep delivering until stopped (Ctrl-C).")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1, max=1000),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Messages per SMTP connection.",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds after which a message left 'sending' by a dead worker is taken over "
    "(default: MAIL_LOCK_TIMEOUT).",
)
@click.option("--interval", type=click.FloatRange(min=0.1), default=2.0, show_default=True)
def deliver_command(
    limit: int | None, watch: bool, batch_size: int, lock_timeout: float | None, interval: float
) -> None:
    """Send queued mail over SMTP (MAIL_SERVER:MAIL_PORT), retrying temporary failures.

    Also drops the bodies of failed messages older than OUTBOX_FAILED_BODY_DAYS (at start,
    and hourly with --watch); with --watch, runs the scheduled tasks that are due
    (services.periodic). Every change is recorded as the worker's.
    """
    lock_timeout = lock_timeout or float(current_app.config["MAIL_LOCK_TIMEOUT"])
    try:
        relay.pace()
    except relay.LimitSettingError as exc:  # one clear line, before anything is claimed
        raise click.ClickException(str(exc)) from None
    stopping: dict[str, bool] = {"stop": False}

    def stop(signum: int, frame: Any) -> None:  # finish the message in flight, then stop
        stopping["stop"] = True

    previous = signal.signal(signal.SIGTERM, stop)
    worker = Worker()
    total = DeliveryReport()
    next_purge = 0.0

    def bar(length: int) -> Any:
        return click.progressbar(length=length, label=f"Sending {length} message(s)")

    try:
        with acting_from(AuditSource.WORKER):
            while True:
                try:
                    if worker.heartbeat is None:
                        workers.start(worker)
                    if time.monotonic() >= next_purge:
                        _purge()
                        next_purge = time.monotonic() + PURGE_EVERY.total_seconds()
                    _echo_taken_over(workers.take_over_dead(worker))
                    _run_jobs(worker)
                    if watch:
                        _run_scheduled()
                    report = deliver(
                        limit=None if limit is None else limit - total.total,
                        batch_size=batch_size,
                        lock_timeout=lock_timeout,
                        worker=worker,
                        on_batch=bar,
                        should_stop=lambda: stopping["stop"],
                    )
                except DBAPIError as exc:  # the database went away: keep watching, else fail
                    db.session.rollback()
                    if not watch:
                        raise click.ClickException(f"database error: {_brief(exc)}") from exc
                    click.echo(f"database error, retrying: {_brief(exc)}", err=True)
                    time.sleep(interval * 5)
                    continue
                total.add(report)
                _echo_taken_over(report.taken_over)
                if report.total or report.released:
                    _echo(report)
                if report.slow_down:
                    click.echo(
                        f"The SMTP server asks to slow down ({report.slow_down}): "
                        f"{report.held_back} message(s) wait until {report.resume_at:%H:%M:%S} UTC "
                        "(no attempt counted).",
                        err=True,
                    )
                if report.connection_error:
                    click.echo(f"SMTP: {report.connection_error}", err=True)
                if not watch or report.total:
                    _echo_outlook()
                if not watch or stopping["stop"] or (limit is not None and total.total >= limit):
                    break
                time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if worker.accepted:
            click.echo(
                f"{len(worker.accepted)} message(s) accepted by the SMTP server could not be "
                "recorded as sent (database error); the next worker takes them over and sends "
                "them again",
                err=True,
            )
        workers.stop(worker)
    if watch or not total.total:
        _echo(total, prefix="Total: ")


def _purge() -> None:
    purged = purge_bodies()
    db.session.commit()
    if purged:
        click.echo(f"Dropped the bodies of {purged} old message(s).")


def _echo_taken_over(taken_over: list[workers.TakeOver]) -> None:
    for taken in taken_over:
        click.echo(
            f"Took over {taken.messages} message(s) claimed by the dead worker "
            f"{taken.worker} ({taken.reason}); they are sent now."
        )


def _run_jobs(worker: Worker) -> None:
    """The background mail jobs the pages asked for ("Send N invitations" ...)."""
    for job in mail_jobs.run_queued(worker.id):
        outcome = f"{job.queued} queued" if job.status == "done" else f"failed: {job.error}"
        click.echo(f"Mail job {job.id} ({job.kind}, event {job.event_id}): {outcome}")


def _echo_outlook() -> None:
    """Under a relay limit or a slow-down pause: when the rest of the queue will have gone."""
    seen = relay.outlook()
    if not seen.queued or seen.done_by is None:
        return
    why = []
    if seen.pace is not None and seen.pace.interval:
        limits = [f"{seen.pace.per_minute} a minute"] if seen.pace.per_minute else []
        limits += [f"{seen.pace.per_day} a day"] if seen.pace.per_day else []
        why.append(f"relay limit {', '.join(limits)}")
    if seen.paused_until is not None:
        why.append(f"the server asked to slow down until {seen.paused_until:%H:%M:%S} UTC")
    click.echo(
        f"{seen.queued} message(s) still queued ({'; '.join(why)}): the last goes by about "
        f"{seen.done_by:%Y-%m-%d %H:%M} UTC."
    )


def _run_scheduled() -> None:
    """The scheduled tasks that are due (event reminders, the privacy purge ...): each runs
    once per interval across every worker (``services.periodic``)."""
    for name, result in periodic.run_due().items():
        click.echo(f"Scheduled task {name}: {result if result is not None else 'failed'}")


def _brief(exc: DBAPIError) -> str:
    """The driver's error without the statement and its parameters (which may hold a
    message's text): the type and the first line."""
    first = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
    return f"{type(exc.orig).__name__}: {first}"


def _echo(report: DeliveryReport, prefix: str = "") -> None:
    click.echo(
        f"{prefix}{report.sent} sent, {report.retried} to retry, {report.failed} failed"
        + (f", {report.released} left queued" if report.released else "")
    )

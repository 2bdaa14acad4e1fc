"""``flask --app wsgi attendance export ...``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..models import Event, TrainingSession
from ..services import csv_dialect
from ..services.attendance import exports as export
from ..services.attendance import report
from ..services.attendance.rows import count_rows

attendance_cli = AppGroup("attendance", help="Attendance lists.")


@attendance_cli.command("export")
@click.option("--event", "event_slug", help="Every session of the event with this slug.")
@click.option("--session", "session_id", type=int, help="One training session, by id.")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), required=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--blank", is_flag=True, help="Names only, no marks: a sheet to sign on paper.")
@click.option(
    "--delimiter",
    type=click.Choice(sorted(csv_dialect.DIALECTS)),
    help="CSV separator: semicolon for Czech, Hungarian, Slovak, Polish Excel (default: comma).",
)
def export_command(
    event_slug: str | None,
    session_id: int | None,
    fmt: str,
    output: str,
    blank: bool,
    delimiter: str | None,
) -> None:
    """Write the attendance list of an event or a session to OUTPUT (CSV, XLSX or PDF)."""
    if (event_slug is None) == (session_id is None):
        raise click.UsageError("Give exactly one of --event SLUG or --session ID.")
    if event_slug is not None:
        event = db.session.scalar(select(Event).where(Event.slug == event_slug))
        if event is None:
            raise click.ClickException(f"No event with slug {event_slug!r}.")
        sessions = export.sessions_of(event)
    else:
        session = db.session.get(TrainingSession, session_id)
        if session is None:
            raise click.ClickException(f"No training session with id {session_id}.")
        sessions = [session]
    total = count_rows(sessions)
    target = Path(output)
    partial = target.with_name(target.name + ".part")
    try:
        with (
            partial.open("wb") as out,
            click.progressbar(length=total, label=f"Exporting {total} rows") as bar,
        ):
            export.export_to_file(
                sessions,
                fmt,
                out,
                blank=blank,
                on_row=lambda: bar.update(1),
                dialect=csv_dialect.choose(delimiter, None),
            )
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"Cannot write {output}: {exc.strerror}") from exc
    click.echo(f"Wrote {total} rows to {target} ({fmt}).")


@attendance_cli.command("report")
@click.argument("slug")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), required=True)
def report_command(slug: str, output: str) -> None:
    """Write the funder's report workbook (XLSX) of the event SLUG to OUTPUT."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event with slug {slug!r}.")
    target = Path(output)
    partial = target.with_name(target.name + ".part")
    try:
        with (
            partial.open("wb") as out,
            click.progressbar(length=report.STEPS, label="Writing the report") as bar,
        ):
            report.write_report(event, out, on_sheet=lambda _name: bar.update(1))
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"Cannot write {output}: {exc.strerror}") from exc
    click.echo(f"Wrote the report of {event.slug} to {target}.")

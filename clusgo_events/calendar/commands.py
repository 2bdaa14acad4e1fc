"""``flask --app wsgi ical export EVENT_SLUG --output FILE``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..services import events as event_service
from ..services import ical

ical_cli = AppGroup("ical", help="Calendar files.")


@ical_cli.command("export")
@click.argument("event_slug")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    help="The .ics file to write ('-' for standard output).",
)
def export_command(event_slug: str, output: str) -> None:
    """Write EVENT_SLUG (with its sessions; drafts too) as an iCalendar file."""
    event = event_service.get_event(event_slug, include_drafts=True)
    if event is None:
        raise click.ClickException(f"No event with the address {event_slug!r}.")
    text = ical.event_calendar(event)
    if output == "-":
        click.echo(text, nl=False)
        return
    path = Path(output)
    try:
        path.write_bytes(text.encode("utf-8"))
    except OSError as exc:
        raise click.ClickException(f"Cannot write {output}: {exc.strerror}") from exc
    click.echo(
        f"Wrote {event.slug}: the event and {len(event.sessions)} session(s) to {path}.",
        err=True,
    )

"""``flask --app wsgi events remind SLUG [--dry-run]``: the reminder before the event now."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from ..services import ServiceError
from ..services import events as event_service
from ..services import participants as service

events_cli = AppGroup("events", help="Events: the reminder before the event.")


@events_cli.command("remind")
@click.argument("slug")
@click.option("--dry-run", is_flag=True, help="Count, write nothing.")
def remind_command(slug: str, dry_run: bool) -> None:
    """Queue the reminder to every confirmed participant of SLUG who has not had it yet."""
    event = event_service.get_event(slug, include_drafts=True)
    if event is None:
        raise click.ClickException(f"No event {slug!r}.")
    try:
        result = service.remind(event, dry_run=True)
        if not dry_run and result.queued:
            with click.progressbar(length=result.queued, label="Queuing") as bar:
                result = service.remind(event, progress=bar.update)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would be queued (dry run)" if dry_run else "queued"
    click.echo(f"{result.queued} reminder(s) {verb} for {event.slug}.")
    for language, count in sorted(result.per_language.items()):
        click.echo(f"  {language}: {count}")

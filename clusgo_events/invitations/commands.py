"""``flask --app wsgi invitations send SLUG [--dry-run] [--reminders]``."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from ..extensions import db
from ..services import ServiceError
from ..services import events as event_service
from ..services import invitations as service

invitations_cli = AppGroup("invitations", help="Invite respondents to events.")


@invitations_cli.command("send")
@click.argument("slug")
@click.option("--dry-run", is_flag=True, help="Count, write nothing.")
@click.option("--reminders", is_flag=True, help="Remind the invited who have not answered.")
@click.option("--country", "countries", multiple=True, help="Only this country (repeatable).")
@click.option("--interest", type=click.Choice(service.INTERESTS), default="any", show_default=True)
@click.option(
    "--interval-days",
    type=click.IntRange(min=1),
    default=7,
    show_default=True,
    help="With --reminders: at most one reminder per this many days.",
)
def send_command(
    slug: str,
    dry_run: bool,
    reminders: bool,
    countries: tuple[str, ...],
    interest: str,
    interval_days: int,
) -> None:
    """Queue invitations (or reminders) for the event SLUG; run `mail deliver` to send."""
    event = event_service.get_event(slug, include_drafts=True)
    if event is None:
        raise click.ClickException(f"No event {slug!r}.")
    narrowing = service.Narrowing(countries=list(countries), interest=interest)
    try:
        if reminders:
            preview = service.send_reminders(event, timedelta(days=interval_days), dry_run=True)
        else:
            preview = service.send_invitations(event, narrowing, dry_run=True)
        total = preview.queued
        if dry_run or not total:
            result = preview
        else:
            with click.progressbar(length=total, label="Queuing") as bar:
                if reminders:
                    result = service.send_reminders(
                        event, timedelta(days=interval_days), progress=bar.update
                    )
                else:
                    result = service.send_invitations(event, narrowing, progress=bar.update)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    what = "reminder(s)" if reminders else "invitation(s)"
    verb = "would be queued (dry run)" if dry_run else "queued"
    click.echo(f"{result.queued} {what} {verb} for {event.slug}.")
    for country, count in sorted(result.per_country.items()):
        click.echo(f"  {country}: {count}")

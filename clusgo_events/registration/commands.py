"""``flask --app wsgi registrations export SLUG --format csv|xlsx --output FILE``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..models import Event
from ..services import csv_dialect
from ..services.registration import export

registrations_cli = AppGroup("registrations", help="Registrations of an event.")


@registrations_cli.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), required=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option(
    "--delimiter",
    type=click.Choice(sorted(csv_dialect.DIALECTS)),
    help="CSV separator: semicolon for Czech, Hungarian, Slovak, Polish Excel (default: comma).",
)
def export_command(slug: str, fmt: str, output: str, delimiter: str | None) -> None:
    """Write the registrations of the event SLUG to OUTPUT (CSV or XLSX)."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event with slug {slug!r}.")
    total = export.count(event)
    target = Path(output)
    partial = target.with_name(target.name + ".part")
    try:
        with (
            partial.open("wb") as out,
            click.progressbar(length=total, label=f"Exporting {total} registrations") as bar,
        ):
            export.export_to_file(
                event,
                fmt,
                out,
                on_row=lambda: bar.update(1),
                dialect=csv_dialect.choose(delimiter, None),
            )
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"Cannot write {output}: {exc.strerror}") from exc
    click.echo(f"Wrote {total} registrations to {target} ({fmt}).")

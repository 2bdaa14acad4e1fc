"""``flask --app wsgi survey import FILE [--dry-run]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from ..services import ServiceError
from ..services import survey as survey_service

survey_cli = AppGroup("survey", help="Survey results.")


@survey_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Import survey responses from FILE (CSV or XLSX); upserts respondents by e-mail."""
    try:
        table = survey_service.read_survey_file(file.read_bytes(), filename=file.name)
    except ServiceError as exc:
        raise click.ClickException(f"{file.name}: {exc.message} Nothing was imported.") from exc
    details = table.kind.upper()
    if table.kind == "csv":
        details += f", {table.encoding}, delimiter {table.delimiter!r}"
    click.echo(f"{file.name}: {details}, {len(table.rows)} rows.")
    try:
        with click.progressbar(length=len(table.rows), label="Importing") as bar:
            result = survey_service.import_rows(table, dry_run=dry_run, progress=bar.update)
    except Exception:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(
        f"created: {result.created}  updated: {result.updated}  unchanged: {result.unchanged}"
        f"  rejected: {len(result.rejected)}"
        + (f"  identical duplicates: {result.duplicates}" if result.duplicates else "")
    )
    for number, reason in result.rejected:
        click.echo(f"  row {number}: {reason}")
    if dry_run:
        click.echo("Dry run: nothing was written.")

"""``flask --app wsgi privacy export EMAIL --output FILE | erase EMAIL [--dry-run] | purge``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from ..services import ServiceError
from ..services.audit import acting_from

privacy_cli = AppGroup("privacy", help="A person's data, its erasure, the retention purge.")


@privacy_cli.command("export")
@click.argument("email")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_command(email: str, output: Path) -> None:
    """Write everything held about EMAIL to a ZIP (data.json and data.html)."""
    from ..services.privacy.export import export_zip

    data, content = export_zip(email)
    output.write_bytes(data)
    db.session.commit()
    counts = {name: len(rows) for name, rows in content["tables"].items()}
    click.echo(
        f"Wrote {output}: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing held")
    )


@privacy_cli.command("erase")
@click.argument("email")
@click.option("--dry-run", is_flag=True, help="Say what would be erased; change nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(email: str, dry_run: bool, yes: bool) -> None:
    """Erase EMAIL's address and name everywhere; every count stays the same."""
    from ..services.privacy import erasure

    try:
        report = erasure.plan(email)
    except ServiceError as exc:
        raise click.ClickException(str(exc.message)) from exc
    click.echo(f"Erasing {email} blanks:")
    for line in report.lines():
        click.echo(f"  {line}")
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was changed.")
        return
    click.echo("The account is closed; this cannot be undone.")
    if not yes:
        click.confirm("Erase?", abort=True)
    with acting_from("cli"):
        erasure.erase(email)
    db.session.commit()
    click.echo(f"Erased {email}.")


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what is due; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Blank or delete the personal data past its retention period, counted per kind."""
    from ..services.privacy.retention import purge

    try:
        counts = purge(dry_run=dry_run)
    finally:
        if dry_run:
            db.session.rollback()
    if not dry_run:
        db.session.commit()
    for kind, count in counts.items():
        click.echo(f"{kind:<18} {count}")
    click.echo("Dry run: nothing was changed." if dry_run else "Purged.")

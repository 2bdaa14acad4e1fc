"""Flask commands: ``flask --app wsgi ...``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from .extensions import db
from .models import ROLES
from .services import ServiceError

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="", help="Display name.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 8 characters; asked for when not given.",
)
def create_user_command(email: str, role: str, name: str, password: str) -> None:
    """Create an account with EMAIL and a role."""
    from .services.users import create_user

    try:
        user = create_user(email, role, password, name=name)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


def _account_change(email: str, change) -> None:  # type: ignore[no-untyped-def]
    """Run ``change(user)`` for the account with ``email``; commit, or exit with the reason."""
    from .services.account_admin import user_by_email

    try:
        user = user_by_email(email)
        change(user)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    state = "active" if user.is_active_account else "deactivated"
    click.echo(f"{user.email}: {user.role}, {state}.")


@users_cli.command("list")
def list_users_command() -> None:
    """Every account: e-mail, role, language, active or not, name."""
    from .services.users import list_users

    for user in list_users():
        state = "active" if user.is_active_account else "deactivated"
        language = user.language or "-"
        click.echo(f"{user.email:<36} {user.role:<15} {language:<3} {state:<12} {user.name}")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def set_role_command(email: str, role: str) -> None:
    """Give the account EMAIL the role ROLE (never demotes the last active admin)."""
    from .services.account_admin import set_role

    _account_change(email, lambda user: set_role(user, role))


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email: str) -> None:
    """Stop EMAIL logging in; their sessions end at once."""
    from .services.account_admin import deactivate

    _account_change(email, deactivate)


@users_cli.command("activate")
@click.argument("email")
def activate_command(email: str) -> None:
    """Let a deactivated EMAIL log in again."""
    from .services.account_admin import activate

    _account_change(email, activate)


@click.command("demo")
def demo_command() -> None:
    """Load the demo data (safe to run again: nothing is duplicated)."""
    from .services.demo import load_demo

    logins = load_demo()
    db.session.commit()
    click.echo("Demo data ready. Log-ins:")
    for email, role, password in logins:
        click.echo(f"  {role:<13} {email:<28} password: {password}")


def register(app: Flask) -> None:
    """Attach every command group to ``app``."""
    app.cli.add_command(users_cli)
    from .calendar.commands import ical_cli

    app.cli.add_command(ical_cli)
    app.cli.add_command(demo_command)

    from .survey.commands import survey_cli

    app.cli.add_command(survey_cli)

    from .attendance.commands import attendance_cli

    app.cli.add_command(attendance_cli)

    from .delivery.commands import mail_cli
    from .invitations.commands import invitations_cli

    app.cli.add_command(mail_cli)
    app.cli.add_command(invitations_cli)
    from .registration.commands import registrations_cli

    app.cli.add_command(registrations_cli)
    from .participants.commands import events_cli

    app.cli.add_command(events_cli)
    from .privacy.commands import privacy_cli

    app.cli.add_command(privacy_cli)

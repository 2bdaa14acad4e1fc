"""Admins manage accounts (issue 15): role, name and language, deactivation that ends every
session, a mailed link to choose a password, the last active admin kept; the same from
``flask users ...``."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, OutboxMessage, User
from clusgo_events.services.versions import version_of
from tests.browser_helpers import browsers  # noqa: F401  (the fixture)
from tests.conftest import PASSWORD

NEW_PASSWORD = "chosen-by-me-42"


pytestmark = pytest.mark.usefixtures("browsers")


def _login(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _actions() -> list[tuple[str, str]]:
    return [
        (e.action, e.source) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ]


def test_a_new_account_is_a_representative_who_chooses_the_password(app, users) -> None:
    admin = _login(app, users["admin"])
    page = admin.get("/admin/users").get_data(as_text=True)
    assert re.search(
        r'<option selected value="representative">|<option value="representative" selected', page
    )
    assert 'name="password"' not in page
    response = admin.post(
        "/admin/users",
        data={"email": "Nova@Example.org", "name": "Jana Nová", "role": "representative",
              "language": "cs"},
    )  # fmt: skip
    assert response.headers["Location"].endswith("/admin/users")
    created = db.session.scalars(select(User).where(User.email == "nova@example.org")).one()
    assert created.role == "representative" and created.language == "cs"
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "nova@example.org")
    ).one()
    assert mail.kind == "account_setup" and mail.language == "cs"
    assert "heslo" in mail.body_text.lower()  # written in Czech
    link = re.search(r"http://[^\s]+/auth/setup/[^\s]+", mail.body_text).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    person = app.test_client()
    assert person.get("/" + path).status_code == 200
    done = person.post("/" + path, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 302
    fresh = app.test_client()
    login = fresh.post("/auth/login", data={"email": "nova@example.org", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert person.get("/" + path).status_code == 404  # the link worked once
    assert ("user.setup_done", "web") in _actions()


def test_edit_role_name_language_and_refuse_a_stale_page(app, users) -> None:
    admin = _login(app, users["admin"])
    trainer = users["trainer"]
    seen = version_of(trainer)
    response = admin.post(
        f"/admin/users/{trainer.id}",
        data={"name": "Kovács Anna", "role": "organiser", "language": "hu", "version": seen},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (trainer.name, trainer.role, trainer.language) == ("Kovács Anna", "organiser", "hu")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.update")).one()
    assert entry.details["role"] == ["trainer", "organiser"]
    stale = admin.post(
        f"/admin/users/{trainer.id}",
        data={"name": "Someone Else", "role": "admin", "language": "en", "version": seen},
    )
    assert "This was changed since you opened the page" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert trainer.role == "organiser"


def test_deactivation_asks_and_ends_every_session(app, users) -> None:
    admin = _login(app, users["admin"])
    trainer = _login(app, users["trainer"])
    assert trainer.get("/attendance/").status_code == 200
    target = users["trainer"].id
    page = admin.get(f"/admin/users/{target}/deactivate").get_data(as_text=True)
    assert "can no longer log in" in page and "You can reactivate the account later." in page
    admin.post(f"/admin/users/{target}/deactivate")
    after = trainer.get("/attendance/")
    assert after.status_code == 302 and "/auth/login" in after.headers["Location"]
    again = app.test_client().post(
        "/auth/login", data={"email": users["trainer"].email, "password": PASSWORD}
    )
    assert again.status_code == 200  # refused: the form again
    admin.post(f"/admin/users/{target}/activate")
    assert _login(app, users["trainer"]).get("/attendance/").status_code == 200
    assert [a for a, _ in _actions() if a.startswith("user.")][-2:] == [
        "user.deactivate",
        "user.activate",
    ]


def test_the_last_active_admin_stays(app, users) -> None:
    admin = _login(app, users["admin"])
    me = users["admin"]
    db.session.expire_all()  # logging in noted the time: the page shows that version
    response = admin.post(
        f"/admin/users/{me.id}",
        data={"name": me.name, "role": "organiser", "language": "en", "version": version_of(me)},
    )
    assert "is the last active admin" in response.get_data(as_text=True)
    refused = admin.post(f"/admin/users/{me.id}/deactivate", follow_redirects=True)
    assert "is the last active admin" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert me.role == "admin" and me.is_active_account


def test_the_command_line(app, users, runner) -> None:
    listing = runner.invoke(args=["users", "list"])
    assert listing.exit_code == 0 and "trainer@example.org" in listing.output
    result = runner.invoke(args=["users", "set-role", "TRAINER@example.org", "organiser"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["users", "deactivate", "trainer@example.org"]).exit_code == 0
    db.session.expire_all()
    trainer = users["trainer"]
    assert trainer.role == "organiser" and not trainer.is_active_account
    assert "deactivated" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "activate", "trainer@example.org"]).exit_code == 0
    last = runner.invoke(args=["users", "deactivate", "admin@example.org"])
    assert last.exit_code != 0 and "last active admin" in last.output
    unknown = runner.invoke(args=["users", "activate", "nobody@example.org"])
    assert unknown.exit_code != 0 and "No account has the address" in unknown.output
    cli = [a for a, source in _actions() if source == "cli" and a.startswith("user.")]
    assert cli[-3:] == ["user.update", "user.deactivate", "user.activate"]

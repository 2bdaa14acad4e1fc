"""Log-in, log-out, roles, CSRF, safe redirects, passwords."""

from __future__ import annotations

import pytest
from flask import Flask

from clusgo_events.extensions import db
from clusgo_events.models import User
from clusgo_events.services import ServiceError
from clusgo_events.services.users import authenticate, create_user
from tests.conftest import PASSWORD, make_user


def test_password_is_hashed_with_argon2id(app: Flask) -> None:
    user = make_user("organiser")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_production_hasher_meets_owasp_minimum() -> None:
    from clusgo_events.services.passwords import _strong

    # OWASP: Argon2id with at least 19 MiB memory and 2 iterations
    assert _strong.memory_cost >= 19 * 1024
    assert _strong.time_cost >= 2
    assert _strong.type.name == "ID"


def test_short_password_refused(app: Flask) -> None:
    with pytest.raises(ServiceError, match="at least 8"):
        create_user("a@example.org", "trainer", "short")
    assert db.session.query(User).count() == 0


def test_duplicate_email_case_insensitive(app: Flask) -> None:
    make_user("trainer", "Someone@Example.org")
    with pytest.raises(ServiceError, match="already exists"):
        create_user("someone@example.ORG", "trainer", PASSWORD)


def test_authenticate(app: Flask) -> None:
    make_user("trainer", "t@example.org")
    assert authenticate("T@example.org", PASSWORD) is not None
    assert authenticate("t@example.org", "wrong-password") is None
    assert authenticate("nobody@example.org", PASSWORD) is None


def test_login_logout(client, auth, users) -> None:
    response = auth.login(users["organiser"].email)
    assert response.headers["Location"].endswith("/events/")
    page = client.get("/events/")
    assert b"Organiser" in page.data
    auth.logout()
    assert b"Log in" in client.get("/events/").data


def test_wrong_password_shows_message(client, users) -> None:
    response = client.post(
        "/auth/login", data={"email": users["organiser"].email, "password": "nope-nope"}
    )
    assert response.status_code == 200
    assert b"Wrong e-mail or password" in response.data


def test_session_renewed_at_login(client, auth, users) -> None:
    with client.session_transaction() as sess:
        sess["planted"] = "by-attacker"
    auth.login(users["trainer"].email)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == users["trainer"].get_id()


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/events/", "/events/"),
        ("https://evil.example/", "/events/"),
        ("//evil.example/x", "/events/"),
        ("/\\evil.example", "/events/"),
        ("/%09/evil.example", "/events/"),  # a tab: "/<tab>/evil" is "//evil" to a browser
        ("/%0D%0A/evil.example", "/events/"),
        ("/admin/users", "/admin/users"),
    ],
)
def test_next_only_follows_local_paths(client, users, target, expected) -> None:
    response = client.post(
        f"/auth/login?next={target}",
        data={"email": users["admin"].email, "password": PASSWORD},
    )
    assert response.headers["Location"] == expected


@pytest.mark.parametrize(
    "role,status", [("admin", 200), ("organiser", 403), ("trainer", 403), ("representative", 403)]
)
def test_admin_page_requires_admin(client, auth, users, role, status) -> None:
    auth.login_as(users[role])
    assert client.get("/admin/users").status_code == status


def test_anonymous_redirected_to_login(client) -> None:
    response = client.get("/admin/users")
    assert "/auth/login" in response.headers["Location"]


def test_admin_creates_account_in_web_ui(client, auth, users) -> None:
    auth.login_as(users["admin"])
    response = client.post(
        "/admin/users",
        data={
            "email": "Newbie@Example.org",
            "name": "Nová Uživatelka",
            "role": "trainer",
            "language": "cs",
            "password": "long-enough-1",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "newbie@example.org"))
    assert user is not None and user.role == "trainer" and user.name == "Nová Uživatelka"


def test_admin_form_errors_beside_field(client, auth, users) -> None:
    auth.login_as(users["admin"])
    response = client.post(
        "/admin/users",
        data={"email": "not-an-address", "role": "trainer", "language": "en", "password": "x"},
    )
    assert response.status_code == 200
    assert b"invalid-feedback" in response.data
    assert db.session.query(User).count() == 4


def test_csrf_required_when_enabled(app: Flask, users) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post(
        "/auth/login", data={"email": users["admin"].email, "password": PASSWORD}
    )
    assert response.status_code == 400
    page = client.get("/auth/login")
    assert b'name="csrf_token"' in page.data


def test_login_throttled(app: Flask, users) -> None:
    from clusgo_events import create_app

    throttled = create_app({**app.config, "RATELIMIT_ENABLED": True})
    client = throttled.test_client()
    codes = [
        client.post(
            "/auth/login", data={"email": users["admin"].email, "password": "wrong-pass"}
        ).status_code
        for _ in range(12)
    ]
    assert codes[0] == 200
    assert codes[-1] == 429
    assert b"Too many" in client.post("/auth/login", data={}).data
    with throttled.app_context():
        db.engine.dispose()


def test_cli_create_user(runner, app) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "cli@example.org",
            "--role",
            "organiser",
            "--password",
            "pw-long-1",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created organiser cli@example.org" in result.output
    again = runner.invoke(
        args=[
            "users",
            "create",
            "CLI@example.org",
            "--role",
            "organiser",
            "--password",
            "pw-long-1",
        ]
    )
    assert again.exit_code != 0
    assert "already exists" in again.output
    bad = runner.invoke(
        args=["users", "create", "x@example.org", "--role", "organiser", "--password", "short"]
    )
    assert bad.exit_code != 0 and "at least 8" in bad.output


def test_account_creation_is_audited_once_by_the_operation(client, auth, users, runner) -> None:
    from clusgo_events.models import AuditEntry

    auth.login_as(users["admin"])
    client.post(
        "/admin/users",
        data={
            "email": "audited@example.org",
            "role": "trainer",
            "language": "en",
            "password": "long-enough-1",
        },
    )
    runner.invoke(
        args=[
            "users",
            "create",
            "cli-audited@example.org",
            "--role",
            "trainer",
            "--password",
            "pw-long-1",
        ]
    )
    entries = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "user.create").order_by(AuditEntry.id)
    ).all()
    created = {u.email: u.id for u in db.session.scalars(db.select(User))}
    by_web = [e for e in entries if e.object_id == created["audited@example.org"]]
    by_cli = [e for e in entries if e.object_id == created["cli-audited@example.org"]]
    assert [(e.source, e.user_id) for e in by_web] == [("web", users["admin"].id)]
    assert [(e.source, e.user_id) for e in by_cli] == [("cli", None)]

"""Accounts a person makes and keeps: sign-up by a mailed link, password reset, password change
ending the other sessions; no page tells a stranger which addresses have accounts."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy import select

from clusgo_events import create_app
from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, OutboxMessage, Role, User
from clusgo_events.services.users import authenticate
from tests import factories
from tests.conftest import PASSWORD

NEW_PASSWORD = "a-new-password-9"
NEXT = "/events/brno-follow-up/register"


class Browser(FlaskClient):
    """A test client whose every request has an app context of its own, as in production:
    the test's context would share ``g`` (Flask-Login's cached user) and the database session
    between requests, and hide what a request loads afresh."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def _browsers(app: Flask) -> None:
    app.test_client_class = Browser


def _outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _link(message: OutboxMessage, path: str) -> str:
    """The path of the link to ``path...`` in ``message``'s text (and the same in its HTML)."""
    found = re.findall(r"https?://\S+", message.body_text)
    links = [urlsplit(url) for url in found if urlsplit(url).path.startswith(path)]
    assert links, f"no link to {path} in {message.body_text!r}"
    link = links[0]
    assert link.path in message.body_html
    return link.path + (f"?{link.query}" if link.query else "")


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _page_text(response) -> str:  # type: ignore[no-untyped-def]
    """The page's main content without the form's echo of the typed address."""
    html = response.get_data(as_text=True)
    return re.sub(r'value="[^"]*"', "", html.split("<main", 1)[1])


def _logged_in(client: FlaskClient) -> bool:
    return client.get("/auth/profile").status_code == 200


# --- the log-in page leads to both ----------------------------------------------------------


def test_login_page_offers_signup_and_reset_keeping_next(client: FlaskClient) -> None:
    html = client.get(f"/auth/login?next={quote(NEXT)}").get_data(as_text=True)
    assert f'href="/auth/signup?next={NEXT}"' in html
    assert 'href="/auth/reset"' in html
    # an outside target is never carried on
    html = client.get("/auth/login?next=https://evil.example/").get_data(as_text=True)
    assert 'href="/auth/signup"' in html and "evil.example" not in html


# --- sign-up --------------------------------------------------------------------------------


def test_signup_by_mailed_link_in_the_chosen_language(app: Flask, client: FlaskClient) -> None:
    response = client.post(
        f"/auth/signup?next={quote(NEXT)}", data={"email": "Nová@Example.org", "language": "cs"}
    )
    assert response.status_code == 200
    assert "nová@example.org" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 0, "no account before the address is proved"
    [message] = _outbox()
    assert message.recipient == "nová@example.org" and message.language == "cs"
    with force_locale("cs"):
        subject = gettext("Create your ClusGo Events account")
    assert message.subject == subject != "Create your ClusGo Events account"
    assert message.body_html and message.kind == "signup"
    link = _link(message, "/auth/signup/")
    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "nová@example.org" in page.get_data(as_text=True)
    done = client.post(
        link,
        data={"name": "Nová Zástupkyně", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert done.headers["Location"] == NEXT
    user = db.session.scalar(select(User).where(User.email == "nová@example.org"))
    assert user.role == Role.REPRESENTATIVE and user.language == "cs"
    assert user.name == "Nová Zástupkyně"
    assert _logged_in(client)
    [entry] = _audit("user.signup")
    assert entry.object_id == user.id and entry.user_id == user.id
    # the link has done its work: the address has an account now, so it leads to log-in
    again = app.test_client().get(link)
    assert "/auth/login" in again.headers["Location"]
    assert db.session.query(User).count() == 1


def test_signup_answers_the_same_for_an_address_with_an_account(client: FlaskClient) -> None:
    owner = factories.user(email="taken@example.org", language="hu", name="Kovács Anna")
    db.session.commit()
    taken = client.post("/auth/signup", data={"email": "Taken@example.org", "language": "en"})
    free = client.post("/auth/signup", data={"email": "free@example.org", "language": "en"})
    assert taken.status_code == free.status_code == 200
    assert _page_text(taken).replace("taken@example.org", "X") == _page_text(free).replace(
        "free@example.org", "X"
    )
    assert "already" not in taken.get_data(as_text=True)
    existing, invited = _outbox()
    # only the owner reads that an account exists: in their own language, with log-in and reset
    assert existing.recipient == owner.email and existing.kind == "signup_existing"
    assert existing.language == "hu"
    assert "/auth/signup/" not in existing.body_text
    assert "/auth/login" in existing.body_text and "/auth/reset" in existing.body_text
    assert invited.kind == "signup" and "/auth/signup/" in invited.body_text
    assert db.session.query(User).count() == 1


def test_signup_link_expires_after_a_day(client: FlaskClient, clock) -> None:  # type: ignore[no-untyped-def]
    client.post("/auth/signup", data={"email": "late@example.org", "language": "en"})
    link = _link(_outbox()[0], "/auth/signup/")
    clock.advance(hours=23)
    assert client.get(link).status_code == 200
    clock.advance(hours=2)
    response = client.post(
        link, data={"name": "Late", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert 'href="/auth/signup"' in response.get_data(as_text=True)
    assert db.session.query(User).count() == 0


@pytest.mark.parametrize("tamper", ["x", "swap"])
def test_a_forged_signup_link_opens_nothing(client: FlaskClient, tamper: str) -> None:
    client.post("/auth/signup", data={"email": "real@example.org", "language": "en"})
    link = _link(_outbox()[0], "/auth/signup/")
    forged = link + "x" if tamper == "x" else link.replace("/auth/signup/", "/auth/reset/")
    response = client.get(forged)
    assert response.status_code == 404
    assert db.session.query(User).count() == 0


def test_signup_form_errors_beside_fields(client: FlaskClient) -> None:
    client.post("/auth/signup", data={"email": "short@example.org", "language": "en"})
    link = _link(_outbox()[0], "/auth/signup/")
    short = client.post(link, data={"name": "S", "password": "short", "password_again": "short"})
    differ = client.post(
        link, data={"name": "S", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "x"}
    )
    for response in (short, differ):
        assert response.status_code == 200
        assert "invalid-feedback" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 0
    bad = client.post("/auth/signup", data={"email": "not an address", "language": "en"})
    assert bad.status_code == 200 and "invalid-feedback" in bad.get_data(as_text=True)
    assert len(_outbox()) == 1


def test_one_signup_mail_per_address_per_window(client: FlaskClient, clock) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        client.post("/auth/signup", data={"email": "eager@example.org", "language": "en"})
    assert len(_outbox()) == 1
    clock.advance(minutes=11)
    client.post("/auth/signup", data={"email": "eager@example.org", "language": "en"})
    assert len(_outbox()) == 2


def test_signup_and_reset_requests_are_rate_limited(app: Flask) -> None:
    limited = create_app(
        {**app.config, "RATELIMIT_ENABLED": True, "ACCOUNT_MAIL_RATE_LIMIT": "2 per minute"}
    )
    client = limited.test_client()
    codes = [
        client.post("/auth/signup", data={"email": f"s{n}@example.org", "language": "en"})
        for n in range(3)
    ]
    assert [r.status_code for r in codes] == [200, 200, 429]
    resets = [client.post("/auth/reset", data={"email": "r@example.org"}) for _ in range(3)]
    assert [r.status_code for r in resets] == [200, 200, 429]
    with limited.app_context():
        db.engine.dispose()


# --- password reset -------------------------------------------------------------------------


def test_password_reset_by_mailed_link_once(app: Flask, client: FlaskClient) -> None:
    user = factories.user(email="forgetful@example.org", language="pl", name="Michał Nowak")
    db.session.commit()
    page = client.post("/auth/reset", data={"email": "Forgetful@example.org"})
    assert page.status_code == 200
    [message] = _outbox()
    assert message.recipient == user.email and message.language == "pl"
    with force_locale("pl"):
        subject = gettext("Choose a new password for ClusGo Events")
    assert message.subject == subject != "Choose a new password for ClusGo Events"
    link = _link(message, "/auth/reset/")
    assert client.get(link).status_code == 200
    done = client.post(link, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 302
    assert _logged_in(client)
    db.session.expire_all()
    assert authenticate(user.email, PASSWORD) is None
    assert authenticate(user.email, NEW_PASSWORD) is not None
    assert [e.object_id for e in _audit("user.password_reset")] == [user.id]
    # single use: the password it was made for has changed
    used = app.test_client().get(link)
    assert used.status_code == 404
    assert "used already" in used.get_data(as_text=True)


def test_reset_answers_the_same_whether_or_not_the_address_has_an_account(
    client: FlaskClient,
) -> None:
    factories.user(email="known@example.org")
    db.session.commit()
    known = client.post("/auth/reset", data={"email": "known@example.org"})
    unknown = client.post("/auth/reset", data={"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert _page_text(known).replace("known@example.org", "X") == _page_text(unknown).replace(
        "unknown@example.org", "X"
    )
    assert [m.recipient for m in _outbox()] == ["known@example.org"]


def test_reset_link_expires_after_an_hour(client: FlaskClient, clock) -> None:  # type: ignore[no-untyped-def]
    factories.user(email="slow@example.org")
    db.session.commit()
    client.post("/auth/reset", data={"email": "slow@example.org"})
    link = _link(_outbox()[0], "/auth/reset/")
    clock.advance(minutes=59)
    assert client.get(link).status_code == 200
    clock.advance(minutes=2)
    response = client.post(link, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 410
    assert authenticate("slow@example.org", PASSWORD) is not None


def test_deactivated_account_gets_no_reset_and_cannot_log_in(client: FlaskClient) -> None:
    user = factories.user(email="gone@example.org")
    db.session.commit()
    client.post("/auth/reset", data={"email": "gone@example.org"})
    link = _link(_outbox()[0], "/auth/reset/")
    logged = client.application.test_client()
    logged.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert _logged_in(logged)
    user.is_active_account = False
    db.session.commit()
    assert not _logged_in(logged), "a deactivated account's session ends"
    assert client.get(link).status_code == 404
    client.post("/auth/reset", data={"email": "gone@example.org"})
    assert len(_outbox()) == 1
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200 and "Wrong e-mail or password" in response.get_data(
        as_text=True
    )


# --- a password change ends the other sessions ----------------------------------------------


def _login(app: Flask, email: str, remember: bool = False) -> FlaskClient:
    client = app.test_client()
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/auth/login", data=data).status_code == 302
    return client


def _remember_cookie_only(app: Flask, client: FlaskClient) -> FlaskClient:
    """A browser that kept only the remember-me cookie (its session cookie expired)."""
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    fresh = app.test_client()
    fresh.set_cookie("remember_token", cookie.value)
    return fresh


def test_password_change_ends_every_other_session(app: Flask) -> None:
    user = factories.user(email="changer@example.org")
    db.session.commit()
    here = _login(app, user.email, remember=True)
    elsewhere = _login(app, user.email)
    kept_cookie = _login(app, user.email, remember=True)
    assert _logged_in(_remember_cookie_only(app, kept_cookie))
    response = here.post(
        "/auth/profile",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert response.headers["Location"] == "/auth/profile"
    assert _logged_in(here), "the browser that changed it stays logged in"
    assert _logged_in(_remember_cookie_only(app, here)), "and its remember-me cookie too"
    assert not _logged_in(elsewhere)
    assert not _logged_in(_remember_cookie_only(app, kept_cookie))
    assert [e.object_id for e in _audit("user.password_change")] == [user.id]


def test_password_reset_ends_every_other_session(app: Flask, client: FlaskClient) -> None:
    user = factories.user(email="reset-sessions@example.org")
    db.session.commit()
    thief = _login(app, user.email, remember=True)
    client.post("/auth/reset", data={"email": user.email})
    link = _link(_outbox()[0], "/auth/reset/")
    client.post(link, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert _logged_in(client)
    assert not _logged_in(thief)
    assert not _logged_in(_remember_cookie_only(app, thief))


def test_wrong_current_password_changes_nothing(app: Flask) -> None:
    user = factories.user(email="careful@example.org")
    db.session.commit()
    client = _login(app, user.email)
    response = client.post(
        "/auth/profile",
        data={
            "current": "not-my-password",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "That is not your current password." in response.get_data(as_text=True)
    assert authenticate(user.email, PASSWORD) is not None
    assert _audit("user.password_change") == []


def test_an_old_style_session_id_logs_nobody_in(app: Flask, client: FlaskClient) -> None:
    user = factories.user()
    db.session.commit()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)  # no version: a cookie from before versions existed
        sess["_fresh"] = True
    assert not _logged_in(client)


def test_logged_in_visitors_go_on_to_next(app: Flask) -> None:
    user = factories.user()
    db.session.commit()
    client = _login(app, user.email)
    for page in ("/auth/login", "/auth/signup"):
        assert client.get(f"{page}?next={quote(NEXT)}").headers["Location"] == NEXT
        assert client.get(f"{page}?next=//evil.example/").headers["Location"] == "/events/"


def test_welcome_speaks_the_accounts_language(app: Flask) -> None:
    user = factories.user(language="cs", name="Jana Břusková")
    db.session.commit()
    client = app.test_client()
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    with force_locale("cs"):
        welcome = gettext("Welcome, %(name)s.", name=user.name)
    assert welcome != f"Welcome, {user.name}."
    assert welcome in client.get("/events/").get_data(as_text=True)

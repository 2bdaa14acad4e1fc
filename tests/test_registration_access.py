"""Who may register, and under which address (issue 10's "ways in").

An invitation registers exactly one person, its invitee, under the invited address; direct
sign-up makes no account from a typed address; the password of the invitee's new account is
hashed before the event's lock is taken; nothing tells a stranger which addresses have an
account.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, Registration, User
from clusgo_events.services import passwords
from clusgo_events.services import registration as reg
from tests import factories

NEW_PASSWORD = "Dvořák-2031-heslo"


def count(model) -> int:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id))) or 0


def invited(**event_values):  # type: ignore[no-untyped-def]
    """An invitation-only event with a session, and a sent invitation of a Czech respondent
    who has no account: (event, invitation, its register URL)."""
    event = factories.event(allow_direct_signup=False, **event_values)
    factories.session(event)
    respondent = factories.respondent("rehor.dvorak@klastr.example", language="cs")
    invitation, raw = factories.invitation(event, respondent)
    db.session.commit()
    return event, invitation, f"/events/{event.slug}/register?invitation={raw}"


def form(**values: str) -> dict[str, str]:
    data = {
        "name": "Řehoř Dvořák",
        "email": "rehor.dvorak@klastr.example",
        "organisation_name": "Jihomoravský klastr",
        "country": "CZ",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
        "privacy_consent": "y",
    }
    data.update(values)
    return data


class Visitor:
    """A person with their own cookies, each request in its own app context (the test's own
    context would share Flask-Login's cached user between the visitors)."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.client = app.test_client()

    def get(self, url: str, **kw):  # type: ignore[no-untyped-def]
        with self.app.app_context():
            return self.client.get(url, **kw)

    def post(self, url: str, **kw):  # type: ignore[no-untyped-def]
        with self.app.app_context():
            return self.client.post(url, **kw)


def login_redirect(response) -> str:  # type: ignore[no-untyped-def]
    """The ``next`` of a redirect to the log-in page (fails for any other answer)."""
    location = urlsplit(response.headers["Location"])
    assert response.status_code == 302 and location.path == "/auth/login", response.headers
    return parse_qs(location.query)["next"][0]


# --- one invitation, one registration -------------------------------------------------------


def test_the_invitation_registers_its_invitee_under_the_invited_address(client, clock) -> None:
    event, invitation, url = invited()
    page = client.get(url).get_data(as_text=True)
    assert 'value="rehor.dvorak@klastr.example"' in page and "readonly" in page
    response = client.post(url, data=form(email="stranger@elsewhere.example"))
    assert response.headers["Location"].endswith("/my/registrations")
    (registration,) = db.session.scalars(select(Registration)).all()
    assert registration.email == "rehor.dvorak@klastr.example"
    assert registration.user.email == "rehor.dvorak@klastr.example"
    assert registration.invitation_id == invitation.id
    assert db.session.scalar(select(User).where(User.email.like("stranger%"))) is None
    assert count(User) == 1


def test_a_used_invitation_leads_to_logging_in_and_registers_nobody_else(app, clock) -> None:
    event, invitation, url = invited()
    invitee = Visitor(app)
    invitee.post(url, data=form())
    assert count(Registration) == 1
    # the link forwarded to a stranger: no form, no second registration, no other address
    stranger = Visitor(app)
    assert login_redirect(stranger.get(url)) == "/my/registrations"
    posted = stranger.post(url, data=form(email="stranger@elsewhere.example", name="Stranger"))
    assert login_redirect(posted) == "/my/registrations"
    assert count(Registration) == 1 and count(User) == 1
    # the invitation's own page says so, and links to logging in
    token = url.split("invitation=")[1]
    page = stranger.get(f"/invitations/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "/auth/login?next=/my/registrations" in html
    assert "Accept" not in html
    # the invitee, logged in, is sent to their registration
    assert invitee.get(url).headers["Location"].endswith("/my/registrations")


def test_a_cancelled_registration_does_not_free_the_invitation(app, clock) -> None:
    """The link only shows the registration it made, even to its invitee after cancelling."""
    event, invitation, url = invited()
    invitee = Visitor(app)
    invitee.post(url, data=form())  # registered, and logged in
    registration = db.session.scalar(select(Registration))
    reg.cancel_registration(registration)
    db.session.commit()
    assert invitee.get(url).headers["Location"].endswith("/my/registrations")
    invitee.post(url, data=form())
    stranger = Visitor(app)
    stranger.post(url, data=form(email="stranger@elsewhere.example"))
    db.session.expire_all()
    assert [r.status for r in db.session.scalars(select(Registration))] == ["cancelled"]
    assert count(User) == 1


def test_someone_else_logged_in_cannot_use_the_invitation(client, auth, clock) -> None:
    event, invitation, url = invited()
    other = factories.user(email="jana@jinde.example")
    db.session.commit()
    auth.login_as(other)
    assert client.get(url).status_code == 403
    assert client.post(url, data=form()).status_code == 403
    assert count(Registration) == 0


def test_the_invitee_with_an_account_logs_in_first_then_registers(client, auth, clock) -> None:
    event, invitation, url = invited()
    account = factories.user(email="Rehor.Dvorak@klastr.example", name="Řehoř Dvořák")
    db.session.commit()
    assert login_redirect(client.get(url)) == url
    auth.login_as(account)
    page = client.get(url).get_data(as_text=True)
    assert 'name="password"' not in page  # no new account
    response = client.post(url, data=form(email="other@elsewhere.example"))
    assert response.headers["Location"].endswith("/my/registrations")
    registration = db.session.scalar(select(Registration))
    assert registration.user_id == account.id and registration.invitation_id == invitation.id
    assert registration.email == account.email
    assert count(User) == 1


# --- direct sign-up -------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in_with_the_register_page_next(client, clock):  # type: ignore[no-untyped-def]
    event = factories.event(allow_direct_signup=True)
    db.session.commit()
    url = f"/events/{event.slug}/register"
    assert urlsplit(login_redirect(client.get(url))).path == url
    posted = client.post(url, data=form(email="anyone@example.cz"))
    assert urlsplit(login_redirect(posted)).path == url
    assert count(User) == 0 and count(Registration) == 0


def test_a_logged_in_person_registers_under_their_account_address(client, auth, clock) -> None:
    event = factories.event(allow_direct_signup=True)
    account = factories.user(email="jana@klastr.example")
    db.session.commit()
    auth.login_as(account)
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert 'value="jana@klastr.example"' in page
    client.post(f"/events/{event.slug}/register", data=form(email="someone@else.example"))
    registration = db.session.scalar(select(Registration))
    assert (registration.user_id, registration.email) == (account.id, "jana@klastr.example")
    assert count(User) == 1


def test_registering_never_says_which_addresses_have_accounts(app, clock) -> None:
    """The same answer for an address with an account and one without, naming neither."""
    event = factories.event(allow_direct_signup=True)
    factories.user(email="known@klastr.example")
    db.session.commit()
    answers = []
    for address in ("known@klastr.example", "unknown@klastr.example"):
        response = Visitor(app).post(
            f"/events/{event.slug}/register", data=form(email=address), follow_redirects=True
        )
        html = response.get_data(as_text=True)
        assert address not in html and "already exists" not in html
        answers.append((response.status_code, html.replace(address, "")))
    assert answers[0] == answers[1]


# --- the password is hashed before the lock -------------------------------------------------


def event_is_locked(event_id: int) -> bool:
    """Whether another connection finds the event's write lock taken, right now."""
    other = db.engine.connect()
    try:
        if db.engine.dialect.name == "sqlite":
            other.exec_driver_sql("PRAGMA busy_timeout=0")
            statement = "BEGIN IMMEDIATE"
        else:
            statement = f"SELECT id FROM event WHERE id = {int(event_id)} FOR UPDATE NOWAIT"
        try:
            other.exec_driver_sql(statement)
        except OperationalError:
            return True
        return False
    finally:
        other.rollback()
        if db.engine.dialect.name == "sqlite":
            other.exec_driver_sql("PRAGMA busy_timeout=30000")
        other.close()


class LockProbe:
    """The real password hasher, which also notes whether the event was locked at each hash."""

    def __init__(self, real: passwords.PasswordHasher, event_id: int) -> None:
        self.real = real
        self.event_id = event_id
        self.locked_while_hashing: list[bool] = []

    def hash(self, password: str) -> str:
        self.locked_while_hashing.append(event_is_locked(self.event_id))
        return self.real.hash(password)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.real, name)


def test_the_new_accounts_password_is_hashed_before_the_event_is_locked(
    client, monkeypatch, clock
) -> None:
    event, invitation, url = invited()
    probe = LockProbe(passwords._hasher(), event.id)
    monkeypatch.setattr(passwords, "_hasher", lambda: probe)
    response = client.post(url, data=form())
    assert response.status_code == 302 and count(Registration) == 1
    assert probe.locked_while_hashing == [False]
    user = db.session.scalar(select(User))
    assert passwords.verify_password(user.password_hash, NEW_PASSWORD)


# --- the trace --------------------------------------------------------------------------------


@pytest.mark.parametrize("by_organiser", [False, True])
def test_registration_changes_write_their_own_audit_entries(
    client, auth, clock, by_organiser
) -> None:
    event = factories.event(capacity=1)
    waiting = factories.registration(event, 1, status="waitlisted")
    first = factories.registration(event, 0)
    organiser = factories.user("organiser")
    db.session.commit()
    auth.login_as(organiser if by_organiser else first.user)
    url = (
        f"/registrations/{first.id}/cancel"
        if by_organiser
        else (f"/my/registrations/{first.id}/cancel")
    )
    assert client.post(url).status_code == 302
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    actor = organiser if by_organiser else first.user
    assert [(e.action, e.object_id, e.user_id) for e in entries] == [
        ("registration.cancel", first.id, actor.id)
    ]
    assert entries[0].details == {"promoted": 1}
    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).status == "confirmed"

"""Security: headers, cookies, every route checked for every role, CSRF on every form.

``ACCESS`` classifies EVERY endpoint of ``app.url_map``; a route missing from it fails
``test_every_route_is_classified``. When you add a route, add its endpoint to ``ACCESS`` (and,
when it takes a new URL parameter, a value for it in ``World.url_values``; when an allowed
caller's empty request is answered otherwise than 200 for a GET and a redirect for a POST, its
status in ``ANSWERS``).

The world is built once for the module; each test starts from its rows as built.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from clusgo_events.extensions import db
from clusgo_events.models import (
    AttendanceRecord,
    Certificate,
    ErasureRequest,
    Event,
    EventStatus,
    Invitation,
    InvitationStatus,
    OutboxMessage,
    Registration,
    ReportLogo,
    SessionSeat,
    TrainingSession,
    User,
)
from clusgo_events.models.base import utcnow
from clusgo_events.participants.routes import PREVIEW_POLICY
from clusgo_events.security import (
    CONTENT_SECURITY_POLICY,
    SECURITY_HEADERS,
    secure_cookies_default,
)
from tests import factories
from tests.conftest import PASSWORD, REDIRECT, TableSnapshot, empty_all_tables, make_user

ROLES = ("admin", "organiser", "trainer", "representative")
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Access:
    """Who may use an endpoint: ``allowed`` holds role names and/or ``"anonymous"``;
    ``refusal`` is the status a logged-in caller outside ``allowed`` gets (403; 404 where the
    object itself is hidden from them). Anonymous callers are sent to log in."""

    allowed: frozenset[str]
    label: str
    refusal: int = 403


PUBLIC = Access(frozenset({ANONYMOUS, *ROLES}), "public")
LOGGED_IN = Access(frozenset(ROLES), "any logged-in user")
ORGANISER = Access(frozenset({"organiser", "admin"}), "organiser (and admin)")
ADMIN = Access(frozenset({"admin"}), "admin only")
# the trainers of the session in the URL, and staff (World makes `trainer` a trainer of it)
TRAINER = Access(frozenset({"trainer", "organiser", "admin"}), "trainer of the session, staff")
# reached with a secret token: without a valid token nobody gets the page; each area's own
# tests cover the valid token
# (anonymous callers get the same refusal: logging in would not help)
TOKEN = Access(frozenset(), "token-based (nobody without the token)", refusal=404)
# the owner of the registration in the URL (World's registration is the representative's); staff
# act on registrations through their own routes, so they get 404 here too
OWNER = Access(frozenset({"representative"}), "the registration's owner", refusal=404)

#: EVERY endpoint of the app. Keep it sorted by blueprint.
ACCESS: dict[str, Access] = {
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "main.index": PUBLIC,
    "main.health": PUBLIC,
    "main.hello": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.profile": LOGGED_IN,
    "auth.profile_language": LOGGED_IN,
    # logged-in users are sent on (to ?next= or the events): allowed, nothing to refuse
    "auth.signup": PUBLIC,
    "auth.signup_confirm": TOKEN,
    "auth.reset_request": PUBLIC,
    "auth.reset_password": TOKEN,
    "auth.setup_account": TOKEN,
    "admin.users": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.deactivate_user": ADMIN,
    "admin.activate_user": ADMIN,
    "admin.send_setup_link": ADMIN,
    "events.index": PUBLIC,
    "events.show": PUBLIC,
    "events.create": ORGANISER,
    "events.edit": ORGANISER,
    "events.publish": ORGANISER,
    "events.cancel": ORGANISER,
    "events.add_session": ORGANISER,
    "events.edit_session": ORGANISER,
    "events.cancel_session": ORGANISER,
    "events.reinstate": ORGANISER,
    "events.reinstate_session": ORGANISER,
    "events.delete": ORGANISER,
    "events.duplicate": ORGANISER,
    "registration.register": TOKEN,
    "registration.mine": LOGGED_IN,
    "registration.change_sessions": OWNER,
    "registration.cancel": OWNER,
    "registration.cancel_seat": OWNER,
    "registration.event_registrations": ORGANISER,
    "registration.session_registrations": ORGANISER,
    "registration.event_capacity": ORGANISER,
    "registration.session_capacity": ORGANISER,
    "registration.export_registrations": ORGANISER,
    "registration.staff_register": ORGANISER,
    "registration.staff_edit": ORGANISER,
    "registration.staff_move_seat": ORGANISER,
    "registration.staff_cancel": ORGANISER,
    "registration.staff_promote": ORGANISER,
    "registration.staff_cancel_seat": ORGANISER,
    "registration.staff_promote_seat": ORGANISER,
    "calendar.event_ics": PUBLIC,
    "calendar.session_ics": PUBLIC,
    "calendar.feed": TOKEN,
    "calendar.reset_feed": LOGGED_IN,
    "invitations.manage": ORGANISER,
    "invitations.remind": ORGANISER,
    "invitations.progress": ORGANISER,
    "invitations.invite_by_hand": ORGANISER,
    "invitations.resend": ORGANISER,
    "invitations.remind_one": ORGANISER,
    "invitations.show": TOKEN,
    "invitations.accept": TOKEN,
    "invitations.decline": TOKEN,
    "participants.settings": ORGANISER,
    "participants.preview": ORGANISER,
    "participants.preview_html": ORGANISER,
    "participants.send_test": ORGANISER,
    "participants.new_message": ORGANISER,
    "participants.messages": ORGANISER,
    "survey.upload": ORGANISER,
    "survey.confirm": ORGANISER,
    "survey.respondents": ORGANISER,
    "audit.event_trail": ORGANISER,
    "audit.person": ORGANISER,
    "audit.everything": ADMIN,
    "respondents.show": ORGANISER,
    "respondents.edit": ORGANISER,
    "respondents.delete": ORGANISER,
    "respondents.merge": ORGANISER,
    "attendance.my_sessions": TRAINER,
    "attendance.roster": TRAINER,
    "attendance.mark": TRAINER,
    "attendance.check_in": TRAINER,
    "attendance.walk_in": TRAINER,
    "attendance.close": TRAINER,
    "attendance.start_early": TRAINER,
    "attendance.reopen": ORGANISER,
    "attendance.export_session": TRAINER,
    "attendance.export_event": ORGANISER,
    "attendance.summary": ORGANISER,
    "attendance.send_certificates": ORGANISER,
    "attendance.certificate": ORGANISER,
    "privacy.notice_page": PUBLIC,
    "privacy.unsubscribe_page": TOKEN,
    "privacy.my_data": LOGGED_IN,
    "privacy.request_erasure": LOGGED_IN,
    "privacy.respondent_consent": ORGANISER,
    "privacy.admin": ADMIN,
    "privacy.admin_notice": ADMIN,
    "privacy.admin_person": ADMIN,
    "privacy.admin_erase": ADMIN,
    "privacy.admin_decline": ADMIN,
    "privacy.admin_association": ADMIN,
    "outbox.index": ORGANISER,
    "outbox.show": ORGANISER,
    "outbox.resend": ORGANISER,
    "outbox.cancel": ORGANISER,
    "outbox.requeue_event": ORGANISER,
    "attendance.report": ORGANISER,
    "attendance.report_settings": ORGANISER,
    "attendance.add_logo": ORGANISER,
    "attendance.remove_logo": ORGANISER,
    "attendance.choose_certificates": ORGANISER,
    "attendance.reissue_certificate": ORGANISER,
    "certificates.verify": PUBLIC,
}

#: Endpoints whose refusal page may name the (published, so public) event, with the reason.
REFUSAL_NAMES_EVENT: dict[str, str] = {
    "registration.register": "the invitation-only notice names the event and links to it",
}

#: What an allowed caller gets from a request without form data, where that is not 200 for a
#: GET and a redirect (``REDIRECT``) for a POST; a value per caller where callers differ.
FORM_AGAIN = 200  # the form shown again with the errors of the empty post
#: a page for visitors: a logged-in caller is sent on (to ?next= or the events)
LOGGED_IN_SENT_ON: dict[str, int | dict[str, int]] = {
    "GET": {ANONYMOUS: 200, "logged in": REDIRECT},
    "POST": {ANONYMOUS: FORM_AGAIN, "logged in": REDIRECT},
}
ANSWERS: dict[str, dict[str, int | dict[str, int]]] = {
    "main.index": {"GET": REDIRECT},  # to the event list
    "auth.login": LOGGED_IN_SENT_ON,
    "auth.signup": LOGGED_IN_SENT_ON,
    "auth.reset_request": {"POST": FORM_AGAIN},  # anyone may ask for a reset link
    "auth.profile": {"POST": FORM_AGAIN},
    "admin.users": {"POST": FORM_AGAIN},
    "admin.edit_user": {"POST": FORM_AGAIN},
    "events.create": {"POST": FORM_AGAIN},
    "events.edit": {"POST": FORM_AGAIN},
    "events.add_session": {"POST": FORM_AGAIN},
    "events.edit_session": {"POST": FORM_AGAIN},
    "events.duplicate": {"POST": FORM_AGAIN},
    "invitations.remind": {"POST": FORM_AGAIN},
    "survey.upload": {"POST": FORM_AGAIN},
    "attendance.check_in": {"POST": FORM_AGAIN},
    "attendance.walk_in": {"POST": FORM_AGAIN},
    "invitations.invite_by_hand": {"POST": FORM_AGAIN},
    "respondents.edit": {"POST": FORM_AGAIN},
    "registration.staff_register": {"POST": FORM_AGAIN},
    "registration.staff_edit": {"POST": FORM_AGAIN},
    "registration.staff_move_seat": {"POST": FORM_AGAIN},
    "participants.settings": {"POST": FORM_AGAIN},
    "participants.new_message": {"POST": FORM_AGAIN},
    "privacy.respondent_consent": {"POST": FORM_AGAIN},
    "privacy.admin_notice": {"POST": FORM_AGAIN},
    "privacy.admin_person": {"POST": FORM_AGAIN},
    "privacy.admin_association": {"POST": FORM_AGAIN},
    # without an address there is nothing to erase: back to the Privacy page
    "privacy.admin_erase": {"GET": REDIRECT},
    "attendance.add_logo": {"POST": FORM_AGAIN},  # no image: the page again, with the reason
    "attendance.choose_certificates": {"POST": FORM_AGAIN},  # nobody chosen: the list again
}


def expected_answer(endpoint: str, method: str, who: str) -> int:
    """The status an allowed ``who`` gets from ``method`` on ``endpoint`` (see ``ANSWERS``)."""
    default = 200 if method == "GET" else REDIRECT
    answer = ANSWERS.get(endpoint, {}).get(method, default)
    if isinstance(answer, dict):
        return answer[ANONYMOUS if who == ANONYMOUS else "logged in"]
    return answer


#: Endpoints refused with another status than their Access's ``refusal``, with the reason.
REFUSAL_STATUS: dict[str, tuple[int, str]] = {
    "registration.register": (403, "without an invitation: the invitation-only notice"),
}

#: Endpoints that set stricter headers of their own, each with the policy it must send.
OWN_HEADERS: dict[str, dict[str, str]] = {
    # the mail preview's HTML, framed by the preview page: nothing runs or loads in it
    "participants.preview_html": {
        "Content-Security-Policy": PREVIEW_POLICY,
        "X-Frame-Options": "SAMEORIGIN",
    },
}

#: Endpoints whose POST does not need a CSRF token, each with the reason. Keep it short.
CSRF_EXEMPT: dict[str, str] = {
    "privacy.unsubscribe_page": "RFC 8058 one-click unsubscribe: the mailbox provider POSTs"
    " without a cookie or a token; the signed token in the URL is the proof",
}

#: URL values per endpoint where the parameter name alone does not say what to use.
ENDPOINT_URL_VALUES: dict[str, dict[str, str]] = {
    "static": {"filename": "css/app.css"},
    "bootstrap.static": {"filename": "css/bootstrap.min.css"},
    "attendance.export_session": {"fmt": "xlsx"},
    "attendance.export_event": {"fmt": "pdf"},
    # a registration's trail (an account's is the admins' only: tests/test_audit_trail.py)
    "audit.person": {"kind": "registration"},
    "registration.export_registrations": {"fmt": "xlsx"},
}

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class World:
    """Real objects for the URL parameters, and one account per role."""

    users: dict[str, User]
    event: Event
    draft: Event
    session: TrainingSession
    registration: Registration
    other_registration: Registration
    invitation: Invitation
    invitation_token: str
    url_values: dict[str, object] = field(default_factory=dict)
    missing_values: dict[str, object] = field(default_factory=dict)


def build_world() -> World:
    """One published event with a session (``trainer`` teaches it) and one draft event, a
    month from now (``tests/factories.py``).

    The event is by invitation only; ``representative`` and another representative are
    registered through their invitations, each with a seat in the session, and a third
    invitation is still open.
    """
    users = {role: make_user(role) for role in ROLES}
    event = factories.event(
        "walk-event", title="Secret-free published event", capacity=10, allow_direct_signup=False
    )
    session = factories.session(event, title="Strategy training", trainers=[users["trainer"]])
    draft = factories.event(
        "walk-draft",
        title="Draft nobody outside staff sees",
        status=EventStatus.DRAFT,
        starts_in_days=45,
        days=1,
        allow_direct_signup=False,
    )
    other = make_user("representative", "other-rep@example.org", "Other Representative")
    registration = _register_invited(event, session, users["representative"])
    other_registration = _register_invited(event, session, other)
    token, invitation = _invite(event, "open-invitee@example.org")
    erasure_request = ErasureRequest(user_id=other.id, email=other.email)
    db.session.add(erasure_request)
    message = OutboxMessage(
        idempotency_key="walk:failed",
        event_id=event.id,
        recipient="failed-reader@example.org",
        subject="A failed message",
        body_text="Hello",
        status="failed",
        last_error="550 no such mailbox",
    )
    db.session.add(message)
    logo = _logo(event)
    certificate = _certificate(event, registration)
    db.session.commit()
    return World(
        users=users,
        event=event,
        draft=draft,
        session=session,
        registration=registration,
        other_registration=other_registration,
        invitation=invitation,
        invitation_token=token,
        # parameter name -> a value naming a real object (add new parameters here)
        # (registration_id, invitation_id, respondent_id ... : create the object above)
        url_values={
            "slug": event.slug,
            "session_id": session.id,
            "registration_id": registration.id,
            "seat_id": registration.seats[0].id,
            "message_id": message.id,
            "logo_id": logo.id,
            "certificate_id": certificate.id,
            "code": certificate.code,
            "invitation_id": invitation.id,
            "token": "not-a-real-token",
            "key": f"{users['representative'].id}-not-a-real-key",
            "respondent_id": invitation.respondent_id,
            "request_id": erasure_request.id,
            "user_id": other.id,
            "object_id": registration.id,
        },
        # parameter name -> a value naming nothing (the page must answer 404, never 500)
        missing_values={
            "slug": "no-such-event",
            "session_id": 987654,
            "registration_id": 987654,
            "seat_id": 987654,
            "message_id": 987654,
            "logo_id": 987654,
            "certificate_id": 987654,
            "code": "AAAA-BBBB-CCCC",
            "invitation_id": 987654,
            "token": "x" * 43,
            "key": "987654-" + "x" * 43,
            "respondent_id": 987654,
            "request_id": 987654,
            "user_id": 987654,
            "object_id": 987654,
        },
    )


def _logo(event: Event) -> ReportLogo:
    """A logo of ``event`` for its sign-in sheets (a real, tiny PNG)."""
    from PIL import Image

    from clusgo_events.services.attendance.logos import add_logo

    png = io.BytesIO()
    Image.new("RGB", (30, 10), (0, 80, 160)).save(png, format="PNG")
    return add_logo(event, "event", "logo.png", png.getvalue(), None)


def _certificate(event: Event, registration: Registration) -> Certificate:
    """A certificate of ``registration`` (issued through the service, e-mail queued)."""
    from clusgo_events.services.attendance import issuing

    issuing.issue(event, [registration], None)
    return issuing.valid_certificates(event)[registration.id]


def _invite(event: Event, email: str) -> tuple[str, Invitation]:
    """A sent invitation of a new respondent to ``event``, and its raw token."""
    respondent = factories.respondent(
        email, contact_name=email.split("@")[0].title(), interested_in_training=True
    )
    invitation, raw = factories.invitation(
        event,
        respondent,
        InvitationStatus.SENT,
        language="en",
        expires_at=utcnow() + timedelta(days=30),
    )
    return raw, invitation


def _register_invited(event: Event, session: TrainingSession, user: User) -> Registration:
    """``user`` registered (confirmed) through an invitation, with a seat in ``session``."""
    _, invitation = _invite(event, user.email)
    return factories.registration(
        event,
        account=user,
        sessions=[session],
        name=user.name,
        organisation_name="Moravian Cluster",
        country="CZ",
        language="en",
        invitation_id=invitation.id,
        respondent_id=invitation.respondent_id,
    )


@pytest.fixture(scope="module")
def walk(module_app: Flask) -> tuple[World, TableSnapshot]:
    """The world, built once for the module, and its rows as built."""
    db.session.rollback()
    empty_all_tables()
    world = build_world()
    return world, TableSnapshot()


@pytest.fixture()
def app(module_app: Flask) -> Iterator[Flask]:
    """Every test of this module shares one application (the world is built once): a test
    that asks for ``app`` gets it with every table empty and its configuration put back after."""
    config = dict(module_app.config)
    db.session.rollback()
    empty_all_tables()
    yield module_app
    module_app.config.clear()
    module_app.config.update(config)


@pytest.fixture()
def world(app: Flask, walk: tuple[World, TableSnapshot]) -> World:
    """The walk's world as built, whatever the tests before changed."""
    built, rows = walk
    rows.restore()
    return built


def rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))


def build_url(rule: Rule, world: World, missing: bool = False) -> str:
    values: dict[str, object] = {}
    for name in rule.arguments:
        override = ENDPOINT_URL_VALUES.get(rule.endpoint, {})
        source = world.missing_values if missing else world.url_values
        if name in override and not missing:
            values[name] = override[name]
        elif name in source:
            values[name] = source[name]
        elif name in override:
            values[name] = override[name]
        else:
            raise AssertionError(
                f"{rule.endpoint}: no value for URL parameter {name!r}; add one to "
                "World.url_values / missing_values (or ENDPOINT_URL_VALUES) in "
                "tests/test_security.py"
            )
    path = rule.build(values, append_unknown=False)
    assert path is not None
    return path[1]


def methods_of(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def client_for(app: Flask, who: str, world: World) -> FlaskClient:
    client = app.test_client()
    if who != ANONYMOUS:
        response = request(
            client, "POST", "/auth/login", email=world.users[who].email, password=PASSWORD
        )
        assert response.status_code == 302, f"log-in as {who} failed"
    return client


def request(client: FlaskClient, method: str, url: str, **data: str):  # type: ignore[no-untyped-def]
    """One request in its own app context: the test's context would share ``g`` (and with it
    Flask-Login's cached user) between the clients of different roles."""
    with client.application.app_context():
        return client.open(url, method=method, data=data if method in STATE_CHANGING else None)


def assert_security_headers(response, where: str, endpoint: str = "") -> None:  # type: ignore[no-untyped-def]
    expected = {**SECURITY_HEADERS, **OWN_HEADERS.get(endpoint, {})}
    if endpoint in OWN_HEADERS and response.status_code >= 300:
        expected = SECURITY_HEADERS  # a refusal or redirect is the app's page
    for name, value in expected.items():
        if name == "Referrer-Policy":
            assert response.headers.get(name) in {value, "no-referrer"}, where
        else:
            assert response.headers.get(name) == value, f"{where}: header {name}"


def is_login_redirect(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == REDIRECT and "/auth/login" in (
        response.headers.get("Location") or ""
    )


# --- the table covers the app --------------------------------------------------------------


def test_every_route_is_classified(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - ACCESS.keys())
    assert not missing, (
        f"routes without an access rule: {missing}; classify them in ACCESS "
        "in tests/test_security.py"
    )
    stale = sorted(ACCESS.keys() - endpoints)
    assert not stale, f"ACCESS names endpoints that no longer exist: {stale}"


# --- every route, every role ---------------------------------------------------------------


def _endpoint_params() -> list[str]:
    return sorted(ACCESS)


@pytest.mark.parametrize("endpoint", _endpoint_params())
def test_route_access_for_every_role(app: Flask, world: World, endpoint: str) -> None:
    access = ACCESS[endpoint]
    refusal = REFUSAL_STATUS.get(endpoint, (access.refusal, ""))[0]
    found = [rule for rule in rules(app) if rule.endpoint == endpoint]
    assert found, f"{endpoint} is in ACCESS but not registered"
    everyone = (ANONYMOUS, *ROLES)
    # refused callers first, so a refused POST that changed something would show below
    order = sorted(everyone, key=lambda who: who in access.allowed)
    for rule in found:
        url = build_url(rule, world)
        for method in methods_of(rule):
            before = _snapshot(world)
            for who in order:
                client = client_for(app, who, world)
                response = request(client, method, url)
                where = f"{method} {url} as {who} ({access.label}) -> {response.status_code}"
                assert response.status_code != 500, where
                assert_security_headers(response, where, endpoint)
                if who in access.allowed:
                    assert response.status_code == expected_answer(endpoint, method, who), where
                    assert not is_login_redirect(response), where
                elif who == ANONYMOUS and access is not TOKEN:
                    assert is_login_redirect(response), where
                else:
                    assert response.status_code == refusal, where
                if who not in access.allowed:
                    assert world.draft.title.encode() not in response.data, where
                    if endpoint not in REFUSAL_NAMES_EVENT:
                        assert world.event.title.encode() not in response.data, where
                if who not in access.allowed:
                    assert _snapshot(world) == before, f"{where}: a refused request changed data"
                response.close()


def _snapshot(world: World) -> tuple:
    db.session.expire_all()
    return (
        world.event.status,
        world.event.sequence,
        world.draft.status,
        world.session.status,
        world.session.sequence,
        db.session.query(Event).count(),
        db.session.query(User).count(),
        world.event.capacity,
        world.session.capacity,
        world.invitation.status,
        tuple(
            (r.status, r.waitlist_position, tuple(sorted((s.id, s.status) for s in r.seats)))
            for r in (world.registration, world.other_registration)
        ),
        db.session.query(SessionSeat).count(),
        tuple(
            (u.role, u.is_active_account, u.session_version)
            for u in db.session.query(User).order_by(User.id)
        ),
    )


@pytest.mark.parametrize(
    "endpoint",
    sorted(e for e in ACCESS if e not in ENDPOINT_URL_VALUES and ACCESS[e] is not TOKEN),
)
def test_missing_object_is_404_not_500(app: Flask, world: World, endpoint: str) -> None:
    """An allowed caller asking for an object that does not exist gets 404."""
    access = ACCESS[endpoint]
    who = next(w for w in ("admin", ANONYMOUS, *ROLES) if w in access.allowed)
    for rule in (r for r in rules(app) if r.endpoint == endpoint and r.arguments):
        url = build_url(rule, world, missing=True)
        client = client_for(app, who, world)
        for method in methods_of(rule):
            assert request(client, method, url).status_code == 404, f"{method} {url}"


def test_nobody_acts_on_another_persons_registration(app: Flask, world: World) -> None:
    """The "my registration" routes answer 404 for a registration (or seat) that is not the
    caller's, whatever the role, and change nothing; staff use the organiser routes."""
    own, other = world.registration, world.other_registration
    other_seat, own_seat = other.seats[0].id, own.seats[0].id
    urls = [
        f"/my/registrations/{other.id}/sessions",
        f"/my/registrations/{other.id}/cancel",
        f"/my/registrations/{other.id}/seats/{other_seat}/cancel",
        # one's own registration with someone else's seat
        f"/my/registrations/{own.id}/seats/{other_seat}/cancel",
        # someone else's registration with one's own seat
        f"/my/registrations/{other.id}/seats/{own_seat}/cancel",
    ]
    before = _snapshot(world)
    for who in ROLES:
        client = client_for(app, who, world)
        for url in urls:
            response = request(client, "POST", url, **{f"r{other.id}-sessions": ""})
            assert response.status_code == 404, f"POST {url} as {who}"
        listing = request(client, "GET", "/my/registrations")
        assert listing.status_code == 200
        assert b"Other Representative" not in listing.data, who
        assert f"/my/registrations/{other.id}/".encode() not in listing.data, who
    assert _snapshot(world) == before
    assert other.status == "confirmed" and other.seats[0].status == "confirmed"
    # the owner can (the same URL works for them)
    owner = client_for(app, "representative", world)
    response = request(owner, "POST", f"/my/registrations/{own.id}/seats/{own_seat}/cancel")
    assert response.status_code == 302
    db.session.expire_all()
    assert own.seats[0].status == "cancelled"
    assert other.seats[0].status == "confirmed"


def test_invitation_token_opens_only_its_own_invitation(app: Flask, world: World) -> None:
    """A valid token shows its invitation to anyone; the token of one event does not
    register for another, and a token never shows another invitee's data."""
    token = world.invitation_token
    for who in (ANONYMOUS, *ROLES):
        client = client_for(app, who, world)
        page = request(client, "GET", f"/invitations/{token}")
        assert page.status_code == 200, who
        assert world.event.title.encode() in page.data
        assert b"other-rep@example.org" not in page.data
    other_event = factories.event(
        "walk-other",
        title="Another invitation-only event",
        starts_in_days=60,
        days=1,
        allow_direct_signup=False,
    )
    db.session.commit()
    client = client_for(app, ANONYMOUS, world)
    response = request(client, "GET", f"/events/{other_event.slug}/register?invitation={token}")
    assert response.status_code == 404
    assert b"open-invitee" not in response.data


INT_PARAMETERS = (
    "session_id",
    "registration_id",
    "seat_id",
    "logo_id",
    "certificate_id",
    "user_id",
)


@pytest.mark.parametrize("number", [2**31, 10**20])
def test_ids_beyond_the_database_integer_are_404(app: Flask, world: World, number: int) -> None:
    """PostgreSQL refuses a number larger than an INTEGER column with an error: such an id in
    a URL must be a plain 404 (the ``int`` converter is bounded), never a 500."""
    world = replace(world, url_values={**world.url_values, **dict.fromkeys(INT_PARAMETERS, number)})
    checked = []
    for rule in rules(app):
        if not set(rule.arguments) & set(INT_PARAMETERS):
            continue
        access = ACCESS[rule.endpoint]
        who = next(w for w in ("admin", ANONYMOUS, *ROLES) if w in access.allowed)
        url = build_url(rule, world)
        client = client_for(app, who, world)
        for method in methods_of(rule):
            response = request(client, method, url)
            assert response.status_code == 404, f"{method} {url} as {who}"
            checked.append(rule.endpoint)
    assert {"registration.cancel_seat", "attendance.mark", "events.edit_session"} <= set(checked)


def test_nul_characters_in_forms_and_queries_are_dropped(app: Flask, world: World) -> None:
    """PostgreSQL text holds no NUL (its driver raises: a 500): the app's request drops them
    from every form and query value, so what a user typed is stored without them."""
    staff = client_for(app, "trainer", world)
    response = request(
        staff,
        "POST",
        f"/attendance/sessions/{world.session.id}/walk-in",
        name="Wal\x00ker",
        organisation="Clus\x00ter",
        country="CZ",
    )
    assert response.status_code == 302
    walk_in = db.session.scalar(select(AttendanceRecord).where(AttendanceRecord.is_walk_in))
    assert (walk_in.name, walk_in.organisation_name) == ("Walker", "Cluster")
    invitee = client_for(app, ANONYMOUS, world)
    token = world.invitation_token
    response = request(invitee, "POST", f"/invitations/{token}/decline", reason="Too\x00 far")
    assert response.status_code == 200
    db.session.expire_all()
    assert (world.invitation.status, world.invitation.decline_reason) == ("declined", "Too far")
    organiser = client_for(app, "organiser", world)
    with app.test_request_context("/survey/respondents?q=a%00b&x%00=1"):
        from flask import request as current_request

        assert current_request.args["q"] == "ab" and "x" in current_request.args
    assert request(organiser, "GET", "/survey/respondents?q=%00").status_code == 200


def test_draft_event_hidden_from_non_staff(app: Flask, world: World) -> None:
    url = f"/events/{world.draft.slug}"
    for who in (ANONYMOUS, "representative", "trainer"):
        client = client_for(app, who, world)
        response = request(client, "GET", url)
        assert response.status_code == 404, who
        assert world.draft.title.encode() not in response.data
        listing = request(client, "GET", "/events/")
        assert world.draft.title.encode() not in listing.data
    assert request(client_for(app, "organiser", world), "GET", url).status_code == 200


# --- CSRF on every form --------------------------------------------------------------------

CSRF_FIELD = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


def _token_from(response) -> str:  # type: ignore[no-untyped-def]
    match = CSRF_FIELD.search(response.data)
    assert match, "no csrf_token field on the page"
    return match.group(1).decode()


def _csrf_client(app: Flask, world: World) -> FlaskClient:
    """An admin logged in through the real form with CSRF on."""
    client = app.test_client()
    token = _token_from(request(client, "GET", "/auth/login"))
    response = request(
        client,
        "POST",
        "/auth/login",
        email=world.users["admin"].email,
        password=PASSWORD,
        csrf_token=token,
    )
    assert response.status_code == 302
    return client


def _state_changing_routes(app: Flask) -> list[tuple[Rule, str]]:
    found = [
        (rule, method)
        for rule in rules(app)
        for method in methods_of(rule)
        if method in STATE_CHANGING and rule.endpoint not in CSRF_EXEMPT
    ]
    # log out last: it ends the session the other requests use
    return sorted(found, key=lambda item: item[0].endpoint == "auth.logout")


def test_every_form_refuses_a_post_without_csrf_token(app: Flask, world: World) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = _csrf_client(app, world)
    checked = []
    for rule, method in _state_changing_routes(app):
        url = build_url(rule, world)
        before = _snapshot(world)
        response = request(client, method, url)
        assert response.status_code == 400, f"{method} {url} without a CSRF token"
        assert _snapshot(world) == before
        checked.append(rule.endpoint)
    assert {"auth.login", "events.publish", "admin.users"} <= set(checked)


def test_every_form_accepts_a_post_with_csrf_token(
    app: Flask, world: World, walk: tuple[World, TableSnapshot]
) -> None:
    """With its token, every form answers exactly as it does with the CSRF check off (the same
    status and redirect), each post made on the world as built."""
    rows = walk[1]

    def answers(csrf: bool) -> dict[str, tuple[int, str | None]]:
        app.config["WTF_CSRF_ENABLED"] = csrf
        if csrf:
            client = _csrf_client(app, world)
            token = _token_from(request(client, "GET", "/auth/profile"))
        else:
            client, token = client_for(app, "admin", world), ""
        found = {}
        for rule, method in _state_changing_routes(app):
            rows.restore()
            url = build_url(rule, world)
            response = request(client, method, url, csrf_token=token)
            assert b"CSRF" not in response.data, f"{method} {url} with a CSRF token"
            found[f"{method} {url}"] = (response.status_code, response.headers.get("Location"))
        return found

    unchecked = answers(csrf=False)
    assert answers(csrf=True) == unchecked
    # and no form refuses the empty post as malformed, or fails on it
    assert not {400, 500} & {status for status, _ in unchecked.values()}, unchecked


# --- headers and cookies -------------------------------------------------------------------


def test_headers_on_pages_errors_and_static_files(client: FlaskClient) -> None:
    for url, status in (("/events/", 200), ("/nowhere", 404), ("/static/css/app.css", 200)):
        response = client.get(url)
        assert response.status_code == status
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "script-src 'self';" in CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "camera=(self)" in response.headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in response.headers
        response.close()


def test_token_pages_send_no_referrer(client: FlaskClient) -> None:
    response = client.get("/events/?token=abc")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_hsts_over_https(client: FlaskClient) -> None:
    response = client.get("/events/", base_url="https://events.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(rb"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(rb"\sstyle\s*=", re.IGNORECASE)


def test_pages_have_no_inline_scripts_or_styles(app: Flask, world: World) -> None:
    """CSP blocks them, so a page that used them would break in the browser."""
    pages = [
        (ANONYMOUS, "/auth/login"),
        (ANONYMOUS, "/auth/signup"),
        (ANONYMOUS, "/auth/reset"),
        (ANONYMOUS, "/events/"),
        ("organiser", f"/events/{world.event.slug}"),
        ("organiser", "/events/new"),
        ("organiser", f"/events/{world.event.slug}/edit"),
        ("organiser", f"/events/{world.event.slug}/sessions/new"),
        ("organiser", f"/events/{world.event.slug}/sessions/{world.session.id}/edit"),
        ("admin", "/admin/users"),
        ("organiser", f"/events/{world.event.slug}/mail/preview?language=hu"),
        ("organiser", f"/events/{world.event.slug}/mail"),
        ("organiser", f"/events/{world.event.slug}/messages/new"),
        ("organiser", f"/events/{world.event.slug}/messages"),
        ("trainer", "/auth/profile"),
        (ANONYMOUS, "/nowhere"),
    ]
    for who, url in pages:
        html = request(client_for(app, who, world), "GET", url).data
        assert not INLINE_SCRIPT.search(html), f"inline <script> on {url}"
        assert not INLINE_HANDLER.search(html), f"inline event handler on {url}"
        assert not INLINE_STYLE.search(html), f"style= attribute on {url}"
        for src in re.findall(rb'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
            assert src.startswith(b"/"), f"{url} loads {src!r} from another site"


@pytest.mark.parametrize(
    "base_url,secure",
    [
        ("http://127.0.0.1:5000", False),
        ("http://localhost:8000", False),
        ("http://[::1]:5000", False),
        ("https://events.example.org", True),
        ("http://events.example.org", True),
        ("https://127.0.0.1", True),
    ],
)
def test_secure_cookie_default_follows_base_url(base_url: str, secure: bool) -> None:
    assert secure_cookies_default(base_url) is secure


def test_session_cookie_secure_outside_development(app: Flask, users) -> None:
    from clusgo_events import create_app

    auto = {"SESSION_COOKIE_SECURE": None, "REMEMBER_COOKIE_SECURE": None}
    production = create_app({**app.config, "BASE_URL": "https://events.example.org", **auto})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    client = production.test_client()
    response = client.post(
        "/auth/login",
        data={"email": users["admin"].email, "password": PASSWORD},
        base_url="https://events.example.org",
    )
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with production.app_context():
        db.engine.dispose()

    explicit = create_app(
        {**app.config, "BASE_URL": "https://events.example.org", "SESSION_COOKIE_SECURE": False}
    )
    assert explicit.config["SESSION_COOKIE_SECURE"] is False
    with explicit.app_context():
        db.engine.dispose()


def test_development_cookie_not_secure(app: Flask, users) -> None:
    from clusgo_events import create_app

    auto = {"SESSION_COOKIE_SECURE": None, "REMEMBER_COOKIE_SECURE": None}
    dev = create_app({**app.config, "BASE_URL": "http://127.0.0.1:5000", **auto})
    assert dev.config["SESSION_COOKIE_SECURE"] is False
    assert dev.config["REMEMBER_COOKIE_SECURE"] is False
    with dev.app_context():
        db.engine.dispose()


def test_production_config_forces_secure_cookies() -> None:
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True

"""Registration: places, waiting lists, cancellation, refusals, pages and e-mails."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.i18n import COUNTRY_LANGUAGE
from clusgo_events.models import (
    Event,
    Invitation,
    OutboxMessage,
    Registration,
    SessionSeat,
    TrainingSession,
    User,
)
from clusgo_events.models.base import utcnow
from clusgo_events.services import ServiceError, ValidationErrors
from clusgo_events.services import registration as reg
from clusgo_events.services.events import cancel_event, cancel_session
from clusgo_events.services.transactions import lock_event
from clusgo_events.signals import (
    registration_cancelled,
    registration_confirmed,
    seat_cancelled,
    seat_confirmed,
)
from tests import factories
from tests.conftest import PASSWORD, make_user
from tests.factories import local_input
from tests.registration_helpers import attendee, make_event, make_respondent, notices


def signup(event: Event, email: str, sessions=(), **kw) -> Registration:  # type: ignore[no-untyped-def]
    """``email``'s account (made here: direct sign-up makes none) registers for ``event``;
    the account speaks the language of the attendee's country."""
    language = kw.get("language") or COUNTRY_LANGUAGE[kw.get("country", "CZ")]
    account = factories.user(email=email, name=email.split("@")[0].title(), language=language)
    registration = reg.register(event, attendee(email, **kw), list(sessions), user=account)
    db.session.commit()
    return registration


def mails(kind: str | None = None) -> list[OutboxMessage]:
    """The registration mails (calendar invitations are separate messages, see test_calendar_*)."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.kind.not_like("calendar-%"))
        .order_by(OutboxMessage.id)
    )
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def test_first_come_confirmed_then_waiting_lists(app) -> None:
    event = make_event(capacity=2, session_capacities=(1,))
    training = event.sessions[0]
    a = signup(event, "a@example.cz", [training.id])
    b = signup(event, "b@example.cz", [training.id])
    c = signup(event, "c@example.cz", [training.id])
    d = signup(event, "d@example.cz", [training.id])
    db.session.expire_all()
    assert [a.status, b.status, c.status, d.status] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    assert event.confirmed_count == 2 and training.confirmed_count == 1
    assert [s.status for s in a.seats] == ["confirmed"]
    assert [s.status for s in b.seats] == ["waitlisted"]
    assert reg.registration_ranks([c, d]) == {c.id: 1, d.id: 2}
    assert reg.seat_ranks(b.seats + c.seats) == {b.seats[0].id: 1, c.seats[0].id: 2}
    assert len({a.checkin_code, b.checkin_code}) == 2 and len(a.checkin_code) == 16
    assert a.user.role == "representative"
    assert [m.notice for m in notices()] == ["confirmed"] * 2 + ["waitlisted"] * 2
    # a confirmation comes with the event's calendar entry, a waiting list without one
    assert [m.kind for m in notices()] == ["calendar-invite"] * 2 + ["registration_waitlisted"] * 2


def test_a_session_can_be_full_while_the_event_is_not(app) -> None:
    event = make_event(capacity=10, session_capacities=(1, 5))
    first, second = event.sessions
    signup(event, "a@example.cz", [first.id, second.id])
    b = signup(event, "b@example.cz", [first.id, second.id])
    db.session.expire_all()
    assert b.status == "confirmed"
    assert {s.session_id: s.status for s in b.seats} == {
        first.id: "waitlisted",
        second.id: "confirmed",
    }


def test_confirmation_mail_has_qr_code_and_sessions(app) -> None:
    event = make_event()
    training = event.sessions[0]
    registration = signup(event, "anna@example.cz", [training.id], language="cs")
    (mail,) = notices("confirmed")
    assert mail.recipient == "anna@example.cz" and mail.language == "cs"
    # the event's calendar invitation carries the confirmation: one mail, not two
    assert mail.kind == "calendar-invite" and mail.calendar_method == "REQUEST"
    assert mail.registration_id == registration.id and mail.session_id is None
    assert "Training 1" in mail.body_text and "Brno Exhibition Centre" in mail.body_text
    assert registration.checkin_code in mail.body_text
    assert "/my/registrations" in mail.body_text
    (png,) = mail.attachments
    data = base64.b64decode(png["data_b64"])
    assert png["content_type"] == "image/png" and data.startswith(b"\x89PNG")
    assert "data:image/png;base64," in mail.body_html
    assert "potvrzena" in mail.subject  # Czech
    # links to the event's .ics and to the person's own feed, both working
    assert f"/events/{event.slug}/calendar.ics" in mail.body_text
    assert "Přidejte si ji do kalendáře" in mail.body_text
    feed_path = mail.body_text.split("/calendar/feed/", 1)[1].split()[0]
    client = app.test_client()
    assert client.get(f"/events/{event.slug}/calendar.ics").status_code == 200
    feed = client.get("/calendar/feed/" + feed_path)
    assert feed.status_code == 200 and b"BEGIN:VCALENDAR" in feed.data


def test_signals_are_sent(app) -> None:
    event = make_event(capacity=1, session_capacities=(1,))
    training = event.sessions[0]
    seen: list[tuple[str, object]] = []

    def receiver(name):  # type: ignore[no-untyped-def]
        return lambda sender, **kw: seen.append((name, sender))

    handlers = {
        "rc": receiver("registration_confirmed"),
        "rx": receiver("registration_cancelled"),
        "sc": receiver("seat_confirmed"),
        "sx": receiver("seat_cancelled"),
    }
    registration_confirmed.connect(handlers["rc"])
    registration_cancelled.connect(handlers["rx"])
    seat_confirmed.connect(handlers["sc"])
    seat_cancelled.connect(handlers["sx"])
    try:
        a = signup(event, "a@example.cz", [training.id])
        b = signup(event, "b@example.cz", [training.id])
        reg.cancel_registration(a)
        db.session.commit()
    finally:
        registration_confirmed.disconnect(handlers["rc"])
        registration_cancelled.disconnect(handlers["rx"])
        seat_confirmed.disconnect(handlers["sc"])
        seat_cancelled.disconnect(handlers["sx"])
    names = [name for name, _ in seen]
    assert names == [
        "registration_confirmed",
        "seat_confirmed",
        "seat_cancelled",
        "registration_cancelled",
        "registration_confirmed",
        "seat_confirmed",
    ]
    assert isinstance(seen[0][1], Registration) and isinstance(seen[1][1], SessionSeat)
    assert seen[4][1].id == b.id


def test_cancellation_promotes_the_first_in_line(app) -> None:
    event = make_event(capacity=1, session_capacities=(1,))
    training = event.sessions[0]
    a = signup(event, "a@example.cz", [training.id])
    b = signup(event, "b@example.cz", [training.id])
    c = signup(event, "c@example.cz", [training.id])
    outcome = reg.cancel_registration(a)
    db.session.commit()
    db.session.expire_all()
    assert outcome.promoted == 1  # b (with b's seat)
    assert (a.status, b.status, c.status) == ("cancelled", "confirmed", "waitlisted")
    assert [s.status for s in a.seats] == ["cancelled"]
    assert [s.status for s in b.seats] == ["confirmed"]
    assert reg.registration_ranks([c]) == {c.id: 1}
    assert event.confirmed_count == 1 and training.confirmed_count == 1
    promoted = notices("promoted")
    assert [m.recipient for m in promoted] == ["b@example.cz"]
    assert promoted[0].attachments  # the QR code comes with the promotion
    assert [m.recipient for m in notices("cancelled")] == ["a@example.cz"]


def test_cancel_one_seat_promotes_that_sessions_queue(app) -> None:
    event = make_event(capacity=10, session_capacities=(1, 5))
    first, second = event.sessions
    a = signup(event, "a@example.cz", [first.id, second.id])
    b = signup(event, "b@example.cz", [first.id])
    seat = next(s for s in a.seats if s.session_id == first.id)
    reg.cancel_seat(seat)
    db.session.commit()
    db.session.expire_all()
    assert a.status == "confirmed"
    assert {s.session_id: s.status for s in a.seats} == {
        first.id: "cancelled",
        second.id: "confirmed",
    }
    assert [s.status for s in b.seats] == ["confirmed"]
    with pytest.raises(ServiceError, match="already cancelled"):
        reg.cancel_seat(seat)
    db.session.rollback()


def test_change_sessions(app) -> None:
    event = make_event(capacity=10, session_capacities=(1, 5))
    first, second = event.sessions
    a = signup(event, "a@example.cz", [first.id])
    b = signup(event, "b@example.cz", [first.id])
    reg.change_sessions(a, [second.id])
    db.session.commit()
    db.session.expire_all()
    assert {s.session_id: s.status for s in a.seats} == {
        first.id: "cancelled",
        second.id: "confirmed",
    }
    assert [s.status for s in b.seats] == ["confirmed"]
    reg.change_sessions(a, [first.id, second.id])  # back into the full session: waiting
    db.session.commit()
    db.session.expire_all()
    assert {s.session_id: s.status for s in a.seats} == {
        first.id: "waitlisted",
        second.id: "confirmed",
    }


@pytest.mark.parametrize("bad", [2**31, 10**20, -1, 0, "x"])
def test_session_ids_out_of_range_are_refused_with_a_message(app, bad) -> None:
    """PostgreSQL refuses an INTEGER beyond 2**31 - 1 with an error: the service refuses
    such an id (from a tampered form) with the usual message instead."""
    event = make_event(capacity=10, session_capacities=(5,))
    a = signup(event, "a@example.cz", [event.sessions[0].id])
    with pytest.raises(ServiceError, match="Choose training sessions from the list"):
        reg.change_sessions(a, [bad])
    db.session.rollback()
    with pytest.raises(ServiceError, match="Choose training sessions from the list"):
        reg.register(event, attendee("b@example.cz"), [bad], user=factories.user())
    db.session.rollback()


def test_capacity_lowering_refused_raising_promotes_in_order(app) -> None:
    event = make_event(capacity=1, session_capacities=(1,))
    training = event.sessions[0]
    signup(event, "a@example.cz", [training.id])
    b = signup(event, "b@example.cz", [training.id])
    c = signup(event, "c@example.cz", [training.id])
    d = signup(event, "d@example.cz", [training.id])
    with pytest.raises(ServiceError, match="1 people are confirmed") as info:
        reg.set_event_capacity(event, 0)
    assert info.value.field == "capacity"
    db.session.rollback()
    assert reg.set_event_capacity(event, 3).promoted == 2
    db.session.commit()
    db.session.expire_all()
    assert (b.status, c.status, d.status) == ("confirmed", "confirmed", "waitlisted")
    assert event.capacity == 3 and event.confirmed_count == 3
    # their seats wait in the session's queue, in order
    assert reg.seat_ranks(b.seats + c.seats) == {b.seats[0].id: 1, c.seats[0].id: 2}
    assert reg.set_session_capacity(training, 2).promoted == 1
    db.session.commit()
    db.session.expire_all()
    assert [s.status for s in b.seats] == ["confirmed"]
    assert [s.status for s in c.seats] == ["waitlisted"]
    with pytest.raises(ServiceError, match="cannot be lower"):
        reg.set_session_capacity(training, 1)
    db.session.rollback()
    with pytest.raises(ServiceError, match="whole number"):
        reg.set_session_capacity(training, "many")
    db.session.rollback()


def test_organiser_moves_up_by_hand(app) -> None:
    event = make_event(capacity=1, session_capacities=(1,))
    training = event.sessions[0]
    signup(event, "a@example.cz", [training.id])
    signup(event, "b@example.cz", [training.id])
    c = signup(event, "c@example.cz", [training.id])
    seat = c.seats[0]
    with pytest.raises(ServiceError, match="move them up there first"):
        reg.promote_seat(seat)
    db.session.rollback()
    outcome = reg.promote_registration(c)  # jumps over b
    db.session.commit()
    assert outcome.capacity_raised_to == 2
    outcome = reg.promote_seat(seat)
    db.session.commit()
    db.session.expire_all()
    assert outcome.capacity_raised_to == 2
    assert c.status == "confirmed" and seat.status == "confirmed"
    assert event.confirmed_count == event.capacity == 2
    assert training.confirmed_count == training.capacity == 2
    with pytest.raises(ServiceError, match="Only someone on the waiting list"):
        reg.promote_registration(c)
    db.session.rollback()


def test_refusals(app) -> None:
    event = make_event(capacity=5, session_capacities=(2, 2))
    other = make_event(slug="other-event")
    first, second = event.sessions
    signup(event, "a@example.cz")
    b = make_user("representative", "b@example.cz")  # registers (and is refused) below
    with pytest.raises(ServiceError, match="already registered"):
        a = db.session.scalar(select(User).where(User.email == "a@example.cz"))
        reg.register(event, attendee("a@example.cz"), [], user=a)
    db.session.rollback()
    with pytest.raises(ServiceError, match="does not belong to this event") as info:
        reg.register(event, attendee("b@example.cz"), [other.sessions[0].id], user=b)
    assert info.value.field == "sessions"
    db.session.rollback()
    with pytest.raises(ServiceError, match="does not belong"):
        reg.register(event, attendee("b@example.cz"), [999999], user=b)
    db.session.rollback()
    cancel_session(second)
    db.session.commit()
    with pytest.raises(ServiceError, match="is cancelled"):
        reg.register(event, attendee("b@example.cz"), [second.id], user=b)
    db.session.rollback()
    with pytest.raises(ValidationErrors) as errors:
        reg.register(event, attendee("b@example.cz", privacy_consent=False), [], user=b)
    assert "privacy_consent" in errors.value.errors
    db.session.rollback()
    # no account from a typed address (issue 10): the stranger is told to log in, nothing
    # about whether a@example.cz has an account
    with pytest.raises(ServiceError, match="^Log in to register, or create an account.$"):
        reg.register(event, attendee("a@example.cz"), [], password=PASSWORD)
    db.session.rollback()
    event.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(ServiceError, match="Registration is closed"):
        reg.register(event, attendee("b@example.cz"), user=b)
    db.session.rollback()
    event.registration_closes_at = None
    event.registration_opens_at = utcnow() + timedelta(days=1)
    db.session.commit()
    with pytest.raises(ServiceError, match="not opened yet"):
        reg.register(event, attendee("b@example.cz"), user=b)
    db.session.rollback()
    invite_only = make_event(slug="invite-only", direct=False)
    with pytest.raises(ServiceError, match="by invitation only"):
        reg.register(invite_only, attendee("b@example.cz"), user=b)
    db.session.rollback()
    draft = make_event(slug="draft-event", publish=False)
    with pytest.raises(ServiceError, match="not open for registration"):
        reg.register(draft, attendee("b@example.cz"), user=b)
    db.session.rollback()
    cancel_event(other)
    db.session.commit()
    with pytest.raises(ServiceError, match="event is cancelled"):
        reg.register(other, attendee("b@example.cz"), user=b)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Registration.id))) == 1
    assert db.session.scalar(select(func.count(User.id))) == 2  # a's and b's, none added


def test_reregistering_after_cancelling(app) -> None:
    event = make_event(capacity=1, session_capacities=(1,))
    a = signup(event, "a@example.cz", [event.sessions[0].id])
    reg.cancel_registration(a)
    db.session.commit()
    again = reg.register(event, attendee("a@example.cz"), [event.sessions[0].id], user=a.user)
    db.session.commit()
    db.session.expire_all()
    assert again.id == a.id and again.status == "confirmed"
    assert [s.status for s in again.seats] == ["confirmed"]


# --- through the pages ----------------------------------------------------------------------


def make_invitation(event: Event, email: str = "anna@pannon.hu") -> tuple[str, Invitation]:
    invitation, raw = factories.invitation(event, make_respondent(email), "sent", language="hu")
    db.session.commit()
    return raw, invitation


def test_register_through_invitation(client, app) -> None:
    event = make_event(direct=False)
    raw, invitation = make_invitation(event)
    page = client.get(f"/events/{event.slug}/register?invitation={raw}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="anna@pannon.hu"' in html and 'value="Kovács Anna"' in html
    assert 'value="HU"' in html
    response = client.post(
        f"/events/{event.slug}/register?invitation={raw}",
        data={
            "name": "Kovács Anna",
            "email": "anna@pannon.hu",
            "organisation_name": "Pannon Cluster",
            "country": "HU",
            "position": "Director",
            "sessions": [str(event.sessions[0].id)],
            "password": "long-enough-pw",
            "password_again": "long-enough-pw",
            "privacy_consent": "y",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/my/registrations")
    db.session.expire_all()
    registration = db.session.scalar(select(Registration))
    assert registration.invitation_id == invitation.id
    assert registration.respondent_id == invitation.respondent_id
    assert registration.language == "hu" and registration.user.language == "hu"
    assert db.session.get(Invitation, invitation.id).status == "accepted"
    (mail,) = notices("confirmed")
    assert mail.language == "hu" and "Kedves Kovács Anna" in mail.body_text
    mine = client.get("/my/registrations").get_data(as_text=True)  # logged in
    assert event.title in mine and registration.checkin_code in mine
    # the same link again: already registered
    again = client.get(f"/events/{event.slug}/register?invitation={raw}")
    assert again.status_code == 302


def test_registration_page_in_the_invitations_language(client, app) -> None:
    """From a Hungarian invitation to a Hungarian form (the browser asks for English)."""
    event = make_event(direct=False)
    raw, _ = make_invitation(event)
    url = f"/events/{event.slug}/register?invitation={raw}"
    with app.app_context():  # its own ``g``, where Flask-Babel keeps the locale
        page = client.get(url, headers={"Accept-Language": "en-GB,en"})
    html = page.get_data(as_text=True)
    assert '<html lang="hu">' in html
    assert "Regisztráció" in html and "Register for" not in html
    with app.app_context():
        refused = client.post(url, data={"name": ""}, headers={"Accept-Language": "en"})
    assert '<html lang="hu">' in refused.get_data(as_text=True)  # errors in Hungarian too


def test_bad_invitation_and_invitation_only(client, app) -> None:
    event = make_event(direct=False)
    assert client.get(f"/events/{event.slug}/register?invitation=nope").status_code == 404
    page = client.get(f"/events/{event.slug}/register")
    assert page.status_code == 403 and "by invitation only" in page.get_data(as_text=True)
    other = make_event(slug="other-event")
    raw, _ = make_invitation(other)
    assert client.get(f"/events/{event.slug}/register?invitation={raw}").status_code == 404


def test_direct_signup_refusals_shown_beside_fields(client, auth, app) -> None:
    event = make_event()
    other = make_event(slug="other-event")
    auth.login_as(make_user("representative", "jan@example.cz"))  # direct sign-up: logged in
    data = {
        "name": "Jan Novák",
        "email": "jan@example.cz",
        "country": "CZ",
        "sessions": [str(other.sessions[0].id)],
        "password": "long-enough-pw",
        "password_again": "long-enough-pw",
    }
    page = client.post(f"/events/{event.slug}/register", data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Please agree to the privacy notice" in html or "does not belong" in html
    page = client.post(f"/events/{event.slug}/register", data={**data, "privacy_consent": "y"})
    assert "does not belong to this event" in page.get_data(as_text=True)
    page = client.post(
        f"/events/{event.slug}/register",
        data={**data, "privacy_consent": "y", "sessions": ["abc"]},
    )
    assert page.status_code == 200
    page = client.post(f"/events/{event.slug}/register", data={**data, "sessions": []})
    assert "Please agree to the privacy notice" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Registration.id))) == 0
    assert db.session.scalar(select(func.count(User.id))) == 1  # only Jan's own account


def test_logged_in_signup_my_page_and_cancel(client, auth, app) -> None:
    event = make_event(capacity=1, session_capacities=(1,))
    training = event.sessions[0]
    signup(event, "first@example.cz", [training.id])
    user = make_user("representative", "rep@example.cz", name="Rep")
    auth.login_as(user)
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            "name": "Rep",
            "email": "rep@example.cz",
            "sessions": [str(training.id)],
            "privacy_consent": "y",
        },
    )
    assert response.status_code == 302
    page = client.get("/my/registrations").get_data(as_text=True)
    assert "waiting list, position 1" in page
    registration = db.session.scalar(select(Registration).where(Registration.user_id == user.id))
    # a stranger's registration is not found
    other = db.session.scalar(select(Registration).where(Registration.user_id != user.id))
    assert client.post(f"/my/registrations/{other.id}/cancel").status_code == 404
    assert client.post(f"/my/registrations/{registration.id}/cancel").status_code == 302
    db.session.expire_all()
    assert registration.status == "cancelled"
    assert "cancelled" in client.get("/my/registrations").get_data(as_text=True)


def counted_get(client, count_queries, url: str):  # type: ignore[no-untyped-def]
    """GET ``url`` with a fresh session (nothing cached from the test) and count its queries."""
    db.session.remove()
    g.pop("_login_user", None)  # Flask-Login caches the user in the shared app context
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


def test_event_page_has_register_button_and_constant_queries(client, app, count_queries) -> None:
    event = make_event(capacity=200)
    slug, session_id = event.slug, event.sessions[1].id
    few, html = counted_get(client, count_queries, f"/events/{slug}")
    assert f"/events/{slug}/register" in html and "Free places: 200" in html
    for n in range(30):
        signup(db.session.get(Event, event.id), f"p{n}@example.cz", [session_id])
    many, html = counted_get(client, count_queries, f"/events/{slug}")
    assert many == few and "Free places: 170" in html


def add_registrations(event_id: int, session_id: int, count: int) -> None:
    """``count`` more registrations, each with a seat in ``session_id``, inserted directly.

    Two in three wait (behind everyone already waiting), one in three is cancelled; the
    countries rotate.
    """
    statuses = ["waitlisted", "waitlisted", "cancelled"]
    event = db.session.get(Event, event_id)
    session = db.session.get(TrainingSession, session_id)
    for n in range(count):
        status = statuses[n % 3]
        position = 1000 + n if status == "waitlisted" else None
        registration = factories.registration(
            event,
            account=factories.user(email=f"bulk{n}@example.sk", name=f"Bulk {n}"),
            status=status,
            waitlist_position=position,
            name=f"Bulk {n}",
            organisation_name="",
            country=["SK", "HU", "CZ"][n % 3],
            checkin_code=f"BULK{n:08d}",
        )
        factories.seat(registration, session, status, waitlist_position=position)
    db.session.commit()


def test_organiser_pages_constant_queries(client, auth, users, app, count_queries) -> None:
    event = make_event(capacity=3, session_capacities=(2,))
    slug, event_id, session_id = event.slug, event.id, event.sessions[0].id
    for n in range(5):
        signup(event, f"p{n}@example.cz", [session_id], country="CZ" if n % 2 else "PL")
    auth.login_as(users["representative"])
    assert client.get(f"/events/{slug}/registrations").status_code == 403
    auth.logout()
    auth.login_as(users["organiser"])
    event_url = f"/events/{slug}/registrations"
    session_url = f"/events/{slug}/sessions/{session_id}/registrations"
    urls = [
        event_url,
        event_url + "?status=waitlisted",
        session_url,
        session_url + "?status=waitlisted",
    ]
    few = [counted_get(client, count_queries, url)[0] for url in urls]
    html = counted_get(client, count_queries, event_url)[1]
    assert "<meter" in html and "waiting list, position 1" in html and "Waiting (2)" in html
    assert "waiting list, position 1" in counted_get(client, count_queries, session_url)[1]
    add_registrations(event_id, session_id, 300)  # 200 more waiting behind the first two
    many = [counted_get(client, count_queries, url)[0] for url in urls]
    assert many == few
    later = [counted_get(client, count_queries, url + "&page=3")[0] for url in urls[1::2]]
    assert later == few[1::2]
    # the first page: 50 rows, the 3 confirmed first; totals counted over all 305
    html = counted_get(client, count_queries, event_url)[1]
    assert html.count("/cancel?back=") == 50 and html.count('/promote"') == 47
    assert "waiting list, position 47<" in html and "waiting list, position 48<" not in html
    assert "All (305)" in html and "Confirmed (3)" in html and "Waiting (202)" in html
    assert "Cancelled (100)" in html and "202 waiting" in html and "100 cancelled" in html
    assert f"{event_url}?page=7" in html and f"{event_url}?page=8" not in html
    # the waiting list's second page: ranks 51 to 100 counted in SQL, none from page one
    html = counted_get(client, count_queries, event_url + "?status=waitlisted&page=2")[1]
    assert "waiting list, position 51<" in html and "waiting list, position 100<" in html
    assert "waiting list, position 50<" not in html and "waiting list, position 101<" not in html
    assert html.count('/promote"') == 50 and "page=3&amp;status=waitlisted" in html
    html = counted_get(client, count_queries, session_url + "?status=waitlisted&page=5")[1]
    assert (
        "waiting list, position 201<" in html
        and "waiting list, position 202<" in html
        and "waiting list, position 200<" not in html
    )
    html = counted_get(client, count_queries, session_url + "?status=cancelled")[1]
    assert "Cancel seat" not in html and html.count("<td>cancelled</td>") == 100


@pytest.mark.parametrize(
    "query", ["page=0", "page=-3", "page=abc", "page=", "page=99999999999999999999999", "page=9"]
)
def test_organiser_pages_any_page_number(client, auth, users, app, query) -> None:
    event = make_event(capacity=1, session_capacities=(1,))
    session_id = event.sessions[0].id
    signup(event, "a@example.cz", [session_id])
    auth.login_as(users["organiser"])
    for url in (
        f"/events/{event.slug}/registrations",
        f"/events/{event.slug}/sessions/{session_id}/registrations",
    ):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        if query in ("page=0", "page=-3", "page=abc", "page="):
            assert "a@example.cz" in html  # the first page
        else:
            assert "a@example.cz" not in html and "Back to the first page" in html


def test_organiser_pages_bad_status_and_back_links(client, auth, users, app) -> None:
    event = make_event(capacity=1, session_capacities=(1,))
    session_id = event.sessions[0].id
    a = signup(event, "a@example.cz", [session_id])
    b = signup(event, "b@example.cz", [session_id])
    auth.login_as(users["organiser"])
    url = f"/events/{event.slug}/registrations"
    for page_url in (url, f"/events/{event.slug}/sessions/{session_id}/registrations"):
        html = client.get(page_url + "?status=lost<b>").get_data(as_text=True)
        assert "Unknown status “lost&lt;b&gt;”: choose confirmed, waitlisted or cancelled" in html
        assert "a@example.cz" in html and "b@example.cz" in html  # everyone shown
    html = client.get(url + "?status=waitlisted").get_data(as_text=True)
    assert "b@example.cz" in html and "a@example.cz" not in html
    assert "No registrations with the status “cancelled”." in client.get(
        url + "?status=cancelled"
    ).get_data(as_text=True)
    # an action on a filtered page comes back to that page
    response = client.post(
        f"/registrations/{b.id}/promote", data={"back": url + "?status=waitlisted&page=1"}
    )
    assert response.headers["Location"] == url + "?status=waitlisted&page=1"
    db.session.expire_all()
    assert b.status == "confirmed" and a.status == "confirmed"


def test_organiser_actions(client, auth, users, app) -> None:
    event = make_event(capacity=1, session_capacities=(1,))
    training = event.sessions[0]
    a = signup(event, "a@example.cz", [training.id])
    b = signup(event, "b@example.cz", [training.id])
    auth.login_as(users["organiser"])
    page = client.post(f"/events/{event.slug}/capacity", data={"event-capacity": "0"})
    assert page.status_code == 302
    flashes = client.get(f"/events/{event.slug}/registrations").get_data(as_text=True)
    assert "cannot be lower" in flashes
    client.post(f"/events/{event.slug}/capacity", data={"event-capacity": "x"})
    client.post(f"/registrations/{a.id}/cancel")
    db.session.expire_all()
    assert a.status == "cancelled" and b.status == "confirmed"
    assert [s.status for s in b.seats] == ["confirmed"]
    c = signup(event, "c@example.cz", [training.id])
    client.post(f"/registrations/{c.id}/promote")
    db.session.expire_all()
    assert c.status == "confirmed" and event.capacity == 2
    client.post(f"/seats/{c.seats[0].id}/promote")
    client.post(
        f"/events/{event.slug}/sessions/{training.id}/capacity",
        data={f"s{training.id}-capacity": "5"},
    )
    db.session.expire_all()
    assert c.seats[0].status == "confirmed" and training.capacity == 5
    client.post(f"/seats/{c.seats[0].id}/cancel")
    db.session.expire_all()
    assert c.seats[0].status == "cancelled" and training.confirmed_count == 1


def test_my_registrations_constant_queries(client, auth, app, count_queries) -> None:
    user_id = make_user("representative", "many@example.cz", name="Many").id
    auth.login("many@example.cz")
    counts = []
    for n in range(4):
        event = make_event(slug=f"ev-{n}", capacity=1, session_capacities=(1, 1))
        signup(event, f"first{n}@example.cz", [s.id for s in event.sessions])
        user = db.session.get(User, user_id)
        reg.register(event, attendee("many@example.cz"), [s.id for s in event.sessions], user=user)
        db.session.commit()
        count, html = counted_get(client, count_queries, "/my/registrations")
        counts.append(count)
    assert len(set(counts)) == 1
    # four events and their eight seats, each first in line
    assert html.count("waiting list, position 1") == 12
    assert html.count("Cancel this session") == 8


def test_waitlisted_mail_in_polish_with_position(app) -> None:
    event = make_event(capacity=1, session_capacities=(5,))
    signup(event, "a@example.pl", country="PL")
    signup(event, "b@example.pl", [event.sessions[0].id], country="PL")
    (mail,) = mails("registration_waitlisted")
    assert mail.language == "pl" and mail.recipient == "b@example.pl"
    assert "liście rezerwowej" in mail.subject
    assert "na miejscu 1" in mail.body_text and "lista rezerwowa, miejsce 1" in mail.body_text
    assert not mail.attachments


def test_locked_event_blocks_other_writers_until_commit(app) -> None:
    """The lock taken before counting places really excludes a second writer."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    event = make_event()
    event_id = event.id
    lock_event(event_id)
    other = db.engine.connect()
    try:
        if db.engine.dialect.name == "sqlite":
            other.exec_driver_sql("PRAGMA busy_timeout=0")
            statement = text("BEGIN IMMEDIATE")
        else:
            statement = text("SELECT id FROM event WHERE id = :id FOR UPDATE NOWAIT")
        with pytest.raises(OperationalError):
            other.execute(statement, {"id": event_id})
        other.rollback()
        db.session.commit()  # the lock is released
        other.execute(statement, {"id": event_id})
        other.rollback()
    finally:
        if db.engine.dialect.name == "sqlite":
            other.exec_driver_sql("PRAGMA busy_timeout=30000")
        other.close()


def test_event_and_session_edit_forms_change_capacity_under_the_lock(client, auth, users) -> None:
    """Raising a capacity in the organiser's edit forms promotes at once; lowering is refused."""
    event = make_event(slug="edit-cap", capacity=1, session_capacities=(1,))
    training = event.sessions[0]
    signup(event, "a@example.cz", [training.id])
    b = signup(event, "b@example.cz", [training.id])
    auth.login_as(users["organiser"])
    form = {
        "title": event.title,
        "slug": event.slug,
        "timezone": "Europe/Prague",
        "starts_local": local_input(event.starts_at),
        "ends_local": local_input(event.ends_at),
        "host_organisation_id": "0",
        "target_countries": ["CZ", "HU", "SK", "PL"],
        "capacity": "0",
    }
    refused = client.post(f"/events/{event.slug}/edit", data=form)
    assert b"1 people are confirmed" in refused.data
    db.session.expire_all()
    assert event.capacity == 1
    response = client.post(f"/events/{event.slug}/edit", data=dict(form, capacity="2"))
    assert response.status_code == 302
    db.session.expire_all()
    assert event.capacity == 2 and b.status == "confirmed"
    assert [s.status for s in b.seats] == ["waitlisted"]
    session_form = {
        "title": training.title,
        "starts_local": local_input(training.starts_at),
        "ends_local": local_input(training.ends_at),
        "capacity": "2",
    }
    response = client.post(f"/events/{event.slug}/sessions/{training.id}/edit", data=session_form)
    assert response.status_code == 302
    db.session.expire_all()
    assert [s.status for s in b.seats] == ["confirmed"] and training.capacity == 2


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",  # browsers and Werkzeug drop the tab: "//evil.example/"
        "/\r\n/evil.example/",
    ],
)
def test_organiser_back_link_stays_on_the_site(client, auth, users, app, back) -> None:  # type: ignore[no-untyped-def]
    event = make_event(capacity=3, session_capacities=(2,))
    slug = event.slug
    auth.login_as(users["organiser"])
    response = client.post(f"/events/{slug}/capacity", data={"event-capacity": "5", "back": back})
    location = response.headers["Location"]
    assert "evil.example" not in location
    assert location.endswith(f"/events/{slug}/registrations")
    kept = client.post(
        f"/events/{slug}/capacity", data={"event-capacity": "6", "back": f"/events/{slug}"}
    )
    assert kept.headers["Location"].endswith(f"/events/{slug}")

"""The event page (issue 15): a registered representative sees where they stand instead of
"Register", the page says whether sign-up is open or by invitation only, and an organiser
sees the organiser's actions instead of "Register"."""

from __future__ import annotations

from flask.testing import FlaskClient

from clusgo_events.extensions import db
from clusgo_events.models import RegistrationStatus
from tests import factories


def _page(client: FlaskClient, slug: str) -> str:
    response = client.get(f"/events/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_says_how_to_sign_up(client: FlaskClient, clock) -> None:
    open_event = factories.event(allow_direct_signup=True)
    invited = factories.event(allow_direct_signup=False)
    closed = factories.event(closes_in_days=-1)
    db.session.commit()
    html = _page(client, open_event.slug)
    assert f"/events/{open_event.slug}/register" in html and "Sign-up is open to everyone." in html
    html = _page(client, invited.slug)
    assert "By invitation only" in html and f"/events/{invited.slug}/register" not in html
    html = _page(client, closed.slug)
    assert "Registration is closed." in html and f"/events/{closed.slug}/register" not in html


def test_a_registered_representative_sees_their_status(
    client: FlaskClient, auth, users, clock
) -> None:
    event = factories.event(capacity=1)
    factories.registration(event, 0)
    rep = users["representative"]
    factories.registration(event, 1)
    db.session.commit()
    mine = factories.registration(
        event, 2, account=rep, status=RegistrationStatus.WAITLISTED, waitlist_position=10**6
    )
    factories.registration(event, 3, status=RegistrationStatus.WAITLISTED, waitlist_position=1)
    db.session.commit()
    auth.login_as(rep)
    html = _page(client, event.slug)
    assert "You are on the waiting list, number 2." in html
    assert f"/events/{event.slug}/register" not in html
    mine.status, mine.waitlist_position = RegistrationStatus.CONFIRMED, None
    db.session.commit()
    assert "You are registered." in _page(client, event.slug)
    mine.status = RegistrationStatus.CANCELLED
    db.session.commit()
    html = _page(client, event.slug)
    assert "Your registration is cancelled." in html and f"/events/{event.slug}/register" in html


def test_an_organiser_sees_the_organisers_actions(client: FlaskClient, auth, users, clock) -> None:
    event = factories.event(allow_direct_signup=True)
    db.session.commit()
    auth.login_as(users["organiser"])
    html = _page(client, event.slug)
    assert f"/events/{event.slug}/register" not in html
    assert "You organise this event" in html
    assert f"/events/{event.slug}/cancel" in html and f"/events/{event.slug}/audit" in html

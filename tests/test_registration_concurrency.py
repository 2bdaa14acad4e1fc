"""Many people at once, through the real app served over HTTP in several threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import Event, Registration, SessionSeat, TrainingSession
from tests.conftest import PASSWORD, make_user
from tests.registration_helpers import Browser, live_server, make_event

pytestmark = pytest.mark.slow  # a live server in threads

PEOPLE = 16
PLACES = 5


def _run_at_once(base: str, emails: list[str], action) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    """Log each person in with their own cookies, then fire ``action`` all together."""
    barrier = threading.Barrier(len(emails))

    def person(email: str) -> tuple[int, str]:
        browser = Browser(base)
        status, _ = browser.request("/auth/login", {"email": email, "password": PASSWORD})
        assert status == 200
        barrier.wait(timeout=60)
        return action(browser, email)

    with ThreadPoolExecutor(max_workers=len(emails)) as pool:
        return list(pool.map(person, emails))


def _seats(session_id: int) -> list[SessionSeat]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(SessionSeat).where(SessionSeat.session_id == session_id).order_by(SessionSeat.id)
        )
    )


def _assert_queue_consistent(items, key) -> None:  # type: ignore[no-untyped-def]
    """Waiting positions are unique and follow the order in which the rows were created."""
    waiting = sorted((i for i in items if i.status == "waitlisted"), key=lambda i: i.id)
    positions = [key(i) for i in waiting]
    assert None not in positions
    assert len(set(positions)) == len(positions)
    assert positions == sorted(positions)


def test_simultaneous_registrations_fill_a_session_exactly(app) -> None:
    event = make_event(slug="rush", capacity=PEOPLE - 3, session_capacities=(PLACES,))
    slug, event_id, session_id = event.slug, event.id, event.sessions[0].id
    emails = [f"rush{n}@example.cz" for n in range(PEOPLE)]
    for email in emails:
        make_user("representative", email, name=email.split("@")[0])

    def register(browser: Browser, email: str) -> tuple[int, str]:
        return browser.request(
            f"/events/{slug}/register",
            {
                "name": email.split("@")[0],
                "email": email,
                "country": "CZ",
                "sessions": [str(session_id)],
                "privacy_consent": "y",
            },
        )

    with live_server(app) as base:
        results = _run_at_once(base, emails, register)
    assert [status for status, _ in results] == [200] * PEOPLE
    assert all("My registrations" in body for _, body in results)
    db.session.expire_all()
    registrations = list(db.session.scalars(select(Registration).order_by(Registration.id)))
    assert len(registrations) == PEOPLE
    statuses = [r.status for r in registrations]
    assert statuses.count("confirmed") == PEOPLE - 3 and statuses.count("waitlisted") == 3
    _assert_queue_consistent(registrations, lambda r: r.waitlist_position)
    seats = _seats(session_id)
    assert len(seats) == PEOPLE
    assert [s.status for s in seats].count("confirmed") == PLACES
    _assert_queue_consistent(seats, lambda s: s.waitlist_position)
    # a confirmed seat always belongs to a confirmed registration
    assert all(s.registration.status == "confirmed" for s in seats if s.status == "confirmed")
    assert db.session.get(TrainingSession, session_id).confirmed_count == PLACES
    assert db.session.get(Event, event_id).confirmed_count == PEOPLE - 3


def test_simultaneous_cancellations_promote_in_order(app) -> None:
    from tests.test_registration import signup

    event = make_event(slug="churn", capacity=PLACES * 2, session_capacities=(PLACES,))
    event_id, session_id = event.id, event.sessions[0].id
    people = [f"churn{n}@example.cz" for n in range(PLACES * 3)]
    for email in people:
        signup(db.session.get(Event, event_id), email, [session_id])
    db.session.expire_all()
    registrations = list(db.session.scalars(select(Registration).order_by(Registration.id)))
    by_email = {r.email: r.id for r in registrations}
    seat_holders = [r.email for r in registrations if r.seats[0].status == "confirmed"]
    event_waiting = [r.email for r in registrations if r.status == "waitlisted"]
    session_waiting = [
        r.email
        for r in registrations
        if r.status == "confirmed" and r.seats[0].status == "waitlisted"
    ]
    assert len(seat_holders) == PLACES and len(event_waiting) == PLACES
    assert len(session_waiting) == PLACES
    leaving = seat_holders[:4]

    def cancel(browser: Browser, email: str) -> tuple[int, str]:
        return browser.request(f"/my/registrations/{by_email[email]}/cancel", {})

    with live_server(app) as base:
        results = _run_at_once(base, leaving, cancel)
    assert [status for status, _ in results] == [200] * len(leaving)
    db.session.expire_all()
    registrations = list(db.session.scalars(select(Registration).order_by(Registration.id)))
    status = {r.email: r.status for r in registrations}
    assert [status[e] for e in leaving] == ["cancelled"] * 4
    # the first four on the event's waiting list moved up, in order; the fifth still waits
    assert [status[e] for e in event_waiting] == ["confirmed"] * 4 + ["waitlisted"]
    # the session's places went to the confirmed people waiting for it, in order
    seat_status = {r.email: r.seats[0].status for r in registrations}
    assert [seat_status[e] for e in session_waiting] == ["confirmed"] * 4 + ["waitlisted"]
    seats = _seats(session_id)
    assert [s.status for s in seats].count("confirmed") == PLACES
    _assert_queue_consistent(seats, lambda s: s.waitlist_position)
    _assert_queue_consistent(registrations, lambda r: r.waitlist_position)
    assert db.session.get(TrainingSession, session_id).confirmed_count == PLACES
    assert db.session.get(Event, event_id).confirmed_count == PLACES * 2
    assert (
        db.session.scalar(
            select(func.count(Registration.id)).where(Registration.status == "confirmed")
        )
        == PLACES * 2
    )

"""The organiser registers a person, corrects a registration, moves a person between
sessions (places and waiting lists follow the usual rules, promotion included)."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, OutboxMessage, Registration, SessionSeat, User
from clusgo_events.models.enums import InvitationStatus, RegistrationStatus, SeatStatus
from clusgo_events.services import corrections
from tests import factories


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_register_a_respondent_on_their_behalf(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    event = factories.event(capacity=1)
    training = factories.session(event, title="Strategie", capacity=5)
    person = factories.respondent("petra@example.org", contact_name="Petra Malá")
    invitation, _ = factories.invitation(event, person)
    db.session.commit()
    auth.login_as(users["organiser"])
    form = client.get(f"/events/{event.slug}/registrations/new?respondent={person.id}")
    assert 'value="petra@example.org"' in form.get_data(as_text=True)
    data = {
        "email": "petra@example.org",
        "name": "Petra Malá",
        "country": "CZ",
        "sessions": [str(training.id)],
        "dietary_needs": "vegan",
    }
    refused = client.post(f"/events/{event.slug}/registrations/new", data=data)
    assert "privacy notice" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Registration.id)) is None
    data["privacy_consent"] = "y"
    done = client.post(f"/events/{event.slug}/registrations/new", data=data)
    assert done.status_code == 302
    registration = db.session.scalar(select(Registration))
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.respondent_id == person.id and registration.invitation_id == invitation.id
    assert registration.seats[0].status == SeatStatus.CONFIRMED
    assert registration.dietary_needs == "vegan"
    account = db.session.scalar(select(User).where(User.email == "petra@example.org"))
    assert account.role == "representative" and account.password_hash == ""
    db.session.refresh(invitation)
    assert invitation.status == InvitationStatus.ACCEPTED
    (entry,) = _audit("registration.create")
    assert entry.details["by_organiser"] is True and entry.user_id == users["organiser"].id
    assert db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.registration_id == registration.id)
    )
    again = client.post(f"/events/{event.slug}/registrations/new", data=data)
    assert "already registered" in again.get_data(as_text=True)
    # a new person (no survey answer) when the event is full joins the waiting list
    new = {**data, "email": "Novy@Example.org", "name": "Jan Nový", "sessions": []}
    client.post(f"/events/{event.slug}/registrations/new", data=new)
    waiting = db.session.scalar(
        select(Registration).where(Registration.email == "novy@example.org")
    )
    assert waiting.status == RegistrationStatus.WAITLISTED and waiting.respondent_id is None


def test_edit_details_and_a_stale_form(app: Flask, client, auth, users, clock) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    registration = factories.registration(event, phone="1")
    db.session.commit()
    auth.login_as(users["organiser"])
    html = client.get(f"/registrations/{registration.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([^"]*)"', html).group(1)
    clock.advance(minutes=1)
    data = {
        "version": version,
        "name": "Řehoř Dvořák",
        "organisation_name": "Jihomoravský klastr",
        "country": "CZ",
        "phone": "+420 777 000 111",
        "accessibility_needs": "wheelchair",
    }
    assert client.post(f"/registrations/{registration.id}/edit", data=data).status_code == 302
    db.session.refresh(registration)
    assert registration.phone == "+420 777 000 111"
    assert registration.accessibility_needs == "wheelchair"
    (entry,) = _audit("registration.edit")
    assert set(entry.details["fields"]) == {"phone", "accessibility_needs"}
    clock.advance(minutes=1)
    stale = client.post(f"/registrations/{registration.id}/edit", data={**data, "phone": "2"})
    assert "changed this record after you opened the form" in stale.get_data(as_text=True)
    db.session.refresh(registration)
    assert registration.phone == "+420 777 000 111"
    bad = client.post(
        f"/registrations/{registration.id}/edit",
        data={**data, "version": corrections.version_of(registration), "country": "C1"},
    )
    assert "two-letter code" in bad.get_data(as_text=True)


def test_move_between_sessions_promotes_and_waitlists(
    app: Flask, client, auth, users, clock
) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    full = factories.session(event, title="Full", capacity=1)
    other = factories.session(event, title="Other", capacity=1, hour=14)
    mover = factories.registration(event, 0, sessions=[full])
    waiting = factories.registration(event, 1, sessions=[full], seat_status=SeatStatus.WAITLISTED)
    factories.registration(event, 2, sessions=[other])
    db.session.commit()
    seat = mover.seats[0]
    auth.login_as(users["organiser"])
    page = client.get(f"/seats/{seat.id}/move").get_data(as_text=True)
    assert "the first on its waiting list moves up" in page
    version = re.search(r'name="version" type="hidden" value="([^"]*)"', page).group(1)
    clock.advance(minutes=1)
    same = client.post(f"/seats/{seat.id}/move", data={"session": str(full.id), "version": version})
    assert "Choose another session" in same.get_data(as_text=True)
    moved = client.post(
        f"/seats/{seat.id}/move", data={"session": str(other.id), "version": version}
    )
    assert moved.status_code == 302
    db.session.expire_all()
    seats = {s.session_id: s for s in db.session.scalars(select(SessionSeat))}
    mine = db.session.scalars(
        select(SessionSeat).where(SessionSeat.registration_id == mover.id)
    ).all()
    by_session = {s.session_id: s.status for s in mine}
    assert by_session == {full.id: SeatStatus.CANCELLED, other.id: SeatStatus.WAITLISTED}
    promoted = db.session.scalar(
        select(SessionSeat).where(SessionSeat.registration_id == waiting.id)
    )
    assert promoted.status == SeatStatus.CONFIRMED and seats
    (entry,) = _audit("seat.move")
    assert entry.details["promoted"] == 1 and entry.details["to"] == other.id


def test_staff_routes_refuse_representatives(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    training = factories.session(event)
    registration = factories.registration(event, sessions=[training])
    db.session.commit()
    auth.login_as(users["representative"])
    assert client.get(f"/events/{event.slug}/registrations/new").status_code == 403
    assert client.post(f"/registrations/{registration.id}/edit").status_code == 403
    assert client.post(f"/seats/{registration.seats[0].id}/move").status_code == 403

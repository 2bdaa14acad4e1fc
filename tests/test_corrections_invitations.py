"""Invitations one person at a time: by hand, filter by state, remind one, and a decline
that is not final while registration is open."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, Invitation, OutboxMessage, Respondent
from clusgo_events.models.enums import InvitationStatus, OutboxKind
from clusgo_events.services import invitations as service
from clusgo_events.services.invitations import Standing
from tests import factories


def test_invite_one_person_by_hand(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    db.session.commit()
    auth.login_as(users["organiser"])
    data = {
        "email": "Missing@Example.org",
        "contact_name": "Petra Malá",
        "organisation_name": "Nový klastr",
        "country": "Slovensko",
        "language": "sk",
    }
    response = client.post(f"/events/{event.slug}/invitations/by-hand", data=data)
    assert response.status_code == 302
    person = db.session.scalar(select(Respondent).where(Respondent.email == "missing@example.org"))
    assert person is not None and person.added_by_hand and person.country == "SK"
    invitation = db.session.scalar(select(Invitation).where(Invitation.respondent_id == person.id))
    assert invitation.status == InvitationStatus.QUEUED and invitation.language == "sk"
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.invitation_id == invitation.id)
    )
    assert mail.recipient == "missing@example.org" and mail.kind == OutboxKind.INVITATION
    page = client.get(f"/survey/respondents/{person.id}").get_data(as_text=True)
    assert "added by hand by an organiser" in page
    again = client.post(f"/events/{event.slug}/invitations/by-hand", data=data)
    assert again.status_code == 200 and "is already invited" in again.get_data(as_text=True)
    bad = client.post(
        f"/events/{event.slug}/invitations/by-hand", data={**data, "email": "not an address"}
    )
    assert bad.status_code == 200 and "bad e-mail" in bad.get_data(as_text=True)
    assert len(list(db.session.scalars(select(Invitation)))) == 1
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"respondent.add_by_hand", "invitation.invite_by_hand"} <= actions


def test_hand_invite_refused_for_a_draft(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    draft = factories.event(status="draft")
    db.session.commit()
    auth.login_as(users["organiser"])
    response = client.post(
        f"/events/{draft.slug}/invitations/by-hand", data={"email": "x@example.org"}
    )
    assert "Publish the event before inviting anyone" in response.get_data(as_text=True)
    assert db.session.scalar(select(Respondent.id)) is None


def test_filter_by_state(app: Flask, client, auth, users, clock) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    for status, email in [
        (InvitationStatus.SENT, "sent@example.org"),
        (InvitationStatus.QUEUED, "queued@example.org"),
        (InvitationStatus.FAILED, "failed@example.org"),
        (InvitationStatus.ACCEPTED, "accepted@example.org"),
    ]:
        factories.invitation(event, factories.respondent(email), status=status)
    factories.invitation(
        event,
        factories.respondent("declined@example.org"),
        status=InvitationStatus.DECLINED,
        decline_reason="Jsme v Győru.",
    )
    db.session.commit()
    auth.login_as(users["organiser"])

    def listed(state: str) -> set[str]:
        html = client.get(f"/events/{event.slug}/invitations?state={state}").get_data(as_text=True)
        table = html[html.index('id="state-filter"') :]
        return {
            e
            for e in ("sent", "queued", "failed", "accepted", "declined")
            if f"{e}@example.org" in table
        }

    assert listed("unanswered") == {"sent", "queued"}
    assert listed("failed") == {"failed"}
    assert listed("accepted") == {"accepted"}
    assert listed("declined") == {"declined"}
    html = client.get(f"/events/{event.slug}/invitations?state=declined").get_data(as_text=True)
    assert "Jsme v Győru." in html
    unknown = client.get(f"/events/{event.slug}/invitations?state=bogus")
    assert unknown.status_code == 200 and "Unknown state: bogus" in unknown.get_data(as_text=True)
    assert listed("bogus") == {"sent", "queued", "failed", "accepted", "declined"}


def test_remind_one_person(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    invitation, _ = factories.invitation(event, factories.respondent("late@example.org"))
    answered, _ = factories.invitation(event, status=InvitationStatus.ACCEPTED)
    db.session.commit()
    old_hash = invitation.token_hash
    auth.login_as(users["organiser"])
    response = client.post(f"/events/{event.slug}/invitations/{invitation.id}/remind")
    assert response.status_code == 302
    db.session.refresh(invitation)
    assert invitation.reminders_sent == 1 and invitation.token_hash != old_hash
    reminder = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.INVITATION_REMINDER)
    )
    assert reminder.recipient == "late@example.org"
    refused = client.post(
        f"/events/{event.slug}/invitations/{answered.id}/remind", follow_redirects=True
    )
    assert "Only a delivered invitation" in refused.get_data(as_text=True)
    db.session.refresh(answered)
    assert answered.reminders_sent == 0


def test_invitation_of_another_event_is_not_found(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    event, other = factories.event(), factories.event()
    invitation, _ = factories.invitation(other)
    db.session.commit()
    auth.login_as(users["organiser"])
    assert (
        client.post(f"/events/{event.slug}/invitations/{invitation.id}/remind").status_code == 404
    )
    assert client.get(f"/events/{event.slug}/invitations/{invitation.id}/resend").status_code == 404


def test_resend_refused_once_registered(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    invitation, _ = factories.invitation(event, status=InvitationStatus.ACCEPTED)
    factories.registration(event, invitation_id=invitation.id)
    db.session.commit()
    old_hash = invitation.token_hash
    auth.login_as(users["organiser"])
    response = client.post(
        f"/events/{event.slug}/invitations/{invitation.id}/resend", follow_redirects=True
    )
    assert "their invitation is used" in response.get_data(as_text=True)
    db.session.refresh(invitation)
    assert invitation.token_hash == old_hash


def test_a_decline_is_not_final_while_registration_is_open(app: Flask, client, clock) -> None:  # type: ignore[no-untyped-def]
    event = factories.event(closes_in_days=5)
    invitation, raw = factories.invitation(event)
    db.session.commit()
    client.post(f"/invitations/{raw}/decline", data={"reason": "Nemáme čas."})
    db.session.refresh(invitation)
    assert invitation.status == InvitationStatus.DECLINED
    assert service.standing(invitation) == Standing.OPEN
    page = client.get(f"/invitations/{raw}")
    assert page.status_code == 200 and b'id="declined-note"' in page.data
    clock.advance(days=6)
    assert service.standing(invitation) == Standing.DECLINED
    assert client.post(f"/invitations/{raw}/accept").status_code == 200
    db.session.refresh(invitation)
    assert invitation.status == InvitationStatus.DECLINED
    clock.advance(days=-6)
    accepted = client.post(f"/invitations/{raw}/accept")
    assert accepted.status_code == 302 and "/register" in accepted.headers["Location"]
    db.session.refresh(invitation)
    assert invitation.status == InvitationStatus.ACCEPTED

"""The corrections of issue 15 keep the rules they touch: a corrected address ends the old
link and the mail still queued to it; a one-person invitation or reminder respects consent;
delete and merge keep a withdrawn consent and take back queued mail; an edit keeps the
association's scope; an XLSX export survives a pasted control character."""

from __future__ import annotations

import io
import re

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import (
    AuditEntry,
    ConsentRecord,
    Event,
    Invitation,
    OutboxMessage,
    Registration,
    Respondent,
    User,
)
from clusgo_events.models.enums import InvitationStatus, OutboxStatus
from clusgo_events.services import corrections, scope
from clusgo_events.services.invitations.sending import send_invitations
from clusgo_events.services.outbox import steering
from clusgo_events.services.privacy import unsubscribe
from clusgo_events.services.survey import import_survey
from clusgo_events.services.tokens import hash_token
from tests import factories
from tests.conftest import make_user


def _edit(person: Respondent, **values: str) -> dict[str, str]:
    data = {
        "email": person.email,
        "contact_name": person.contact_name or "",
        "country": person.country or "",
        "language": "",
        "consent": "y",
        "version": corrections.version_of(person),
    }
    data.update(values)
    return data


def _invited(address: str) -> tuple[Event, Respondent]:
    """An event and a respondent at ``address`` whose invitation waits in the outbox."""
    event = factories.event()
    person = factories.respondent(address)
    db.session.commit()
    send_invitations(event)
    db.session.commit()
    return event, person


def _mails() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [
        (m.recipient, m.status)
        for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    ]


def test_a_corrected_address_ends_the_old_link_and_its_queued_mail(
    app: Flask, client, auth, users
) -> None:  # type: ignore[no-untyped-def]
    event, person = _invited("typo@exampel.org")
    (message,) = db.session.scalars(select(OutboxMessage))
    assert message.status == OutboxStatus.QUEUED
    invitation = db.session.scalar(select(Invitation))
    old_hash = invitation.token_hash
    auth.login_as(users["organiser"])
    saved = client.post(
        f"/survey/respondents/{person.id}/edit", data=_edit(person, email="right@example.org")
    )
    assert saved.status_code == 302
    db.session.expire_all()
    corrected = db.session.get(Invitation, invitation.id)
    assert corrected.token_hash != old_hash
    assert corrected.status == InvitationStatus.FAILED  # as after the Outbox's "Cancel"
    assert _mails() == [("typo@exampel.org", OutboxStatus.CANCELLED)]
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "respondent.update")
    ).one()
    assert entry.details["links_ended"] == 1 and entry.details["withdrawn"] == 1
    # "send again" mails a new link to the corrected address, the history shows both
    auth.login_as(users["organiser"])
    assert client.post(f"/events/{event.slug}/invitations/{invitation.id}/resend").status_code
    assert _mails() == [
        ("typo@exampel.org", OutboxStatus.CANCELLED),
        ("right@example.org", OutboxStatus.QUEUED),
    ]


def test_an_old_invitation_link_stops_registering_after_the_correction(
    app: Flask, client, auth, users
) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    person = factories.respondent("typo@exampel.org")
    _invitation, raw = factories.invitation(event, person)
    db.session.commit()
    auth.login_as(users["organiser"])
    client.post(
        f"/survey/respondents/{person.id}/edit", data=_edit(person, email="right@example.org")
    )
    auth.logout()
    stranger = app.test_client()
    response = stranger.post(
        f"/events/{event.slug}/register?invitation={raw}",
        data={
            "name": "Stranger",
            "country": "CZ",
            "password": "long-enough-password",
            "password_again": "long-enough-password",
            "privacy_consent": "y",
        },
    )
    assert response.status_code in (400, 404, 410) or "/my/registrations" not in (
        response.headers.get("Location") or ""
    )
    assert db.session.scalar(select(User.id).where(User.email == "right@example.org")) is None
    assert db.session.scalar(select(Registration.id)) is None


def test_an_address_and_a_withdrawal_in_one_save_take_back_the_mail(
    app: Flask, client, auth, users
) -> None:  # type: ignore[no-untyped-def]
    event, person = _invited("wrong@example.org")
    auth.login_as(users["organiser"])
    data = _edit(person, email="right@example.org", consent_reason="Asked by phone.")
    data.pop("consent")
    assert client.post(f"/survey/respondents/{person.id}/edit", data=data).status_code == 302
    ((recipient, status),) = _mails()
    assert recipient == "wrong@example.org" and status != OutboxStatus.QUEUED


def test_one_person_invitations_respect_a_withdrawn_consent(
    app: Flask, client, auth, users
) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    gone = factories.respondent("gone@example.org")
    invited = factories.respondent("invited@example.org")
    invitation, _raw = factories.invitation(event, invited)
    db.session.commit()
    for person in (gone, invited):
        unsubscribe.unsubscribe(unsubscribe.token_for(person))
    db.session.commit()
    before = _mails()
    auth.login_as(users["organiser"])
    page = client.get(f"/events/{event.slug}/invitations").get_data(as_text=True)
    assert "May not be contacted" in page
    assert f"/invitations/{invitation.id}/resend" not in page  # the row offers no mail
    by_hand = client.post(
        f"/events/{event.slug}/invitations/by-hand", data={"email": "gone@example.org"}
    )
    assert "withdrew consent" in by_hand.get_data(as_text=True)
    client.post(f"/events/{event.slug}/invitations/{invitation.id}/remind")
    client.post(f"/events/{event.slug}/invitations/{invitation.id}/resend")
    assert _mails() == before
    assert (
        db.session.scalar(select(Invitation.id).where(Invitation.respondent_id == gone.id)) is None
    )
    # someone added by hand (at their request) needs no survey consent
    fresh = client.post(
        f"/events/{event.slug}/invitations/by-hand",
        data={"email": "asked@example.org", "contact_name": "Asked", "country": "CZ"},
    )
    assert fresh.status_code == 302
    assert ("asked@example.org", OutboxStatus.QUEUED) in _mails()


def test_delete_keeps_a_withdrawal_and_takes_back_queued_mail(
    app: Flask, client, auth, users
) -> None:  # type: ignore[no-untyped-def]
    survey = (
        b"email,contact_name,country,interested_in_event,consent\nana@example.org,Ana,CZ,yes,yes\n"
    )
    import_survey(survey, filename="w1.csv")
    db.session.commit()
    ana = db.session.scalar(select(Respondent))
    unsubscribe.unsubscribe(unsubscribe.token_for(ana))
    db.session.commit()
    auth.login_as(users["organiser"])
    asked = client.get(f"/survey/respondents/{ana.id}/delete", follow_redirects=True)
    assert "withdrew consent" in asked.get_data(as_text=True)
    refused = client.post(
        f"/survey/respondents/{ana.id}/delete", data={"version": corrections.version_of(ana)}
    )
    assert refused.status_code == 302
    assert db.session.get(Respondent, ana.id) is not None
    import_survey(survey, filename="w2.csv")
    db.session.commit()
    again = db.session.scalar(select(Respondent))
    assert (again.consent, again.consent_withdrawn_at is not None) == (False, True)
    # a deletable person's queued invitation does not go out after the delete
    event, person = _invited("del@example.org")
    done = client.post(
        f"/survey/respondents/{person.id}/delete", data={"version": corrections.version_of(person)}
    )
    assert done.status_code == 302
    assert ("del@example.org", OutboxStatus.QUEUED) not in _mails()
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "respondent.delete")
    ).one()
    assert entry.details["withdrawn"] == 1


def test_merge_keeps_a_withdrawal_and_the_consent_history(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    keep = factories.respondent("keep@example.org")
    gone = factories.respondent("gone@example.org")
    db.session.commit()
    unsubscribe.unsubscribe(unsubscribe.token_for(gone))
    db.session.commit()
    auth.login_as(users["organiser"])
    preview = client.get(f"/survey/respondents/{keep.id}/merge?other=gone@example.org")
    assert "keeps the withdrawal" in preview.get_data(as_text=True)
    merged = client.post(
        f"/survey/respondents/{keep.id}/merge",
        data={
            "other_id": str(gone.id),
            "survivor_version": corrections.version_of(keep),
            "other_version": corrections.version_of(gone),
        },
    )
    assert merged.status_code == 302
    db.session.expire_all()
    kept = db.session.get(Respondent, keep.id)
    assert kept.consent is False and kept.consent_withdrawn_at is not None
    records = select(ConsentRecord.method).where(ConsentRecord.respondent_id == keep.id)
    methods = sorted(db.session.scalars(records))
    assert methods == ["organiser", "unsubscribe"]


def test_an_edit_keeps_the_associations_country(app: Flask, client, auth) -> None:  # type: ignore[no-untyped-def]
    hungarian = factories.organisation("Magyar", country="HU", kind="association")
    event = factories.event()
    hu = factories.respondent("hu@example.org", "HU")
    hu_reg = factories.registration(event, 1)
    organiser = make_user("organiser", "hu.staff@example.org", "Anna")
    scope.assign_association(organiser, hungarian.id)
    db.session.commit()
    auth.login(organiser.email)
    refused = client.post(f"/survey/respondents/{hu.id}/edit", data=_edit(hu, country="CZ"))
    assert "covers the people of HU only" in refused.get_data(as_text=True)
    refused = client.post(
        f"/registrations/{hu_reg.id}/edit",
        data={"name": "N", "country": "CZ", "version": corrections.version_of(hu_reg)},
    )
    assert "covers the people of HU only" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Respondent, hu.id).country == "HU"
    assert db.session.get(Registration, hu_reg.id).country == "HU"


def test_an_xlsx_export_survives_a_pasted_control_character(
    app: Flask, client, auth, users
) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    factories.registration(event, 0, name="Jana\x0bNová", dietary_needs="line1\x0bline2")
    db.session.commit()
    auth.login_as(users["organiser"])
    response = client.get(f"/events/{event.slug}/registrations.xlsx")
    data = response.get_data()
    response.close()
    assert response.status_code == 200
    (row,) = list(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2, values_only=True))
    assert row[0] == "JanaNová" and row[9] == "line1line2"


def test_a_bounced_mail_sent_again_after_the_correction_has_a_working_link(
    app: Flask, client, auth, users
) -> None:  # type: ignore[no-untyped-def]
    event, person = _invited("typo@exampel.org")
    (message,) = db.session.scalars(select(OutboxMessage))
    message.status = OutboxStatus.FAILED  # the bounce that shows the typo
    db.session.commit()
    auth.login_as(users["organiser"])
    client.post(
        f"/survey/respondents/{person.id}/edit", data=_edit(person, email="right@example.org")
    )
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message.id)
    assert message.body_text == ""  # its text held the old link
    steering.resend(users["organiser"], message)
    db.session.commit()
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message.id)
    invitation = db.session.scalar(select(Invitation))
    tokens = set(re.findall(r"/invitations?/([A-Za-z0-9_-]{40,})", message.body_text))
    assert message.recipient == "right@example.org" and message.status == OutboxStatus.QUEUED
    assert tokens and {hash_token(t) for t in tokens} == {invitation.token_hash}


def test_merging_into_a_withdrawn_record_stops_the_others_mail(
    app: Flask, client, auth, users
) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    keep = factories.respondent("keep@example.org")
    db.session.commit()
    unsubscribe.unsubscribe(unsubscribe.token_for(keep))
    other = factories.respondent("other@example.org")
    db.session.commit()
    send_invitations(event)
    db.session.commit()
    assert _mails() == [("other@example.org", OutboxStatus.QUEUED)]
    auth.login_as(users["organiser"])
    merged = client.post(
        f"/survey/respondents/{keep.id}/merge",
        data={
            "other_id": str(other.id),
            "survivor_version": corrections.version_of(keep),
            "other_version": corrections.version_of(other),
        },
    )
    assert merged.status_code == 302
    assert _mails() == [("other@example.org", OutboxStatus.CANCELLED)]

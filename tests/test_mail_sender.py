"""The organiser's own words, the contact person (Reply-To) and the inviting association."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, OrganisationKind, OutboxMessage
from clusgo_events.services import invitations, outbox, participants
from tests import factories
from tests.mail_helpers import SMTPServer, running_smtp

PARTNERS = {
    "CZ": "National Cluster Association",
    "HU": "Hungarian National Alliance of Innovative Clusters",
    "SK": "Union of Slovak Clusters",
    "PL": "Polish National Association of Innovative Entrepreneurs",
}


@pytest.fixture()
def smtp(app: Flask) -> Iterator[SMTPServer]:
    yield from running_smtp(app)


def _partners() -> None:
    for country, name in PARTNERS.items():
        factories.organisation(name, country=country, kind=OrganisationKind.ASSOCIATION)
    factories.organisation("Moravský klastr", country="CZ")  # a cluster, never the sender


def test_the_association_is_the_partner_of_the_recipients_country(app: Flask) -> None:
    _partners()
    organiser = factories.user("organiser", name="Řehoř Dvořák")
    event = factories.event(created_by_id=organiser.id)
    for country, name in PARTNERS.items():
        sender = participants.sender_for(event, country)
        assert sender.association == name
        # no contact set: the organiser who created the event answers
        assert (sender.contact_name, sender.contact_email) == ("Řehoř Dvořák", organiser.email)
    assert participants.sender_for(event, "DE").association == "V4ClusGo"


def test_a_chosen_association_and_contact_replace_the_defaults(app: Flask) -> None:
    _partners()
    event = factories.event()
    hungarian = participants.partner_association("HU")
    participants.update_settings(
        event,
        participants.MailSettings(
            contact_name="Szőke-Fűzfa Győző",
            contact_email="Gyozo@Example.HU",
            inviting_organisation_id=hungarian.id,
        ),
    )
    sender = participants.sender_for(event, "PL")
    assert sender == participants.Sender(hungarian.name, "Szőke-Fűzfa Győző", "gyozo@example.hu")


def test_a_note_per_language_falls_back_to_the_main_one(app: Flask) -> None:
    event = factories.event(main_language="cs")
    participants.update_settings(
        event,
        participants.MailSettings(
            notes={"invitation_note": {"cs": "Těšíme se na vás v Brně.", "hu": "Várjuk Brnóban."}}
        ),
    )
    assert "Várjuk Brnóban." in participants.preview(event, "invitation", "hu").text
    slovak = participants.preview(event, "invitation", "sk")
    assert "Těšíme se na vás v Brně." in slovak.text and "Těšíme" in slovak.html
    assert "Várjuk" not in slovak.text


def test_bad_settings_are_refused_and_change_nothing(
    app: Flask, client: FlaskClient, auth, users
) -> None:
    event = factories.event()
    db.session.commit()
    auth.login_as(users["organiser"])
    page = client.post(
        f"/events/{event.slug}/mail",
        data={
            "contact_name": "Jana",
            "contact_email": "not an address",
            "invitation_note_cs": "x" * 2001,
            "inviting_organisation_id": "999",
            "reminder_days": "99",
        },
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "This is not a valid e-mail address." in html
    assert "At most 2000 characters." in html
    assert "Choose an association from the list." in html
    assert "Between 0 (no reminder) and 60 days." in html
    db.session.expire_all()
    assert event.contact_email == "" and event.texts_of("invitation_note") == {}


def test_the_settings_page_saves_and_shows_the_words(
    app: Flask, client: FlaskClient, auth, users
) -> None:
    _partners()
    event = factories.event()
    db.session.commit()
    auth.login_as(users["organiser"])
    slovak = participants.partner_association("SK")
    response = client.post(
        f"/events/{event.slug}/mail",
        data={
            "contact_name": "Ľubomír Ďurčo",
            "contact_email": "lubomir@example.sk",
            "inviting_organisation_id": str(slovak.id),
            "reminder_note_pl": "Do zobaczenia w Brnie!",
            "reminder_days": "0",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/events/{event.slug}/mail").get_data(as_text=True)
    assert "lubomir@example.sk" in page and "Do zobaczenia w Brnie!" in page
    db.session.expire_all()
    assert event.text("reminder_note", "pl") == "Do zobaczenia w Brnie!"
    assert event.reminder_days == 0
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "event.mail_settings")
    ).one()
    assert entry.details["association"] == slovak.id


def test_the_invitation_names_the_association_and_replies_reach_the_contact(
    app: Flask, smtp: SMTPServer
) -> None:
    _partners()
    event = factories.event()
    event.contact_name = "Michał Żąbkowski"
    event.contact_email = "michal@example.pl"
    factories.respondent("ania@example.pl", country="PL")
    db.session.commit()
    invitations.send_invitations(event)
    db.session.commit()
    assert outbox.deliver().sent == 1
    message = smtp.wait_for(1)[0].message
    assert message["Reply-To"].addresses[0].addr_spec == "michal@example.pl"
    assert message["Reply-To"].addresses[0].display_name == "Michał Żąbkowski"
    text = message.get_body(("plain",)).get_content()
    assert PARTNERS["PL"] in text and "michal@example.pl" in text
    stored = db.session.scalars(select(OutboxMessage)).one()
    assert stored.reply_to == "michal@example.pl"


def test_calendar_and_account_mails_name_the_sender_too(app: Flask, smtp: SMTPServer) -> None:
    from clusgo_events.services import accounts
    from clusgo_events.services import registration as reg
    from tests.registration_helpers import attendee

    _partners()
    app.config["MAIL_CONTACT"] = "Events team <events@example.org>"
    event = factories.event()
    event.contact_name, event.contact_email = "Ľubomír Ďurčo", "lubomir@example.sk"
    training = factories.session(event)
    account = factories.user(email="zuzana@example.sk", language="sk")
    db.session.commit()
    registration = reg.register(
        event,
        attendee("zuzana@example.sk", country="SK", language="sk"),
        [training.id],
        user=account,
    )
    db.session.commit()
    reg.cancel_seat(registration.seats[0])
    accounts.request_password_reset("zuzana@example.sk")
    db.session.commit()
    outbox.deliver()
    received = [r.message for r in smtp.received]
    assert len(received) == 4  # confirmation, session invitation, its cancellation, reset
    for message in received[:3]:
        text = message.get_body(("plain",)).get_content()
        assert PARTNERS["SK"] in text and "lubomir@example.sk" in text
        assert message["Reply-To"].addresses[0].addr_spec == "lubomir@example.sk"
    reset = received[3]
    assert reset["Reply-To"].addresses[0].addr_spec == "events@example.org"
    assert "events@example.org" in reset.get_body(("plain",)).get_content()


def test_every_mail_template_signs_with_the_one_sender_include() -> None:
    """One signature (and footer) home: email/_sender.* is in every mail's text and HTML."""
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "templates" / "email"
    includes = ("email/_sender.", "email/_details.", "email/_account_layout.")
    for path in sorted(folder.glob("*.*")):
        if path.name.startswith("_") or path.name.endswith(".subject.txt"):
            continue
        assert any(i in path.read_text() for i in includes), f"{path.name} names no sender"

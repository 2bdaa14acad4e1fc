"""Consent records, the privacy notice, and one-click unsubscribe (RFC 8058) end to end."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import ConsentRecord, OutboxMessage, Respondent
from clusgo_events.models.enums import ConsentMethod
from clusgo_events.services import ServiceError, outbox
from clusgo_events.services.invitations import eligibility
from clusgo_events.services.invitations.reminders import send_reminders
from clusgo_events.services.invitations.sending import send_invitations
from clusgo_events.services.privacy import consent, notice, unsubscribe
from clusgo_events.services.survey import import_survey
from tests import factories
from tests.conftest import AuthActions
from tests.mail_helpers import SMTPServer, running_smtp

URL = re.compile(r"<(https://[^>]+)>")


@pytest.fixture()
def smtp(app: Flask) -> Iterator[SMTPServer]:
    yield from running_smtp(app)


def _csv(*rows: str) -> bytes:
    return ("email,contact_name,country,interested_in_event,consent\n" + "\n".join(rows)).encode()


def test_organiser_change_needs_a_reason_and_shows_in_the_history(
    app: Flask, client: FlaskClient, auth: AuthActions, users: dict
) -> None:
    person = factories.respondent("eva@example.org", contact_name="Eva Nováková")
    db.session.commit()
    with pytest.raises(ServiceError):
        consent.record_consent(person, False, ConsentMethod.ORGANISER, "  ")
    db.session.rollback()
    auth.login(users["organiser"].email)
    url = f"/privacy/respondents/{person.id}/consent"
    refused = client.post(url, data={"given": "no", "reason": ""})
    assert (
        refused.status_code == 200 and db.session.scalar(select(func.count(ConsentRecord.id))) == 0
    )
    done = client.post(url, data={"given": "no", "reason": "Asked by phone to stop"})
    assert done.status_code == 302
    db.session.expire_all()
    assert person.consent is False and person.consent_withdrawn_at is not None
    page = client.get(url).get_data(as_text=True)
    assert "Asked by phone to stop" in page and "an organiser" in page


def test_import_records_consent_with_the_file_and_never_undoes_a_withdrawal(app: Flask) -> None:
    notice.publish_notice({"en": "We keep your answers for the events."})
    result = import_survey(_csv("ana@example.org,Ana,CZ,yes,yes"), filename="wave1.csv")
    db.session.commit()
    assert result.created == 1
    person = db.session.scalar(select(Respondent).where(Respondent.email == "ana@example.org"))
    [record] = consent.history(person)
    assert (record.given, record.method, record.detail, record.notice_version) == (
        True,
        "survey-import",
        "wave1.csv",
        1,
    )
    assert unsubscribe.unsubscribe(unsubscribe.token_for(person))
    db.session.commit()
    import_survey(_csv("ana@example.org,Ana,CZ,yes,yes"), filename="wave2.csv")
    db.session.commit()
    db.session.expire_all()
    assert person.consent is False and person.consent_withdrawn_at is not None
    assert [r.method for r in consent.history(person)] == ["unsubscribe", "survey-import"]
    # only the person (or an organiser on their word, with the reason) gives it back
    consent.record_consent(person, True, ConsentMethod.ORGANISER, "Wrote to ask back in")
    db.session.commit()
    assert person.consent is True and person.consent_withdrawn_at is None


def test_one_click_unsubscribe_end_to_end(app: Flask, smtp: SMTPServer) -> None:
    app.config.update(BASE_URL="https://events.example.org", WTF_CSRF_ENABLED=True)
    event = factories.event()
    person = factories.respondent("jiri@example.org", contact_name="Jiří Dvořák")
    db.session.commit()
    assert send_invitations(event).queued == 1
    db.session.commit()
    assert outbox.deliver().sent == 1
    [got] = smtp.wait_for(1)
    msg = got.message
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = str(msg["List-Unsubscribe"])
    assert "<mailto:no-reply@clusgo.example?subject=unsubscribe%20" in header
    [url] = URL.findall(header)
    assert url.startswith("https://events.example.org/privacy/unsubscribe/")
    plain = msg.get_body(("plain",)).get_content()
    assert "https://events.example.org/privacy" in plain and url in plain
    path = urlsplit(url).path
    anonymous = app.test_client()
    # a scanner's GET asks, and changes nothing
    page = anonymous.get(path)
    assert page.status_code == 200 and b"<form" in page.data
    db.session.expire_all()
    assert person.consent is True
    # the mailbox provider's POST: no cookie, no CSRF token, and it may come twice
    for _ in range(2):
        answer = anonymous.post(path, data={"List-Unsubscribe": "One-Click"})
        assert answer.status_code == 200
    db.session.expire_all()
    assert person.consent is False and person.consent_withdrawn_at is not None
    records = consent.history(person)
    assert [(r.given, r.method, r.detail) for r in records] == [(False, "unsubscribe", "one-click")]
    # no invitation or reminder reaches them again: the eligibility rule and reminders refuse
    other = factories.event()
    db.session.commit()
    assert eligibility.count_eligible(other) == {}
    assert send_reminders(event, dry_run=True).queued == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_reminders_refuse_an_unsubscribed_invitee(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    keeps, leaves = factories.respondent(), factories.respondent()
    for person in (keeps, leaves):
        factories.invitation(event, person)
    db.session.commit()
    clock.advance(days=8)
    unsubscribe.unsubscribe(unsubscribe.token_for(leaves))
    result = send_reminders(event)
    db.session.commit()
    assert result.queued == 1
    [reminder] = db.session.scalars(select(OutboxMessage))
    assert reminder.recipient == keeps.email
    assert reminder.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_queued_invitation_is_taken_back_on_withdrawal(app: Flask) -> None:
    event = factories.event()
    person = factories.respondent()
    db.session.commit()
    send_invitations(event)
    db.session.commit()
    unsubscribe.unsubscribe(unsubscribe.token_for(person), "page")
    db.session.commit()
    [message] = db.session.scalars(select(OutboxMessage))
    assert message.status == "failed"


def test_bad_unsubscribe_tokens_are_404(client: FlaskClient) -> None:
    assert client.get("/privacy/unsubscribe/nonsense").status_code == 404
    assert client.post("/privacy/unsubscribe/nonsense").status_code == 404


def test_notice_versions_in_languages(
    app: Flask, client: FlaskClient, auth: AuthActions, users: dict
) -> None:
    assert b"not published their privacy notice" in client.get("/privacy?lang=en").data
    auth.login(users["admin"].email)
    refused = client.post("/admin/privacy/notice", data={"body_cs": "Jen česky"})
    assert refused.status_code == 200 and notice.current_notice() is None
    client.post(
        "/admin/privacy/notice",
        data={"body_en": "We keep data for the events.", "body_hu": "Az adatokat megőrizzük."},
    )
    client.post("/admin/privacy/notice", data={"body_en": "Second version.", "body_pl": "Druga."})
    current = notice.current_notice()
    assert current is not None and current.version == 2
    for lang, text in (("pl", "Druga."), ("hu", "Second version.")):
        with app.app_context():  # its own context: Flask-Babel caches the locale in one
            assert text in client.get(f"/privacy?lang={lang}").get_data(as_text=True)
    # every page links to the notice (the forms that collect data among them)
    with app.app_context():
        assert b'href="/privacy"' in app.test_client().get("/auth/login").data


def test_the_invitation_page_offers_no_more_invitations(app: Flask, client: FlaskClient) -> None:
    event = factories.event()
    person = factories.respondent()
    _invitation, raw = factories.invitation(event, person)
    db.session.commit()
    page = client.get(f"/invitations/{raw}").get_data(as_text=True)
    [link] = re.findall(r'href="(/privacy/unsubscribe/[^"]+)"', page)
    link = link.replace("&amp;", "&")
    asked = client.get(link).get_data(as_text=True)
    [action] = re.findall(r'<form method="post" action="([^"]+)"', asked)
    assert client.post(action.replace("&amp;", "&")).status_code == 200
    db.session.expire_all()
    [record] = consent.history(person)
    assert (record.given, record.method, record.detail) == (False, "invitation", "page")

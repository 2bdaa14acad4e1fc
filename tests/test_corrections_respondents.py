"""Correcting respondents: edit (consent with a reason, stale forms), delete and merge after a
confirmation with exact counts, re-inviting a corrected address (old link dead, history)."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import (
    AuditEntry,
    ConsentRecord,
    Invitation,
    OutboxMessage,
    Registration,
    Respondent,
)
from clusgo_events.models.enums import ConsentMethod, InvitationStatus
from clusgo_events.services import corrections
from clusgo_events.services.invitations import find_by_token
from clusgo_events.services.outbox import keys
from tests import factories

LINK = re.compile(r"https?://[^\s\"<>]+/invitations/([A-Za-z0-9_-]+)")


def _edit_data(respondent: Respondent, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "email": respondent.email,
        "contact_name": respondent.contact_name,
        "organisation_name": respondent.organisation_name,
        "country": respondent.country or "",
        "language": respondent.language or "",
        "version": corrections.version_of(respondent),
    }
    if respondent.consent:
        data["consent"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _actions(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_edit_corrects_fields_and_writes_the_audit(app: Flask, client, auth, users, clock) -> None:  # type: ignore[no-untyped-def]
    person = factories.respondent("typo@exmaple.org")
    db.session.commit()
    auth.login_as(users["organiser"])
    form = client.get(f"/survey/respondents/{person.id}/edit")
    assert form.status_code == 200 and b"typo@exmaple.org" in form.data
    clock.advance(minutes=1)
    response = client.post(
        f"/survey/respondents/{person.id}/edit",
        data=_edit_data(person, email=" Right@Example.org ", country="Magyarország", language="hu"),
    )
    assert response.status_code == 302
    db.session.refresh(person)
    assert (person.email, person.country, person.language) == ("right@example.org", "HU", "hu")
    (entry,) = _actions("respondent.update")
    assert entry.user_id == users["organiser"].id and set(entry.details["fields"]) == {
        "email",
        "country",
        "language",
    }


def test_bad_values_get_messages_and_change_nothing(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    person = factories.respondent("keep@example.org")
    factories.respondent("taken@example.org")
    db.session.commit()
    auth.login_as(users["organiser"])
    response = client.post(
        f"/survey/respondents/{person.id}/edit",
        data=_edit_data(person, email="taken@example.org", country="Atlantis"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "merge the two records instead" in html and "unknown country" in html
    not_an_address = client.post(
        f"/survey/respondents/{person.id}/edit", data=_edit_data(person, email="no-at-sign")
    )
    assert not_an_address.status_code == 200 and "bad e-mail" in not_an_address.get_data(
        as_text=True
    )
    db.session.refresh(person)
    assert person.email == "keep@example.org" and person.country == "CZ"
    assert _actions("respondent.update") == []


def test_consent_change_needs_a_reason_and_records_it(
    app: Flask, client, auth, users, clock
) -> None:  # type: ignore[no-untyped-def]
    person = factories.respondent("consent@example.org", consent=True)
    db.session.commit()
    auth.login_as(users["organiser"])
    data = _edit_data(person)
    data.pop("consent")
    refused = client.post(f"/survey/respondents/{person.id}/edit", data=data)
    assert refused.status_code == 200 and "Say why the consent changes" in refused.get_data(
        as_text=True
    )
    db.session.refresh(person)
    assert person.consent is True
    data["consent_reason"] = "Asked by phone not to be contacted."
    assert client.post(f"/survey/respondents/{person.id}/edit", data=data).status_code == 302
    db.session.refresh(person)
    assert person.consent is False
    # the privacy work's one door: a consent record with the reason, the withdrawal kept (a
    # later survey import does not switch it back on) and its audit entry
    assert person.consent_withdrawn_at is not None
    (record,) = db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.respondent_id == person.id)
    ).all()
    assert (record.given, record.method, record.detail) == (
        False,
        ConsentMethod.ORGANISER,
        "Asked by phone not to be contacted.",
    )
    assert record.user_id == users["organiser"].id
    (entry,) = _actions("consent.withdrawn")
    assert entry.details["method"] == "organiser"
    (update,) = _actions("respondent.update")
    assert "consent" in update.details["fields"]


def test_an_edit_over_a_newer_change_is_refused(app: Flask, client, auth, users, clock) -> None:  # type: ignore[no-untyped-def]
    person = factories.respondent("stale@example.org", contact_name="Old Name")
    db.session.commit()
    auth.login_as(users["organiser"])
    seen = _edit_data(person, contact_name="Mine")
    clock.advance(minutes=1)
    person.contact_name = "Theirs"  # a colleague saved in between
    db.session.commit()
    response = client.post(f"/survey/respondents/{person.id}/edit", data=seen)
    assert response.status_code == 200
    assert "changed this record after you opened the form" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.contact_name == "Theirs"


def test_delete_asks_with_exact_counts_then_deletes(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    person = factories.respondent("gone@example.org")
    first, second = factories.event(), factories.event()
    inv, raw = factories.invitation(first, person)
    factories.invitation(second, person)
    kept = factories.registration(first, respondent_id=person.id, invitation_id=inv.id)
    db.session.commit()
    auth.login_as(users["organiser"])
    page = client.get(f"/survey/respondents/{person.id}/delete")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2 invitations are deleted" in html and "1 registration stays" in html
    assert "This cannot be undone." in html
    assert db.session.get(Respondent, person.id) is not None  # the GET changed nothing
    no_csrf_check = client.post(f"/survey/respondents/{person.id}/delete", data={})
    assert no_csrf_check.status_code == 302
    token = re.search(r'name="version" value="([^"]*)"', html).group(1)
    response = client.post(f"/survey/respondents/{person.id}/delete", data={"version": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Respondent, person.id) is None
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    assert find_by_token(raw) is None
    registration = db.session.get(Registration, kept.id)
    assert registration is not None and registration.respondent_id is None
    (entry,) = _actions("respondent.delete")
    assert entry.details == {"invitations": 2, "registrations": 1, "withdrawn": 0}


def test_merge_preview_then_confirm(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    survivor = factories.respondent("jana@example.org", contact_name="", language=None)
    other = factories.respondent(
        "jana.old@example.org", contact_name="Jana Nováková", language="cs"
    )
    both, only_other = factories.event(), factories.event()
    kept, _ = factories.invitation(both, survivor)
    used, _ = factories.invitation(both, other, status=InvitationStatus.ACCEPTED)
    moved, _ = factories.invitation(only_other, other)
    registration = factories.registration(both, respondent_id=other.id, invitation_id=used.id)
    db.session.commit()
    ids = {"kept": kept.id, "used": used.id, "moved": moved.id, "other": other.id}
    auth.login_as(users["organiser"])
    unknown = client.get(f"/survey/respondents/{survivor.id}/merge?other=nobody@example.org")
    assert "No respondent has this address" in unknown.get_data(as_text=True)
    itself = client.get(f"/survey/respondents/{survivor.id}/merge?other=jana@example.org")
    assert "Choose two different records" in itself.get_data(as_text=True)
    preview = client.get(f"/survey/respondents/{survivor.id}/merge?other=jana.old@example.org")
    html = preview.get_data(as_text=True)
    assert "jana@example.org stays; jana.old@example.org is deleted." in html
    assert "2 invitations move" in html and "1 invitation to an event both" in html
    assert "1 registration is linked" in html and "2 empty fields are filled" in html
    fields = dict(re.findall(r'name="(\w+_version|other_id)" value="([^"]*)"', html))
    response = client.post(f"/survey/respondents/{survivor.id}/merge", data=fields)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Respondent, ids["other"]) is None
    # the invitation that was used for a registration wins over the survivor's own
    assert db.session.get(Invitation, ids["kept"]) is None
    assert db.session.get(Invitation, ids["used"]).respondent_id == survivor.id
    assert db.session.get(Invitation, ids["moved"]).respondent_id == survivor.id
    assert db.session.get(Registration, registration.id).respondent_id == survivor.id
    survivor = db.session.get(Respondent, survivor.id)
    assert (survivor.contact_name, survivor.language) == ("Jana Nováková", "cs")
    (entry,) = _actions("respondent.merge")
    assert entry.details["moved"] == 2 and entry.details["dropped"] == 1


def test_merge_over_a_newer_change_is_refused(app: Flask, client, auth, users, clock) -> None:  # type: ignore[no-untyped-def]
    survivor = factories.respondent("a@example.org")
    other = factories.respondent("b@example.org")
    db.session.commit()
    auth.login_as(users["organiser"])
    html = client.get(f"/survey/respondents/{survivor.id}/merge?other=b@example.org").get_data(
        as_text=True
    )
    fields = dict(re.findall(r'name="(\w+_version|other_id)" value="([^"]*)"', html))
    clock.advance(minutes=1)
    other.contact_name = "Changed meanwhile"
    db.session.commit()
    client.post(f"/survey/respondents/{survivor.id}/merge", data=fields)
    db.session.expire_all()
    assert db.session.get(Respondent, other.id) is not None
    assert _actions("respondent.merge") == []


def test_corrected_address_is_reinvited_old_link_dies_history_shows_both(
    app: Flask, client, auth, users, clock
) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    person = factories.respondent("jana@exmaple.org")
    invitation, _ = factories.invitation(event, person, status=InvitationStatus.QUEUED)
    from clusgo_events.services.invitations.sending import queue_mail

    queue_mail(invitation, "x" * 43, "invitation", keys.invitation(invitation))
    db.session.commit()
    old_hash = invitation.token_hash
    auth.login_as(users["organiser"])
    clock.advance(minutes=5)
    client.post(
        f"/survey/respondents/{person.id}/edit", data=_edit_data(person, email="jana@example.org")
    )
    ask = client.get(f"/events/{event.slug}/invitations/{invitation.id}/resend?back=respondent")
    assert ask.status_code == 200 and "jana@example.org" in ask.get_data(as_text=True)
    assert "stops working" in ask.get_data(as_text=True)
    done = client.post(
        f"/events/{event.slug}/invitations/{invitation.id}/resend", data={"back": "respondent"}
    )
    assert done.headers["Location"].endswith(f"/survey/respondents/{person.id}")
    db.session.refresh(invitation)
    assert invitation.token_hash != old_hash
    messages = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.invitation_id == invitation.id)
            .order_by(OutboxMessage.id)
        )
    )
    assert [m.recipient for m in messages] == ["jana@exmaple.org", "jana@example.org"]
    new_token = LINK.search(messages[-1].body_text).group(1)
    assert find_by_token(new_token).id == invitation.id
    page = client.get(f"/survey/respondents/{person.id}").get_data(as_text=True)
    assert page.count('class="history-mail"') == 2
    assert "jana@exmaple.org" in page and "jana@example.org" in page
    (entry,) = _actions("invitation.resend")
    assert entry.object_id == invitation.id


def test_pages_in_other_languages(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    person = factories.respondent("lang@example.org")
    db.session.commit()
    auth.login_as(users["organiser"])
    for lang, word in [
        ("cs", "Upravit"),
        ("hu", "Szerkesztés"),
        ("sk", "Upraviť"),
        ("pl", "Edytuj"),
    ]:
        with app.app_context():
            html = client.get(f"/survey/respondents/{person.id}?lang={lang}").get_data(as_text=True)
        assert word in html, lang


def test_a_stale_delete_and_unusable_ids_change_nothing(
    app: Flask, client, auth, users, clock
) -> None:  # type: ignore[no-untyped-def]
    person = factories.respondent("still@example.org")
    event = factories.event()
    db.session.commit()
    auth.login_as(users["organiser"])
    html = client.get(f"/survey/respondents/{person.id}/delete").get_data(as_text=True)
    version = re.search(r'name="version" value="([^"]*)"', html).group(1)
    clock.advance(minutes=1)
    person.contact_name = "Changed meanwhile"
    db.session.commit()
    stale = client.post(
        f"/survey/respondents/{person.id}/delete", data={"version": version}, follow_redirects=True
    )
    assert "changed this record after you opened the form" in stale.get_data(as_text=True)
    assert db.session.get(Respondent, person.id) is not None
    for other in ("99999999999999999999", "x", "-1"):
        merge = client.post(f"/survey/respondents/{person.id}/merge", data={"other_id": other})
        assert merge.status_code == 302
    huge = client.get(f"/events/{event.slug}/registrations/new?respondent=99999999999999999")
    assert huge.status_code == 200

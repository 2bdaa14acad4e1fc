"""Who sees what: an organiser of a partner association sees its country's people only."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, Invitation, Registration, Respondent, User
from clusgo_events.services import scope
from tests import factories
from tests.conftest import AuthActions, make_user


def test_an_association_limits_an_organiser_to_its_country(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    hungarian = factories.organisation("Magyar Klaszterszövetség", country="HU", kind="association")
    event = factories.event()
    cz = factories.respondent("cz.person@example.org", "CZ", contact_name="Česká Osoba")
    hu = factories.respondent("hu.person@example.org", "HU", contact_name="Magyar Személy")
    factories.invitation(event, cz)
    factories.invitation(event, hu)
    cz_reg = factories.registration(event, 0)  # CZ
    hu_reg = factories.registration(event, 1)  # HU
    admin = make_user("admin", "boss@example.org")
    organiser = make_user("organiser", "hu.staff@example.org", "Szervező Anna")
    lead = make_user("organiser", "lead@example.org", "Lead Partner")
    db.session.commit()
    auth.login(admin.email)
    saved = client.post(
        "/admin/privacy/association",
        data={"user_id": organiser.id, "association": str(hungarian.id)},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, organiser.id).association_id == hungarian.id
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.association"))
    assert scope.visible_countries(db.session.get(User, organiser.id)) == frozenset({"HU"})
    assert scope.visible_countries(db.session.get(User, lead.id)) is None
    pages = (
        "/survey/respondents",
        f"/events/{event.slug}/invitations",
        f"/events/{event.slug}/registrations",
    )
    with app.app_context():
        limited = app.test_client()
        AuthActions(limited).login(organiser.email)
        for url in pages:
            text = limited.get(url).get_data(as_text=True)
            assert "hu.person@example.org" in text or hu_reg.name in text, url
            assert "cz.person@example.org" not in text and cz_reg.name not in text, url
        assert limited.get(f"/privacy/respondents/{cz.id}/consent").status_code == 404
        assert limited.get(f"/privacy/respondents/{hu.id}/consent").status_code == 200
        refused = limited.post(f"/registrations/{cz_reg.id}/cancel")
        assert refused.status_code == 404
    with app.app_context():
        everyone = app.test_client()
        AuthActions(everyone).login(lead.email)
        text = everyone.get("/survey/respondents").get_data(as_text=True)
        assert "cz.person@example.org" in text and "hu.person@example.org" in text


def test_trainers_see_name_organisation_and_country_only(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    trainer = make_user("trainer", "trainer@example.org", "Trenér Tomáš")
    event = factories.event()
    training = factories.session(event, trainers=[trainer])
    person = factories.registration(
        event,
        0,
        sessions=[training],
        phone="+420 777 123 456",
        dietary_needs="bezlepková",
        accessibility_needs="bezbariérový přístup",
        position="ředitelka",
    )
    db.session.commit()
    auth.login(trainer.email)
    for url in (
        f"/attendance/sessions/{training.id}",
        f"/attendance/sessions/{training.id}/attendance.csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert person.name in text and person.organisation_name in text, url
        for secret in (person.email, "+420 777 123 456", "bezlepková", "bezbariérový", "ředitelka"):
            assert secret not in text, (url, secret)


def test_an_association_organiser_corrects_its_countrys_people_only(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    """The correction pages (issue 15) keep the association's scope: another country's
    respondent is not found, cannot be merged in, invited by hand or registered, and the
    registrations export holds the organiser's country only."""
    hungarian = factories.organisation("Magyar Klaszterszövetség", country="HU", kind="association")
    event = factories.event()
    cz = factories.respondent("cz.person@example.org", "CZ", contact_name="Česká Osoba")
    hu = factories.respondent("hu.person@example.org", "HU", contact_name="Magyar Személy")
    cz_reg = factories.registration(event, 0)  # CZ
    hu_reg = factories.registration(event, 1)  # HU
    organiser = make_user("organiser", "hu.staff@example.org", "Szervező Anna")
    scope.assign_association(organiser, hungarian.id)
    db.session.commit()
    auth.login(organiser.email)
    assert client.get(f"/survey/respondents/{cz.id}").status_code == 404
    assert client.get(f"/survey/respondents/{cz.id}/edit").status_code == 404
    assert client.get(f"/survey/respondents/{hu.id}").status_code == 200
    merge = client.get(f"/survey/respondents/{hu.id}/merge", query_string={"other": cz.email})
    assert "No respondent has this address." in merge.get_data(as_text=True)
    respondents_before = db.session.scalar(select(func.count(Respondent.id)))
    by_hand = client.post(
        f"/events/{event.slug}/invitations/by-hand",
        data={"email": "new.cz@example.org", "contact_name": "Nový Člověk", "country": "Česko"},
    )
    assert "covers the people of HU only" in by_hand.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Respondent.id))) == respondents_before
    invited_cz = client.post(
        f"/events/{event.slug}/invitations/by-hand",
        data={"email": cz.email, "contact_name": "x", "country": "HU"},
    )
    assert "covers the people of HU only" in invited_cz.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    registrations_before = db.session.scalar(select(func.count(Registration.id)))
    refused = client.post(
        f"/events/{event.slug}/registrations/new",
        data={
            "email": "walk.cz@example.org",
            "name": "Jana Nová",
            "country": "CZ",
            "privacy_consent": "y",
        },
    )
    assert "covers the people of HU only" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Registration.id))) == registrations_before
    prefill = client.get(f"/events/{event.slug}/registrations/new?respondent={cz.id}")
    assert cz.email not in prefill.get_data(as_text=True)
    download = client.get(f"/events/{event.slug}/registrations.xlsx")
    workbook = load_workbook(io.BytesIO(download.data))
    download.close()
    names = [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert names == [hu_reg.name] and cz_reg.name not in names

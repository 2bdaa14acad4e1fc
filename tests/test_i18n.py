"""Choosing the language: ?lang=, the cookie, the account, Accept-Language, the invitation's.

Every request here runs in the test's one app context (the ``app`` fixture): the language is
chosen per request all the same (Flask-Babel's cache on ``g`` is dropped between requests).
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, User
from clusgo_events.services.timeutil import format_moment, format_span
from tests.conftest import AuthActions

LANGS = {"cs": "Přihlásit se", "hu": "Bejelentkezés", "sk": "Prihlásiť sa", "pl": "Zaloguj się"}


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', html)
    assert found, "no <html lang>"
    return found.group(1)


def test_browser_decides_until_someone_chooses(client: FlaskClient) -> None:
    for language, log_in in LANGS.items():
        html = client.get("/auth/login", headers={"Accept-Language": f"{language},en;q=0.5"}).text
        assert _lang(html) == language and log_in in html
    assert _lang(client.get("/auth/login").text) == "en"


def test_lang_parameter_chooses_and_sticks_in_a_cookie(client: FlaskClient) -> None:
    first = client.get("/auth/login?lang=hu", headers={"Accept-Language": "pl"})
    assert _lang(first.text) == "hu" and "Bejelentkezés" in first.text
    assert "lang=hu" in first.headers["Set-Cookie"]
    # the next page, without ?lang=, still speaks Hungarian although the browser asks Polish
    second = client.get("/events/", headers={"Accept-Language": "pl"})
    assert _lang(second.text) == "hu" and "Rendezvények" in second.text
    # and switching mid-test is real: the next request speaks the new choice
    assert _lang(client.get("/events/?lang=sk").text) == "sk"
    assert _lang(client.get("/events/").text) == "sk"
    assert _lang(client.get("/events/?lang=xx").text) == "sk"  # unknown: ignored


def test_switcher_on_every_page_links_each_language_by_its_own_name(client: FlaskClient) -> None:
    html = client.get("/events/?lang=pl").text
    for code, name in [("cs", "čeština"), ("hu", "magyar"), ("sk", "slovenčina"),
                       ("pl", "polski"), ("en", "English")]:  # fmt: skip
        assert f'href="/events/?lang={code}" lang="{code}"' in html
        assert f">{name}</a>" in html
    assert 'aria-current="true" class="fw-bold">polski<' in html
    assert _lang(client.get("/nowhere?lang=cs").text) == "cs"  # error pages too


def test_logged_in_choice_goes_to_the_account(
    client: FlaskClient, auth: AuthActions, users: dict[str, User]
) -> None:
    trainer = users["trainer"]
    assert trainer.language is None  # nobody chose yet: the browser decides
    auth.login_as(trainer)
    assert _lang(client.get("/events/", headers={"Accept-Language": "cs"}).text) == "cs"
    client.get("/events/?lang=hu")
    db.session.refresh(trainer)
    assert trainer.language == "hu"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.language"))
    assert entry is not None
    other_browser = client.application.test_client()
    AuthActions(other_browser).login_as(trainer)
    assert _lang(other_browser.get("/events/", headers={"Accept-Language": "pl"}).text) == "hu"


def test_profile_changes_the_language(
    client: FlaskClient, auth: AuthActions, users: dict[str, User]
) -> None:
    trainer = users["trainer"]
    auth.login_as(trainer)
    page = client.get("/auth/profile")
    assert 'name="language"' in page.text and "čeština" in page.text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    data = {"language": "cs", "save_language": "1"}
    if token:
        data["csrf_token"] = token.group(1)
    response = client.post("/auth/profile/language", data=data, follow_redirects=True)
    db.session.refresh(trainer)
    assert trainer.language == "cs"
    assert _lang(response.text) == "cs" and "Jazyk byl uložen." in response.text
    bad = client.post("/auth/profile/language", data={**data, "language": "xx"})
    assert bad.status_code == 200 and trainer.language == "cs"


def test_wtforms_own_messages_speak_the_page_language(client: FlaskClient) -> None:
    """WTForms ships Czech as cs_CZ: it is found for "cs" all the same."""
    english = client.post("/auth/login?lang=en", data={"email": "", "password": ""}).text
    assert "This field is required." in english
    czech = client.post("/auth/login?lang=cs", data={"email": "", "password": ""}).text
    assert "This field is required." not in czech and "Toto pole je povinné." in czech
    for language in ("hu", "sk", "pl"):
        html = client.post(f"/auth/login?lang={language}", data={"email": "", "password": ""})
        assert "This field is required." not in html.text, language


def test_one_date_formatter_writes_each_language(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    # 17 March of a year after the controlled clock's: always before the switch to summer
    # time (the last Sunday of March), so 08:00 UTC is 9:00 CET
    year = clock.now.year + 1
    start = datetime(year, 3, 17, 8, 0, tzinfo=UTC)
    end = start.replace(hour=12)
    zone = "Europe/Prague"
    assert format_moment(start, zone, "date", "cs") == f"17. března {year}"
    assert format_moment(start, zone, "date", "pl") == f"17 marca {year}"
    assert format_moment(start, zone, "date", "sk") == f"17. marca {year}"
    assert format_moment(start, zone, "date", "hu") == f"{year}. március 17."
    assert format_moment(start, zone, "datetime", "cs") == f"17. března {year} 9:00 CET"
    assert format_moment(start, zone, "stamp") == f"{year}-03-17 09:00 CET"
    assert format_span(start, end, zone, "cs") == f"17. března {year} 9:00 – 13:00 CET"
    assert format_span(start, end, zone, "cs", name_zone=True).endswith("CET (Europe/Prague)")


def test_every_form_gets_wtforms_messages_in_the_page_language() -> None:
    """Every form of the app derives from ``clusgo_events.forms.FlaskForm`` (not Flask-WTF's)."""
    import flask_wtf

    import clusgo_events.forms as app_forms
    from clusgo_events import create_app  # noqa: F401  (imports every blueprint's forms)

    for name in ("admin", "attendance", "auth", "calendar", "events", "invitations"):
        __import__(f"clusgo_events.{name}.forms")
    __import__("clusgo_events.registration.forms")
    __import__("clusgo_events.survey.forms")

    def every(cls: type) -> list[type]:
        return [cls, *(c for sub in cls.__subclasses__() for c in every(sub))]

    stray = [
        f"{c.__module__}.{c.__name__}"
        for c in every(flask_wtf.FlaskForm)[1:]
        if c.__module__.startswith("clusgo_events") and not issubclass(c, app_forms.FlaskForm)
    ]
    assert stray == []

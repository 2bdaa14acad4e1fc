"""The event in the reader's language: organisers give texts in any of the five languages."""

from __future__ import annotations

import re
from datetime import datetime, time

from flask.testing import FlaskClient

from clusgo_events.extensions import db
from clusgo_events.models import Event, User
from clusgo_events.services.events import (
    EventData,
    SessionData,
    add_session,
    create_event,
    edit_event,
    publish_event,
)
from tests.conftest import AuthActions
from tests.factories import local_day


def _at(hour: int) -> datetime:
    """That hour, local, on a day a month after the controlled clock's now."""
    return datetime.combine(local_day(30), time(hour))


def _form(**extra: str) -> dict[str, str]:
    return {
        "main_language": "cs",
        "title": "Mezinárodní setkání klastrů",
        "slug": "setkani-2031",
        "description": "Dva dny jednání s partnery.",
        "venue": "Výstaviště Brno",
        "timezone": "Europe/Prague",
        "starts_local": "2031-02-15T09:00",
        "ends_local": "2031-02-16T17:00",
        "capacity": "50",
        "host_organisation_id": "0",
        "target_countries": ["CZ", "HU", "SK", "PL"],
        **extra,
    }


def test_organiser_gives_texts_in_several_languages(
    client: FlaskClient, auth: AuthActions, users: dict[str, User]
) -> None:
    auth.login_as(users["organiser"])
    page = client.get("/events/new?lang=hu")
    for code in ("cs", "sk", "pl", "en"):  # the main language (the organiser's) has no section
        assert f'<summary lang="{code}">' in page.text
    assert '<summary lang="hu">' not in page.text
    response = client.post(
        "/events/new",
        data=_form(title_hu="Nemzetközi klasztertalálkozó", venue_hu="Brnói vásárváros",
                   title_pl="Międzynarodowe spotkanie klastrów", title_cs="ignored: main"),
    )  # fmt: skip
    assert response.status_code == 302, response.text
    event = db.session.scalar(db.select(Event).where(Event.slug == "setkani-2031"))
    assert event.main_language == "cs" and event.title == "Mezinárodní setkání klastrů"
    assert event.text("title", "hu") == "Nemzetközi klasztertalálkozó"
    assert event.text("title", "sk") == "Mezinárodní setkání klastrů"  # falls back to the main
    assert event.text("venue", "hu") == "Brnói vásárváros"
    publish_event(event)
    db.session.commit()
    assert "Nemzetközi klasztertalálkozó" in client.get("/events/setkani-2031?lang=hu").text
    assert "Międzynarodowe spotkanie klastrów" in client.get("/events/setkani-2031?lang=pl").text
    assert "Mezinárodní setkání klastrů" in client.get("/events/setkani-2031?lang=sk").text
    # the edit form shows what is stored, and an emptied text goes away
    edit = client.get("/events/setkani-2031/edit").text
    assert "Nemzetközi klasztertalálkozó" in edit and "<details" in edit and " open>" in edit
    client.post("/events/setkani-2031/edit", data=_form(title_hu="", venue_hu=""))
    db.session.refresh(event)
    assert event.text("title", "hu") == "Mezinárodní setkání klastrů"


def test_an_overlong_text_in_another_language_gets_a_message(
    client: FlaskClient, auth: AuthActions, users: dict[str, User]
) -> None:
    auth.login_as(users["organiser"])
    response = client.post("/events/new", data=_form(title_pl="x" * 5000))
    assert response.status_code == 200
    assert re.search(r'class="form-control is-invalid" id="title_pl"', response.text)
    assert re.search(r'<details[^>]* open>\s*<summary lang="pl">', response.text)  # shown open
    assert db.session.scalar(db.select(Event)) is None


def test_sessions_follow_a_changed_main_language(app) -> None:  # type: ignore[no-untyped-def]
    data = EventData(
        title="Cluster meeting", slug="meet", starts_local=_at(9),
        ends_local=_at(17), translations={"title": {"cs": "Setkání klastrů"}},
    )  # fmt: skip
    event = create_event(data)
    session = add_session(
        event,
        SessionData(
            title="Strategy", starts_local=_at(10),
            ends_local=_at(12), translations={"title": {"cs": "Strategie"}},
        ),
    )  # fmt: skip
    assert session.text("title", "cs") == "Strategie"
    data.main_language = "cs"
    data.title = "Setkání klastrů"
    data.translations = {"title": {"en": "Cluster meeting"}}
    edit_event(event, data)
    assert event.title == "Setkání klastrů" and event.text("title", "en") == "Cluster meeting"
    assert session.title == "Strategie" and session.text("title", "en") == "Strategy"


def test_ics_speaks_the_readers_language(
    client: FlaskClient, auth: AuthActions, users: dict[str, User]
) -> None:
    import icalendar

    event = create_event(
        EventData(
            title="Cluster meeting", slug="meet", starts_local=_at(9),
            ends_local=_at(17), venue="Exhibition Centre",
            translations={"title": {"pl": "Spotkanie klastrów"}, "venue": {"pl": "Targi"}},
        )
    )  # fmt: skip
    add_session(
        event,
        SessionData(
            title="Strategy", starts_local=_at(10),
            ends_local=_at(12), translations={"title": {"pl": "Strategia"}},
        ),
    )  # fmt: skip
    publish_event(event)
    db.session.commit()
    calendar = icalendar.Calendar.from_ical(client.get("/events/meet/calendar.ics?lang=pl").data)
    summaries = {str(c["SUMMARY"]) for c in calendar.walk("VEVENT")}
    assert summaries == {"Spotkanie klastrów", "Strategia"}
    assert any("Targi" in str(c.get("LOCATION", "")) for c in calendar.walk("VEVENT"))
    english = icalendar.Calendar.from_ical(client.get("/events/meet/calendar.ics?lang=en").data)
    assert {str(c["SUMMARY"]) for c in english.walk("VEVENT")} == {"Cluster meeting", "Strategy"}


def test_the_demo_events_speak_all_five_languages(app) -> None:  # type: ignore[no-untyped-def]
    from clusgo_events.services.demo import load_demo

    load_demo(password="demo-password-42")
    events = list(db.session.scalars(db.select(Event).order_by(Event.id)))
    assert len(events) == 2
    for event in events:
        for field in ("title", "description", "venue"):
            texts = event.texts_of(field)
            assert set(texts) == {"en", "cs", "hu", "sk", "pl"}, (event.slug, field)
            assert len(set(texts.values())) == 5  # each written in its own language
        for session in event.sessions:
            assert set(session.texts_of("title")) == {"en", "cs", "hu", "sk", "pl"}
    assert "klastr" in events[0].text("description", "cs")
    assert "klaszter" in events[0].text("description", "hu")
    assert "klastrov" in events[0].text("description", "sk")
    assert "klastrow" in events[0].text("description", "pl")

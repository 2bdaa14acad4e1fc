"""Events and training sessions: the organiser's forms, visibility, times and zones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest
from flask import Flask

from clusgo_events.extensions import db
from clusgo_events.models import Event, EventStatus, TrainingSession
from clusgo_events.services import ValidationErrors
from clusgo_events.services.events import (
    EventData,
    cancel_event,
    create_event,
    update_event,
)
from clusgo_events.services.timeutil import format_local, utc_to_local
from tests import factories
from tests.factories import day_with_offset, local_day, local_input

ZONE = "Europe/Prague"


@dataclass(frozen=True)
class Day:
    """A form's date-time field ``days`` from now at ``at`` (resolved when the form is made)."""

    days: int
    at: str

    def __str__(self) -> str:
        return f"{local_day(self.days, ZONE).isoformat()}T{self.at}"


def event_form(**overrides: object) -> dict[str, object]:
    """The new-event form filled in: in a month for two days, registration closing five days
    before; ``Day`` values in ``overrides`` are resolved the same way."""
    data: dict[str, object] = {
        "title": "V4ClusGo internationalisation event",
        "slug": "brno-test",
        "description": "Trainings on internationalisation strategy",
        "venue": "Brno Exhibition Centre",
        "address": "Výstaviště 405/1, Brno",
        "timezone": ZONE,
        "starts_local": Day(30, "09:00"),
        "ends_local": Day(31, "17:00"),
        "capacity": "120",
        "registration_opens_local": "",
        "registration_closes_local": Day(25, "23:59"),
        "host_organisation_id": "0",
        "target_countries": ["CZ", "HU", "SK", "PL"],
    }
    data.update(overrides)
    return {key: str(value) if isinstance(value, Day) else value for key, value in data.items()}


def make_event(slug: str = "brno-test", publish: bool = True, **kw: object) -> Event:
    """A committed event a month from now (``tests/factories.py``), published unless told."""
    kw.setdefault("title", "Event " + slug)
    kw.setdefault("status", EventStatus.PUBLISHED if publish else EventStatus.DRAFT)
    event = factories.event(slug, **kw)  # type: ignore[arg-type]
    db.session.commit()
    return event


def wall_clock(moment: datetime) -> datetime:
    """``moment`` as the naive wall-clock time in Prague the organiser types."""
    return utc_to_local(moment, ZONE).replace(tzinfo=None)


def test_organiser_creates_event_times_in_utc(client, auth, users) -> None:
    winter = day_with_offset(1)
    auth.login_as(users["organiser"])
    form = event_form(
        starts_local=f"{winter}T09:00",
        ends_local=f"{winter + timedelta(days=1)}T17:00",
        registration_closes_local=f"{winter - timedelta(days=5)}T23:59",
    )
    response = client.post("/events/new", data=form)
    assert response.status_code == 302, response.data
    event = db.session.scalar(db.select(Event).where(Event.slug == "brno-test"))
    assert event.status == "draft"
    # 09:00 in Prague in winter (CET, UTC+1) is 08:00 UTC
    assert event.starts_at == datetime.combine(winter, time(8), tzinfo=UTC)
    page = client.get("/events/brno-test")
    shown = format_local(event.starts_at, ZONE)
    assert shown.endswith("09:00 CET") and shown.encode() in page.data
    assert b"Europe/Prague" in page.data


def test_summer_time_shown_with_zone(app: Flask) -> None:
    summer = day_with_offset(2)
    event = create_event(
        EventData(
            title="Event summer",
            slug="summer",
            starts_local=datetime.combine(summer, time(9)),
            ends_local=datetime.combine(summer, time(17)),
        )
    )
    event.status = EventStatus.PUBLISHED
    db.session.commit()
    # 09:00 in Prague in summer (CEST, UTC+2) is 07:00 UTC
    assert event.starts_at == datetime.combine(summer, time(7), tzinfo=UTC)
    page = app.test_client().get("/events/summer")
    shown = format_local(event.starts_at, ZONE)
    assert shown.endswith("09:00 CEST") and shown.encode() in page.data


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"ends_local": Day(29, "09:00")}, "ends_local", b"after the start"),
        ({"capacity": "-1"}, "capacity", b"cannot be negative"),
        ({"timezone": "Mars/Olympus"}, "timezone", b"Not a valid choice"),
        ({"title": ""}, "title", b"This field is required"),
        ({"title": "x" * 201}, "title", b"200 characters"),
        ({"slug": "Not A Slug"}, "slug", b"lower-case"),
        ({"starts_local": "15.2.2030"}, "starts_local", b"Not a valid datetime"),
        ({"capacity": "many"}, "capacity", b"Not a valid integer"),
        ({"registration_closes_local": Day(44, "00:00")}, "x", b"cannot close after"),
    ],
)
def test_bad_event_input_shows_message_and_saves_nothing(
    client, auth, users, overrides, field, message
) -> None:
    auth.login_as(users["organiser"])
    response = client.post("/events/new", data=event_form(**overrides))
    assert response.status_code == 200
    assert message in response.data
    assert db.session.query(Event).count() == 0


def test_duplicate_slug_refused(client, auth, users) -> None:
    make_event("brno-test")
    auth.login_as(users["organiser"])
    response = client.post("/events/new", data=event_form())
    assert b"already uses the address" in response.data
    assert db.session.query(Event).count() == 1


def test_unknown_zone_refused_by_service(app: Flask) -> None:
    day = local_day(30)
    with pytest.raises(ValidationErrors) as info:
        create_event(
            EventData(
                title="Event zone",
                slug="zone",
                starts_local=datetime.combine(day, time(9)),
                ends_local=datetime.combine(day, time(17)),
                timezone="Nowhere/Atlantis",
            )
        )
    assert "timezone" in info.value.errors


def test_drafts_only_for_organisers(client, auth, users) -> None:
    make_event("draft-one", publish=False)
    assert client.get("/events/draft-one").status_code == 404
    assert b"draft-one" not in client.get("/events/").data
    auth.login_as(users["representative"])
    assert client.get("/events/draft-one").status_code == 404
    auth.logout()
    auth.login_as(users["organiser"])
    assert client.get("/events/draft-one").status_code == 200
    assert b"Event draft-one" in client.get("/events/").data


@pytest.mark.parametrize("role", ["trainer", "representative"])
def test_non_organisers_cannot_manage(client, auth, users, role) -> None:
    make_event("e1")
    auth.login_as(users[role])
    assert client.get("/events/new").status_code == 403
    assert client.post("/events/new", data=event_form()).status_code == 403
    assert client.post("/events/e1/cancel").status_code == 403
    assert client.get("/events/e1/edit").status_code == 403
    assert db.session.get(Event, 1).status == "published"


def test_publish_and_cancel_raise_sequence(client, auth, users) -> None:
    event = make_event("e2", publish=False)
    auth.login_as(users["organiser"])
    client.post("/events/e2/publish")
    db.session.refresh(event)
    assert event.status == "published" and event.sequence == 0
    client.post("/events/e2/cancel")
    db.session.refresh(event)
    assert event.status == "cancelled" and event.sequence == 1


def test_update_raises_sequence_only_for_calendar_changes(app: Flask) -> None:
    event = make_event("e3")
    data = EventData(
        title=event.title,
        slug="e3",
        starts_local=wall_clock(event.starts_at),
        ends_local=wall_clock(event.ends_at),
        venue=event.venue,
        address=event.address,
        registration_closes_local=wall_clock(event.registration_closes_at),
        description="only the description changes",
    )
    assert update_event(event, data) is False
    assert event.sequence == 0
    data.starts_local = wall_clock(event.starts_at) + timedelta(hours=1)
    assert update_event(event, data) is True
    assert event.sequence == 1


def test_edit_form_prefilled_in_local_time(client, auth, users) -> None:
    event = make_event("e4")
    auth.login_as(users["organiser"])
    page = client.get("/events/e4/edit")
    assert f'value="{local_input(event.starts_at)}"'.encode() in page.data


def test_sessions(client, auth, users) -> None:
    event = make_event("e5")  # 09:00 on its first day to 17:00 on its second
    first_day = utc_to_local(event.starts_at, ZONE).date()
    auth.login_as(users["organiser"])
    form = {
        "title": "Internationalisation strategy: analysis",
        "room": "Hall A",
        "starts_local": f"{first_day}T13:00",
        "ends_local": f"{first_day}T16:00",
        "capacity": "25",
        "trainer_ids": [str(users["trainer"].id)],
    }
    assert client.post("/events/e5/sessions/new", data=form).status_code == 302
    session = db.session.scalar(db.select(TrainingSession))
    assert session.trainers == [users["trainer"]]
    assert session.starts_at == event.starts_at + timedelta(hours=4)
    page = client.get("/events/e5")
    assert b"Internationalisation strategy: analysis" in page.data
    assert b"Trainer" in page.data

    after = first_day + timedelta(days=2)
    outside = dict(form, starts_local=f"{after}T09:00", ends_local=f"{after}T10:00")
    response = client.post("/events/e5/sessions/new", data=outside)
    assert b"must take place between" in response.data
    backwards = dict(form, ends_local=f"{first_day}T12:00")
    assert b"after the start" in client.post("/events/e5/sessions/new", data=backwards).data
    negative = dict(form, capacity="-5")
    assert b"cannot be negative" in client.post("/events/e5/sessions/new", data=negative).data
    organiser_as_trainer = dict(form, trainer_ids=[str(users["representative"].id)])
    response = client.post("/events/e5/sessions/new", data=organiser_as_trainer)
    assert response.status_code == 200
    assert db.session.query(TrainingSession).count() == 1


def test_session_of_another_event_is_404(client, auth, users) -> None:
    e1, e2 = make_event("a1"), make_event("a2")
    session = factories.session(e1, title="S", hour=13, hours=1)
    db.session.commit()
    auth.login_as(users["organiser"])
    assert client.get(f"/events/{e2.slug}/sessions/{session.id}/edit").status_code == 404
    assert client.get(f"/events/{e1.slug}/sessions/{session.id}/edit").status_code == 200


def test_cancel_event_cancels_sessions(app: Flask) -> None:
    event = make_event("c1")
    factories.session(event, title="S", hour=13, hours=1)
    cancel_event(event)
    assert event.status == "cancelled"
    assert event.sessions[0].status == "cancelled" and event.sessions[0].sequence == 1


def test_upcoming_before_past(app: Flask) -> None:
    make_event("old", starts_in_days=-30, closes_in_days=-35)
    make_event("new", starts_in_days=30)
    html = app.test_client().get("/events/").data.decode()
    assert html.index("Upcoming") < html.index("Event new") < html.index("Past")
    assert html.index("Past") < html.index("Event old")


@pytest.mark.parametrize(
    "path", ["/events/nope", "/events/x/sessions/99999/edit", "/nothing", "/events/%ff%fe"]
)
def test_unknown_paths_are_404_not_500(client, auth, users, path) -> None:
    auth.login_as(users["organiser"])
    assert client.get(path).status_code == 404


def test_unexpected_error_gives_plain_page(app: Flask, caplog) -> None:
    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("kaboom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data and b"kaboom" not in response.data
    assert "kaboom" in caplog.text


# --- dates no calendar can hold, and the trace of every change ------------------------------


def beside(response, field: str) -> str:  # type: ignore[no-untyped-def]
    """The page's HTML from the field ``field`` to the next field."""
    html = response.get_data(as_text=True)
    start = html.index(f'name="{field}"')
    return html[start : html.find(' name="', start + 1)]


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"starts_local": "0001-01-01T00:00"}, "starts_local"),
        ({"ends_local": "9999-12-31T23:59", "timezone": "America/New_York"}, "ends_local"),
        ({"registration_closes_local": "0001-01-01T00:30"}, "registration_closes_local"),
        (
            {"registration_opens_local": "9999-12-31T23:00", "timezone": "Pacific/Honolulu"},
            "registration_opens_local",
        ),
    ],
)
def test_out_of_range_dates_get_a_message_beside_the_field(
    client, auth, users, overrides, field
) -> None:
    auth.login_as(users["organiser"])
    for url in ("/events/new", "/events/brno-test/edit"):
        response = client.post(url, data=event_form(**overrides))
        assert response.status_code == 200, url
        assert "Give a date between the years 1900 and 2999." in beside(response, field)
        if url == "/events/new":
            assert db.session.query(Event).count() == 0
            make_event("brno-test")


@pytest.mark.parametrize(
    "starts,ends",
    [("0001-01-01T10:00", Day(30, "11:00")), (Day(30, "10:00"), "9999-12-31T23:59")],
)
def test_out_of_range_session_dates_get_a_message(client, auth, users, starts, ends) -> None:
    make_event("e6")
    auth.login_as(users["organiser"])
    starts, ends = str(starts), str(ends)
    form = {"title": "S", "starts_local": starts, "ends_local": ends, "capacity": "10"}
    response = client.post("/events/e6/sessions/new", data=form)
    assert response.status_code == 200
    field = "starts_local" if starts.startswith("0001") else "ends_local"
    assert "Give a date between the years 1900 and 2999." in beside(response, field)
    assert db.session.query(TrainingSession).count() == 0


def test_every_change_writes_its_own_audit_entry(client, auth, users) -> None:
    from clusgo_events.models import AuditEntry

    auth.login_as(users["organiser"])
    client.post("/events/new", data=event_form())
    client.post("/events/brno-test/edit", data=event_form(title="Renamed", capacity="150"))
    client.post("/events/brno-test/publish")
    session_form = {
        "title": "S",
        "starts_local": str(Day(30, "13:00")),
        "ends_local": str(Day(30, "14:00")),
        "capacity": "20",
    }
    client.post("/events/brno-test/sessions/new", data=session_form)
    session_id = db.session.scalar(db.select(TrainingSession.id))
    client.post(
        f"/events/brno-test/sessions/{session_id}/edit", data=dict(session_form, room="Hall B")
    )
    client.post(f"/events/brno-test/sessions/{session_id}/cancel")
    client.post("/events/brno-test/cancel")
    entries = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.object_type != "User").order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.user_id) for e in entries] == [
        (action, users["organiser"].id)
        for action in (
            "event.create",
            "event.capacity",
            "event.update",
            "event.publish",
            "session.create",
            "session.update",
            "session.cancel",
            "event.cancel",
        )
    ]
    assert entries[1].details == {"capacity": 150, "promoted": 0}
    assert entries[2].details == {"calendar_changed": True}
    assert entries[5].details == {"calendar_changed": True}

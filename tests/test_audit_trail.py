"""The audit trail page (issue 15): per event and per person, who did what and when, from
the web, the command line or the worker; filterable, paged in a constant number of queries,
in the reader's language; organisers see their events', admins everything."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import g
from flask.testing import FlaskClient

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, Event, User
from clusgo_events.services import audit
from clusgo_events.services import events as event_service
from clusgo_events.services.timeutil import utc_to_local
from tests import factories
from tests.browser_helpers import browsers  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("browsers")


def _get(client: FlaskClient, url: str, **args: str) -> str:
    response = client.get(url, query_string=args)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _counted(client: FlaskClient, count_queries, url: str) -> int:  # type: ignore[no-untyped-def]
    db.session.remove()
    g.pop("_login_user", None)
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_the_event_trail_says_who_did_what_in_the_readers_language(
    client: FlaskClient, auth, users, clock
) -> None:
    event = factories.event(title="Brněnské setkání")
    session = factories.session(event)
    db.session.commit()
    event_service.cancel_session(session)  # outside a request: the command line
    db.session.commit()
    auth.login_as(users["organiser"])
    client.get(f"/events/{event.slug}/cancel")
    client.post(f"/events/{event.slug}/cancel")
    html = _get(client, f"/events/{event.slug}/audit", lang="en")
    assert "Event cancelled" in html and "Session cancelled" in html
    assert users["organiser"].email in html and "command line" in html
    assert "event.cancel" not in html.split("<table", 1)[1].split("</table>")[0].replace(
        'value="event.cancel"', ""
    )
    czech = _get(client, f"/events/{event.slug}/audit", lang="cs")
    assert "Akce zrušena" in czech and "příkazový řádek" in czech
    hungarian = _get(client, f"/events/{event.slug}/audit", lang="hu")
    assert "Esemény lemondva" in hungarian


def test_filters_by_action_source_who_and_dates(client: FlaskClient, auth, users, clock) -> None:
    event = factories.event()
    db.session.commit()
    audit.record("event.update", event, actor=users["trainer"])
    db.session.commit()  # its time is taken when it is written
    clock.advance(days=3)
    audit.record("event.publish", event, actor=users["organiser"])
    with audit.acting_from("worker"):
        audit.record("outbox.failed", event)
    db.session.commit()
    auth.login_as(users["organiser"])
    url = f"/events/{event.slug}/audit"
    assert "1 entry" in _get(client, url, action="event.publish")
    assert "1 entry" in _get(client, url, source="worker")
    assert "1 entry" in _get(client, url, who="TRAINER@")
    today = utc_to_local(clock.now, event.timezone).date()
    earlier = (today - timedelta(days=3)).isoformat()
    assert "1 entry" in _get(client, url, since=earlier, until=earlier)
    assert "2 entries" in _get(client, url, since=today.isoformat())
    # nothing a user types breaks the page: each bad value is named
    html = _get(client, url, since="31.12.", source="mars", action="drop table", who="%_")
    assert "is not a date" in html and "Unknown source" in html
    assert "No entry has the action" in html and "0 entries" in html
    backwards = _get(client, url, since=today.isoformat(), until=earlier)
    assert "comes before its start" in backwards


def test_pages_cost_the_same_queries_however_long_the_trail(
    client: FlaskClient, auth, users, clock, count_queries
) -> None:
    event = factories.event()
    for _ in range(5):
        audit.record("event.update", event, actor=users["organiser"])
    db.session.commit()
    auth.login_as(users["organiser"])
    url = f"/events/{event.slug}/audit"
    trainer_id, event_id = users["trainer"].id, event.id
    few = _counted(client, count_queries, url)
    trainer, event = db.session.get(User, trainer_id), db.session.get(Event, event_id)
    for n in range(160):
        audit.record("event.update", event, {"n": n}, actor=trainer)
    db.session.commit()
    assert _counted(client, count_queries, url) == few
    assert _counted(client, count_queries, url + "?page=3") == few
    html = _get(client, url, page="4")
    assert "Page 4 of 4" in html and "Newer" in html and "Older" not in html
    assert "Page 4 of 4" in _get(client, url, page="999")


def test_a_persons_trail_and_who_may_read_it(client: FlaskClient, auth, users, clock) -> None:
    event = factories.event()
    training = factories.session(event)
    person = factories.user(email="jana@example.org", name="Jana Nováková")
    registration = factories.registration(event, account=person, sessions=[training])
    other = factories.registration(event, 1)
    audit.record("registration.create", registration)
    audit.record("seat.cancel", registration.seats[0])
    audit.record("registration.create", other)
    audit.record("user.update", person, {"role": ["representative", "trainer"]})
    db.session.commit()
    auth.login_as(users["admin"])
    account = _get(client, f"/audit/account/{person.id}", lang="en")
    assert "3 entries" in account and "Session place cancelled" in account
    assert "Account changed" in account and "representative → trainer" in account
    auth.logout()
    auth.login_as(users["organiser"])
    reg = _get(client, f"/audit/registration/{registration.id}", lang="en")
    assert "2 entries" in reg and registration.name in reg
    assert client.get(f"/audit/account/{person.id}").status_code == 404
    assert client.get("/audit").status_code == 403
    assert client.get("/audit/nonsense/1").status_code == 404
    assert client.get(f"/audit/registration/{10**6}").status_code == 404
    auth.logout()
    auth.login_as(users["representative"])
    assert client.get(f"/audit/registration/{registration.id}").status_code == 403
    auth.logout()
    auth.login_as(users["admin"])
    everything = _get(client, "/audit", lang="en")
    total = db.session.query(AuditEntry).count()
    assert f"{total} entries" in everything

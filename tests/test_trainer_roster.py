"""Trainers (issue 15): the roster in the reader's name order with a search box, "My
sessions" with what comes next first and its confirmed counts, and marking a session that
has not started asks once."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from clusgo_events.extensions import db
from clusgo_events.services.collation import fold, matches, sort_key
from tests import factories

JSON = {"Accept": "application/json"}
NAMES = ["Zdeněk Zíma", "Čapek Karel", "adam Novák", "Ödön Szabó", "Émile Dvořák", "Łukasz Lis"]


def _session_with(names, trainer, **where):  # type: ignore[no-untyped-def]
    event = factories.event(**where)
    training = factories.session(event, trainers=[trainer])
    registrations = [
        factories.registration(event, n, sessions=[training], name=name)
        for n, name in enumerate(names)
    ]
    db.session.commit()
    return training, registrations


def test_names_sort_by_their_letters_then_accents_and_case() -> None:
    assert sorted(NAMES, key=sort_key) == [
        "adam Novák", "Čapek Karel", "Émile Dvořák", "Łukasz Lis", "Ödön Szabó", "Zdeněk Zíma",
    ]  # fmt: skip
    assert sort_key("Dvorak") < sort_key("Dvořák") < sort_key("Dvoráková")
    assert fold("Ďurčo-Kráľ") == "durco-kral"
    assert matches("kral DURCO", "Ľubomír Ďurčo-Kráľ") and not matches("kralova", "Kráľ")


def test_the_roster_is_in_name_order_with_a_search_box(
    client: FlaskClient, auth, users, clock
) -> None:
    training, _ = _session_with(NAMES, users["trainer"])
    auth.login_as(users["trainer"])
    page = client.get(f"/attendance/sessions/{training.id}").get_data(as_text=True)
    positions = [page.index(name) for name in NAMES]
    order = [name for _, name in sorted(zip(positions, NAMES, strict=True))]
    assert order == sorted(NAMES, key=sort_key)
    assert 'name="q"' in page and "js/roster-search.js" in page
    assert 'data-search="cape' in page  # the folded text the script filters on
    found = client.get(f"/attendance/sessions/{training.id}?q=CAPEK").get_data(as_text=True)
    assert "Čapek Karel" in found and "Zdeněk Zíma" not in found
    assert 'data-count="unmarked">6<' in found  # the counts stay those of the whole roster
    nobody = client.get(f"/attendance/sessions/{training.id}?q=xyz").get_data(as_text=True)
    assert "Nobody matches." in nobody


def test_my_sessions_lists_what_comes_next_first_with_counts(
    client: FlaskClient, auth, users, clock
) -> None:
    past, _ = _session_with(NAMES[:1], users["trainer"], starts_in_days=-10, closes_in_days=None)
    soon, _ = _session_with(NAMES[:3], users["trainer"], starts_in_days=5)
    later, _ = _session_with(NAMES[:2], users["trainer"], starts_in_days=40, closes_in_days=None)
    auth.login_as(users["trainer"])
    page = client.get("/attendance/").get_data(as_text=True)
    where = [page.index(f"/attendance/sessions/{s.id}") for s in (soon, later, past)]
    assert where == sorted(where)
    assert "3 confirmed participants" in page and "1 confirmed participant" in page


def test_marking_before_the_start_asks_once(client: FlaskClient, auth, users, clock) -> None:
    training, (first, second, *_) = _session_with(NAMES, users["trainer"])
    auth.login_as(users["trainer"])
    url = f"/attendance/sessions/{training.id}"
    page = client.get(url).get_data(as_text=True)
    assert "This session has not started yet" in page and "/start-early" in page
    assert "btn-att" not in page  # no mark buttons until confirmed
    refused = client.post(f"{url}/mark", data={"target": f"r{first.id}", "status": "present"},
                          headers=JSON)  # fmt: skip
    assert refused.status_code == 409 and "not started yet" in refused.get_json()["error"]
    client.post(f"{url}/start-early")
    page = client.get(url).get_data(as_text=True)
    assert "This session has not started yet" not in page and "btn-att" in page
    for registration in (first, second):  # asked once: every later mark goes through
        done = client.post(
            f"{url}/mark", data={"target": f"r{registration.id}", "status": "late"}, headers=JSON
        )
        assert done.status_code == 200 and done.get_json()["ok"]
    # once it has started, nobody is asked
    auth.logout()
    auth.login_as(users["organiser"])
    clock.set(training.starts_at + timedelta(minutes=5))
    page = client.get(url).get_data(as_text=True)
    assert "This session has not started yet" not in page and "btn-att" in page

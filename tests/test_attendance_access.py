"""The mark endpoint tells a trainer nothing about ids that are not on their roster.

A trainer who posts the registration id of someone they do not teach (another event's, or a
participant of the same event without a confirmed seat in this session, cancelled or waiting)
gets the very answer a non-existent id gets: no name, no hint, and nothing changes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import AttendanceRecord, RegistrationStatus, Role, SeatStatus
from tests import factories as f
from tests.attendance_helpers import allow_early_marking
from tests.conftest import AuthActions

JSON = {"Accept": "application/json"}


@pytest.fixture()
def world(app, clock):  # type: ignore[no-untyped-def]
    trainer = f.user(Role.TRAINER)
    event = f.event()
    session = f.session(event, trainers=[trainer])
    other_session = f.session(event, hour=14)
    elsewhere = f.event()
    elsewhere_session = f.session(elsewhere, trainers=[trainer])
    secret = iter(f"Tajná Osoba {n}" for n in range(1, 10))
    strangers = {
        "another event": f.registration(
            elsewhere, 0, name=next(secret), sessions=[elsewhere_session]
        ),
        "another session": f.registration(event, 1, name=next(secret), sessions=[other_session]),
        "no seat": f.registration(event, 2, name=next(secret)),
        "cancelled": f.registration(
            event, 3, name=next(secret), status=RegistrationStatus.CANCELLED, sessions=[session]
        ),
        "waiting for a seat": f.registration(
            event, 0, name=next(secret), sessions=[session], seat_status=SeatStatus.WAITLISTED
        ),
        "cancelled seat": f.registration(
            event, 1, name=next(secret), sessions=[session], seat_status=SeatStatus.CANCELLED
        ),
    }
    on_roster = f.registration(event, 2, sessions=[session])
    db.session.commit()
    return {
        "trainer": trainer.email,
        "session": session.id,
        "strangers": {why: (r.id, r.name) for why, r in strangers.items()},
        "on_roster": on_roster.id,
    }


def _post(client, world, target: str, json: bool = True):  # type: ignore[no-untyped-def]
    return client.post(
        f"/attendance/sessions/{world['session']}/mark",
        data={"target": target, "status": "present"},
        headers=JSON if json else {},
    )


def test_an_id_off_the_roster_is_answered_like_no_id(client, world) -> None:
    AuthActions(client).login(world["trainer"])
    allow_early_marking(client, world["session"])
    nobody = _post(client, world, "r999999")
    assert nobody.status_code == 404 and nobody.get_json()["ok"] is False
    for why, (registration_id, name) in world["strangers"].items():
        answer = _post(client, world, f"r{registration_id}")
        assert (answer.status_code, answer.get_json()) == (nobody.status_code, nobody.get_json()), (
            why
        )
        assert name not in answer.get_data(as_text=True), why
        # nor as a record id: a walk-in key names only the session's own walk-ins
        record = _post(client, world, f"w{registration_id}")
        assert record.get_json() == nobody.get_json(), why
    assert db.session.scalar(select(func.count()).select_from(AttendanceRecord)) == 0
    # the plain form (no JavaScript) names nobody either, in its flash
    for why, (registration_id, name) in world["strangers"].items():
        answer = _post(client, world, f"r{registration_id}", json=False)
        page = client.get(answer.headers["Location"]).get_data(as_text=True)
        assert name not in page and "No such participant in this session." in page, why
    # while a participant on the roster is marked, by name
    marked = _post(client, world, f"r{world['on_roster']}")
    assert marked.status_code == 200 and marked.get_json()["entry"]["status"] == "present"
    assert db.session.scalar(select(func.count()).select_from(AttendanceRecord)) == 1

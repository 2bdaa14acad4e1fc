"""The attendance and calendar operations write their own audit entries (not the views):
walk-ins, marks after closing, close and reopen, certificates, a new feed address; from the
page they name the user and the web, from a service call outside a request the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import AttendanceStatus, AuditEntry, AuditSource, Role
from clusgo_events.services import attendance as att
from clusgo_events.services import calendar_feed
from tests import factories as f
from tests.attendance_helpers import allow_early_marking
from tests.conftest import AuthActions


def _entries() -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


@pytest.fixture()
def world(app, clock):  # type: ignore[no-untyped-def]
    trainer = f.user(Role.TRAINER)
    organiser = f.user(Role.ORGANISER)
    event = f.event()
    session = f.session(event, trainers=[trainer])
    person = f.registration(event, 0, sessions=[session])
    db.session.commit()
    return {
        "trainer": (trainer.id, trainer.email),
        "organiser": (organiser.id, organiser.email),
        "event": (event.id, event.slug),
        "session": session.id,
        "person": person.id,
    }


def test_page_operations_leave_their_trace(client, world) -> None:
    (trainer_id, trainer), (organiser_id, organiser) = world["trainer"], world["organiser"]
    event_id, slug = world["event"]
    base = f"/attendance/sessions/{world['session']}"
    auth = AuthActions(client)
    auth.login(trainer)
    client.post(f"{base}/walk-in", data={"name": "Jiří Příchozí", "status": "present"})
    allow_early_marking(client, world["session"])
    client.post(f"{base}/mark", data={"target": f"r{world['person']}", "status": "present"})
    client.post(f"{base}/close")
    auth.logout()
    auth.login(organiser)
    allow_early_marking(client, world["session"])
    client.post(f"{base}/mark", data={"target": f"r{world['person']}", "status": "late"})
    client.post(f"{base}/reopen")
    client.post(f"/attendance/events/{slug}/certificates")
    client.post("/calendar/feed/reset")
    entries = _entries()
    assert [e.action for e in entries] == [
        "attendance.walk_in",
        "attendance.close",
        "attendance.change_after_close",
        "attendance.reopen",
        "attendance.certificates",
        "calendar.feed_reset",
    ]
    assert [e.user_id for e in entries] == [trainer_id, trainer_id] + [organiser_id] * 4
    assert {e.source for e in entries} == {AuditSource.WEB}
    assert all(e.event_id == event_id for e in entries[:5])
    assert entries[0].details["name"] == "Jiří Příchozí" and not entries[0].details["after_close"]
    assert entries[2].details["from"] == "present" and entries[2].details["to"] == "late"
    assert entries[4].details == {"queued": 1}


def test_operations_outside_a_request_are_recorded_as_the_command_line(world) -> None:
    from clusgo_events.models import TrainingSession, User

    session = db.session.get(TrainingSession, world["session"])
    trainer = db.session.get(User, world["trainer"][0])
    att.add_walk_in(session, att.WalkInData("Jiří Příchozí"), trainer, AttendanceStatus.LATE)
    att.close(session, trainer)
    calendar_feed.reset_feed(trainer)
    db.session.commit()
    entries = _entries()
    assert [e.action for e in entries] == [
        "attendance.walk_in",
        "attendance.close",
        "calendar.feed_reset",
    ]
    assert {e.source for e in entries} == {AuditSource.CLI}

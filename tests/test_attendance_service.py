"""Attendance rules: who may mark, upsert per person, check-in answers, walk-ins, closing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import AttendanceRecord, AuditEntry
from clusgo_events.services import ServiceError, ValidationErrors
from clusgo_events.services import attendance as att
from tests.attendance_helpers import make_event, make_registration, make_session, populate
from tests.conftest import make_user


@pytest.fixture()
def setup(app, users):  # type: ignore[no-untyped-def]
    event = make_event()
    session = make_session(event, trainers=[users["trainer"]])
    regs = populate(event, session)
    return event, session, regs


def test_roster_lists_confirmed_seats_only(setup, users) -> None:
    event, session, regs = setup
    make_registration(event, "Cancelled Person", status="cancelled", sessions=[session])
    make_registration(event, "Waiting Person", sessions=[session], seat_status="waitlisted")
    make_registration(event, "Other Session Person")
    db.session.commit()
    entries = att.roster(session)
    assert sorted(e.name for e in entries) == sorted(r.name for r in regs)
    first = next(e for e in entries if e.name == "Michał Żąbkowski-Różycki")
    assert first.organisation == "Łódzki Klaster Tekstylny"
    assert first.country == "PL"
    assert first.status is None


def test_mark_upserts_and_records_who_when_how(setup, users) -> None:
    _, session, regs = setup
    trainer = users["trainer"]
    rec = att.mark(session, registration=regs[0], status="late", by=trainer)
    db.session.commit()
    assert rec.marked_by_id == trainer.id
    assert rec.method == "manual"
    assert rec.checked_in_at is not None
    rec2 = att.mark(session, registration=regs[0], status="absent", by=users["organiser"])
    db.session.commit()
    assert rec2.id == rec.id
    assert rec2.status == "absent" and rec2.checked_in_at is None
    assert rec2.marked_by_id == users["organiser"].id
    count = db.session.scalar(select(func.count()).select_from(AttendanceRecord))
    assert count == 1


def test_other_trainer_cannot_mark(setup, users) -> None:
    _, session, regs = setup
    other = make_user("trainer", "other-trainer@example.org")
    with pytest.raises(ServiceError):
        att.mark(session, registration=regs[0], status="present", by=other)
    with pytest.raises(ServiceError):
        att.mark(session, registration=regs[0], status="sleeping", by=users["trainer"])


def test_checkin_answers(setup, users) -> None:
    event, session, regs = setup
    trainer = users["trainer"]
    result = att.check_in(session, regs[1].checkin_code, trainer)
    assert not result.already and result.record.method == "qr"
    assert result.record.status == "present"
    again = att.check_in(session, "  " + regs[1].checkin_code.lower() + " ", trainer)
    assert again.already and "already checked in" in again.message

    other_event = make_event("other-2030", "Other event")
    stranger = make_registration(other_event, "Stranger", code="STRANGER1")
    cancelled = make_registration(event, "Gone", status="cancelled", code="GONE0001")
    seatless = make_registration(event, "No Seat", code="NOSEAT01")
    waiting = make_registration(event, "Waits", sessions=[session], seat_status="waitlisted")
    db.session.commit()
    answers = {}
    for code in ("STRANGER1", "GONE0001", "NOSEAT01", waiting.checkin_code, "NOPE9999", "!!"):
        with pytest.raises(ServiceError) as exc:
            att.check_in(session, code, trainer)
        answers[code] = exc.value.message
    assert "another event" in answers["STRANGER1"]
    assert "cancelled" in answers["GONE0001"]
    assert "no seat" in answers["NOSEAT01"]
    assert "waiting list" in answers[waiting.checkin_code]
    assert "No registration" in answers["NOPE9999"]
    assert "not a check-in code" in answers["!!"]
    assert stranger.id and cancelled.id and seatless.id


def test_checkin_accepts_link_from_qr(setup, users) -> None:
    _, session, regs = setup
    result = att.check_in(
        session, f"http://127.0.0.1:5000/checkin/{regs[2].checkin_code}", users["trainer"]
    )
    assert result.registration.id == regs[2].id


def test_walk_in(setup, users) -> None:
    _, session, _ = setup
    rec = att.add_walk_in(
        session,
        att.WalkInData("Přemysl Ořech", "Brněnský klastr", "cz", "premysl@example.org"),
        users["trainer"],
    )
    db.session.commit()
    assert rec.is_walk_in and rec.method == "walk-in" and rec.country == "CZ"
    assert any(e.is_walk_in and e.name == "Přemysl Ořech" for e in att.roster(session))
    with pytest.raises(ValidationErrors) as exc:
        att.add_walk_in(session, att.WalkInData("", "", "Czechia", "nope"), users["trainer"])
    assert set(exc.value.errors) == {"name", "country", "email"}


def test_close_then_only_organiser_changes_with_audit(setup, users) -> None:
    _, session, regs = setup
    trainer, organiser = users["trainer"], users["organiser"]
    att.mark(session, registration=regs[0], status="present", by=trainer)
    att.close(session, trainer)
    db.session.commit()
    assert session.attendance_closed_by_id == trainer.id
    with pytest.raises(ServiceError, match="closed"):
        att.mark(session, registration=regs[0], status="absent", by=trainer)
    with pytest.raises(ServiceError, match="closed"):
        att.check_in(session, regs[1].checkin_code, trainer)
    att.mark(session, registration=regs[0], status="excused", by=organiser)
    db.session.commit()
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "attendance.change_after_close")
    ).all()
    assert len(entries) == 1
    assert entries[0].user_id == organiser.id
    assert entries[0].details["from"] == "present" and entries[0].details["to"] == "excused"
    assert db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "attendance.close")
    )


def test_sessions_for(setup, users) -> None:
    event, session, _ = setup
    other = make_session(event, trainers=[], title="Other")
    db.session.commit()
    assert [s.id for s in att.sessions_for(users["trainer"])] == [session.id]
    assert {s.id for s in att.sessions_for(users["organiser"])} == {session.id, other.id}

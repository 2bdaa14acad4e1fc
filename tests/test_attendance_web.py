"""Attendance pages: access, one-tap marking (JSON and plain form), check-in, walk-ins,
closing, downloads, the summary in constant queries, certificates through the outbox."""

from __future__ import annotations

import base64
import csv
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import AttendanceRecord, AuditEntry, OutboxMessage
from clusgo_events.services import attendance as att
from clusgo_events.services.outbox import keys
from tests import factories
from tests.attendance_helpers import NAMES, make_event, make_registration, make_session, populate
from tests.conftest import REDIRECT, make_user

JSON = {"Accept": "application/json"}


@pytest.fixture()
def world(app, users):  # type: ignore[no-untyped-def]
    event = make_event()
    session = make_session(event, trainers=[users["trainer"]])
    regs = populate(event, session)
    return event, session, regs


def test_my_sessions_only_own(client, auth, users, world) -> None:
    event, session, _ = world
    other = make_session(event, trainers=[], title="Someone else's workshop")
    db.session.commit()
    auth.login_as(users["trainer"])
    page = client.get("/attendance/").get_data(as_text=True)
    assert session.title in page and "Someone else" not in page
    assert client.get(f"/attendance/sessions/{other.id}").status_code == 404
    assert "My sessions" in client.get("/events/").get_data(as_text=True)
    auth.logout()
    auth.login_as(users["organiser"])
    page = client.get("/attendance/").get_data(as_text=True)
    assert session.title in page and "Someone else" in page


def test_strangers_kept_out(client, auth, users, world) -> None:
    _, session, regs = world
    response = client.get(f"/attendance/sessions/{session.id}")
    assert response.status_code == REDIRECT
    assert response.headers["Location"].startswith("/auth/login?next=")
    auth.login_as(users["representative"])
    assert client.get(f"/attendance/sessions/{session.id}").status_code == 403
    auth.logout()
    other = make_user("trainer", "other@example.org")
    auth.login_as(other)
    assert client.get(f"/attendance/sessions/{session.id}").status_code == 404
    response = client.post(
        f"/attendance/sessions/{session.id}/mark",
        data={"target": f"r{regs[0].id}", "status": "present"},
        headers=JSON,
    )
    assert response.status_code == 404
    assert client.get(f"/attendance/sessions/{session.id}/attendance.csv").status_code == 404


def test_roster_page_has_no_inline_script(client, auth, users, world) -> None:
    _, session, _ = world
    auth.login_as(users["trainer"])
    page = client.get(f"/attendance/sessions/{session.id}").get_data(as_text=True)
    for name, org, _ in NAMES:
        assert name in page and org in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert "vendor/jsQR.js" in page and "js/attendance.js" in page
    assert " onclick=" not in page
    with client.get("/static/vendor/jsQR.js") as script:
        assert script.status_code == 200 and b"jsQR" in script.data


def test_mark_json_and_plain_form(client, auth, users, world) -> None:
    _, session, regs = world
    auth.login_as(users["trainer"])
    url = f"/attendance/sessions/{session.id}/mark"
    response = client.post(url, data={"target": f"r{regs[0].id}", "status": "late"}, headers=JSON)
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] and body["entry"]["status"] == "late" and body["entry"]["checked_in"]
    response = client.post(url, data={"target": f"r{regs[0].id}", "status": "present"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/attendance/sessions/{session.id}#r{regs[0].id}")
    record = db.session.scalar(select(AttendanceRecord))
    assert record.status == "present" and record.marked_by_id == users["trainer"].id
    bad = client.post(url, data={"target": "x1", "status": "present"}, headers=JSON)
    assert bad.status_code == 400 and not bad.get_json()["ok"]
    bad = client.post(url, data={"target": f"r{regs[0].id}", "status": "asleep"}, headers=JSON)
    assert bad.status_code == 400
    missing = client.post(url, data={"target": "r999999", "status": "present"}, headers=JSON)
    assert missing.status_code == 404
    # beyond an INTEGER column: PostgreSQL would refuse the number with an error (a 500)
    for target in ("r999999999999", "w2147483648"):
        huge = client.post(url, data={"target": target, "status": "present"}, headers=JSON)
        assert huge.status_code == 404, target


def test_check_in_by_code(client, auth, users, world) -> None:
    event, session, regs = world
    cancelled = make_registration(event, "Zrušená Účastnice", status="cancelled", code="CANC0001")
    db.session.commit()
    auth.login_as(users["trainer"])
    url = f"/attendance/sessions/{session.id}/check-in"
    first = client.post(url, data={"code": regs[3].checkin_code, "scanned": "1"}, headers=JSON)
    assert first.get_json()["ok"] and not first.get_json()["already"]
    record = db.session.scalar(select(AttendanceRecord))
    assert record.method == "qr"
    again = client.post(url, data={"code": regs[3].checkin_code}, headers=JSON).get_json()
    assert again["ok"] and again["already"] and "already checked in" in again["message"]
    refused = client.post(url, data={"code": cancelled.checkin_code}, headers=JSON)
    assert refused.status_code == 409 and "cancelled" in refused.get_json()["error"]
    # without JavaScript: the answer appears beside the field
    page = client.post(url, data={"code": "NOSUCH01"})
    assert page.status_code == 200
    assert "No registration has this code." in page.get_data(as_text=True)
    typed = client.post(url, data={"code": regs[2].checkin_code})
    assert typed.status_code == 302
    assert att.find_record(session, regs[2]).method == "manual"


def test_walk_in_form(client, auth, users, world) -> None:
    _, session, _ = world
    auth.login_as(users["trainer"])
    url = f"/attendance/sessions/{session.id}/walk-in"
    page = client.post(url, data={"name": "", "country": "Czech", "email": "bad", "status": "x"})
    assert page.status_code == 200
    assert "This field is required." in page.get_data(as_text=True)
    assert db.session.scalar(select(AttendanceRecord)) is None
    response = client.post(
        url,
        data={"name": "Bożena Łąka", "organisation": "Klaster", "country": "pl", "status": "late"},
    )
    assert response.status_code == 302
    record = db.session.scalar(select(AttendanceRecord).where(AttendanceRecord.is_walk_in))
    assert record.country == "PL" and record.method == "walk-in" and record.status == "late"
    page = client.get(f"/attendance/sessions/{session.id}").get_data(as_text=True)
    assert "Bożena Łąka" in page and "walk-in" in page
    mark = client.post(
        f"/attendance/sessions/{session.id}/mark",
        data={"target": f"w{record.id}", "status": "present"},
        headers=JSON,
    )
    assert mark.get_json()["entry"]["status"] == "present"


def test_close_and_organiser_correction(client, auth, users, world) -> None:
    _, session, regs = world
    auth.login_as(users["trainer"])
    client.post(f"/attendance/sessions/{session.id}/close")
    db.session.refresh(session)
    assert session.attendance_closed_at is not None
    url = f"/attendance/sessions/{session.id}/mark"
    refused = client.post(url, data={"target": f"r{regs[0].id}", "status": "present"}, headers=JSON)
    assert refused.status_code == 409 and "closed" in refused.get_json()["error"]
    page = client.get(f"/attendance/sessions/{session.id}").get_data(as_text=True)
    assert "Only an organiser can change it now." in page and 'name="status"' not in page
    auth.logout()
    auth.login_as(users["organiser"])
    fixed = client.post(url, data={"target": f"r{regs[0].id}", "status": "excused"}, headers=JSON)
    assert fixed.status_code == 200
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "attendance.change_after_close")
    )
    assert entry is not None and entry.details["to"] == "excused"
    client.post(f"/attendance/sessions/{session.id}/reopen")
    db.session.refresh(session)
    assert session.attendance_closed_at is None


def test_downloads(client, auth, users, world) -> None:
    event, session, regs = world
    att.mark(session, registration=regs[0], status="present", by=users["trainer"])
    db.session.commit()
    auth.login_as(users["trainer"])
    base = f"/attendance/sessions/{session.id}/attendance"
    response = client.get(base + ".csv")
    assert response.is_streamed and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert {r[3] for r in rows[1:]} == {n for n, _, _ in NAMES}
    with client.get(base + ".xlsx") as xlsx:
        book = load_workbook(io.BytesIO(xlsx.data))
    values = [c.value for r in book.active.iter_rows() for c in r]
    assert "Győző Szőke-Fűzfa" in values
    with client.get(base + ".pdf?blank=1") as pdf:
        text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Michał Żąbkowski-Różycki" in text and "present" not in text
    assert client.get(base + ".doc").status_code == 404
    # the whole event's list is for organisers
    assert client.get(f"/attendance/events/{event.slug}/attendance.csv").status_code == 403
    auth.logout()
    auth.login_as(users["organiser"])
    with client.get(f"/attendance/events/{event.slug}/attendance.pdf") as whole:
        assert whole.status_code == 200 and whole.data.startswith(b"%PDF")
    assert client.get("/attendance/events/nope/attendance.csv").status_code == 404


def _summary_world(event, trainer, sessions: int, people: int):  # type: ignore[no-untyped-def]
    created = [make_session(event, [trainer], f"S{i}", hours_from_start=i) for i in range(sessions)]
    for i in range(people):
        reg = make_registration(
            event, f"P{i}", f"Org {i % 3}", ["CZ", "HU", "SK", "PL"][i % 4], sessions=created
        )
        factories.attendance(created[0], reg, "present")
    db.session.commit()


def test_summary_constant_queries(client, auth, users, count_queries) -> None:
    small = make_event("small-2030")
    _summary_world(small, users["trainer"], 1, 2)
    big = make_event("big-2030")
    _summary_world(big, users["trainer"], 5, 30)
    auth.login_as(users["organiser"])
    with count_queries() as few:
        client.get("/attendance/events/small-2030")
    with count_queries() as many:
        page = client.get("/attendance/events/big-2030").get_data(as_text=True)
    assert many.count == few.count
    assert "<svg" in page and "Participants per country" in page
    assert "Org 2" in page and "100 %" in page and "0 %" in page


def test_summary_figures(app, users, world) -> None:
    from clusgo_events.services.attendance import summary as report

    event, session, regs = world
    att.mark(session, registration=regs[0], status="present", by=users["trainer"])
    att.mark(session, registration=regs[1], status="absent", by=users["trainer"])
    att.add_walk_in(session, att.WalkInData("Walk In", "Nová org", "CZ"), users["trainer"])
    db.session.commit()
    data = report.summary(event)
    stats = data.sessions[0]
    assert (stats.confirmed, stats.present, stats.absent, stats.walk_ins) == (4, 1, 1, 1)
    assert stats.rate == 0.25 and stats.unmarked == 2
    cz = next(c for c in data.countries if c.label == "CZ")
    assert (cz.registered, cz.attended, cz.walk_ins) == (1, 1, 1)


def test_certificates_through_outbox(client, auth, users, world) -> None:
    event, session, regs = world
    second = make_session(event, [users["trainer"]], "Second session", hours_from_start=4)
    make_registration(event, "Nobody Came", sessions=[session])
    # regs[0]: present at both of their sessions -> certificate
    # regs[1]: late at the only one -> certificate; regs[2]: absent -> none
    factories.seat(regs[0], second)
    regs[1].language = "cs"
    db.session.commit()
    trainer = users["trainer"]
    att.mark(session, registration=regs[0], status="present", by=trainer)
    att.mark(second, registration=regs[0], status="present", by=trainer)
    att.mark(session, registration=regs[1], status="late", by=trainer)
    att.mark(session, registration=regs[2], status="absent", by=trainer)
    att.mark(session, registration=regs[3], status="present", by=trainer)
    factories.seat(regs[3], second)
    db.session.commit()
    auth.login_as(users["organiser"])
    response = client.post(f"/attendance/events/{event.slug}/certificates")
    assert response.status_code == 302
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert sorted(m.recipient for m in messages) == sorted([regs[0].email, regs[1].email])
    for message in messages:
        assert message.kind == "certificate" and message.body_html and message.body_text
        # keyed by the outbox's schema: the message says whose certificate it is
        registration = next(r for r in regs if r.email == message.recipient)
        about = keys.certificate(event, registration)
        assert (
            message.idempotency_key,
            message.event_id,
            message.registration_id,
            message.respondent_id,
        ) == (about.key, event.id, registration.id, registration.respondent_id)
        (pdf,) = message.attachments
        assert pdf["filename"] == "certificate.pdf" and pdf["content_type"] == "application/pdf"
        text = PdfReader(io.BytesIO(base64.b64decode(pdf["data_b64"]))).pages[0].extract_text()
        assert message.recipient_name in text and event.title in text
    czech = next(m for m in messages if m.recipient == regs[1].email)
    assert czech.language == "cs" and czech.subject.startswith("Vaše osvědčení o účasti")
    assert "Dobrý den, Győző Szőke-Fűzfa," in czech.body_text
    czech_pdf = base64.b64decode(czech.attachments[0]["data_b64"])
    assert "Osvědčení o účasti" in PdfReader(io.BytesIO(czech_pdf)).pages[0].extract_text()
    # sent once: a second click queues nothing new
    client.post(f"/attendance/events/{event.slug}/certificates")
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 2
    url = f"/attendance/events/{event.slug}/certificate.pdf"
    with client.get(f"{url}?registration={regs[0].id}") as preview:
        assert preview.status_code == 200 and preview.mimetype == "application/pdf"
        assert regs[0].name in PdfReader(io.BytesIO(preview.data)).pages[0].extract_text()
    with client.get(url) as sample:
        assert "Jana Nováková" in PdfReader(io.BytesIO(sample.data)).pages[0].extract_text()
    assert client.get(f"{url}?registration={regs[2].id}").status_code == 404


def test_roster_and_my_sessions_constant_queries(client, auth, users, count_queries) -> None:
    trainer = users["trainer"]
    small_event = make_event("few-2030")
    small = make_session(small_event, trainers=[trainer], title="Few")
    make_registration(small_event, "Jediný Účastník", sessions=[small])
    big_event = make_event("many-2030")
    big = make_session(big_event, trainers=[trainer], title="Many")
    for i in range(25):
        reg = make_registration(big_event, f"Účastník {i}", f"Org {i}", sessions=[big])
        if i % 2:
            factories.attendance(big, reg, "late")
    for i in range(5):
        make_session(big_event, trainers=[trainer], title=f"More {i}")
    db.session.commit()
    auth.login_as(trainer)
    with count_queries() as few:
        client.get(f"/attendance/sessions/{small.id}")
    with count_queries() as many:
        page = client.get(f"/attendance/sessions/{big.id}").get_data(as_text=True)
    assert many.count == few.count
    assert "Účastník 24" in page
    with count_queries() as listing:
        page = client.get("/attendance/").get_data(as_text=True)
    assert "More 4" in page and listing.count <= 6


def test_roster_in_czech(client, auth, users, world) -> None:
    _, session, _ = world
    auth.login_as(users["trainer"])
    page = client.get(f"/attendance/sessions/{session.id}?lang=cs").get_data(as_text=True)
    assert "Přítomen" in page and "Uzavřít docházku" in page and "Moje školení" in page

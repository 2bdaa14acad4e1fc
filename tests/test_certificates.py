"""Certificates of attendance: the rule per event (all sessions, at least N, by hand), the PDF
(issuer, signatory, hours, sessions, date and place, code) read back by pypdf, reissuing, and
the public page that confirms a code (valid, revoked, unknown)."""

from __future__ import annotations

import base64
import io

import pytest
from flask_babel import refresh
from pypdf import PdfReader
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import AttendanceStatus, AuditEntry, Certificate, OutboxMessage, Role
from clusgo_events.services import ServiceError
from clusgo_events.services.attendance import issuing
from clusgo_events.services.attendance.settings import ReportSettingsData, update_settings
from tests import factories as f


@pytest.fixture()
def world(app, clock):  # type: ignore[no-untyped-def]
    """Three sessions of 2 h; all three attended by one, two by another, one by a third."""
    organiser = f.user(Role.ORGANISER)
    event = f.event()
    sessions = [f.session(event, hour=h, hours=2, title=f"Modul {h}") for h in (9, 12, 15)]
    every = f.registration(event, 0, sessions=sessions)
    two = f.registration(event, 1, sessions=sessions)
    one = f.registration(event, 2, sessions=sessions[:1])
    for s in sessions:
        f.attendance(s, every, AttendanceStatus.PRESENT)
    f.attendance(sessions[0], two, AttendanceStatus.PRESENT)
    f.attendance(sessions[1], two, AttendanceStatus.LATE)
    f.attendance(sessions[2], two, AttendanceStatus.ABSENT)
    f.attendance(sessions[0], one, AttendanceStatus.PRESENT)
    db.session.commit()
    return {
        "event": event,
        "sessions": sessions,
        "every": every,
        "two": two,
        "one": one,
        "organiser": organiser,
    }


def _rule(world, rule: str, n: int = 1) -> None:  # type: ignore[no-untyped-def]
    update_settings(
        world["event"],
        ReportSettingsData(
            certificate_rule=rule,
            certificate_min_sessions=n,
            issuer="Národní klastrová asociace",
            signatory_name="Ing. Pavla Dvořáková",
            signatory_role="ředitelka",
            city="Brno",
        ),
        world["organiser"],
    )
    db.session.commit()


def _names(registrations) -> set[str]:  # type: ignore[no-untyped-def]
    return {r.name for r in registrations}


def test_the_rule_names_who_earns_one(world) -> None:
    every, two, one = world["every"], world["two"], world["one"]
    _rule(world, "all")
    assert _names(issuing.eligible_for_certificate(world["event"])) == {every.name, one.name}
    _rule(world, "at_least", 2)
    assert _names(issuing.eligible_for_certificate(world["event"])) == {every.name, two.name}
    _rule(world, "by_hand")
    assert issuing.eligible_for_certificate(world["event"]) == []
    with pytest.raises(ServiceError):
        issuing.send_certificates(world["event"], world["organiser"])


def _pdf_text(message: OutboxMessage) -> str:
    data = base64.b64decode(message.attachments[0]["data_b64"])
    return PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_the_certificate_says_it_all(world) -> None:
    _rule(world, "at_least", 2)
    assert issuing.send_certificates(world["event"], world["organiser"]) == 2
    db.session.commit()
    two = world["two"]
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == two.email))
    text = _pdf_text(message)  # in Hungarian, the participant's language
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.registration_id == two.id)
    )
    assert certificate.sessions == 2 and certificate.minutes == 240
    for expected in (
        "Národní klastrová asociace",
        "Ing. Pavla Dvořáková",
        "ředitelka",
        "Brno",
        "Modul 9",
        "Modul 12",
        certificate.code,
        f"/certificates/{certificate.code}",
    ):
        assert expected in text, expected
    assert "Modul 15" not in text  # absent there
    assert "4" in text.split("Képzési órák")[1][:12]  # training hours: 4
    assert issuing.send_certificates(world["event"], world["organiser"]) == 0  # once each


def test_chosen_by_hand(world, client, auth) -> None:
    _rule(world, "by_hand")
    auth.login_as(world["organiser"])
    refresh()
    url = f"/attendance/events/{world['event'].slug}/certificates/choose"
    page = client.get(url).get_data(as_text=True)
    assert world["one"].name in page and 'name="chosen"' in page
    empty = client.post(url, data={})
    assert "Choose at least one participant." in empty.get_data(as_text=True)
    done = client.post(url, data={"chosen": [str(world["one"].id), "99999", "x"]})
    assert done.status_code == 302
    held = db.session.scalars(select(Certificate)).all()
    assert [c.name for c in held] == [world["one"].name]
    summary = client.get(f"/attendance/events/{world['event'].slug}").get_data(as_text=True)
    assert held[0].code in summary and "Rule: chosen by hand." in summary


def test_reissue_and_the_public_page(world, client, auth) -> None:
    _rule(world, "all")
    issuing.send_certificates(world["event"], world["organiser"])
    db.session.commit()
    first = db.session.scalar(
        select(Certificate).where(Certificate.registration_id == world["every"].id)
    )
    refresh()
    anonymous = client.get(f"/certificates/{first.code.lower().replace('-', '')}")
    page = anonymous.get_data(as_text=True)
    assert anonymous.status_code == 200 and "This certificate is valid." in page
    assert world["every"].name in page and world["every"].email not in page
    auth.login_as(world["organiser"])
    url = f"/attendance/events/{world['event'].slug}/certificates/{first.id}/reissue"
    question = client.get(url).get_data(as_text=True)
    assert f"The code {first.code} will be shown as revoked." in question
    assert db.session.scalar(select(Certificate).where(Certificate.revoked_at.is_not(None))) is None
    client.post(url)
    db.session.expire_all()
    assert first.revoked_at is not None
    new = db.session.scalar(
        select(Certificate).where(
            Certificate.registration_id == world["every"].id, Certificate.revoked_at.is_(None)
        )
    )
    assert new.code != first.code
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == world["every"].email)
    ).all()
    assert len(mails) == 2 and new.code in _pdf_text(mails[-1])
    audit = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "attendance.certificate_reissue")
    )
    assert audit.details == {"revoked": first.code, "code": new.code}
    refresh()
    revoked = client.get(f"/certificates/{first.code}").get_data(as_text=True)
    assert "This certificate was revoked on" in revoked
    forged = client.get("/certificates/AAAA-BBBB-CCCC")
    assert forged.status_code == 404 and "No certificate has the code" in forged.get_data(
        as_text=True
    )
    assert client.get("/certificates/" + "x" * 300).status_code == 404

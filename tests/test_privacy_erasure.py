"""A person's data exported and erased; the registry of personal columns covers every model.

The erasure is checked by dumping the whole database (every row of every table, as the
database returns it) and the upload folder, and searching the dump for the address and the
name, folded (case and diacritics).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, func, select

from clusgo_events.extensions import db
from clusgo_events.models import (
    AttendanceRecord,
    AuditEntry,
    Certificate,
    ErasureRequest,
    Invitation,
    OutboxMessage,
    RateLimitCounter,
    Registration,
    ReportSettings,
    Respondent,
    User,
)
from clusgo_events.models.respondent import fold
from clusgo_events.services import audit, respondents
from clusgo_events.services.invitations.sending import send_invitations
from clusgo_events.services.privacy import erasure, registry
from clusgo_events.services.privacy.person import FINDERS, RELATED
from clusgo_events.services.registration import Attendee, register
from clusgo_events.services.survey import import_survey
from clusgo_events.services.survey.uploads import preview_upload, upload_folder
from tests import factories
from tests.conftest import AuthActions, make_user

EMAIL = "Zoltan.Kovacs@Example.HU"
NAME = "Kovács-Szűcs Zoltán"
OTHER = "Ďurčo Ľubomír"


def dump_database() -> str:
    """Every row of every table (reflected: what the database holds), one line a row, JSON
    decoded so that escaped characters read as themselves."""
    metadata = MetaData()
    metadata.reflect(bind=db.engine)
    lines = []
    with db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                values = []
                for value in row:
                    values.append(str(value))
                    if isinstance(value, str) and value[:1] in "[{":
                        try:
                            values.append(json.dumps(json.loads(value), ensure_ascii=False))
                        except ValueError:
                            pass
                lines.append(f"{table.name}: " + " | ".join(values))
    return "\n".join(lines)


def dump_uploads() -> str:
    folder = upload_folder()
    if not folder.is_dir():
        return ""
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in folder.iterdir())


def found_in(text: str, *words: str) -> list[str]:
    folded = fold(text)
    return [w for w in words if fold(w) in folded]


def counts() -> dict[str, Any]:
    """Every count the organisers and the funder see: respondents per country, invitations,
    registrations and seats per status and country, attendance per status and country."""

    def grouped(*columns: Any) -> Counter:
        return Counter(
            {
                tuple(k): n
                for *k, n in db.session.execute(select(*columns, func.count()).group_by(*columns))
            }
        )

    return {
        "respondents": [vars(c) for c in respondents.country_counts()],
        "invitations": grouped(Invitation.event_id, Invitation.status),
        "registrations": grouped(Registration.event_id, Registration.status, Registration.country),
        "organisations": grouped(Registration.organisation_name),
        "attendance": grouped(
            AttendanceRecord.session_id, AttendanceRecord.status, AttendanceRecord.country
        ),
        "users": db.session.scalar(select(func.count(User.id))),
    }


def build_person(app: Flask) -> None:
    """The person everywhere the app keeps people: a survey row (and its kept upload), an
    invitation and its mail, an account, a registration with a seat, attendance, a walk-in
    entry under the same address, audit details naming them, a rate-limit counter, an
    erasure request, an event naming them as its contact person; and another person beside
    them who must stay."""
    event = factories.event()
    factories.event(contact_name=NAME, contact_email=EMAIL.lower())
    training = factories.session(event)
    csv = (
        "email,contact_name,country,interested_in_event,consent,comment\n"
        f"{EMAIL},{NAME},HU,yes,yes,Hívjanak: +36 30 123 4567 ({NAME})\n"
        f"durco@example.sk,{OTHER},SK,yes,yes,\n"
    ).encode()
    preview_upload(csv, {}, "kontakty.csv")
    import_survey(csv, filename="kontakty.csv")
    db.session.commit()
    send_invitations(event)
    db.session.commit()
    invitation = db.session.scalar(
        select(Invitation).join(Respondent).where(Respondent.email == EMAIL.lower())
    )
    account = make_user("representative", EMAIL.lower(), NAME)
    register(
        event,
        Attendee(
            name=NAME,
            email=EMAIL.lower(),
            organisation_name="Pannon Klaszter",
            country="HU",
            phone="+36 30 123 4567",
            dietary_needs="gluténmentes",
            privacy_consent=True,
        ),
        [training.id],
        user=account,
        invitation=invitation,
    )
    registration = db.session.scalar(select(Registration).where(Registration.user_id == account.id))
    factories.attendance(training, registration)
    # their certificate (it prints their name), and an event whose report they sign
    db.session.add(Certificate(event_id=event.id, registration_id=registration.id,
                               code="PRIV-ACY0-TEST", name=NAME))  # fmt: skip
    db.session.add(ReportSettings(event_id=event.id, signatory_name=NAME))
    factories.attendance(training, None, name=NAME.upper(), email=EMAIL)
    other = factories.registration(event, 2, name=OTHER)
    factories.attendance(training, other)
    factories.outbox_message(EMAIL.lower(), "sent", recipient_name=NAME, subject=f"Kedves {NAME}")
    audit.record("note", registration, {"said": f"{NAME} phoned", "list": [EMAIL]})
    db.session.add(RateLimitCounter(key=f"login/{EMAIL.lower()}", count=2, expires_at=9e9))
    db.session.add(ErasureRequest(user_id=account.id, email=account.email))
    db.session.commit()


def test_the_registry_declares_every_personal_looking_column(app: Flask) -> None:
    """A column whose name or type looks personal is declared one way or the other; every
    table with personal columns is covered by the export and the erasure."""
    assert registry.undeclared() == []
    tables = set(registry.personal_tables())
    assert tables <= set(FINDERS), f"not covered by person.FINDERS: {tables - set(FINDERS)}"
    assert {"respondent", "registration", "outbox_message", "audit_entry"} <= tables
    assert all(name in db.metadata.tables for name in (*FINDERS, *RELATED))


def test_the_registry_notices_an_undeclared_column(app: Flask) -> None:
    """The check itself works: a column added without a declaration is named."""
    table = db.metadata.tables["respondent"]
    column = table.columns["contact_name"]
    saved = column.info.pop("personal")
    try:
        assert registry.undeclared() == ["respondent.contact_name"]
    finally:
        column.info["personal"] = saved


def test_erasure_leaves_the_address_and_name_nowhere_and_keeps_every_count(app: Flask) -> None:
    build_person(app)
    namesake = f"{NAME}né called"  # another person (his wife, Hungarian style): stays
    audit.record("note", db.session.get(User, 1), {"said": namesake})
    db.session.commit()
    before = counts()
    dump = dump_database()
    assert found_in(dump, EMAIL, NAME, OTHER) == [EMAIL, NAME, OTHER]
    assert found_in(dump_uploads(), EMAIL) == [EMAIL]
    report = erasure.erase(EMAIL)
    db.session.commit()
    assert report.rows["registration"] == 1 and report.rows["attendance_record"] == 2
    assert report.audit_entries >= 1 and report.uploads == 1
    dump = dump_database()
    assert namesake in dump  # whole words only: "Zoltánné" is not "Zoltán"
    dump = dump.replace(namesake, "")
    assert found_in(dump, EMAIL, NAME, "+36 30 123 4567", "gluténmentes") == []
    assert found_in(dump_uploads(), EMAIL) == []
    assert found_in(dump, OTHER) == [OTHER]  # the other person stays
    assert counts() == before
    # the erasure is logged, without the data
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.erased"))
    assert entry is not None and entry.details["registration"] == 1
    # the account is closed; nothing is queued to the old address
    assert db.session.scalar(select(User).where(User.name == "")).is_active_account is False
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "queued")
        )
        == 1
    )  # the other person's invitation


def test_erasure_dry_run_changes_nothing_and_a_stranger_is_refused(app: Flask) -> None:
    build_person(app)
    dump = dump_database()
    report = erasure.plan(EMAIL)
    db.session.commit()
    assert report.rows["respondent"] == 1
    assert dump_database() == dump
    with pytest.raises(erasure.ServiceError):
        erasure.plan("nobody@example.org")


def test_export_holds_everything_about_the_person(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    build_person(app)
    output = tmp_path / "data.zip"
    result: Result = runner.invoke(
        args=["privacy", "export", EMAIL.upper(), "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(output) as archive:
        data = json.loads(archive.read("data.json"))
        html = archive.read("data.html").decode()
    tables = data["tables"]
    expected = {
        "respondent",
        "user",
        "consent_record",
        "invitation",
        "registration",
        "session_seat",
        "attendance_record",
        "outbox_message",
        "audit_entry",
        "erasure_request",
        "rate_limit_counter",
    }
    assert expected <= set(tables)
    # every table with personal columns that holds a row of theirs is in the export
    assert set(registry.personal_tables()) <= set(tables)
    [respondent] = tables["respondent"]
    assert respondent["raw_answers"]["comment"].startswith("Hívjanak")
    assert "password_hash" not in tables["user"][0]
    assert len(tables["attendance_record"]) == 2
    assert NAME in html and OTHER not in html and OTHER not in json.dumps(data, ensure_ascii=False)


def test_erase_command_asks_once_and_says_what_it_blanks(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    build_person(app)
    refused = runner.invoke(args=["privacy", "erase", EMAIL], input="n\n")
    assert refused.exit_code != 0 and "registration: 1" in refused.output
    assert found_in(dump_database(), EMAIL) == [EMAIL]
    done = runner.invoke(args=["privacy", "erase", EMAIL], input="y\n")
    assert done.exit_code == 0, done.output
    assert found_in(dump_database(), EMAIL, NAME) == []


def test_a_user_asks_and_an_admin_erases_from_the_page(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    build_person(app)
    admin = make_user("admin", "boss@example.org")
    with app.app_context():
        person = app.test_client()
        AuthActions(person).login(EMAIL.lower())
        mine = person.get("/privacy/my-data")
        assert mine.status_code == 200
        with zipfile.ZipFile(io.BytesIO(mine.data)) as archive:
            assert NAME in archive.read("data.html").decode()
        assert b"This cannot be undone." in person.get("/privacy/erase-me").data
        assert person.post("/privacy/erase-me").status_code == 302
    pending = erasure.pending_requests()
    assert [r.email for r in pending] == [EMAIL.lower()]  # asking twice makes one request
    auth.login(admin.email)
    page = client.get("/admin/privacy").get_data(as_text=True)
    assert EMAIL.lower() in page
    ask = client.get(f"/admin/privacy/erase?email={EMAIL}")
    assert ask.status_code == 200 and b"registration: 1" in ask.data
    assert found_in(dump_database(), EMAIL) == [EMAIL]  # the question changed nothing
    assert client.post("/admin/privacy/erase", data={"email": EMAIL}).status_code == 302
    assert found_in(dump_database(), EMAIL, NAME) == []
    assert erasure.pending_requests() == []


def test_an_erased_persons_unsubscribe_link_still_answers_200(app: Flask) -> None:
    from clusgo_events.services.privacy import unsubscribe

    build_person(app)
    person = db.session.scalar(select(Respondent).where(Respondent.email == EMAIL.lower()))
    path = f"/privacy/unsubscribe/{unsubscribe.token_for(person)}"
    erasure.erase(EMAIL)
    db.session.commit()
    with app.app_context():
        answer = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert found_in(dump_database(), EMAIL, NAME) == []

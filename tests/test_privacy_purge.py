"""The retention purge, with the controlled clock: each kind goes when its period has run."""

from __future__ import annotations

import os
import time

from flask import Flask
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, OutboxMessage, Registration, Respondent
from clusgo_events.services import periodic
from clusgo_events.services.privacy import retention
from clusgo_events.services.survey.uploads import store_upload, upload_folder
from tests import factories
from tests.conftest import Clock
from tests.test_privacy_erasure import counts, dump_database, found_in


def _world() -> dict:
    event = factories.event(starts_in_days=10, days=1)
    training = factories.session(event)
    invited = factories.respondent("invited@example.org", contact_name="Ilona Meghívott")
    factories.invitation(event, invited, decline_reason="")
    never = factories.respondent("never@example.org", contact_name="Nándor Soha")
    registration = factories.registration(
        event, 1, sessions=[training], dietary_needs="vegán", accessibility_needs="rámpa"
    )
    factories.attendance(training, registration)
    factories.attendance(training, None, name="Walk Inová", email="walk@example.org")
    factories.outbox_message("reader@example.org", "sent", recipient_name="Olvasó Ottó")
    db.session.commit()
    return {"event": event, "registration": registration, "never": never, "invited": invited}


def test_each_kind_goes_when_its_period_has_run(app: Flask, clock: Clock) -> None:
    world = _world()
    app.config.update(
        PRIVACY_NEEDS_DAYS=30,
        PRIVACY_REGISTRATION_DAYS=365,
        PRIVACY_UNINVITED_DAYS=200,
        PRIVACY_OUTBOX_DAYS=100,
        PRIVACY_AUDIT_DAYS=500,
    )
    # before the event nothing is due (the sent message's bodies are dropped at once)
    assert retention.purge()["needs"] == 0
    db.session.commit()
    clock.advance(days=10 + 29)  # the event ended 29 days ago: the needs stay
    assert retention.purge()["needs"] == 0
    clock.advance(days=2)  # 31 days after: the needs go, nothing else of the registration
    first = retention.purge()
    db.session.commit()
    assert first["needs"] == 1 and first["registrations"] == 0
    db.session.expire_all()
    registration = world["registration"]
    assert (registration.dietary_needs, registration.accessibility_needs) == ("", "")
    assert registration.name != "" and registration.email != ""
    clock.advance(days=100)  # 141 days from the start: the outbox recipient goes
    assert retention.purge()["outbox_recipients"] == 1
    db.session.commit()
    clock.advance(days=70)  # 211: the respondent never invited goes
    before = counts()
    assert retention.purge()["respondents"] == 1
    db.session.commit()
    assert found_in(dump_database(), "never@example.org", "Nándor Soha") == []
    assert found_in(dump_database(), "invited@example.org") == ["invited@example.org"]
    clock.advance(days=170)  # a year after the event: registrations, attendance, the invited
    result = retention.purge()
    db.session.commit()
    assert (result["registrations"], result["attendance"], result["respondents"]) == (1, 2, 1)
    dump = dump_database()
    assert found_in(dump, "invited@example.org", "Ilona Meghívott", "Walk Inová", "Olvasó") == []
    assert found_in(dump, registration.organisation_name) == [registration.organisation_name]
    # the funder's figures stay: country, organisation, attendance per status
    assert counts() == before
    assert retention.purge(dry_run=True)["registrations"] == 0  # nothing twice
    db.session.rollback()
    clock.advance(days=200)
    old = db.session.scalar(select(func.count(AuditEntry.id)))
    assert retention.purge()["audit_entries"] > 0
    db.session.commit()
    assert db.session.scalar(select(func.count(AuditEntry.id))) < old


def test_dry_run_counts_and_keeps(app: Flask, clock: Clock, runner) -> None:  # type: ignore[no-untyped-def]
    _world()
    clock.advance(days=1200)  # past PRIVACY_REGISTRATION_DAYS (1095)
    result = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "registrations      1" in result.output and "Dry run" in result.output
    assert db.session.scalar(select(func.count(Registration.id)).where(Registration.email != ""))
    result = runner.invoke(args=["privacy", "purge"])
    assert "registrations      1" in result.output
    assert not db.session.scalar(
        select(func.count(Registration.id)).where(Registration.email != "")
    )
    assert (
        db.session.scalar(
            select(func.count(Respondent.id)).where(Respondent.anonymised_at.is_not(None))
        )
        == 2
    )


def test_old_uploads_go(app: Flask, clock: Clock) -> None:
    folder = upload_folder()
    now = time.time()  # the controlled clock's (files get the real time: set it)
    kept = store_upload(folder, b"email\nx@example.org\n", {}, "a.csv")
    os.utime(folder / f"{kept}.data", (now - 23 * 3600, now - 23 * 3600))
    old = store_upload(folder, b"email\ny@example.org\n", {}, "b.csv")
    os.utime(folder / f"{old}.data", (now - 25 * 3600, now - 25 * 3600))
    assert retention.purge(dry_run=True)["uploads"] == 1
    db.session.rollback()
    assert (folder / f"{old}.data").exists()
    assert retention.purge()["uploads"] == 1
    assert (folder / f"{kept}.data").exists() and not (folder / f"{old}.data").exists()


def test_the_worker_runs_it_daily(app: Flask, clock: Clock) -> None:
    _world()
    clock.advance(days=1200)  # past PRIVACY_REGISTRATION_DAYS (1095)
    first = periodic.run_due(names=["privacy-purge"])
    assert first["privacy-purge"]["registrations"] == 1
    assert periodic.run_due(names=["privacy-purge"]) == {}  # not again the same day
    clock.advance(days=1)
    assert periodic.run_due(names=["privacy-purge"])["privacy-purge"]["registrations"] == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1

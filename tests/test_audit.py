"""The audit trail records who acted and from where, whoever calls the operation."""

from __future__ import annotations

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, AuditSource
from clusgo_events.services import ServiceError, audit
from clusgo_events.web import perform
from tests import factories


def test_outside_a_request_the_change_comes_from_the_command_line(app) -> None:
    event = factories.event()
    entry = audit.record("event.publish", event)
    db.session.commit()
    assert (entry.source, entry.user_id, entry.event_id) == (AuditSource.CLI, None, event.id)


def test_the_worker_says_so(app) -> None:
    training = factories.session(factories.event())
    with audit.acting_from("worker"):
        entry = audit.record("session.cancel", training)
    assert entry.source == AuditSource.WORKER and entry.event_id == training.event_id
    assert audit.current_actor()[1] == AuditSource.CLI  # restored afterwards


def test_in_a_request_the_logged_in_user_acts(app, client, auth) -> None:
    organiser = factories.user("organiser")
    db.session.commit()
    auth.login_as(organiser)
    with client:
        client.get("/")
        entry = audit.record("event.create", factories.event())
        assert (entry.source, entry.user_id) == (AuditSource.WEB, organiser.id)


def test_perform_commits_on_success_and_rolls_back_on_a_refusal(app) -> None:
    def refuse() -> None:
        factories.event(slug="never-kept")
        raise ServiceError("No.")

    with app.test_request_context("/"):
        kept = perform(lambda: factories.event(slug="kept"), done="Saved.")
        refused = perform(refuse)
    db.session.expire_all()
    assert kept.ok and not refused.ok and refused.error.message == "No."
    slugs = set(db.session.scalars(db.select(factories.Event.slug)))
    assert slugs == {"kept"}
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0


def test_a_proof_serves_its_own_purpose_only(app, clock) -> None:
    import pytest

    from clusgo_events.services.proofs import ProofError, make_proof, read_proof

    token = make_proof("password-reset", "jana@example.cz", v="abc")
    assert read_proof("password-reset", token) == {"email": "jana@example.cz", "v": "abc"}
    with pytest.raises(ProofError) as wrong:
        read_proof("signup", token)
    assert wrong.value.reason == "invalid"
    clock.advance(hours=1, seconds=1)
    with pytest.raises(ProofError) as late:
        read_proof("password-reset", token)
    assert late.value.reason == "expired"

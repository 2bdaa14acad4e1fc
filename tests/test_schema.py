"""Migrations match the models; pages make a constant number of queries; the demo loads."""

from __future__ import annotations

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import CheckConstraint, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError

from clusgo_events.extensions import db
from clusgo_events.models import Event, Organisation, OrganisationKind, TrainingSession, User
from clusgo_events.models.base import utcnow
from tests import factories
from tests.conftest import make_user


def test_migrations_match_models(app: Flask) -> None:
    """The session fixture built the schema with the migrations; autogenerate sees no change."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def _check_constraints(inspector, table: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Name -> the set of quoted values in each CHECK constraint of ``table``."""
    found = {}
    for check in inspector.get_check_constraints(table):
        found[check["name"]] = sorted(re.findall(r"'([^']*)'", check["sqltext"]))
    return found


def test_check_constraints_match_models(app: Flask) -> None:
    """Every CHECK a model declares exists in the migrated database with the same values."""
    inspector = sa_inspect(db.engine)
    for table in db.metadata.sorted_tables:
        expected = {}
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint):
                values = re.findall(r"'([^']*)'", str(constraint.sqltext))
                expected[str(constraint.name)] = sorted(values)
        actual = _check_constraints(inspector, table.name)
        assert {k: v for k, v in actual.items() if k in expected} == expected, table.name
        assert set(expected) <= set(actual), table.name


def test_check_constraint_refuses_an_unknown_status(app: Flask) -> None:
    host = factories.organisation("Host")
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE organisation SET kind = 'pirate' WHERE id = :id"), {"id": host.id}
        )
    db.session.rollback()


def _populate(n_events: int) -> None:
    """``n_events`` published events with a host and three sessions each (one trainer)."""
    host = factories.organisation("Host", kind=OrganisationKind.HOST)
    trainer = make_user("trainer", f"t{n_events}@example.org")
    for i in range(n_events):
        event = factories.event(
            f"event-{i}",
            title=f"Event {i}",
            starts_in_days=30 + i % 20,
            days=1,
            host_organisation=host,
        )
        for j in range(3):
            factories.session(event, title=f"S{j}", hour=10 + j, hours=1, trainers=[trainer])
    db.session.commit()


def _queries_for(client, count_queries, path: str) -> int:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter.count


def test_event_list_and_page_constant_queries(app, client, count_queries) -> None:
    _populate(5)
    list_small = _queries_for(client, count_queries, "/events/")
    page_small = _queries_for(client, count_queries, "/events/event-1")
    db.session.execute(db.delete(TrainingSession))
    db.session.execute(db.delete(Event))
    db.session.execute(db.delete(Organisation))
    db.session.execute(db.delete(User))
    db.session.commit()
    _populate(50)
    list_large = _queries_for(client, count_queries, "/events/")
    page_large = _queries_for(client, count_queries, "/events/event-1")
    print(f"queries: list {list_small}/{list_large}, page {page_small}/{page_large}")
    assert list_small == list_large
    assert page_small == page_large
    assert list_large <= 8 and page_large <= 6


def test_demo_is_idempotent(runner, app) -> None:
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "organiser@clusgo.example" in first.output
    counts = {m: db.session.query(m).count() for m in (Event, TrainingSession, User, Organisation)}
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert counts == {m: db.session.query(m).count() for m in counts}
    event = db.session.scalar(db.select(Event).where(Event.slug == "brno-2017"))
    assert event.timezone == "Europe/Prague" and event.status == "published"
    assert len(event.sessions) >= 2
    assert event.host_organisation.name.startswith("Natureef")
    assert counts[Organisation] >= 9
    upcoming = db.session.scalar(db.select(Event).where(Event.slug == "brno-follow-up"))
    assert upcoming.status == "published" and upcoming.allow_direct_signup
    assert upcoming.registration_closes_at > utcnow() and len(upcoming.sessions) == 2
    assert {u.role for u in db.session.scalars(db.select(User))} == {
        "admin",
        "organiser",
        "trainer",
    }

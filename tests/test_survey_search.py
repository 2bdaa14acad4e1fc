"""Respondent search folds case and diacritics, the same on SQLite and PostgreSQL.

SQLite's ``lower()`` folds only ASCII, so a search for "Łódź" used to find nobody there; a
stored search key (``Respondent.search_key``), kept on every write and filled for existing
rows by its migration, is compared instead.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import select, text, update

from clusgo_events import create_app
from clusgo_events.extensions import db
from clusgo_events.models import Respondent
from clusgo_events.models.respondent import fold
from clusgo_events.services.survey import import_survey
from tests import factories
from tests.conftest import _config
from tests.survey_helpers import csv_bytes

MIGRATIONS = str(Path(__file__).parent.parent / "migrations")

PEOPLE = [
    ("l.z@textil.example", "Łukasz Żółkiewski", "Łódź Textile Cluster", "PL"),
    ("m.d@bb.example", "Mária Ďurišová", "Banskobystrický ICT klaster", "SK"),
    ("g.s@gyor.example", "Szűcs Gábor", "Pannon Autóipari Klaszter", "HU"),
    ("j.n@brno.example", "Jan Novák", "Jihomoravský klastr", "CZ"),
]


def found(client, query: str) -> set[str]:  # type: ignore[no-untyped-def]
    page = client.get(f"/survey/respondents?q={quote(query)}").get_data(as_text=True)
    return set(re.findall(r"([\w.]+@[\w.]+)</td>", page))


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("Łódź", "l.z@textil.example"),
        ("lodz", "l.z@textil.example"),
        ("ŁÓDŹ", "l.z@textil.example"),
        ("Żółkiewski", "l.z@textil.example"),
        ("zolkiewski", "l.z@textil.example"),
        ("Ďurišová", "m.d@bb.example"),
        ("DURISOVA", "m.d@bb.example"),
        ("szűcs", "g.s@gyor.example"),
        ("SZUCS", "g.s@gyor.example"),
        ("autoipari", "g.s@gyor.example"),
        ("NOVÁK", "j.n@brno.example"),
        ("BRNO.EXAMPLE", "j.n@brno.example"),
    ],
)
def test_search_folds_case_and_diacritics(client, auth, users, query, who) -> None:
    auth.login_as(users["organiser"])
    for email, name, organisation, country in PEOPLE:
        factories.respondent(email, country, contact_name=name, organisation_name=organisation)
    db.session.commit()
    assert found(client, query) == {who}


def test_search_key_follows_every_write(client, auth, users) -> None:
    """Created or changed through the ORM or by an import, the key is current."""
    auth.login_as(users["organiser"])
    person = factories.respondent("a.b@example.org", contact_name="Anna Beneš")
    db.session.commit()
    assert found(client, "benes") == {"a.b@example.org"}
    person.contact_name = "Anna Šťastná"
    db.session.commit()
    assert found(client, "stastna") == {"a.b@example.org"} and not found(client, "benes")
    import_survey(csv_bytes([["a.b@example.org", "Anna Dvořáková"]], ["email", "name"]))
    import_survey(csv_bytes([["c.d@example.org", "Cyril Kráľ"]], ["email", "name"]))
    db.session.commit()
    assert found(client, "dvorakova") == {"a.b@example.org"} and not found(client, "stastna")
    assert found(client, "kral") == {"c.d@example.org"}
    # an import that leaves the names alone leaves the key alone
    import_survey(csv_bytes([["c.d@example.org", "no"]], ["email", "consent"]))
    db.session.commit()
    assert found(client, "kral") == {"c.d@example.org"}


def test_wildcards_in_a_search_are_plain_characters(client, auth, users) -> None:
    auth.login_as(users["organiser"])
    factories.respondent("under_score@example.org", contact_name="Ivo")
    factories.respondent("underXscore@example.org", contact_name="Eva")
    db.session.commit()
    assert found(client, "under_score") == {"under_score@example.org"}
    assert found(client, "100%") == set()


def test_fold() -> None:
    assert fold("Łódź") == "lodz" and fold("Ďurišová") == "durisova"
    assert fold("Szőke-Fűzfa Győző") == "szoke-fuzfa gyozo" and fold("Straße") == "strasse"
    assert fold("ALL ASCII @ 42") == "all ascii @ 42"


def test_migration_fills_the_key_of_existing_respondents(database_url: str) -> None:
    """Respondents written before the key existed get theirs from the data migration."""
    script = ScriptDirectory.from_config(_alembic_config())
    before = script.get_revision("0040").down_revision
    url, schema = _scratch(database_url)
    app = create_app({**_config(), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        try:
            if schema:
                with db.engine.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    conn.execute(text(f"CREATE SCHEMA {schema}"))
            upgrade(directory=MIGRATIONS, revision=str(before))
            with db.engine.begin() as conn:
                for i, (email, name, organisation, country) in enumerate(PEOPLE):
                    conn.execute(
                        text(
                            "INSERT INTO respondent (id, email, contact_name, organisation_id,"
                            " organisation_name, country, city, sector, website,"
                            " interested_in_event, interested_in_training, consent, raw_answers,"
                            " created_at, updated_at) VALUES (:id, :email, :name, NULL, :org,"
                            " :country, '', '', '', :no, :no, :no, '{}', :now, :now)"
                        ),
                        {
                            "id": i + 1,
                            "email": email,
                            "name": name,
                            "org": organisation,
                            "country": country,
                            "no": False,
                            "now": "2017-01-05 10:00:00",
                        },
                    )
            upgrade(directory=MIGRATIONS, revision="heads")
            keys = dict(db.session.execute(select(Respondent.email, Respondent.search_key)).all())
            assert "lodz textile cluster" in keys["l.z@textil.example"]
            assert "durisova" in keys["m.d@bb.example"]
            db.session.execute(update(Respondent).values(contact_name="x"))  # still writable
        finally:
            db.session.remove()
            if schema:
                with db.engine.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            db.engine.dispose()


def _alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return config


def _scratch(database_url: str) -> tuple[str, str | None]:
    """A database of this test's own: a new SQLite file, or a PostgreSQL schema."""
    if database_url.startswith("postgresql"):
        schema = "survey_migration_test"
        separator = "&" if "?" in database_url else "?"
        return f"{database_url}{separator}options=-csearch_path%3D{schema}", schema
    folder = Path(database_url.removeprefix("sqlite:///")).parent
    target = folder / "survey_migration_test.sqlite3"
    target.unlink(missing_ok=True)
    return f"sqlite:///{target}", None

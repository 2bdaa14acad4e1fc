"""Names sort the reader's way on both databases (ICU): Ř after R, Ch after H, Cs after C,
Ł after L — in the queries of rosters and lists, not only in Python."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clusgo_events.collation import collated, sort_key
from clusgo_events.extensions import db
from clusgo_events.models import Organisation

NAMES = ["Rybář", "Řehoř", "Sova", "Śliwa", "Chalupa", "Hora", "Ivan", "Cukor", "Csonka",
         "Dudás", "Lakatos", "Łukasz", "Mazur", "Zoltán", "Žák"]  # fmt: skip

EXPECTED = {
    # Czech: Ch is a letter after H, Ř after R, Ž after Z
    "cs": ["Csonka", "Cukor", "Dudás", "Hora", "Chalupa", "Ivan", "Lakatos", "Łukasz", "Mazur",
           "Rybář", "Řehoř", "Śliwa", "Sova", "Zoltán", "Žák"],
    # Slovak: the same letters as Czech here
    "sk": ["Csonka", "Cukor", "Dudás", "Hora", "Chalupa", "Ivan", "Lakatos", "Łukasz", "Mazur",
           "Rybář", "Řehoř", "Śliwa", "Sova", "Zoltán", "Žák"],
    # Hungarian: Cs is a letter after C (Ř, Ž are R, Z with an accent)
    "hu": ["Chalupa", "Cukor", "Csonka", "Dudás", "Hora", "Ivan", "Lakatos", "Łukasz", "Mazur",
           "Řehoř", "Rybář", "Śliwa", "Sova", "Žák", "Zoltán"],
    # Polish: Ł after L, Ś after S
    "pl": ["Chalupa", "Csonka", "Cukor", "Dudás", "Hora", "Ivan", "Lakatos", "Łukasz", "Mazur",
           "Řehoř", "Rybář", "Sova", "Śliwa", "Žák", "Zoltán"],
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_the_database_sorts_in_the_readers_language(app, language: str) -> None:  # type: ignore[no-untyped-def]
    for name in NAMES:
        db.session.add(Organisation(name=name, country="CZ"))
    db.session.flush()
    query = select(Organisation.name).order_by(collated(Organisation.name, language))
    assert list(db.session.scalars(query)) == EXPECTED[language]
    assert sorted(NAMES, key=lambda n: sort_key(language, n)) == EXPECTED[language]


def test_the_reader_s_language_is_the_default(app, client) -> None:  # type: ignore[no-untyped-def]
    """A page sorts by its own language: the trainers' list of the session form, in Czech."""
    for name in ("Řehoř", "Rybář", "Hora", "Chalupa"):
        db.session.add(Organisation(name=name, country="CZ"))
    db.session.commit()
    with app.test_request_context("/?lang=cs"):
        names = list(
            db.session.scalars(select(Organisation.name).order_by(collated(Organisation.name)))
        )
    assert names == ["Hora", "Chalupa", "Rybář", "Řehoř"]
    with app.test_request_context("/?lang=en"):
        names = list(
            db.session.scalars(select(Organisation.name).order_by(collated(Organisation.name)))
        )
    assert names == ["Chalupa", "Hora", "Řehoř", "Rybář"]

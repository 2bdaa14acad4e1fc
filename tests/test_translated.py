"""Texts in up to five languages fall back to the main language."""

from __future__ import annotations

from flask_babel import force_locale

from clusgo_events.extensions import db
from tests import factories


def test_the_readers_language_else_the_main_one(app) -> None:
    event = factories.event(main_language="cs", title="Mezinárodní setkání klastrů")
    event.set_texts("title", {"cs": "Mezinárodní setkání klastrů", "hu": "Klasztertalálkozó"})
    training = factories.session(event, title="Strategie")
    training.set_texts("description", {"pl": "Strategia umiędzynarodowienia"})
    db.session.commit()
    db.session.expire_all()
    assert event.text("title", "hu") == "Klasztertalálkozó"
    assert event.text("title", "sk") == "Mezinárodní setkání klastrů"  # falls back to cs
    assert event.texts_of("title") == {
        "cs": "Mezinárodní setkání klastrů",
        "hu": "Klasztertalálkozó",
    }
    with force_locale("hu"):
        assert event.text("title") == "Klasztertalálkozó"
    assert training.text("description", "pl") == "Strategia umiędzynarodowienia"
    assert training.text("description", "en") == ""
    assert training.text("title", "pl") == "Strategie"


def test_setting_the_main_language_writes_the_column_and_empties_fall_back(app) -> None:
    event = factories.event(main_language="sk", title="Stará")
    event.set_texts("venue", {"sk": "Výstavisko", "cs": "  ", "pl": "Targi"})
    event.set_texts("title", {"sk": "Nová"})
    db.session.commit()
    assert (event.title, event.venue) == ("Nová", "Výstavisko")
    assert event.texts == {"venue": {"pl": "Targi"}}
    assert event.text("venue", "cs") == "Výstavisko"

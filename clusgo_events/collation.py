"""Names sorted the reader's way: Ř after R (Czech), Ł after L (Polish), Cs after C
(Hungarian), Ch after H (Czech, Slovak) — on PostgreSQL and on SQLite alike.

Both databases use ICU, the Unicode consortium's library with CLDR's per-language rules:

- PostgreSQL (built with ICU, as Debian's is) has the collations ``cs-x-icu``, ``hu-x-icu``
  ... predefined; a query says ``ORDER BY name COLLATE "cs-x-icu"``.
- SQLite gets one collation per language (``cs``, ``hu`` ...) registered on each connection,
  backed by PyICU's ``Collator`` (the same ICU; PyICU builds against Debian's libicu-dev).

``collated(column)`` is the one way a query sorts names: ``.order_by(collated(User.name))``.
"""

from __future__ import annotations

import sqlite3
from functools import cache
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

#: the languages whose collation every SQLite connection gets
LANGUAGES = ("cs", "hu", "sk", "pl", "en")


@cache
def _collator(language: str) -> Any:
    import icu  # PyICU: imported when a sort first needs it

    return icu.Collator.createInstance(icu.Locale(language))


def compare(language: str, left: str | None, right: str | None) -> int:
    """-1, 0 or 1: ``left`` against ``right`` in ``language``'s order (NULL first)."""
    if left is None or right is None:
        return (left is not None) - (right is not None)
    return _collator(language).compare(left, right)


def sort_key(language: str, text: str) -> bytes:
    """The key that sorts ``text`` in ``language``'s order (for lists sorted in Python)."""
    return bytes(_collator(language).getSortKey(text))


def register_sqlite(connection: sqlite3.Connection) -> None:
    """Give an SQLite connection the collations ``cs``, ``hu``, ``sk``, ``pl``, ``en``."""
    for language in LANGUAGES:
        connection.create_collation(
            language, lambda a, b, language=language: compare(language, a, b)
        )


def reader_language() -> str:
    """The language of the page or mail being written (English outside one)."""
    from .models.translated import current_language

    language = current_language() or "en"
    return language if language in LANGUAGES else "en"


def collation_name(dialect: str, language: str | None = None) -> str:
    """The collation of ``language`` (default: the reader's) on ``dialect``."""
    language = language or reader_language()
    return f"{language}-x-icu" if dialect == "postgresql" else language


def collated(column: Any, language: str | None = None) -> ColumnElement:
    """``column`` sorted in ``language``'s order (default: the reader's) on this database."""
    from .extensions import db

    return column.collate(collation_name(db.session.get_bind().dialect.name, language))

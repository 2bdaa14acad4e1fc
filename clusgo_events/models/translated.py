"""Texts that exist in up to five languages: an event's title, a session's description, an
organiser's note for the invitation ...

The main language's text stays in the model's own column (``title``, ``description``) so
queries, sorting and older code keep working; every other language's text lives in the
``texts`` JSON column as ``{field: {language: text}}``. ``obj.text("title")`` gives the
reader's language (the current locale), falling back to the main language.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import get_locale
from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column


def current_language() -> str | None:
    """The language of the page or mail being written now, if any."""
    try:
        locale = get_locale()
    except (RuntimeError, KeyError):  # outside an app context or before Babel is set up
        return None
    return str(locale.language) if locale is not None else None


class Translated:
    """Mixin: ``texts`` in other languages for the fields named in ``TRANSLATED_FIELDS``."""

    TRANSLATED_FIELDS: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def form_fields(cls) -> tuple[str, ...]:
        """The translated fields with a column of their own: those the model's forms edit
        (a field without a column, like an event's mail paragraphs, lives only in ``texts``
        and has a page of its own)."""
        return tuple(name for name in cls.TRANSLATED_FIELDS if name in cls.__table__.columns)

    texts: Mapped[dict[str, dict[str, str]]] = mapped_column(
        JSON, default=dict, info={"personal": False}
    )

    @property
    def text_language(self) -> str:
        """The language the model's own columns are written in (its main language)."""
        return "en"

    def text(self, field: str, language: str | None = None) -> str:
        """``field`` in ``language`` (default: the current locale), else the main language's."""
        if field not in self.TRANSLATED_FIELDS:
            raise KeyError(f"{type(self).__name__}.{field} is not translated")
        language = language or current_language() or self.text_language
        if language != self.text_language:
            value = ((self.texts or {}).get(field) or {}).get(language)
            if value:
                return value
        own = getattr(self, field, None) if hasattr(type(self), field) else None
        if own is not None:
            return own or ""
        return ((self.texts or {}).get(field) or {}).get(self.text_language, "")

    def texts_of(self, field: str) -> dict[str, str]:
        """Every language's text of ``field``, the main language's included."""
        found = dict(((self.texts or {}).get(field)) or {})
        if hasattr(type(self), field):
            found[self.text_language] = getattr(self, field) or ""
        return {language: value for language, value in found.items() if value}

    def set_texts(self, field: str, values: dict[str, Any]) -> None:
        """Store ``field`` in every language given; the main language's goes to the column
        (when the model has one), empty texts are dropped (they fall back)."""
        if field not in self.TRANSLATED_FIELDS:
            raise KeyError(f"{type(self).__name__}.{field} is not translated")
        others = {
            language: str(value).strip()
            for language, value in values.items()
            if value and str(value).strip()
        }
        if hasattr(type(self), field):
            setattr(self, field, others.pop(self.text_language, getattr(self, field) or ""))
        texts = {k: dict(v) for k, v in (self.texts or {}).items()}
        if others:
            texts[field] = others
        else:
            texts.pop(field, None)
        self.texts = texts  # a new dict: the JSON column sees the change

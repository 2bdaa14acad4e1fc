"""An event's and a session's texts in the other languages: checked, then stored.

The organiser writes the title, description and venue in the event's main language (the
model's own columns) and, optionally, in any other of the app's languages
(:class:`~clusgo_events.models.translated.Translated` keeps those in ``texts``). Pages,
mails, .ics files and exports read ``obj.text(field)``: the reader's language, else the main.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from ...models.translated import Translated
from .checks import check_length


def check_main_language(errors: dict[str, Any], language: str) -> str:
    """``language`` when the app speaks it; a message beside the field otherwise."""
    if language not in current_app.config["LANGUAGES"]:
        errors["main_language"] = _l("Choose one of the languages offered.")
    return language


def check_texts(
    errors: dict[str, Any],
    model: type[Translated],
    translations: dict[str, dict[str, str]] | None,
    main_language: str,
) -> dict[str, dict[str, str]] | None:
    """The other languages' texts, trimmed, empty ones dropped, each within its column's
    length (a message under ``<field>_<language>``); None leaves the stored texts alone."""
    if translations is None:
        return None
    languages = current_app.config["LANGUAGES"]
    cleaned: dict[str, dict[str, str]] = {}
    for name in model.form_fields():
        for language, value in (translations.get(name) or {}).items():
            text = (value or "").strip()
            if language not in languages or language == main_language or not text:
                continue
            check_length(errors, f"{name}_{language}", text, getattr(model, name))
            cleaned.setdefault(name, {})[language] = text
    return cleaned


def store_texts(obj: Translated, texts: dict[str, dict[str, str]] | None) -> bool:
    """Keep ``texts`` beside the main language's columns; True when anything changed."""
    if texts is None:
        return False
    before = obj.texts or {}
    for name in obj.form_fields():
        main = {obj.text_language: getattr(obj, name) or ""}
        obj.set_texts(name, {**main, **texts.get(name, {})})
    return (obj.texts or {}) != before


def every_text(obj: Translated) -> dict[str, dict[str, str]]:
    """``{field: {language: text}}`` of ``obj``, its main language's included."""
    return {name: obj.texts_of(name) for name in obj.form_fields()}


def rebase_texts(obj: Translated, before: dict[str, dict[str, str]]) -> None:
    """After the main language changed: the new main language's text moves into the columns
    (when there is one) and the old main language's joins the others."""
    for name, by_language in before.items():
        obj.set_texts(name, dict(by_language))

"""One row of a survey file checked: its canonical values and raw answers, or the reason
(:class:`RowError`, a lazy translation) it is rejected."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l

from ...models import Organisation, Respondent
from ...models.base import max_length
from .columns import FIELD_LABELS, YES_NO_FIELDS
from .normalise import (
    RowError,
    clean_text,
    normalise_country,
    normalise_datetime,
    normalise_email,
    normalise_language,
    normalise_website,
    normalise_yes_no,
)
from .readers import SurveyTable


def check_row(
    table: SurveyTable, cells: list[str], smtputf8: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """The row's canonical values (only the columns the file has) and raw answers;
    ``smtputf8``: addresses may have letters outside ASCII before the @."""
    values: dict[str, Any] = {}
    raw: dict[str, str] = {}
    for i, header in enumerate(table.headers):
        cell = cells[i] if i < len(cells) else ""
        canonical = table.columns.get(i)
        if canonical is None:
            raw[header] = cell.strip()
            continue
        if canonical == "email":
            if not cell.strip():
                raise RowError(_l("missing e-mail"))
            values["email"] = normalise_email(cell, smtputf8=smtputf8)
        elif canonical == "country":
            values["country"] = normalise_country(cell)
        elif canonical in YES_NO_FIELDS:
            try:
                values[canonical] = bool(normalise_yes_no(cell))
            except RowError as exc:
                label = FIELD_LABELS[canonical]
                raise RowError(_l("%(field)s: %(reason)s", field=label, reason=exc.reason)) from exc
        elif canonical == "language":
            values["language"] = normalise_language(cell)
        elif canonical == "submitted_at":
            values["submitted_at"] = normalise_datetime(cell)
        elif canonical == "website":
            values["website"] = normalise_website(cell)
        else:
            values[canonical] = clean_text(cell)
        limit = text_limits().get(canonical)
        if limit and len(values[canonical]) > limit:
            raise RowError(
                _l(
                    "%(field)s is longer than %(limit)s characters",
                    field=FIELD_LABELS[canonical],
                    limit=limit,
                )
            )
    for i in range(len(table.headers), len(cells)):
        if cells[i].strip():
            raw[f"column {i + 1}"] = cells[i].strip()
    return values, raw


@lru_cache(maxsize=1)
def text_limits() -> dict[str, int]:
    """The most characters of each text column: the models' lengths (a column that also
    fills the organisation takes the smaller of the two)."""
    limits = {
        "contact_name": max_length(Respondent.contact_name),
        "organisation": min(
            max_length(Respondent.organisation_name), max_length(Organisation.name)
        ),
    }
    for name in ("city", "sector", "website"):
        limits[name] = min(
            max_length(getattr(Respondent, name)), max_length(getattr(Organisation, name))
        )
    return limits

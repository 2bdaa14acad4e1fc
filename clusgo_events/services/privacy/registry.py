"""Which columns hold personal data: the models declare it, this module reads it.

A column marked ``info={"personal": True}`` holds personal data; ``info={"personal": False}``
says one that looks personal (by its name or type) was looked at and holds none (an
organisation's name, an event's address). ``tests/test_privacy_erasure.py`` fails when a
column looks personal and is not declared either way, and when a table with personal columns
is not covered by the export and the erasure (``person.FINDERS``).

How a personal column is blanked (erasure and retention alike) follows from its type:
:func:`blank_value`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Column, Table, Text

from ...extensions import db

#: column names that suggest personal data (a person's name, address, typed text, an IP ...)
LOOKS_PERSONAL = re.compile(
    r"(^|_)(name|e?mail|email|recipient|phone|address|needs|ip|reason|answers|comment|note|"
    r"position|details?|body|message|key|error|subject|city|website|password)($|_)"
)


@dataclass(frozen=True)
class PersonalColumn:
    """One column that holds personal data."""

    table: str
    column: str
    #: dietary and accessibility needs: special-category data, kept the shortest
    needs: bool = False


def _declared(column: Column[Any]) -> bool | None:
    value = column.info.get("personal")
    return None if value is None else bool(value)


def personal_columns() -> list[PersonalColumn]:
    """Every column of every model declared personal, in table order."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if _declared(column):
                found.append(
                    PersonalColumn(table.name, column.name, bool(column.info.get("needs")))
                )
    return found


def personal_tables() -> dict[str, list[str]]:
    """Table name -> its personal columns."""
    tables: dict[str, list[str]] = {}
    for item in personal_columns():
        tables.setdefault(item.table, []).append(item.column)
    return tables


def undeclared() -> list[str]:
    """``table.column`` of every column that looks personal (by name, or free text / JSON)
    and is not declared either way: each one is a hole in the export and erasure."""
    missing = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if _declared(column) is not None or column.foreign_keys:
                continue
            free_text = isinstance(column.type, Text | JSON)
            if free_text or LOOKS_PERSONAL.search(column.name):
                missing.append(f"{table.name}.{column.name}")
    return missing


def blank_value(table: Table, name: str, row_id: Any) -> Any:
    """What an erased column holds: nothing (``""``, ``{}``, ``[]``, NULL), or for a unique
    address a placeholder that names no one (``erased-<table>-<id>@erased.invalid``)."""
    column = table.columns[name]
    if column.unique or column.primary_key:
        return f"erased-{table.name}-{row_id}@erased.invalid"
    if isinstance(column.type, JSON):
        default = column.default.arg if column.default is not None else None
        return [] if default is list else {}
    if column.nullable:
        return None
    return ""

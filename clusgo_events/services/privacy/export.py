"""A person's data: everything held about an address, as JSON and a readable HTML page in
one ZIP (the admin page, the profile's download and ``flask privacy export`` alike).

Every table ``person.FINDERS`` covers is written whole (every column of the person's rows),
except the secrets that would let someone act as them (password hash, token hashes, feed
salt); the session seats come with the registrations.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from flask import render_template
from sqlalchemy import select

from ...extensions import db
from ...models import SessionSeat
from ...models.base import utcnow
from .. import audit
from .person import FINDERS, Person, audit_entries, find_person

#: never exported: they would let the holder act as the person
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "feed_salt", "search_key"})


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rows(table_name: str, ids: list[Any]) -> list[dict[str, Any]]:
    if not ids:
        return []
    table = db.metadata.tables[table_name]
    key = next(iter(table.primary_key.columns))
    rows = db.session.execute(select(table).where(key.in_(ids)).order_by(key)).mappings()
    return [
        {name: _plain(value) for name, value in row.items() if name not in SECRET_COLUMNS}
        for row in rows
    ]


def collect(person: Person) -> dict[str, Any]:
    """Everything held about ``person``: table -> its rows."""
    data: dict[str, Any] = {"email": person.email, "exported_at": utcnow().isoformat()}
    tables: dict[str, list[dict[str, Any]]] = {}
    for table, finder in FINDERS.items():
        if table == "audit_entry":
            continue
        tables[table] = _rows(table, list(db.session.scalars(finder(person))))
    seat_ids = list(
        db.session.scalars(
            select(SessionSeat.id).where(SessionSeat.registration_id.in_(person.registration_ids))
        )
    )
    tables["session_seat"] = _rows("session_seat", seat_ids)
    tables["audit_entry"] = _rows("audit_entry", [i for i, _details in audit_entries(person)])
    data["tables"] = {name: rows for name, rows in tables.items() if rows}
    return data


def export_zip(email: str) -> tuple[bytes, dict[str, Any]]:
    """The ZIP (``data.json`` and ``data.html``) of everything held about ``email``, and the
    data; audited (without the data)."""
    person = find_person(email)
    data = collect(person)
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    html = render_template("privacy/export.html", data=data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", text)
        archive.writestr("data.html", html)
    counts = {name: len(rows) for name, rows in data["tables"].items()}
    audit.record("privacy.exported", PersonalDataExport(), counts)
    return buffer.getvalue(), data


class PersonalDataExport:
    """What the audit log names an export by (no id, no data)."""

    id = None

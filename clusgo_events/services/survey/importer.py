"""Upserting respondents (and their organisations) by e-mail.

:func:`import_rows` checks every row of a :class:`SurveyTable` (``rows``) and, unless
``dry_run``, creates or updates respondents and their organisations with a constant number of
queries per few hundred rows. It flushes; the caller commits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, insert, select, update

from ...extensions import db
from ...models import Organisation, Respondent
from ...models.base import utcnow
from ...models.respondent import search_key_for
from .. import audit
from ..privacy import consent as consent_rules
from .readers import SurveyTable, read_survey_file
from .rows import check_row

PREVIEW_ROWS = 10
CHUNK = 500  # rows per progress step and per IN (...) look-up


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # identical repeats of an earlier row, imported once
    rejected: list[tuple[int, str]] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    organisations_created: int = 0
    dry_run: bool = False
    kind: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    filename: str = ""
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.duplicates + len(self.rejected)

    def summary(self) -> dict[str, Any]:
        """Counts for an audit entry or a log line."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "organisations_created": self.organisations_created,
        }


_FIELD_OF = {"organisation": "organisation_name"}  # file column -> Respondent attribute


def _attribute(canonical: str) -> str:
    return _FIELD_OF.get(canonical, canonical)


# --------------------------------------------------------------------------- importing


def import_survey(
    data: bytes,
    *,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    progress: Callable[[int], Any] | None = None,
    filename: str = "",
) -> ImportResult:
    """Read ``data`` and import it; see :func:`read_survey_file` and :func:`import_rows`."""
    table = read_survey_file(data, mapping, filename)
    return import_rows(table, dry_run=dry_run, progress=progress)


def import_rows(
    table: SurveyTable, *, dry_run: bool = False, progress: Callable[[int], Any] | None = None
) -> ImportResult:
    """Check every row and upsert the valid ones by e-mail; ``dry_run`` writes nothing.

    ``progress(n)`` is called as rows are done. Rejected rows are listed with their row number
    and reason; a later row repeating an e-mail with other answers is rejected, an identical
    repeat is counted once. An import (not a dry run) records ``survey.import`` in the audit
    trail with the file's name and the counts, from the page and the command line alike.
    """
    started = time.perf_counter()
    result = ImportResult(
        dry_run=dry_run,
        kind=table.kind,
        encoding=table.encoding,
        delimiter=table.delimiter,
        column_map=table.column_map,
        filename=table.filename,
    )
    present = table.present
    smtputf8 = bool(current_app.config.get("MAIL_SMTPUTF8"))
    accepted: dict[str, tuple[int, dict[str, Any], dict[str, str]]] = {}
    for done, (number, cells) in enumerate(table.rows, 1):
        try:
            values, raw = check_row(table, cells, smtputf8)
        except ValueError as exc:  # the reason in the reader's language, now
            result.rejected.append((number, str(exc)))
        else:
            earlier = accepted.get(values["email"])
            if earlier is None:
                accepted[values["email"]] = (number, values, raw)
            elif (earlier[1], earlier[2]) == (values, raw):
                result.duplicates += 1
            else:
                reason = _l(
                    "duplicate of row %(row)s (%(email)s) with other answers",
                    row=earlier[0],
                    email=values["email"],
                )
                result.rejected.append((number, str(reason)))
        if progress and done % CHUNK == 0:
            progress(CHUNK)
    if progress and len(table.rows) % CHUNK:
        progress(len(table.rows) % CHUNK)

    existing = _existing_respondents(list(accepted))
    organisations = _organisations_for(accepted.values(), existing, present)
    new_orgs = _create_organisations(accepted.values(), existing, present, organisations, dry_run)
    result.organisations_created = new_orgs

    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    consent_changes: list[tuple[int | str, bool]] = []  # (id, or e-mail of a new one; consent)
    for number, values, raw in accepted.values():
        respondent = existing.get(values["email"])
        target = _target_values(values, raw, respondent, present, organisations)
        if "consent" in target:  # a withdrawn consent stays withdrawn
            target["consent"] = bool(consent_rules.import_allows(respondent, target["consent"]))
        if respondent is None:
            result.created += 1
            row = _new_respondent(values["email"], target, now)
            inserts.append(row)
            if "consent" in target:
                consent_changes.append((row["email"], bool(row["consent"])))
            status = "new"
        else:
            changes = {k: v for k, v in target.items() if getattr(respondent, k) != v}
            if _NAMES & changes.keys():  # a bulk UPDATE runs no ORM hook: keep the key here
                changes["search_key"] = search_key_for(
                    respondent.email,
                    changes.get("contact_name", respondent.contact_name),
                    changes.get("organisation_name", respondent.organisation_name),
                )
            if "consent" in changes:
                consent_changes.append((respondent.id, bool(changes["consent"])))
            if changes:
                result.updated += 1
                status = "update"
                updates.append({"id": respondent.id, **changes, "updated_at": now})
            else:
                result.unchanged += 1
                status = "unchanged"
        if len(result.preview) < PREVIEW_ROWS:
            result.preview.append({"row": number, "status": status, "email": values["email"]})
            result.preview[-1].update({k: v for k, v in target.items() if k != "organisation_id"})
    result.rejected.sort()
    if not dry_run:
        if inserts:
            db.session.execute(insert(Respondent), inserts)
        if updates:  # ORM bulk UPDATE by primary key, grouped by the columns that changed
            db.session.execute(update(Respondent), updates)
        _record_consents(consent_changes, table.filename, now)
        audit.record("survey.import", result, {**result.summary(), "file": table.filename})
        db.session.flush()
    result.seconds = time.perf_counter() - started
    return result


def _record_consents(changes: list[tuple[int | str, bool]], filename: str, now: datetime) -> None:
    """A consent record (method survey import, with the file's name) for every respondent
    whose consent the import set or changed."""
    emails = [key for key, _ in changes if isinstance(key, str)]
    ids: dict[str, int] = {}
    for chunk in _chunks(emails):
        query = select(Respondent.id, Respondent.email).where(Respondent.email.in_(chunk))
        ids.update({email: rid for rid, email in db.session.execute(query)})
    pairs = [(ids[key] if isinstance(key, str) else key, given) for key, given in changes]
    consent_rules.bulk_records([(rid, given) for rid, given in pairs if rid], filename, now)


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_respondents(emails: list[str]) -> dict[str, Row[Any]]:
    """The respondents the file names, as plain rows (no ORM objects: 10,000 load fast)."""
    found: dict[str, Row[Any]] = {}
    table = Respondent.__table__
    if len(emails) > 4 * CHUNK:
        # A big file: one scan of the table beats many IN (...) look-ups (PostgreSQL plans
        # those badly right after a large import, before it has analysed the table).
        wanted = set(emails)
        for row in db.session.execute(select(table)):
            if row.email.lower() in wanted:
                found[row.email.lower()] = row
        return found
    for chunk in _chunks(emails):
        for row in db.session.execute(select(table).where(table.c.email.in_(chunk))):
            found[row.email.lower()] = row
    return found


def _org_key(name: str, country: str | None) -> tuple[str, str] | None:
    if not name or not country:
        return None
    return (name.casefold(), country)


def _effective(
    name: str, values: dict[str, Any], respondent: Row[Any] | None, present: set[str]
) -> Any:
    """The value a respondent will have: the file's, else what it has now."""
    if name in present:
        return values.get(name)
    if respondent is None:
        return None
    return getattr(respondent, _attribute(name))


def _organisations_for(
    rows: Iterable[tuple[int, dict[str, Any], dict[str, str]]],
    existing: dict[str, Row[Any]],
    present: set[str],
) -> dict[tuple[str, str], Organisation | None]:
    """The organisations of the rows' countries, loaded in bulk and keyed by
    (case-folded name, country), so "AeroCluster" and "Aerocluster" are one organisation."""
    organisations: dict[tuple[str, str], Organisation | None] = {}
    if not {"organisation", "country"} & present:
        return organisations
    countries: set[str] = set()
    for _, values, _ in rows:
        country = _effective("country", values, existing.get(values["email"]), present)
        if country:
            countries.add(country)
    if countries:
        query = select(Organisation).where(Organisation.country.in_(sorted(countries)))
        for org in db.session.scalars(query.order_by(Organisation.id)):
            organisations.setdefault((org.name.casefold(), org.country), org)
    return organisations


def _create_organisations(
    rows: Iterable[tuple[int, dict[str, Any], dict[str, str]]],
    existing: dict[str, Row[Any]],
    present: set[str],
    organisations: dict[tuple[str, str], Organisation | None],
    dry_run: bool,
) -> int:
    """Create the organisations the file names and the database lacks (a dry run only
    counts them, keyed to None); returns how many."""
    if not {"organisation", "country"} & present:
        return 0
    created: list[Organisation] = []
    count = 0
    for _, values, _ in rows:
        respondent = existing.get(values["email"])
        name = _effective("organisation", values, respondent, present)
        country = _effective("country", values, respondent, present)
        key = _org_key(name or "", country)
        if key is None or key in organisations:
            continue
        count += 1
        org = None
        if not dry_run:
            org = Organisation(
                name=name,
                country=country,
                city=values.get("city") or "",
                sector=values.get("sector") or "",
                website=values.get("website") or "",
                kind="cluster",
            )
            created.append(org)
        organisations[key] = org
    if created:
        db.session.add_all(created)
        db.session.flush()
    return count


_NAMES = {"contact_name", "organisation_name"}  # with the e-mail, what the search key holds
_NEW_ORG = -1  # the id of an organisation a dry run would create


def _target_values(
    values: dict[str, Any],
    raw: dict[str, str],
    respondent: Row[Any] | None,
    present: set[str],
    organisations: dict[tuple[str, str], Organisation | None],
) -> dict[str, Any]:
    """The attributes to give the respondent: the file's columns, the organisation link and
    the raw answers (merged into those it has)."""
    target: dict[str, Any] = {}
    for name in present - {"email"}:
        target[_attribute(name)] = values.get(name)
    for name in ("contact_name", "organisation_name", "city", "sector", "website"):
        if name in target and target[name] is None:
            target[name] = ""
    if {"organisation", "country"} & present:
        name = _effective("organisation", values, respondent, present)
        country = _effective("country", values, respondent, present)
        key = _org_key(name or "", country)
        if key is None:
            target["organisation_id"] = None
        else:
            org = organisations.get(key)
            target["organisation_id"] = org.id if org is not None else _NEW_ORG
    if raw or respondent is None:
        merged = dict(respondent.raw_answers or {}) if respondent is not None else {}
        merged.update(raw)
        target["raw_answers"] = merged
    return target


def _new_respondent(email: str, target: dict[str, Any], now: datetime) -> dict[str, Any]:
    row: dict[str, Any] = {
        "email": email,
        "contact_name": "",
        "organisation_id": None,
        "organisation_name": "",
        "country": None,
        "city": "",
        "sector": "",
        "website": "",
        "language": None,
        "interested_in_event": False,
        "interested_in_training": False,
        "consent": False,
        "submitted_at": None,
        "raw_answers": {},
        "created_at": now,
        "updated_at": now,
    }
    row.update(target)
    if row["organisation_id"] == _NEW_ORG:
        row["organisation_id"] = None
    row["search_key"] = search_key_for(email, row["contact_name"], row["organisation_name"])
    return row

"""Erasing a person: their address and name appear nowhere afterwards, every count stays.

Rows are kept and blanked, not deleted (a deleted registration would change the organisers'
and the funder's counts): every column the registry declares personal is set to
:func:`.registry.blank_value`; the audit log's details lose every string that mentions the
address or a name; rate-limit counters keyed by the address and survey uploads that contain
it are deleted. The erasure itself is logged with counts only.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, literal_column, select, update

from ...extensions import db
from ...models import ErasureRequest, OutboxMessage, OutboxStatus, RateLimitCounter
from ...models.base import utcnow
from ...models.enums import ErasureStatus
from ...models.respondent import fold
from .. import ServiceError, audit
from ..survey.uploads import upload_folder
from .person import FINDERS, Person, audit_entries, find_person, search_words
from .registry import blank_value, personal_tables

ERASED = "[erased]"
#: what else changes in a blanked row, beyond its personal columns
EXTRA: dict[str, Any] = {
    # consent stays as it was (the counts keep it); anonymised_at bars every mail
    "respondent": lambda now: {"anonymised_at": now},
    "user": lambda now: {
        "is_active_account": False,
        "feed_salt": secrets.token_hex(16),
        "session_version": literal_column("session_version + 1"),
    },
}


@dataclass
class ErasureReport:
    """What an erasure did (or, in a dry run, would do), counted per table."""

    rows: dict[str, int] = field(default_factory=dict)
    audit_entries: int = 0
    uploads: int = 0
    dry_run: bool = False
    id: None = None

    def lines(self) -> list[str]:
        """One line per kind, for the command line and the confirmation page."""
        items = [f"{table}: {count}" for table, count in sorted(self.rows.items()) if count]
        if self.audit_entries:
            items.append(f"audit_entry (details): {self.audit_entries}")
        if self.uploads:
            items.append(f"survey uploads: {self.uploads}")
        return items


def person_to_erase(email: str) -> Person:
    """The person behind ``email``; ServiceError when nothing is held about it."""
    person = find_person(email)
    if not person.found:
        raise ServiceError(_l("Nothing is held about this address."), "email")
    return person


def plan(email: str) -> ErasureReport:
    """What erasing ``email`` would change (nothing is written)."""
    return erase(email, dry_run=True)


def erase(email: str, dry_run: bool = False, *, now: datetime | None = None) -> ErasureReport:
    """Erase the person behind ``email``; the caller commits."""
    now = now or utcnow()
    person = person_to_erase(email)
    report = ErasureReport(dry_run=dry_run)
    words = search_words(person)
    entries = list(audit_entries(person))
    touched = [e for e in entries if _scrub(e.details, words) != e.details]
    report.audit_entries = len(touched)
    files = _uploads_with(person.email)
    report.uploads = len(files)
    ids = {table: list(db.session.scalars(finder(person))) for table, finder in FINDERS.items()}
    report.rows = {table: len(found) for table, found in ids.items() if table != "audit_entry"}
    if dry_run:
        return report
    _stop_queued_mail(ids["outbox_message"], now)
    for table, found in ids.items():
        if table in ("audit_entry", "rate_limit_counter"):
            continue
        blank_rows(table, found, now)
    db.session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.key.in_(ids["rate_limit_counter"]))
    )
    for entry in touched:
        entry.details = _scrub(entry.details, words)
    db.session.execute(
        update(ErasureRequest)
        .where(ErasureRequest.id.in_(ids["erasure_request"]))
        .where(ErasureRequest.status == ErasureStatus.PENDING)
        .values(status=ErasureStatus.DONE, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    for path in files:
        path.unlink(missing_ok=True)
        path.with_suffix(".json").unlink(missing_ok=True)
    db.session.flush()
    db.session.expire_all()
    audit.record("privacy.erased", report, {**report.rows, "audit_entries": len(touched)})
    return report


def blank_rows(table_name: str, ids: list[Any], now: datetime, *, only_needs: bool = False) -> int:
    """Blank every personal column of the rows ``ids`` of ``table_name`` (erasure and
    retention alike), or with ``only_needs`` the dietary and accessibility needs; how many."""
    if not ids:
        return 0
    table = db.metadata.tables[table_name]
    columns = personal_tables().get(table_name, [])
    if only_needs:
        columns = [c for c in columns if table.columns[c].info.get("needs")]
    key = next(iter(table.primary_key.columns))
    extra = None if only_needs else EXTRA.get(table_name)
    shared = {c: blank_value(table, c, None) for c in columns if not table.columns[c].unique}
    if extra is not None:
        shared.update(extra(now))
    unique = [c for c in columns if table.columns[c].unique]
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        if shared:
            db.session.execute(update(table).where(key.in_(chunk)).values(**shared))
        for row_id in chunk if unique else ():
            values = {c: blank_value(table, c, row_id) for c in unique}
            db.session.execute(update(table).where(key == row_id).values(**values))
    return len(ids)


def _stop_queued_mail(ids: list[int], now: datetime) -> None:
    """A message still waiting for the worker is not sent to a blanked address."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(ids),
            OutboxMessage.status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING)),
        )
        .values(status=OutboxStatus.FAILED, failed_at=now, locked_by=None)
        .execution_options(synchronize_session=False)
    )


def _scrub(value: Any, words: list[str]) -> Any:
    """``value`` (any JSON) with every string that mentions one of ``words`` replaced."""
    if isinstance(value, str):
        folded = fold(value)
        return ERASED if any(word in folded for word in words) else value
    if isinstance(value, dict):
        return {_scrub(k, words): _scrub(v, words) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item, words) for item in value]
    return value


def _uploads_with(email: str) -> list[Path]:
    """Survey uploads kept for their preview whose contents mention ``email``."""
    folder = upload_folder()
    if not folder.is_dir() or not email:
        return []
    pattern = re.compile(re.escape(email.encode("utf-8")), re.IGNORECASE)
    found = []
    for path in sorted(folder.glob("*.data")):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if pattern.search(data) or email.encode("utf-16-le") in data.lower():
            found.append(path)
    return found


# ----------------------------------------------------------------- requests from users


def request_erasure(user: Any) -> ErasureRequest:
    """The logged-in ``user`` asks to be erased: a request an admin carries out."""
    existing = db.session.scalar(
        select(ErasureRequest).where(
            ErasureRequest.user_id == user.id, ErasureRequest.status == ErasureStatus.PENDING
        )
    )
    if existing is not None:
        return existing
    request = ErasureRequest(user_id=user.id, email=user.email, status=ErasureStatus.PENDING)
    db.session.add(request)
    db.session.flush()
    audit.record("privacy.erasure_requested", request, {})
    return request


def pending_requests() -> list[ErasureRequest]:
    """The requests waiting for an admin, oldest first."""
    return list(
        db.session.scalars(
            select(ErasureRequest)
            .where(ErasureRequest.status == ErasureStatus.PENDING)
            .order_by(ErasureRequest.requested_at)
        )
    )


def decline_request(request_id: int) -> ErasureRequest:
    """The admin declines a request (the person is told outside the app)."""
    request = db.session.get(ErasureRequest, request_id)
    if request is None or request.status != ErasureStatus.PENDING:
        raise ServiceError(_l("This request is no longer waiting."))
    request.status = ErasureStatus.DECLINED
    request.decided_at = utcnow()
    user, _source = audit.current_actor()
    request.decided_by_id = user.id if user is not None else None
    audit.record("privacy.erasure_declined", request, {})
    return request

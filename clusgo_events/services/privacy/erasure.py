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
from sqlalchemy import bindparam, delete, literal_column, select, update

from ...extensions import db
from ...models import AuditEntry, ErasureRequest, OutboxMessage, OutboxStatus, RateLimitCounter
from ...models.base import utcnow
from ...models.enums import ErasureStatus
from ...models.respondent import fold
from .. import ServiceError, audit
from ..survey.uploads import upload_folder
from .person import FINDERS, Person, audit_entries, find_person, search_words, word_pattern
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
    pattern = word_pattern(search_words(person))
    touched = []
    for entry_id, details in audit_entries(person):
        scrubbed = _scrub(details, pattern)
        if scrubbed != details:
            touched.append((entry_id, scrubbed))
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
    if touched:
        log = AuditEntry.__table__
        db.session.execute(
            update(log)
            .where(log.c.id == bindparam("entry_id"))
            .values(details=bindparam("new_details")),
            [{"entry_id": entry_id, "new_details": details} for entry_id, details in touched],
        )
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
        if unique:  # one statement, many parameter sets: each row its own placeholder
            db.session.execute(
                update(table)
                .where(key == bindparam("row_id"))
                .values({c: bindparam(f"new_{c}") for c in unique}),
                [
                    {
                        "row_id": row_id,
                        **{f"new_{c}": blank_value(table, c, row_id) for c in unique},
                    }
                    for row_id in chunk
                ],
            )
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


def _scrub(value: Any, pattern: re.Pattern[str] | None) -> Any:
    """``value`` (any JSON) with every string in which ``pattern`` finds a word replaced."""
    if pattern is None:
        return value
    if isinstance(value, str):
        return ERASED if pattern.search(fold(value)) else value
    if isinstance(value, dict):
        return {_scrub(k, pattern): _scrub(v, pattern) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item, pattern) for item in value]
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

"""How long each kind of personal data lives, and the daily purge that enforces it.

The periods are settings (config.py, README): ``PRIVACY_NEEDS_DAYS`` (dietary and
accessibility needs, the shortest: 30 days after the event), ``PRIVACY_REGISTRATION_DAYS``
(registrations, attendance and the respondents invited, after their last event),
``PRIVACY_UNINVITED_DAYS`` (respondents never invited, after their last import),
``PRIVACY_OUTBOX_DAYS`` (who a mail went to), ``PRIVACY_AUDIT_DAYS`` (the audit log) and
``PRIVACY_UPLOAD_HOURS`` (survey files kept for their preview). The outbox's bodies follow
``services.outbox.retention``.

Purged rows are blanked, not deleted (:func:`.erasure.blank_rows`): a registration keeps its
event, status, country, organisation and attendance, so every count the organisers and the
funder see stays the same. Only the audit log's old entries and old upload files are deleted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, and_, delete, exists, func, or_, select

from ...extensions import db
from ...models import (
    AttendanceRecord,
    AuditEntry,
    ConsentRecord,
    Event,
    Invitation,
    OutboxMessage,
    OutboxStatus,
    Registration,
    Respondent,
    TrainingSession,
)
from ...models.base import utcnow
from .. import audit
from ..outbox.retention import purge_bodies
from ..periodic import task
from ..survey.uploads import upload_folder
from .erasure import blank_rows

#: the kinds the purge reports, in its order
KINDS = (
    "needs",
    "registrations",
    "attendance",
    "respondents",
    "outbox_recipients",
    "outbox_bodies",
    "audit_entries",
    "uploads",
)


@dataclass
class PurgeReport:
    """What the audit log names a purge by."""

    id: None = None


def _days(name: str) -> timedelta:
    return timedelta(days=int(current_app.config[name]))


def _ended_before(cutoff: datetime) -> Select[tuple[int]]:
    return select(Event.id).where(Event.ends_at <= cutoff)


def _ids(query: Select[tuple[int]]) -> list[int]:
    return [int(i) for i in db.session.scalars(query)]


def purge(now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Blank or delete what is due at ``now``; how many per kind. A dry run writes as a real
    one does and the caller rolls it back (so its counts are the real ones); it deletes no
    files."""
    now = now or utcnow()
    counts = dict.fromkeys(KINDS, 0)
    needs_cutoff = now - _days("PRIVACY_NEEDS_DAYS")
    counts["needs"] = blank_rows(
        "registration",
        _ids(
            select(Registration.id).where(
                Registration.event_id.in_(_ended_before(needs_cutoff)),
                or_(Registration.dietary_needs != "", Registration.accessibility_needs != ""),
            )
        ),
        now,
        only_needs=True,
    )
    kept = now - _days("PRIVACY_REGISTRATION_DAYS")
    counts["registrations"] = blank_rows(
        "registration",
        _ids(
            select(Registration.id).where(
                Registration.event_id.in_(_ended_before(kept)), Registration.email != ""
            )
        ),
        now,
    )
    sessions = select(TrainingSession.id).where(TrainingSession.event_id.in_(_ended_before(kept)))
    counts["attendance"] = blank_rows(
        "attendance_record",
        _ids(
            select(AttendanceRecord.id).where(
                AttendanceRecord.session_id.in_(sessions),
                or_(AttendanceRecord.name != "", AttendanceRecord.email != ""),
            )
        ),
        now,
    )
    counts["respondents"] = _respondents(now, kept)
    outbox_cutoff = now - _days("PRIVACY_OUTBOX_DAYS")
    counts["outbox_recipients"] = blank_rows(
        "outbox_message",
        _ids(
            select(OutboxMessage.id).where(
                OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED)),
                OutboxMessage.recipient != "",
                func.coalesce(OutboxMessage.sent_at, OutboxMessage.failed_at) <= outbox_cutoff,
            )
        ),
        now,
    )
    counts["outbox_bodies"] = purge_bodies(now)
    audit_cutoff = now - _days("PRIVACY_AUDIT_DAYS")
    result = db.session.execute(
        delete(AuditEntry)
        .where(AuditEntry.created_at <= audit_cutoff)
        .execution_options(synchronize_session=False)
    )
    counts["audit_entries"] = result.rowcount or 0
    counts["uploads"] = _old_uploads(now, dry_run)
    db.session.flush()
    audit.record("privacy.purged", PurgeReport(), counts)
    return counts


def _respondents(now: datetime, kept: datetime) -> int:
    """Respondents never invited, past ``PRIVACY_UNINVITED_DAYS`` since their last import;
    and those invited, when every event they were invited to ended before ``kept``. Their
    consent records' details and their invitations' decline reasons go with them."""
    never_cutoff = now - _days("PRIVACY_UNINVITED_DAYS")
    invited = exists().where(Invitation.respondent_id == Respondent.id)
    recent = exists().where(
        Invitation.respondent_id == Respondent.id,
        Invitation.event_id.in_(select(Event.id).where(Event.ends_at > kept)),
    )
    ids = _ids(
        select(Respondent.id).where(
            Respondent.anonymised_at.is_(None),
            or_(
                and_(
                    ~invited,
                    func.coalesce(Respondent.updated_at, Respondent.created_at) <= never_cutoff,
                ),
                and_(invited, ~recent),
            ),
        )
    )
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        blank_rows(
            "consent_record",
            _ids(select(ConsentRecord.id).where(ConsentRecord.respondent_id.in_(chunk))),
            now,
        )
        blank_rows(
            "invitation",
            _ids(select(Invitation.id).where(Invitation.respondent_id.in_(chunk))),
            now,
        )
    return blank_rows("respondent", ids, now)


def _old_uploads(now: datetime, dry_run: bool) -> int:
    """Survey files kept for a preview longer than ``PRIVACY_UPLOAD_HOURS``."""
    folder = upload_folder()
    if not folder.is_dir():
        return 0
    hours = float(current_app.config["PRIVACY_UPLOAD_HOURS"])
    limit = now.timestamp() - hours * 3600 if now else time.time() - hours * 3600
    count = 0
    for path in sorted(folder.glob("*.data")):
        try:
            old = path.stat().st_mtime <= limit
        except OSError:
            continue
        if old:
            count += 1
            if not dry_run:
                path.unlink(missing_ok=True)
                path.with_suffix(".json").unlink(missing_ok=True)
    return count


@task("privacy-purge", every=timedelta(days=1))
def scheduled_purge(now: datetime) -> dict[str, int]:
    """The daily purge the delivery worker runs."""
    return purge(now)

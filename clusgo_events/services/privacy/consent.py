"""Consent to be contacted: every giving and withdrawal recorded (when, how, under which
version of the notice), and the respondent's current state kept beside it.

``record_consent`` is the one way to change a respondent's consent (the survey import, which
writes in bulk, uses :func:`import_allows` and :func:`bulk_records` for the same rules). A
withdrawal by the person (an unsubscribe, the invitation page, an organiser on their word)
sets ``consent_withdrawn_at``: from then on a survey import never switches consent back on;
only the person can give it again (the registration form, or an organiser with a reason).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ...extensions import db
from ...models import ConsentRecord, OutboxKind, OutboxMessage, OutboxStatus, Respondent, User
from ...models.base import max_length, utcnow
from ...models.enums import ConsentMethod
from .. import ServiceError, audit
from .notice import current_version

#: the mails a withdrawal stops (those still waiting in the outbox are taken back)
MARKETING_KINDS = (OutboxKind.INVITATION, OutboxKind.INVITATION_REMINDER)


def record_consent(
    respondent: Respondent,
    given: bool,
    method: ConsentMethod | str,
    reason: str = "",
    *,
    notice_version: int | None = None,
    at: datetime | None = None,
) -> ConsentRecord | None:
    """Give (``given``) or withdraw the respondent's consent by ``method``; the record, or
    None when nothing changed (an unsubscribe that comes twice). An organiser must give a
    reason; a survey import cannot give back a consent the person withdrew."""
    method = ConsentMethod(method)
    reason = " ".join((reason or "").split())
    if method == ConsentMethod.ORGANISER and not reason:
        raise ServiceError(_l("Say why the consent changes (the person's words)."), "reason")
    if len(reason) > max_length(ConsentRecord.detail):
        limit = max_length(ConsentRecord.detail)
        raise ServiceError(_l("At most %(n)s characters.", n=limit), "reason")
    if given and method == ConsentMethod.SURVEY_IMPORT and respondent.consent_withdrawn_at:
        raise ServiceError(_l("The person withdrew consent: only they can give it again."))
    by_link = method in (ConsentMethod.UNSUBSCRIBE, ConsentMethod.INVITATION)
    if by_link and not given and respondent.consent_withdrawn_at:
        return None  # already withdrawn: a one-click POST may come twice
    now = at or utcnow()
    respondent.consent = given
    if given:
        respondent.consent_withdrawn_at = None
    elif method != ConsentMethod.SURVEY_IMPORT:
        respondent.consent_withdrawn_at = now
        _take_back_queued_mail(respondent, now)
    user, _source = audit.current_actor()
    record = ConsentRecord(
        respondent_id=respondent.id,
        given=given,
        method=method,
        detail=reason,
        notice_version=notice_version if notice_version is not None else current_version(),
        user_id=user.id if isinstance(user, User) else None,
        created_at=now,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        "consent.given" if given else "consent.withdrawn",
        respondent,
        {"method": method.value, "notice_version": record.notice_version},
    )
    return record


def _take_back_queued_mail(respondent: Respondent, now: datetime) -> None:
    """Invitations and reminders still waiting for the worker do not go out."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.QUEUED,
            OutboxMessage.kind.in_(MARKETING_KINDS),
            OutboxMessage.recipient == respondent.email,
        )
        .values(status=OutboxStatus.FAILED, failed_at=now, last_error="consent withdrawn")
        .execution_options(synchronize_session=False)
    )


def method_labels() -> dict[str, str]:
    """How each method reads on the respondent's page, in the reader's language."""
    return {
        ConsentMethod.SURVEY_IMPORT: str(_l("survey import")),
        ConsentMethod.INVITATION: str(_l("invitation page")),
        ConsentMethod.REGISTRATION: str(_l("registration form")),
        ConsentMethod.ORGANISER: str(_l("an organiser")),
        ConsentMethod.UNSUBSCRIBE: str(_l("unsubscribe link")),
        ConsentMethod.ERASURE: str(_l("erasure")),
    }


def history(respondent: Respondent) -> list[ConsentRecord]:
    """The respondent's consent records, newest first."""
    return list(
        db.session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.respondent_id == respondent.id)
            .order_by(ConsentRecord.created_at.desc(), ConsentRecord.id.desc())
        )
    )


def import_allows(existing: Any, consent: bool | None) -> bool | None:
    """The consent a survey import may set for a respondent row (``existing``, None for a new
    one): the file's, except that a withdrawn consent stays withdrawn."""
    if consent and existing is not None and existing.consent_withdrawn_at is not None:
        return False
    return consent


def bulk_records(changes: list[tuple[int, bool]], filename: str, now: datetime) -> int:
    """Consent records for the survey import's changes ((respondent id, consent) pairs);
    written in one statement, without the ORM's per-object cost."""
    if not changes:
        return 0
    user, _source = audit.current_actor()
    version = current_version()
    limit = max_length(ConsentRecord.detail)
    rows = [
        {
            "respondent_id": rid,
            "given": given,
            "method": ConsentMethod.SURVEY_IMPORT.value,
            "detail": (filename or "")[:limit],
            "notice_version": version,
            "user_id": user.id if isinstance(user, User) else None,
            "created_at": now,
        }
        for rid, given in changes
    ]
    db.session.execute(ConsentRecord.__table__.insert(), rows)
    return len(rows)

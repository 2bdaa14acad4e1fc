"""Finding everything held about one address: the rows of each table that are the person's.

``FINDERS`` holds, for every table with personal columns, the query of the person's row ids;
the export, the erasure and their tests walk it, so a new table with personal data that no
finder covers fails ``tests/test_privacy_erasure.py``. The audit log is searched apart
(:func:`audit_entries`): an entry is about the person when it names one of their rows or its
details mention their address or name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, or_, select

from ...extensions import db
from ...models import (
    AttendanceRecord,
    AuditEntry,
    Certificate,
    ConsentRecord,
    ErasureRequest,
    Event,
    Invitation,
    OutboxMessage,
    RateLimitCounter,
    Registration,
    ReportSettings,
    Respondent,
    User,
)
from ...models.respondent import fold


@dataclass
class Person:
    """An address and the ids of the person's respondent, account and registrations."""

    email: str
    respondent_ids: list[int] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)
    registration_ids: list[int] = field(default_factory=list)
    names: set[str] = field(default_factory=set)

    @property
    def found(self) -> bool:
        return bool(self.respondent_ids or self.user_ids or self.registration_ids)

    def objects(self) -> set[tuple[str, int]]:
        """(model name, id) of the person's rows, as the audit log names them."""
        pairs = {("Respondent", i) for i in self.respondent_ids}
        pairs |= {("User", i) for i in self.user_ids}
        pairs |= {("Registration", i) for i in self.registration_ids}
        return pairs


def _ids(query: Select[Any]) -> list[int]:
    return [int(i) for i in db.session.scalars(query)]


def find_person(email: str) -> Person:
    """The person behind ``email`` (compared without case)."""
    address = (email or "").strip().lower()
    person = Person(address)
    if not address:
        return person
    person.respondent_ids = _ids(
        select(Respondent.id).where(func.lower(Respondent.email) == address)
    )
    person.user_ids = _ids(select(User.id).where(func.lower(User.email) == address))
    person.registration_ids = _ids(
        select(Registration.id).where(
            or_(
                func.lower(Registration.email) == address,
                Registration.user_id.in_(person.user_ids),
                Registration.respondent_id.in_(person.respondent_ids),
            )
        )
    )
    names = list(
        db.session.scalars(
            select(Respondent.contact_name).where(Respondent.id.in_(person.respondent_ids))
        )
    )
    names += db.session.scalars(select(User.name).where(User.id.in_(person.user_ids)))
    names += db.session.scalars(
        select(Registration.name).where(Registration.id.in_(person.registration_ids))
    )
    names += db.session.scalars(
        select(AttendanceRecord.name).where(func.lower(AttendanceRecord.email) == address)
    )
    person.names = {n.strip() for n in names if n and len(n.strip()) >= 3}
    return person


def _attendance(p: Person) -> Select[Any]:
    return select(AttendanceRecord.id).where(
        or_(
            AttendanceRecord.registration_id.in_(p.registration_ids),
            func.lower(AttendanceRecord.email) == p.email,
        )
    )


def _outbox(p: Person) -> Select[Any]:
    return select(OutboxMessage.id).where(
        or_(
            func.lower(OutboxMessage.recipient) == p.email,
            OutboxMessage.respondent_id.in_(p.respondent_ids),
            OutboxMessage.registration_id.in_(p.registration_ids),
        )
    )


def _rate_limits(p: Person) -> Select[Any]:
    return select(RateLimitCounter.key).where(
        func.lower(RateLimitCounter.key).contains(p.email, autoescape=True)
    )


#: table -> the query of the person's row ids (primary keys) in it
FINDERS: dict[str, Callable[[Person], Select[Any]]] = {
    "respondent": lambda p: select(Respondent.id).where(Respondent.id.in_(p.respondent_ids)),
    "user": lambda p: select(User.id).where(User.id.in_(p.user_ids)),
    "consent_record": lambda p: select(ConsentRecord.id).where(
        ConsentRecord.respondent_id.in_(p.respondent_ids)
    ),
    "invitation": lambda p: select(Invitation.id).where(
        Invitation.respondent_id.in_(p.respondent_ids)
    ),
    "registration": lambda p: select(Registration.id).where(
        Registration.id.in_(p.registration_ids)
    ),
    "attendance_record": _attendance,
    "outbox_message": _outbox,
    "erasure_request": lambda p: select(ErasureRequest.id).where(
        or_(func.lower(ErasureRequest.email) == p.email, ErasureRequest.user_id.in_(p.user_ids))
    ),
    "rate_limit_counter": _rate_limits,
    # a certificate prints its holder's name; an event's report names its signatory
    "certificate": lambda p: select(Certificate.id).where(
        Certificate.registration_id.in_(p.registration_ids)
    ),
    "event_report_settings": lambda p: select(ReportSettings.id).where(
        func.lower(ReportSettings.signatory_name).in_([n.lower() for n in p.names] or [""])
    ),
    # an event names its contact person (the Reply-To of its mails)
    "event": lambda p: select(Event.id).where(func.lower(Event.contact_email) == p.email),
    # searched apart (audit_entries): by the rows it names and the words of its details
    "audit_entry": lambda p: select(AuditEntry.id).where(False),  # noqa: ARG005
}

#: session_seat holds no personal column of its own; the export lists it with the person's
#: registrations
RELATED = ("session_seat",)


def word_pattern(words: list[str]) -> re.Pattern[str] | None:
    """A pattern finding any of ``words`` (folded) as a whole word in folded text: "Jan Novák"
    is in "call Jan Novák back", not in "Jan Nováková"."""
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def mentions(value: Any, pattern: re.Pattern[str] | None) -> bool:
    """True when a string in ``value`` (any JSON) holds ``pattern``'s words (folded)."""
    return pattern is not None and any(pattern.search(fold(t)) for t in _strings(value))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def search_words(person: Person) -> list[str]:
    """The address and the names, folded, as the audit search and the erasure compare them."""
    return sorted({fold(person.email), *(fold(n) for n in person.names)} - {""})


def audit_entries(person: Person, batch: int = 2000) -> Iterator[tuple[int, Any]]:
    """(id, details) of the audit entries about the person: naming one of their rows, or
    mentioning their address or a name of theirs in the details. The whole log is read, as
    plain rows in batches (ORM objects would cost five times as much)."""
    objects = person.objects()
    pattern = word_pattern(search_words(person))
    log = AuditEntry.__table__
    query = select(log.c.id, log.c.object_type, log.c.object_id, log.c.details).order_by(log.c.id)
    for row in db.session.execute(query.execution_options(yield_per=batch)):
        if (row.object_type, row.object_id) in objects or mentions(row.details, pattern):
            yield row.id, row.details

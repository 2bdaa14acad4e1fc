"""Reading the audit trail: one event's, one person's (an account, a respondent, a
registration) or everything, filtered by action, who, source and dates, one page at a time.

A page costs two queries whatever it holds (the count and the page, the actor joined in),
because the person's related objects (their registrations and seats, a respondent's
invitations) are subqueries of the one statement. Who may read which trail is asked of
:mod:`.scope` by the views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import AuditEntry, Invitation, Registration, SessionSeat, User
from ..models.enums import AuditSource
from .timeutil import local_to_utc

PER_PAGE = 50
SOURCES = tuple(s.value for s in AuditSource)
#: what a person's trail can be about (the URL's ``kind``) -> the model's class name
PERSON_KINDS = {"account": "User", "respondent": "Respondent", "registration": "Registration"}


@dataclass
class TrailFilter:
    """What the page's filter form asks for (each None: no filter)."""

    action: str | None = None
    who: str | None = None
    source: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class TrailRow:
    """One entry with the name and address of who acted (None: nobody logged in)."""

    entry: AuditEntry
    actor_name: str | None
    actor_email: str | None


def _about(object_type: str, ids: Any) -> ColumnElement[bool]:
    return and_(AuditEntry.object_type == object_type, AuditEntry.object_id.in_(ids))


def _seats_of(registrations: Any) -> Any:
    return select(SessionSeat.id).where(SessionSeat.registration_id.in_(registrations))


def for_event(event_id: int) -> ColumnElement[bool]:
    """Every entry filed under the event (its sessions, invitations, registrations ...)."""
    return AuditEntry.event_id == event_id


def for_person(kind: str, object_id: int) -> ColumnElement[bool]:
    """Every entry about the person and what belongs to them.

    An account: the account, its registrations and their seats. A respondent: the record, its
    invitations and the registrations made through them. A registration: it and its seats.
    """
    if kind == "account":
        registrations = select(Registration.id).where(Registration.user_id == object_id)
        return or_(
            _about("User", [object_id]),
            _about("Registration", registrations),
            _about("SessionSeat", _seats_of(registrations)),
        )
    if kind == "respondent":
        registrations = select(Registration.id).where(Registration.respondent_id == object_id)
        invitations = select(Invitation.id).where(Invitation.respondent_id == object_id)
        return or_(
            _about("Respondent", [object_id]),
            _about("Invitation", invitations),
            _about("Registration", registrations),
            _about("SessionSeat", _seats_of(registrations)),
        )
    if kind == "registration":
        return or_(
            _about("Registration", [object_id]),
            _about("SessionSeat", _seats_of([object_id])),
        )
    return false()


def everything() -> ColumnElement[bool]:
    """No narrowing (the admins' whole trail)."""
    return true()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(where: ColumnElement[bool], filters: TrailFilter, zone: str) -> Any:
    query = select(AuditEntry, User.name, User.email).outerjoin(User, User.id == AuditEntry.user_id)
    query = query.where(where)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.source:
        query = query.where(AuditEntry.source == filters.source)
    if filters.who:
        pattern = f"%{_escape_like(filters.who.strip().lower())}%"
        query = query.where(
            or_(
                func.lower(User.email).like(pattern, escape="\\"),
                func.lower(User.name).like(pattern, escape="\\"),
            )
        )
    if filters.since:
        query = query.where(AuditEntry.created_at >= _day_start(filters.since, zone))
    if filters.until:
        query = query.where(
            AuditEntry.created_at < _day_start(filters.until + timedelta(days=1), zone)
        )
    return query


def _day_start(day: date, zone: str) -> datetime:
    return local_to_utc(datetime.combine(day, time()), zone)


@dataclass
class TrailPage:
    """One page of the trail and how many entries match in all."""

    rows: list[TrailRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def read(
    where: ColumnElement[bool],
    filters: TrailFilter | None = None,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    zone: str = "UTC",
) -> TrailPage:
    """One page of the entries matching ``where`` and ``filters``, newest first (two
    queries); dates of the filter are days in ``zone``."""
    query = _filtered(where, filters or TrailFilter(), zone)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    last = max(1, -(-total // per_page))
    page = min(max(page, 1), last)
    rows = db.session.execute(
        query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return TrailPage(
        [TrailRow(entry, name, email) for entry, name, email in rows], total, page, per_page
    )


def actions_in(where: ColumnElement[bool]) -> list[str]:
    """The actions that occur in a trail, for the filter's choice list."""
    return list(
        db.session.scalars(
            select(AuditEntry.action).where(where).distinct().order_by(AuditEntry.action)
        )
    )

"""Reading registrations: one person's, the organiser's paginated lists, ranks and totals.

Every list makes a constant number of queries whatever its length: ranks and totals are
counted in SQL, seats come with one ``selectin`` query per page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Event, Registration, SessionSeat, TrainingSession, User
from ...models.enums import RegistrationStatus, values

#: the order of the organiser's lists and of their totals: confirmed, waiting, cancelled
STATUSES = values(RegistrationStatus)
PER_PAGE = 50


def find_registration(registration_id: int) -> Registration | None:
    """The registration ``registration_id`` or None."""
    return db.session.get(Registration, registration_id)


def find_seat(seat_id: int) -> SessionSeat | None:
    """The session seat ``seat_id`` or None."""
    return db.session.get(SessionSeat, seat_id)


def registration_for(event: Event, user: User) -> Registration | None:
    """``user``'s registration for ``event`` (any status), or None."""
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == user.id
        )
    )


def my_registrations(user: User) -> list[Registration]:
    """``user``'s registrations with their events and seats, newest event first (3 queries)."""
    return list(
        db.session.scalars(
            select(Registration)
            .join(Registration.event)
            .where(Registration.user_id == user.id)
            .options(
                selectinload(Registration.event).selectinload(Event.sessions),
                selectinload(Registration.seats),
            )
            .order_by(Event.starts_at.desc())
        )
    )


def _ranks(model: Any, group: Any, rows: Iterable[Any]) -> dict[int, int]:
    """Waiting-list rank (1 = next in line) of each waitlisted row of ``rows``, in one query.

    ``ROW_NUMBER()`` over the waiting rows of the rows' events or sessions (``group``), so
    the list is read once whatever the page, and only the asked rows come back.
    """
    waiting = [row for row in rows if row.status == RegistrationStatus.WAITLISTED]
    if not waiting:
        return {}
    groups = {getattr(row, group.key) for row in waiting}
    ranked = (
        select(
            model.id,
            func.row_number()
            .over(partition_by=group, order_by=(model.waitlist_position.nulls_last(), model.id))
            .label("rank"),
        )
        .where(group.in_(groups), model.status == RegistrationStatus.WAITLISTED)
        .subquery()
    )
    query = select(ranked.c.id, ranked.c.rank).where(ranked.c.id.in_([r.id for r in waiting]))
    return {row_id: rank for row_id, rank in db.session.execute(query)}


def registration_ranks(registrations: Iterable[Any]) -> dict[int, int]:
    """Waiting-list rank (1 = next in line) of each waitlisted registration (objects or rows
    with id, status and event_id), in one query."""
    return _ranks(Registration, Registration.event_id, registrations)


def seat_ranks(seats: Iterable[SessionSeat]) -> dict[int, int]:
    """Waiting-list rank of each waitlisted seat in its session, in one query."""
    return _ranks(SessionSeat, SessionSeat.session_id, seats)


def status_order(column: Any) -> Any:
    """Confirmed first, then the waiting list, then cancelled (an SQL ``CASE``)."""
    return case({status: rank for rank, status in enumerate(STATUSES)}, value=column, else_=3)


def _paged(
    model: Any,
    group: Any,
    group_id: int,
    load: Any,
    status: Any,
    page: int,
    per_page: int,
    countries: frozenset[str] | None = None,
) -> Any:
    """One page of ``model`` rows (registrations or seats) of one event or session, with
    ``load`` loaded in one query: confirmed, the waiting list in order, cancelled; only
    ``countries``' people when given (``services.scope.visible_countries``)."""
    query = select(model)
    if countries is not None:
        if model is SessionSeat:
            query = query.join(SessionSeat.registration)
        query = query.where(Registration.country.in_(sorted(countries)))
    query = (
        query.where(group == group_id)
        .options(selectinload(load))
        .order_by(
            status_order(model.status),
            model.waitlist_position.nulls_first(),
            model.created_at,
            model.id,
        )
    )
    if status:
        query = query.where(model.status == status)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def event_registrations(
    event: Event,
    *,
    status: RegistrationStatus | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    countries: frozenset[str] | None = None,
) -> Any:
    """One page of ``event``'s registrations with their seats: confirmed, waiting, cancelled.

    A Flask-SQLAlchemy ``Pagination`` (a count query, the page, one query for its seats).
    """
    return _paged(
        Registration,
        Registration.event_id,
        event.id,
        Registration.seats,
        status,
        page,
        per_page,
        countries,
    )


def session_seats(
    session: TrainingSession,
    *,
    status: RegistrationStatus | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    countries: frozenset[str] | None = None,
) -> Any:
    """One page of ``session``'s seats with their registrations: confirmed, waiting, cancelled."""
    return _paged(
        SessionSeat,
        SessionSeat.session_id,
        session.id,
        SessionSeat.registration,
        status,
        page,
        per_page,
        countries,
    )


def status_totals(counts: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Confirmed, waitlisted and cancelled totals summed from :func:`country_counts` rows."""
    rows = list(counts)
    return {status: sum(row.get(status, 0) for row in rows) for status in STATUSES}


def country_counts(
    event: Event,
    session: TrainingSession | None = None,
    countries: frozenset[str] | None = None,
) -> list[dict[str, Any]]:
    """Per country: confirmed, waitlisted and cancelled counts (one grouped query); only
    ``countries`` when given."""
    if session is None:
        query = (
            select(Registration.country, Registration.status, func.count(Registration.id))
            .where(Registration.event_id == event.id)
            .group_by(Registration.country, Registration.status)
        )
    else:
        query = (
            select(Registration.country, SessionSeat.status, func.count(SessionSeat.id))
            .join(SessionSeat.registration)
            .where(SessionSeat.session_id == session.id)
            .group_by(Registration.country, SessionSeat.status)
        )
    if countries is not None:
        query = query.where(Registration.country.in_(sorted(countries)))
    table: dict[str, dict[str, Any]] = {}
    for country, status, count in db.session.execute(query):
        row = table.setdefault(
            country or "—", {"country": country or "—", **dict.fromkeys(STATUSES, 0)}
        )
        row[status] = row.get(status, 0) + count
    return sorted(table.values(), key=lambda r: (-r[RegistrationStatus.CONFIRMED], r["country"]))

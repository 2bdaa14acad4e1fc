"""Places and waiting lists after a cancellation, and the trace capacity changes leave."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, OutboxMessage, Registration, SessionSeat
from clusgo_events.services import ServiceError
from clusgo_events.services import registration as reg
from clusgo_events.services.events import cancel_event, cancel_session
from tests import factories


def promotion_mails() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.notice == "promoted")))


def full_event_with_a_waiting_list():  # type: ignore[no-untyped-def]
    """An event of two places and a session of one seat: the first person holds both, the
    third holds the other event place and waits for the seat, the second waits for both."""
    event = factories.event(capacity=2)
    training = factories.session(event, capacity=1)
    first = factories.registration(event, 0, sessions=[training])
    third = factories.registration(event, 2, sessions=[training], seat_status="waitlisted")
    second = factories.registration(
        event, 1, status="waitlisted", sessions=[training], seat_status="waitlisted"
    )
    db.session.commit()
    return event, training, first, second, third


def test_after_the_event_is_cancelled_nobody_moves_up(app, clock) -> None:
    event, training, first, second, third = full_event_with_a_waiting_list()
    cancel_event(event)
    db.session.commit()
    outcome = reg.cancel_registration(first)
    db.session.commit()
    db.session.expire_all()
    assert outcome.promoted == 0
    assert db.session.get(Registration, second.id).status == "waitlisted"
    assert [s.status for s in db.session.get(Registration, third.id).seats] == ["waitlisted"]
    assert promotion_mails() == []
    # raising the capacity of a cancelled event promotes nobody either
    assert reg.set_event_capacity(event, 10).promoted == 0
    db.session.commit()
    assert db.session.get(Registration, second.id).status == "waitlisted"
    with pytest.raises(ServiceError, match="This event is cancelled."):
        reg.promote_registration(db.session.get(Registration, second.id))
    db.session.rollback()
    assert promotion_mails() == []


def test_after_a_session_is_cancelled_nobody_moves_up_to_it(app, clock) -> None:
    event, training, first, second, third = full_event_with_a_waiting_list()
    cancel_session(training)
    db.session.commit()
    (seat,) = first.seats
    assert reg.cancel_seat(seat).promoted == 0
    db.session.commit()
    db.session.expire_all()
    (waiting_seat,) = db.session.get(Registration, third.id).seats
    assert waiting_seat.status == "waitlisted"
    with pytest.raises(ServiceError, match="This training session is cancelled."):
        reg.promote_seat(db.session.get(SessionSeat, waiting_seat.id))
    db.session.rollback()
    # the event still runs: its own waiting list moves up, but not into the cancelled session
    assert reg.cancel_registration(db.session.get(Registration, first.id)).promoted == 1
    db.session.commit()
    db.session.expire_all()
    promoted = db.session.get(Registration, second.id)
    assert promoted.status == "confirmed" and [s.status for s in promoted.seats] == ["waitlisted"]
    assert [m.recipient for m in promotion_mails()] == [promoted.email]


def test_capacity_changes_and_promotions_by_hand_write_their_audit_entries(
    client, auth, clock
) -> None:
    event, training, first, second, third = full_event_with_a_waiting_list()
    organiser = factories.user("organiser")
    db.session.commit()
    auth.login_as(organiser)
    client.post(f"/events/{event.slug}/capacity", data={"event-capacity": "3"})
    client.post(f"/seats/{third.seats[0].id}/promote")
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.user_id, e.details) for e in entries] == [
        ("event.capacity", organiser.id, {"capacity": 3, "promoted": 1}),
        ("seat.promote", organiser.id, {"capacity_raised_to": 2}),
    ]

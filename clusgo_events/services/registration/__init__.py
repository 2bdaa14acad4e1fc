"""Registration: places at events, seats in training sessions, waiting lists, cancellation;
one module per concern, re-exported here (``from clusgo_events.services import registration``).

- :mod:`.signup` — who may register and under which address; the registration itself
- :mod:`.changes` — other sessions, cancelling a seat or the whole registration
- :mod:`.consequences` — what a cancellation will do, for its confirmation page
- :mod:`.window` — when an event takes registrations
- :mod:`.lists` — one person's registrations, the organiser's lists, ranks and totals
- :mod:`.mail` — the registration e-mails and the check-in QR code
- :mod:`.staff` — an organiser registers a person, corrects details, moves a person's seat
- :mod:`.export` — the registrations as CSV or XLSX (the page and the command line)
- places, waiting lists and capacities: :mod:`clusgo_events.services.places`

Every function that changes places runs as one write transaction that first takes the event's
lock (:func:`clusgo_events.services.transactions.lock_event`), so all changes to one event's
places and waiting lists are serialised. The functions flush; the caller commits. Each state
change sends its domain signal, queues its e-mail and writes its audit entry in the same
transaction.
"""

from __future__ import annotations

from ..places import (
    Outcome,
    promote_registration,
    promote_seat,
    set_event_capacity,
    set_session_capacity,
)
from .changes import cancel_registration, cancel_seat, change_sessions
from .consequences import cancel_registration_consequences, cancel_seat_consequences
from .lists import (
    PER_PAGE,
    STATUSES,
    country_counts,
    event_registrations,
    find_registration,
    find_seat,
    my_registrations,
    registration_for,
    registration_ranks,
    seat_ranks,
    session_seats,
    status_totals,
)
from .mail import qr_data_uri, qr_png
from .signup import Attendee, Entry, Way, entry, register, resolve_sessions
from .window import registration_window_problem

__all__ = [
    "PER_PAGE",
    "STATUSES",
    "Attendee",
    "Entry",
    "Outcome",
    "Way",
    "cancel_registration",
    "cancel_registration_consequences",
    "cancel_seat",
    "cancel_seat_consequences",
    "change_sessions",
    "country_counts",
    "entry",
    "event_registrations",
    "find_registration",
    "find_seat",
    "my_registrations",
    "promote_registration",
    "promote_seat",
    "qr_data_uri",
    "qr_png",
    "register",
    "registration_for",
    "registration_ranks",
    "registration_window_problem",
    "resolve_sessions",
    "seat_ranks",
    "session_seats",
    "set_event_capacity",
    "set_session_capacity",
    "status_totals",
]

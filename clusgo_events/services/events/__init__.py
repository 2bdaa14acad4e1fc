"""Events and training sessions: creation, changes, publication, cancellation, listing;
one module per concern, re-exported here.

- :mod:`.checks` — what the forms give, and the checks events and sessions share
- :mod:`.changes` — events: create, edit, publish, cancel
- :mod:`.sessions` — training sessions: add, edit, cancel
- :mod:`.lifecycle` — reinstating, deleting a draft, duplicating; each step's consequences
- :mod:`.reading` — the public list, one event's page, the forms' choice lists
"""

from __future__ import annotations

from .changes import (
    EVENT_CALENDAR_FIELDS,
    SLUG_RE,
    cancel_event,
    create_event,
    edit_event,
    publish_event,
    update_event,
)
from .checks import FIRST_YEAR, LAST_YEAR, Edit, EventData, SessionData
from .lifecycle import (
    can_delete,
    cancel_event_consequences,
    cancel_session_consequences,
    delete_consequences,
    delete_event,
    duplicate_event,
    has_started,
    reinstate_consequences,
    reinstate_event,
    reinstate_session,
)
from .reading import (
    count_events,
    get_event,
    get_session,
    list_events,
    organisation_choices,
    trainer_choices,
)
from .sessions import (
    SESSION_CALENDAR_FIELDS,
    add_session,
    cancel_session,
    edit_session,
    update_session,
)

__all__ = [
    "EVENT_CALENDAR_FIELDS",
    "FIRST_YEAR",
    "LAST_YEAR",
    "SESSION_CALENDAR_FIELDS",
    "SLUG_RE",
    "Edit",
    "EventData",
    "SessionData",
    "add_session",
    "can_delete",
    "cancel_event_consequences",
    "cancel_session_consequences",
    "delete_consequences",
    "delete_event",
    "duplicate_event",
    "has_started",
    "reinstate_consequences",
    "reinstate_event",
    "reinstate_session",
    "cancel_event",
    "cancel_session",
    "count_events",
    "create_event",
    "edit_event",
    "edit_session",
    "get_event",
    "get_session",
    "list_events",
    "organisation_choices",
    "publish_event",
    "trainer_choices",
    "update_event",
    "update_session",
]

"""Attendance at training sessions: rosters, marks, QR check-in, walk-ins, closing, lists,
the summary and certificates; one module per concern.

* :mod:`.access` — who may see and change a session's attendance;
* :mod:`.roster` — a session's confirmed participants with their marks, and its walk-ins;
* :mod:`.marking` — one record per person and session: who marked it, when, how;
* :mod:`.checkin` — check-in by the code of a participant's QR code;
* :mod:`.walk_ins` — people who came without registering;
* :mod:`.closing` — closing a session's attendance and reopening it;
* :mod:`.rows`, :mod:`.spreadsheets`, :mod:`.sign_in_sheet`, :mod:`.exports` — the lists
  (CSV, XLSX, the PDF sign-in sheet), with :mod:`.pdf_text` for text in every script;
* :mod:`.summary` and :mod:`.certificates` — an event's figures, certificates of attendance.

The operations people use are named here, so ``from clusgo_events.services import attendance``
then ``attendance.mark(...)`` reads as before the split.
"""

from __future__ import annotations

from .access import can_change, can_view, is_trainer_of, marking_is_early, sessions_for
from .checkin import CheckInResult, check_in, normalise_code
from .closing import close, reopen
from .marking import UnknownParticipant, find_record, mark, mark_line
from .roster import (
    ATTENDED,
    RosterEntry,
    counts,
    matching,
    roster,
    roster_entry,
    roster_query,
    search_text,
    walk_in_query,
)
from .walk_ins import WalkInData, add_walk_in

__all__ = [
    "ATTENDED",
    "CheckInResult",
    "RosterEntry",
    "UnknownParticipant",
    "WalkInData",
    "add_walk_in",
    "can_change",
    "can_view",
    "check_in",
    "close",
    "counts",
    "find_record",
    "is_trainer_of",
    "mark",
    "mark_line",
    "normalise_code",
    "reopen",
    "roster",
    "roster_entry",
    "roster_query",
    "matching",
    "search_text",
    "sessions_for",
    "marking_is_early",
    "walk_in_query",
]

"""Invitations: who is eligible, sending (never twice), reminders, answers by token, the
organiser's overview; one module per concern, re-exported here.

- :mod:`.eligibility` — DESIGN.md's rule, narrowed by the organiser
- :mod:`.sending` — invitations, their expiry (it follows the registration deadline)
- :mod:`.reminders` — reminders with a fresh link, at most once per interval
- :mod:`.state` — where an invitation stands: the one rule of what its link may still do
- :mod:`.answers` — accept or decline by the link
- :mod:`.feedback` — delivery marking invitations sent or failed (``RECEIVERS``)
- :mod:`.overview` — the organiser's counts and list
"""

from __future__ import annotations

from .answers import accept, decline
from .dates import format_moment, format_when
from .eligibility import (
    INTERESTS,
    Narrowing,
    check_narrowing,
    count_eligible,
    eligible_query,
    may_contact_by_hand,
)
from .feedback import RECEIVERS
from .overview import FILTERS, counts_by_country, list_invitations
from .reminders import DEFAULT_REMINDER_INTERVAL, reminder_candidates, send_reminders
from .sending import (
    SendResult,
    check_can_invite,
    expiry_for,
    follow_deadline,
    render_mail,
    send_invitations,
)
from .state import (
    USABLE,
    Standing,
    effective_status,
    find_by_token,
    registration_through,
    standing,
)

__all__ = [
    "may_contact_by_hand",
    "DEFAULT_REMINDER_INTERVAL",
    "FILTERS",
    "INTERESTS",
    "RECEIVERS",
    "USABLE",
    "Narrowing",
    "SendResult",
    "Standing",
    "accept",
    "check_can_invite",
    "check_narrowing",
    "count_eligible",
    "counts_by_country",
    "decline",
    "effective_status",
    "eligible_query",
    "expiry_for",
    "find_by_token",
    "follow_deadline",
    "format_moment",
    "format_when",
    "list_invitations",
    "registration_through",
    "reminder_candidates",
    "render_mail",
    "send_invitations",
    "send_reminders",
    "standing",
]

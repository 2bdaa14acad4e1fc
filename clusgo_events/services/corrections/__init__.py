"""Correcting organisers' mistakes: respondents (edit, delete, merge) and invitations one
person at a time (by hand, resend, remind); one module per concern, re-exported here.

- :mod:`.respondents` — edit, delete and merge survey respondents
- :mod:`.invitations` — invite one person by hand, resend, remind one, an invitation's history
"""

from __future__ import annotations

from .. import ServiceError
from ..versions import check_form_fresh as check_fresh
from ..versions import version_of
from .invitations import (
    HandInvite,
    invitation_history,
    invite_by_hand,
    remind_one,
    resend,
)
from .respondents import (
    MergePlan,
    RespondentChanges,
    check_deletable,
    delete_consequences,
    delete_respondent,
    merge_plan,
    merge_respondents,
    update_respondent,
)

__all__ = [
    "HandInvite",
    "MergePlan",
    "RespondentChanges",
    "ServiceError",
    "check_deletable",
    "check_fresh",
    "delete_consequences",
    "delete_respondent",
    "invitation_history",
    "invite_by_hand",
    "merge_plan",
    "merge_respondents",
    "remind_one",
    "resend",
    "update_respondent",
    "version_of",
]

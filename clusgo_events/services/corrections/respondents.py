"""Correcting survey respondents: edit (consent with a reason), delete, merge two records.

Delete and merge compute their consequences here, with exact counts, so the confirmation an
organiser reads and the operation share one rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, func, select, update

from ...extensions import db
from ...models import ConsentRecord, Invitation, Registration, Respondent
from ...models.base import max_length
from ...models.enums import ConsentMethod
from .. import ServiceError, ValidationErrors, audit, scope
from ..outbox.steering import withdraw_invitation_mail
from ..privacy.consent import record_consent
from ..tokens import new_token
from ..versions import check_form_fresh
from .fields import clean_email, clean_person


@dataclass
class RespondentChanges:
    """What the organiser typed on the edit form."""

    email: str
    contact_name: str = ""
    organisation_name: str = ""
    country: str = ""
    language: str = ""
    consent: bool = False
    consent_reason: str = ""


def _email_taken(address: str, respondent: Respondent) -> bool:
    return (
        db.session.scalar(
            select(Respondent.id).where(Respondent.email == address, Respondent.id != respondent.id)
        )
        is not None
    )


def _cleaned(respondent: Respondent, changes: RespondentChanges) -> dict[str, Any]:
    """The new values, or every field's refusal at once."""
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    try:
        values = clean_person(
            None, changes.contact_name, changes.organisation_name, changes.country, changes.language
        )
    except ValidationErrors as exc:
        errors = dict(exc._errors)
    try:
        values["email"] = clean_email(changes.email)
    except ServiceError as exc:
        errors["email"] = exc._message
    else:
        if _email_taken(values["email"], respondent):
            errors["email"] = _l(
                "Another respondent has this address: merge the two records instead."
            )
    if changes.consent != respondent.consent and not changes.consent_reason.strip():
        errors["consent_reason"] = _l("Say why the consent changes.")
    elif len(changes.consent_reason.strip()) > (limit := max_length(ConsentRecord.detail)):
        errors["consent_reason"] = _l("At most %(n)s characters.", n=limit)
    if errors:
        raise ValidationErrors(errors)
    return values


def update_respondent(
    respondent: Respondent,
    changes: RespondentChanges,
    seen: str,
    countries: frozenset[str] | None = None,
) -> list[str]:
    """Save the organiser's corrections of ``respondent`` (read at version ``seen``); the
    names of the fields that changed. The country stays among ``countries`` (the
    organiser's, :func:`..scope.visible_countries`; None: any). A changed address ends the
    links sent to the old one at once (their queued mails are withdrawn); the invitation's
    "send again" mails a new link to the corrected address."""
    check_form_fresh(respondent, seen)
    values = _cleaned(respondent, changes)
    scope.require_country(countries, values.get("country"))
    consent_changed = changes.consent != respondent.consent
    if consent_changed:
        # the one door of a consent change: its record (method, reason, notice) and audit
        # entry; before the address changes, so that mail queued to the old one is taken back
        record_consent(respondent, changes.consent, ConsentMethod.ORGANISER, changes.consent_reason)
    changed = [name for name, value in values.items() if getattr(respondent, name) != value]
    details: dict[str, Any] = {}
    if "email" in changed:
        details["links_ended"], details["withdrawn"] = _end_old_links(respondent)
    for name in changed:
        setattr(respondent, name, values[name])
    if consent_changed:
        changed.append("consent")
    if changed:
        audit.record("respondent.update", respondent, {"fields": changed, **details})
        db.session.flush()
    return changed


def _end_old_links(respondent: Respondent) -> tuple[int, int]:
    """Give every unused invitation of ``respondent`` a new (unsent) link, so the one mailed
    to the old address stops working (an accepted one too: whoever accepted read the wrong
    mailbox), and withdraw what still waits to go there; (links ended, mails withdrawn)."""
    used = select(Registration.invitation_id).where(Registration.invitation_id.is_not(None))
    invitations = list(
        db.session.scalars(
            select(Invitation).where(
                Invitation.respondent_id == respondent.id, Invitation.id.not_in(used)
            )
        )
    )
    for invitation in invitations:
        invitation.token_hash = new_token()[1]
    withdrawn = withdraw_invitation_mail([i.id for i in invitations], "address corrected")
    return len(invitations), withdrawn


def _invitation_ids(respondent: Respondent) -> list[int]:
    return list(
        db.session.scalars(select(Invitation.id).where(Invitation.respondent_id == respondent.id))
    )


def _registration_count(respondent: Respondent) -> int:
    registrations = db.session.scalar(
        select(func.count(Registration.id)).where(Registration.respondent_id == respondent.id)
    )
    return int(registrations or 0)


def delete_consequences(respondent: Respondent) -> list[str]:
    """What deleting ``respondent`` does, with exact counts (the confirmation's lines)."""
    invitations, registrations = len(_invitation_ids(respondent)), _registration_count(respondent)
    return [
        ngettext(
            "%(num)d invitation is deleted: its link stops working.",
            "%(num)d invitations are deleted: their links stop working.",
            invitations,
        ),
        ngettext(
            "%(num)d registration stays, no longer linked to this survey response.",
            "%(num)d registrations stay, no longer linked to this survey response.",
            registrations,
        ),
        str(_l("The survey answers of %(email)s are deleted.", email=respondent.email)),
    ]


def check_deletable(respondent: Respondent) -> None:
    """Refuse to delete someone who withdrew consent: the record keeps the withdrawal, so a
    later survey import does not invite them again (an erasure, on the Privacy page, blanks
    their data and keeps it)."""
    if respondent.consent_withdrawn_at is not None:
        raise ServiceError(
            _l(
                "%(email)s withdrew consent: deleting the record would lose that, and a later"
                " survey import could invite them again. Erase their data on the Privacy page"
                " instead.",
                email=respondent.email,
            )
        )


def delete_respondent(respondent: Respondent, seen: str) -> None:
    """Delete ``respondent`` and their invitations (what still waits to be sent does not go
    out); registrations stay (unlinked)."""
    check_form_fresh(respondent, seen)
    check_deletable(respondent)
    ids = _invitation_ids(respondent)
    withdrawn = withdraw_invitation_mail(ids, "respondent deleted")
    audit.record(
        "respondent.delete",
        respondent,
        {
            "invitations": len(ids),
            "registrations": _registration_count(respondent),
            "withdrawn": withdrawn,
        },
    )
    db.session.execute(
        update(Registration)
        .where(Registration.respondent_id == respondent.id)
        .values(respondent_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(Invitation)
        .where(Invitation.respondent_id == respondent.id)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(respondent)
    db.session.flush()


@dataclass
class MergePlan:
    """What merging ``other`` into ``survivor`` does: invitations moved, invitations dropped
    (both were invited to one event: the one with a registration, else an answer, else the
    survivor's stays), registrations relinked, empty fields filled from ``other``."""

    survivor: Respondent
    other: Respondent
    moved: list[Invitation] = field(default_factory=list)
    dropped: list[Invitation] = field(default_factory=list)
    registrations: int = 0
    filled: list[str] = field(default_factory=list)
    #: ``other`` withdrew consent and ``survivor`` did not: the record that stays keeps it
    carries_withdrawal: bool = False

    def consequences(self) -> list[str]:
        """The confirmation's lines, with exact counts."""
        return [
            str(
                _l(
                    "%(kept)s stays; %(gone)s is deleted.",
                    kept=self.survivor.email,
                    gone=self.other.email,
                )
            ),
            ngettext(
                "%(num)d invitation moves to the record that stays.",
                "%(num)d invitations move to the record that stays.",
                len(self.moved),
            ),
            ngettext(
                "%(num)d invitation to an event both were invited to is deleted"
                " (its link stops working).",
                "%(num)d invitations to events both were invited to are deleted"
                " (their links stop working).",
                len(self.dropped),
            ),
            ngettext(
                "%(num)d registration is linked to the record that stays.",
                "%(num)d registrations are linked to the record that stays.",
                self.registrations,
            ),
            ngettext(
                "%(num)d empty field is filled from the deleted record.",
                "%(num)d empty fields are filled from the deleted record.",
                len(self.filled),
            ),
        ] + (
            [
                str(
                    _l(
                        "%(gone)s withdrew consent: the record that stays keeps the withdrawal"
                        " and gets no more invitations.",
                        gone=self.other.email,
                    )
                )
            ]
            if self.carries_withdrawal
            else []
        )


FILLABLE = ("contact_name", "organisation_name", "country", "language", "city", "sector")


def _weight(invitation: Invitation, used: set[int]) -> int:
    return 2 if invitation.id in used else 1 if invitation.answered_at is not None else 0


def merge_plan(survivor: Respondent, other: Respondent) -> MergePlan:
    """What :func:`merge_respondents` would do (nothing is changed)."""
    if survivor.id == other.id:
        raise ServiceError(_l("Choose two different records."), "other")
    invitations = list(
        db.session.scalars(
            select(Invitation).where(Invitation.respondent_id.in_([survivor.id, other.id]))
        )
    )
    used = set(
        db.session.scalars(
            select(Registration.invitation_id).where(
                Registration.invitation_id.in_([i.id for i in invitations] or [0])
            )
        )
    )
    plan = MergePlan(survivor=survivor, other=other)
    by_event: dict[int, list[Invitation]] = {}
    for invitation in invitations:
        by_event.setdefault(invitation.event_id, []).append(invitation)
    for pair in by_event.values():
        theirs = [i for i in pair if i.respondent_id == other.id]
        if len(pair) == 1:
            plan.moved.extend(theirs)
            continue
        keep = max(pair, key=lambda i: (_weight(i, used), i.respondent_id == survivor.id))
        plan.dropped.extend(i for i in pair if i is not keep)
        if keep.respondent_id == other.id:
            plan.moved.append(keep)
    plan.registrations = int(
        db.session.scalar(
            select(func.count(Registration.id)).where(Registration.respondent_id == other.id)
        )
        or 0
    )
    plan.filled = [n for n in FILLABLE if not getattr(survivor, n) and getattr(other, n)]
    plan.carries_withdrawal = (
        other.consent_withdrawn_at is not None and survivor.consent_withdrawn_at is None
    )
    return plan


def merge_respondents(survivor: Respondent, other: Respondent, seen: dict[str, str]) -> MergePlan:
    """Merge ``other`` into ``survivor`` as :func:`merge_plan` says, then delete ``other``;
    ``seen`` holds both records' versions as the organiser previewed them."""
    check_form_fresh(survivor, seen.get("survivor"))
    check_form_fresh(other, seen.get("other"))
    plan = merge_plan(survivor, other)
    dropped = [i.id for i in plan.dropped]
    withdrawn = withdraw_invitation_mail(dropped, "merged into another record")
    if survivor.consent_withdrawn_at is not None or plan.carries_withdrawal:
        # a withdrawal on either record: nothing more goes to the other address either
        moved = [i.id for i in plan.moved]
        withdrawn += withdraw_invitation_mail(moved, "merged into a record without consent")
    # the consent history goes with the person; a withdrawal on either record stays
    db.session.execute(
        update(ConsentRecord)
        .where(ConsentRecord.respondent_id == other.id)
        .values(respondent_id=survivor.id)
        .execution_options(synchronize_session=False)
    )
    if plan.carries_withdrawal:
        record_consent(
            survivor,
            False,
            ConsentMethod.ORGANISER,
            str(_l("Merged with %(email)s, who had withdrawn consent.", email=other.email)),
        )
    if dropped:
        db.session.execute(
            delete(Invitation)
            .where(Invitation.id.in_(dropped))
            .execution_options(synchronize_session=False)
        )
    if plan.moved:
        db.session.execute(
            update(Invitation)
            .where(Invitation.id.in_([i.id for i in plan.moved]))
            .values(respondent_id=survivor.id)
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(Registration)
        .where(Registration.respondent_id == other.id)
        .values(respondent_id=survivor.id)
        .execution_options(synchronize_session=False)
    )
    for name in plan.filled:
        setattr(survivor, name, getattr(other, name))
    survivor.interested_in_event = survivor.interested_in_event or other.interested_in_event
    survivor.interested_in_training = (
        survivor.interested_in_training or other.interested_in_training
    )
    audit.record(
        "respondent.merge",
        survivor,
        {
            "merged": other.id,
            "moved": len(plan.moved),
            "dropped": len(dropped),
            "registrations": plan.registrations,
            "filled": plan.filled,
            "withdrawn": withdrawn,
            "carries_withdrawal": plan.carries_withdrawal,
        },
    )
    db.session.delete(other)
    db.session.flush()
    db.session.expire_all()
    return plan

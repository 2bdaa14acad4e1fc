"""Readable names for the audit trail: what each action did, what it was about, where it
came from, in the reader's language (an unknown action shows its code)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTIONS = {
    "attendance.certificates": _l("Certificates sent"),
    "attendance.change_after_close": _l("Attendance changed after closing"),
    "attendance.close": _l("Attendance closed"),
    "attendance.reopen": _l("Attendance reopened"),
    "attendance.walk_in": _l("Walk-in added"),
    "calendar.feed_reset": _l("Calendar feed link renewed"),
    "event.cancel": _l("Event cancelled"),
    "event.capacity": _l("Event capacity changed"),
    "event.create": _l("Event created"),
    "event.delete": _l("Draft deleted"),
    "event.duplicate": _l("Event duplicated as a draft"),
    "event.publish": _l("Event published"),
    "event.reinstate": _l("Event reinstated"),
    "event.update": _l("Event changed"),
    "invitation.accept": _l("Invitation accepted"),
    "invitation.decline": _l("Invitation declined"),
    "invitations.remind": _l("Reminders queued"),
    "invitations.send": _l("Invitations queued"),
    "outbox.bodies_purged": _l("Message texts removed after delivery"),
    "outbox.failed": _l("E-mail could not be delivered"),
    "registration.cancel": _l("Registration cancelled"),
    "registration.create": _l("Registered"),
    "registration.promote": _l("Moved up from the waiting list"),
    "registration.sessions": _l("Training sessions changed"),
    "seat.cancel": _l("Session place cancelled"),
    "seat.promote": _l("Moved up from a session's waiting list"),
    "session.cancel": _l("Session cancelled"),
    "session.capacity": _l("Session capacity changed"),
    "session.create": _l("Session added"),
    "session.reinstate": _l("Session reinstated"),
    "session.update": _l("Session changed"),
    "survey.import": _l("Survey results imported"),
    "event.remind": _l("Reminders before the event queued"),
    "event.report_settings": _l("Report settings changed"),
    "mail.test": _l("Test copy of a mail sent"),
    "mail_job.requested": _l("Mail sending started in the background"),
    "outbox.cancelled": _l("Queued mail cancelled"),
    "privacy.erased": _l("Person's data erased"),
    "privacy.erasure_declined": _l("Erasure request declined"),
    "privacy.erasure_requested": _l("Erasure requested"),
    "privacy.exported": _l("Person's data exported"),
    "privacy.notice_published": _l("Privacy notice published"),
    "privacy.purged": _l("Data past its retention purged"),
    "user.language": _l("Language chosen"),
    "attendance.certificate_reissue": _l("Certificate reissued"),
    "consent.given": _l("Consent given"),
    "consent.withdrawn": _l("Consent withdrawn"),
    "event.logo_add": _l("Logo added"),
    "event.logo_remove": _l("Logo removed"),
    "event.mail_settings": _l("Mail settings changed"),
    "outbox.requeued_event": _l("Event's failed mail sent again"),
    "outbox.resent": _l("Mail sent again"),
    "participants.message": _l("Message to participants sent"),
    "user.association": _l("Partner association set"),
    "user.activate": _l("Account reactivated"),
    "user.create": _l("Account created"),
    "user.deactivate": _l("Account deactivated"),
    "user.password_change": _l("Password changed"),
    "user.password_reset": _l("Password reset through the mailed link"),
    "user.password_reset_requested": _l("Password reset requested"),
    "user.setup_done": _l("Password chosen through the set-up link"),
    "user.setup_link": _l("Set-up link sent"),
    "user.signup": _l("Signed up"),
    "user.update": _l("Account changed"),
    "invitation.invite_by_hand": _l("Invited by hand"),
    "invitation.remind_one": _l("Reminder queued"),
    "invitation.resend": _l("Invitation sent again with a new link"),
    "registration.edit": _l("Registration details corrected"),
    "respondent.add_by_hand": _l("Respondent added by hand"),
    "respondent.delete": _l("Respondent deleted"),
    "respondent.merge": _l("Respondent records merged"),
    "respondent.update": _l("Respondent corrected"),
    "seat.move": _l("Moved to another session"),
}

OBJECTS = {
    "AttendanceRecord": _l("Attendance"),
    "Event": _l("Event"),
    "Invitation": _l("Invitation"),
    "OutboxMessage": _l("E-mail"),
    "Registration": _l("Registration"),
    "Respondent": _l("Respondent"),
    "SessionSeat": _l("Session place"),
    "TrainingSession": _l("Session"),
    "User": _l("Account"),
}

SOURCES = {
    "web": _l("web page"),
    "cli": _l("command line"),
    "worker": _l("mail worker"),
}


def action_label(action: str) -> str:
    """What ``action`` did, readable; the code itself when it is not known yet."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def object_label(object_type: str) -> str:
    label = OBJECTS.get(object_type)
    return str(label) if label is not None else object_type


def source_label(source: str) -> str:
    label = SOURCES.get(source)
    return str(label) if label is not None else source

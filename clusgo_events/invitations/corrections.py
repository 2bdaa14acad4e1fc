"""One person at a time on the organiser's Invitations page: invite by hand, send again
(after a corrected address: asks once), remind one invitee. Organisers of the event only."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.decorators import role_required
from ..extensions import db
from ..forms import ConfirmForm
from ..models import Event, Invitation, Role
from ..respondents.forms import InviteOneForm
from ..services import corrections, scope
from ..web import Confirmation, confirmation_page, perform
from .forms import NarrowForm, ReminderForm
from .routes import _event_or_404, _overview, bp


def _managed(slug: str) -> Event:
    event = _event_or_404(slug)
    if not scope.manages_event(current_user, event):
        abort(403)
    return event


def _invitation_of(event: Event, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    countries = scope.visible_countries(current_user)
    if (
        invitation is None
        or invitation.event_id != event.id
        or (countries is not None and invitation.respondent.country not in countries)
    ):
        abort(404)
    return invitation


def _back(event: Event, invitation: Invitation) -> str:
    """Where the organiser came from: the respondent's page or the Invitations page."""
    if request.values.get("back") == "respondent":
        return url_for("respondents.show", respondent_id=invitation.respondent_id)
    return url_for("invitations.manage", slug=event.slug)


@bp.route("/events/<slug>/invitations/by-hand", methods=["POST"])
@role_required(Role.ORGANISER)
def invite_by_hand(slug: str) -> str | Response:
    """Invite one person by hand (a new respondent, marked as added by hand)."""
    event = _managed(slug)
    form = InviteOneForm()
    if form.validate_on_submit():
        person = corrections.HandInvite(
            email=form.email.data or "",
            contact_name=form.contact_name.data or "",
            organisation_name=form.organisation_name.data or "",
            country=form.country.data or "",
            language=form.language.data or "",
        )
        result = perform(
            lambda: corrections.invite_by_hand(
                event, person, scope.visible_countries(current_user)
            ),
            done=lambda inv: _("Invitation to %(email)s queued.", email=inv.respondent.email),
            form=form,
        )
        if result.ok:
            return redirect(url_for("invitations.manage", slug=event.slug))
    narrow = NarrowForm(formdata=None)
    narrow.set_countries(event.target_country_list)
    return _overview(event, narrow, ReminderForm(formdata=None), invite_one=form)


@bp.route("/events/<slug>/invitations/<int:invitation_id>/resend", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def resend(slug: str, invitation_id: int) -> str | Response:
    """Ask once, then send the invitation again to the respondent's address now."""
    event = _managed(slug)
    invitation = _invitation_of(event, invitation_id)
    if request.method == "POST":
        if ConfirmForm().validate_on_submit():
            address = invitation.respondent.email
            perform(
                lambda: corrections.resend(invitation),
                done=_("The invitation is queued again for %(email)s.", email=address),
            )
        return redirect(_back(event, invitation))
    return confirmation_page(
        Confirmation(
            title=_("Send the invitation again to %(email)s?", email=invitation.respondent.email),
            consequences=[
                _(
                    "An invitation e-mail with a new link goes to %(email)s.",
                    email=invitation.respondent.email,
                ),
                _("The link in the earlier e-mails stops working."),
            ],
            action=url_for("invitations.resend", slug=event.slug, invitation_id=invitation.id),
            button=_("Send again"),
            back=_back(event, invitation),
            fields={"back": request.args.get("back", "")},
        )
    )


@bp.route("/events/<slug>/invitations/<int:invitation_id>/remind", methods=["POST"])
@role_required(Role.ORGANISER)
def remind_one(slug: str, invitation_id: int) -> Response:
    """Remind one invitee now."""
    event = _managed(slug)
    invitation = _invitation_of(event, invitation_id)
    if ConfirmForm().validate_on_submit():
        perform(
            lambda: corrections.remind_one(invitation),
            done=_("Reminder to %(email)s queued.", email=invitation.respondent.email),
        )
    return redirect(_back(event, invitation))

"""Invitations: the organiser's page per event and the invitee's pages by token."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.decorators import role_required
from ..forms import ConfirmForm, apply_service_errors
from ..i18n import page_language
from ..models import Event, Invitation
from ..models.enums import InvitationStatus, Role, values
from ..query_args import one_of, page_number
from ..respondents.forms import InviteOneForm
from ..services import ServiceError, mail_jobs, scope
from ..services import events as event_service
from ..services import invitations as service
from ..services.outbox import listing as outbox_listing
from ..web import perform
from .forms import AnswerForm, NarrowForm, ReminderForm

bp = Blueprint("invitations", __name__)

STATES = values(InvitationStatus)
Standing = service.Standing
#: the page an invitee sees when the link can no longer be answered, and its HTTP status
STATE_PAGES = {
    Standing.CANCELLED: 410,
    Standing.EXPIRED: 410,
    Standing.ACCEPTED: 200,
    Standing.REGISTERED: 200,
    Standing.DECLINED: 200,
}


def _event_or_404(slug: str) -> Event:
    event = event_service.get_event(slug, include_drafts=True)
    if event is None:
        abort(404)
    return event


def _narrowing(form: NarrowForm) -> service.Narrowing:
    return service.Narrowing(
        countries=list(form.countries.data or []), interest=form.interest.data or "any"
    )


def _overview(
    event: Event,
    form: NarrowForm,
    reminders: ReminderForm,
    invite_one: InviteOneForm | None = None,
) -> str:
    eligible: dict[str, int] = {}
    if not form.errors:
        try:
            eligible = service.count_eligible(event, _narrowing(form))
        except ServiceError as exc:
            apply_service_errors(form, exc)
    countries = scope.visible_countries(current_user)
    state, unknown_state = one_of(request.args, "state", service.FILTERS)
    pagination = service.list_invitations(
        event, page=page_number(request.args), countries=countries, state=state
    )
    by_country = service.counts_by_country(event, countries)
    totals = {state: sum(row.get(state, 0) for row in by_country.values()) for state in STATES}
    largest = max((sum(row.values()) for row in by_country.values()), default=0)
    return render_template(
        "invitations/manage.html",
        event=event,
        form=form,
        reminders=reminders,
        eligible=eligible,
        eligible_total=sum(eligible.values()),
        pagination=pagination,
        by_country=by_country,
        totals=totals,
        largest=largest,
        states=STATES,
        effective_status=service.effective_status,
        may_contact=service.may_contact_by_hand,
        failed_messages=outbox_listing.failed_messages_of([i.id for i in pagination.items]),
        jobs=_jobs(event),
        state=state,
        unknown_state=unknown_state,
        filters=service.FILTERS,
        invite_one=invite_one or InviteOneForm(formdata=None),
        confirm=ConfirmForm(formdata=None),
    )


def _jobs(event: Event) -> list[dict[str, object]]:
    """The progress of the event's newest background sending (invitations, reminders)."""
    labels = {
        "queued": _("waiting for the worker"),
        "running": _("being prepared"),
        "done": _("prepared"),
        "failed": _("failed"),
    }
    found = [mail_jobs.latest(event, kind) for kind in mail_jobs.MESSAGE_KIND]
    jobs = [mail_jobs.progress(job) for job in found if job is not None]
    for job in jobs:
        job["status_label"] = labels[job["status"]] + (f": {job['error']}" if job["error"] else "")
    return jobs


def _started(what: str) -> object:
    def message(job: mail_jobs.MailJob) -> str:
        expected = int(job.parameters.get("expected") or 0)
        if what == "reminders":
            return ngettext(
                "%(num)d reminder is being prepared and sent in the background.",
                "%(num)d reminders are being prepared and sent in the background.",
                expected,
            )
        return ngettext(
            "%(num)d invitation is being prepared and sent in the background.",
            "%(num)d invitations are being prepared and sent in the background.",
            expected,
        )

    return message


@bp.route("/events/<slug>/invitations", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def manage(slug: str) -> str | Response:
    """Eligible count with the organiser's narrowing, send, and the invitations' states."""
    event = _event_or_404(slug)
    if request.method == "POST":
        form = NarrowForm()
    else:  # the count before sending: the same fields, read from the query string
        form = NarrowForm(formdata=request.args, meta={"csrf": False})
    form.set_countries(event.target_country_list)
    if request.method == "GET":
        if request.args:
            form.validate()
    elif form.validate():
        narrowing = _narrowing(form)
        result = perform(
            lambda: mail_jobs.request_invitations(event, narrowing, current_user),
            done=_started("invitations"),
            form=form,
        )
        if result.ok:
            return redirect(url_for("invitations.manage", slug=event.slug))
    return _overview(event, form, ReminderForm(formdata=None))


@bp.route("/events/<slug>/invitations/reminders", methods=["POST"])
@role_required(Role.ORGANISER)
def remind(slug: str) -> str | Response:
    """Remind those who have not answered."""
    event = _event_or_404(slug)
    reminders = ReminderForm()
    if reminders.validate_on_submit():
        interval = timedelta(days=reminders.interval_days.data)
        result = perform(
            lambda: mail_jobs.request_reminders(event, interval, current_user),
            done=_started("reminders"),
            form=reminders,
            field_names={"interval": "interval_days"},
        )
        if result.ok:
            return redirect(url_for("invitations.manage", slug=event.slug))
    form = NarrowForm(formdata=None)
    form.set_countries(event.target_country_list)
    return _overview(event, form, reminders)


@bp.route("/events/<slug>/invitations/progress")
@role_required(Role.ORGANISER)
def progress(slug: str) -> Response:
    """The background sending's counts for the page's script (static/js/mail-progress.js)."""
    return jsonify(jobs=_jobs(_event_or_404(slug)))


# -- the invitee's pages -------------------------------------------------------------------


def _invitation_or_gone(token: str) -> Invitation | tuple[str, int]:
    invitation = service.find_by_token(token)
    if invitation is None:
        return render_template("invitations/state.html", state="unknown"), 404
    page_language(invitation.language)
    return invitation


def _page(template: str, invitation: Invitation, token: str, **context: object) -> str:
    """Render an invitee's page with the invitation's dates written their way."""
    event = invitation.event
    return render_template(
        template,
        inv=invitation,
        event=event,
        token=token,
        when=service.format_when(event),  # in the page's language (the invitation's or chosen)
        expires=service.format_moment(invitation.expires_at, event),
        **context,
    )


def _state_page(invitation: Invitation, token: str) -> tuple[str, int] | None:
    """The page for a link that can no longer be answered (None: it can)."""
    standing = service.standing(invitation)
    if standing not in STATE_PAGES:
        return None
    made = service.registration_through(invitation)
    mine = current_user.is_authenticated and made is not None and made.user_id == current_user.id
    page = _page("invitations/state.html", invitation, token, state=standing, mine=mine)
    return page, STATE_PAGES[standing]


@bp.route("/invitations/<token>")
def show(token: str) -> str | tuple[str, int]:
    """The invitation in the invitee's language, with Accept and Decline."""
    found = _invitation_or_gone(token)
    if not isinstance(found, Invitation):
        return found
    closed = _state_page(found, token)
    if closed is not None:
        return closed
    return _page("invitations/show.html", found, token, form=AnswerForm())


@bp.route("/invitations/<token>/accept", methods=["POST"])
def accept(token: str) -> Response | tuple[str, int] | str:
    """Accept, then register (prefilled from the survey)."""
    found = _invitation_or_gone(token)
    if not isinstance(found, Invitation):
        return found
    form = AnswerForm()
    if not form.validate_on_submit():
        return redirect(url_for("invitations.show", token=token))
    if not perform(lambda: service.accept(found), form=form).ok:
        return _state_page(found, token) or redirect(url_for("invitations.show", token=token))
    return redirect(url_for("registration.register", slug=found.event.slug, invitation=token))


@bp.route("/invitations/<token>/decline", methods=["POST"])
def decline(token: str) -> Response | tuple[str, int] | str:
    """Decline, optionally with a reason."""
    found = _invitation_or_gone(token)
    if not isinstance(found, Invitation):
        return found
    form = AnswerForm()
    if not form.validate_on_submit():
        return _page("invitations/show.html", found, token, form=form), 400
    if not perform(lambda: service.decline(found, form.reason.data or ""), form=form).ok:
        return _state_page(found, token) or redirect(url_for("invitations.show", token=token))
    return _page("invitations/state.html", found, token, state=Standing.DECLINED)


from . import corrections  # noqa: E402,F401  (the one-person routes, on this blueprint)

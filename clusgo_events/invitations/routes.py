"""Invitations: the organiser's page per event and the invitee's pages by token."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..auth.decorators import role_required
from ..extensions import db
from ..forms import apply_service_errors
from ..models import Event, Invitation
from ..services import ServiceError, audit
from ..services import events as event_service
from ..services import invitations as service
from .forms import AnswerForm, NarrowForm, ReminderForm

bp = Blueprint("invitations", __name__)

MAX_PAGE = 1_000_000
STATES = ("queued", "sent", "failed", "accepted", "declined", "expired")


def _event_or_404(slug: str) -> Event:
    event = event_service.get_event(slug, include_drafts=True)
    if event is None:
        abort(404)
    return event


def _narrowing(form: NarrowForm) -> service.Narrowing:
    return service.Narrowing(
        countries=list(form.countries.data or []), interest=form.interest.data or "any"
    )


def _overview(event: Event, form: NarrowForm, reminders: ReminderForm) -> str:
    eligible: dict[str, int] = {}
    if not form.errors:
        try:
            eligible = service.count_eligible(event, _narrowing(form))
        except ServiceError as exc:
            apply_service_errors(form, exc)
    page = request.args.get("page", 1, type=int) or 1
    # bounded: a huge page number overflows the OFFSET on PostgreSQL
    pagination = service.list_invitations(event, page=min(max(page, 1), MAX_PAGE))
    by_country = service.counts_by_country(event)
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
    )


@bp.route("/events/<slug>/invitations", methods=["GET", "POST"])
@role_required("organiser")
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
        try:
            result = service.send_invitations(event, _narrowing(form))
        except ServiceError as exc:
            db.session.rollback()
            apply_service_errors(form, exc)
        else:
            audit.record("invitations.send", event, {"queued": result.queued})
            db.session.commit()
            flash(f"{result.queued} invitation(s) queued.", "success")
            return redirect(url_for("invitations.manage", slug=event.slug))
    return _overview(event, form, ReminderForm(formdata=None))


@bp.route("/events/<slug>/invitations/reminders", methods=["POST"])
@role_required("organiser")
def remind(slug: str) -> str | Response:
    """Remind those who have not answered."""
    event = _event_or_404(slug)
    reminders = ReminderForm()
    if reminders.validate_on_submit():
        try:
            result = service.send_reminders(
                event, interval=timedelta(days=reminders.interval_days.data)
            )
        except ServiceError as exc:
            db.session.rollback()
            apply_service_errors(reminders, exc, {"interval": "interval_days"})
        else:
            audit.record("invitations.remind", event, {"queued": result.queued})
            db.session.commit()
            flash(f"{result.queued} reminder(s) queued.", "success")
            return redirect(url_for("invitations.manage", slug=event.slug))
    form = NarrowForm(formdata=None)
    form.set_countries(event.target_country_list)
    return _overview(event, form, reminders)


# -- the invitee's pages -------------------------------------------------------------------


def _invitation_or_gone(token: str) -> Invitation | tuple[str, int]:
    invitation = service.find_by_token(token)
    if invitation is None:
        return render_template("invitations/state.html", state="unknown"), 404
    g.force_locale = invitation.language
    return invitation


def _page(template: str, invitation: Invitation, token: str, **context: object) -> str:
    """Render an invitee's page with the invitation's dates written their way."""
    event = invitation.event
    return render_template(
        template,
        inv=invitation,
        event=event,
        token=token,
        when=service.format_when(event, invitation.language),
        expires=service.format_moment(invitation.expires_at, event, invitation.language),
        **context,
    )


def _state_page(invitation: Invitation, token: str) -> tuple[str, int] | None:
    state = service.effective_status(invitation)
    if invitation.event.status == "cancelled" and state not in service.ANSWERED:
        return _page("invitations/state.html", invitation, token, state="cancelled"), 410
    if state == "expired":
        return _page("invitations/state.html", invitation, token, state="expired"), 410
    if state in service.ANSWERED:
        return _page("invitations/state.html", invitation, token, state=state), 200
    return None


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
    try:
        service.accept(found)
    except ServiceError:
        db.session.rollback()
        return _state_page(found, token) or redirect(url_for("invitations.show", token=token))
    audit.record("invitation.accept", found)
    db.session.commit()
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
    try:
        service.decline(found, form.reason.data or "")
    except ServiceError:
        db.session.rollback()
        return _state_page(found, token) or redirect(url_for("invitations.show", token=token))
    audit.record("invitation.decline", found)
    db.session.commit()
    return _page("invitations/state.html", found, token, state="declined")

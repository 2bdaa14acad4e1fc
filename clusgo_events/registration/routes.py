"""Registration for events: sign-up, "My registrations", the organiser's lists."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from ..auth.decorators import is_staff, role_required
from ..auth.routes import safe_next
from ..extensions import db
from ..forms import apply_service_errors
from ..models import Event, Registration, SessionSeat
from ..services import ServiceError, audit
from ..services import events as event_service
from ..services import registration as reg_service
from ..services import users as user_service
from .forms import CapacityForm, ConfirmForm, RegistrationForm, SessionsForm, session_choices

bp = Blueprint("registration", __name__)


def _event_or_404(slug: str) -> Event:
    event = event_service.get_event(slug, include_drafts=is_staff())
    if event is None:
        abort(404)
    return event


def _refusal(event: Event, message: str, status: int = 200) -> tuple[str, int]:
    return render_template("registration/closed.html", event=event, message=message), status


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
def register(slug: str) -> str | Response | tuple[str, int]:
    """Register for an event; ``?invitation=<token>`` prefills from the survey."""
    event = _event_or_404(slug)
    raw = request.args.get("invitation", "")
    invitation = None
    if raw:
        invitation = reg_service.find_invitation(raw, event)
        if invitation is None:
            return _refusal(event, _("This invitation link is not valid for this event."), 404)
        g.force_locale = invitation.language  # the form in the invitation's language
        problem = reg_service.invitation_problem(invitation)
        if problem:
            return _refusal(event, problem, 410)
    elif not event.allow_direct_signup:
        return _refusal(
            event, _("This event is by invitation only: use the link in your invitation."), 403
        )
    if current_user.is_authenticated:
        existing = reg_service.registration_for(event, current_user)
        if existing is not None and existing.status != "cancelled":
            flash(_("You are already registered for this event."), "info")
            return redirect(url_for("registration.mine"))
    problem = reg_service.registration_window_problem(event)
    if problem:
        return _refusal(event, problem)
    new_account = not current_user.is_authenticated
    if (
        new_account
        and invitation is not None
        and user_service.find_by_email(invitation.respondent.email) is not None
    ):
        flash(_("You already have an account: log in to register."), "info")
        return redirect(url_for("auth.login", next=request.full_path))

    form = RegistrationForm()
    form.sessions.choices = session_choices(event)
    if not form.is_submitted():
        if invitation is not None:
            form.process(data=reg_service.prefill_from_invitation(invitation))
        elif current_user.is_authenticated:
            form.process(data={"name": current_user.name, "email": current_user.email})
    elif form.validate():
        if new_account and form.password.data != form.password_again.data:
            form.password_again.errors = [_("The two passwords differ.")]
        elif new_account and not form.password.data:
            form.password.errors = [_("Choose a password for your account.")]
        else:
            attendee = reg_service.Attendee(
                name=form.name.data or "",
                email=form.email.data or "",
                organisation_name=form.organisation_name.data or "",
                country=form.country.data or "",
                position=form.position.data or "",
                phone=form.phone.data or "",
                dietary_needs=form.dietary_needs.data or "",
                accessibility_needs=form.accessibility_needs.data or "",
                privacy_consent=bool(form.privacy_consent.data),
            )
            try:
                registration = reg_service.register(
                    event,
                    attendee,
                    form.sessions.data or [],
                    user=None if new_account else current_user._get_current_object(),
                    password=form.password.data if new_account else None,
                    invitation=invitation,
                )
            except ServiceError as exc:
                db.session.rollback()
                apply_service_errors(form, exc)
            else:
                user = registration.user
                status = registration.status
                db.session.commit()
                if new_account:
                    session.clear()
                    login_user(user)
                if status == "confirmed":
                    flash(_("You are registered. We have sent you a confirmation."), "success")
                else:
                    flash(_("The event is full: you are on the waiting list."), "warning")
                return redirect(url_for("registration.mine"))
    return render_template(
        "registration/register.html",
        event=event,
        form=form,
        new_account=new_account,
        invitation=invitation,
    )


def _own_registration(registration_id: int) -> Registration:
    registration = reg_service.find_registration(registration_id)
    if registration is None or registration.user_id != current_user.id:
        abort(404)
    return registration


@bp.route("/my/registrations")
@login_required
def mine() -> str:
    """The person's registrations, seats and waiting-list positions."""
    registrations = reg_service.my_registrations(current_user)
    seats = [seat for r in registrations for seat in r.seats]
    forms = {}
    for registration in registrations:
        form = SessionsForm(prefix=f"r{registration.id}")
        form.sessions.choices = session_choices(registration.event)
        form.sessions.data = [s.session_id for s in registration.seats if s.status != "cancelled"]
        forms[registration.id] = form
    return render_template(
        "registration/mine.html",
        registrations=registrations,
        ranks=reg_service.registration_ranks(registrations),
        seat_ranks=reg_service.seat_ranks(seats),
        forms=forms,
        confirm=ConfirmForm(),
        window_problem=reg_service.registration_window_problem,
    )


@bp.route("/my/registrations/<int:registration_id>/sessions", methods=["POST"])
@login_required
def change_sessions(registration_id: int) -> Response:
    """Change one's session choices."""
    registration = _own_registration(registration_id)
    form = SessionsForm(prefix=f"r{registration.id}")
    form.sessions.choices = session_choices(registration.event)
    if form.validate_on_submit():
        try:
            reg_service.change_sessions(registration, form.sessions.data or [])
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("Your sessions are saved."), "success")
    else:
        flash(_("Choose training sessions from the list."), "danger")
    return redirect(url_for("registration.mine"))


@bp.route("/my/registrations/<int:registration_id>/cancel", methods=["POST"])
@login_required
def cancel(registration_id: int) -> Response:
    """Cancel one's whole registration."""
    registration = _own_registration(registration_id)
    if ConfirmForm().validate_on_submit():
        try:
            reg_service.cancel_registration(registration)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("Your registration is cancelled."), "warning")
    return redirect(url_for("registration.mine"))


@bp.route("/my/registrations/<int:registration_id>/seats/<int:seat_id>/cancel", methods=["POST"])
@login_required
def cancel_seat(registration_id: int, seat_id: int) -> Response:
    """Drop one training session."""
    registration = _own_registration(registration_id)
    seat = db.session.get(SessionSeat, seat_id)
    if seat is None or seat.registration_id != registration.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            reg_service.cancel_seat(seat)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("The session is cancelled for you."), "warning")
    return redirect(url_for("registration.mine"))


# --- organiser ------------------------------------------------------------------------------


def _list_filter() -> tuple[str | None, str | None]:
    """The ``?status=`` filter of the organiser's lists -> (status or None, error message)."""
    try:
        return reg_service.clean_status(request.args.get("status", "")), None
    except ServiceError as exc:
        return None, exc.message


@bp.route("/events/<slug>/registrations")
@role_required("organiser")
def event_registrations(slug: str) -> str:
    """One page of an event's registrations, counts per country, capacities."""
    event = _event_or_404(slug)
    status, status_error = _list_filter()
    page = reg_service.event_registrations(
        event, status=status, page=reg_service.clean_page(request.args.get("page"))
    )
    counts = reg_service.country_counts(event)
    capacity_forms = {"event": CapacityForm(prefix="event", data={"capacity": event.capacity})}
    for s in event.sessions:
        capacity_forms[s.id] = CapacityForm(prefix=f"s{s.id}", data={"capacity": s.capacity})
    return render_template(
        "registration/event_registrations.html",
        event=event,
        page=page,
        registrations=page.items,
        ranks=reg_service.registration_ranks(page.items),
        status=status,
        status_error=status_error,
        totals=reg_service.status_totals(counts),
        counts=counts,
        max_count=max([c["confirmed"] + c["waitlisted"] for c in counts] or [1]),
        capacity_forms=capacity_forms,
        confirm=ConfirmForm(),
    )


@bp.route("/events/<slug>/sessions/<int:session_id>/registrations")
@role_required("organiser")
def session_registrations(slug: str, session_id: int) -> str:
    """One page of the seats of a training session."""
    event = _event_or_404(slug)
    training = event_service.get_session(event, session_id)
    if training is None:
        abort(404)
    status, status_error = _list_filter()
    page = reg_service.session_seats(
        training, status=status, page=reg_service.clean_page(request.args.get("page"))
    )
    counts = reg_service.country_counts(event, training)
    return render_template(
        "registration/session_registrations.html",
        event=event,
        training=training,
        page=page,
        seats=page.items,
        seat_ranks=reg_service.seat_ranks(page.items),
        status=status,
        status_error=status_error,
        totals=reg_service.status_totals(counts),
        counts=counts,
        max_count=max([c["confirmed"] + c["waitlisted"] for c in counts] or [1]),
        capacity_form=CapacityForm(prefix=f"s{training.id}", data={"capacity": training.capacity}),
        confirm=ConfirmForm(),
    )


def _back(event: Event) -> Response:
    target = safe_next(request.form.get("back"))
    if target:
        return redirect(target)
    return redirect(url_for("registration.event_registrations", slug=event.slug))


def _report(outcome: reg_service.Outcome, done: str) -> None:
    message = done
    if outcome.capacity_raised_to is not None:
        message += f" The capacity was raised to {outcome.capacity_raised_to}."
    if outcome.promoted:
        message += f" {outcome.promoted} moved up from the waiting list."
    flash(message, "success")


def _staff_action(action, obj, event: Event, done: str, audit_name: str) -> Response:  # type: ignore[no-untyped-def]
    if ConfirmForm().validate_on_submit():
        try:
            outcome = action(obj)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            audit.record(audit_name, obj)
            db.session.commit()
            _report(outcome, done)
    return _back(event)


def _staff_registration(registration_id: int) -> Registration:
    registration = reg_service.find_registration(registration_id)
    if registration is None:
        abort(404)
    return registration


def _staff_seat(seat_id: int) -> SessionSeat:
    seat = db.session.get(SessionSeat, seat_id)
    if seat is None:
        abort(404)
    return seat


@bp.route("/registrations/<int:registration_id>/cancel", methods=["POST"])
@role_required("organiser")
def staff_cancel(registration_id: int) -> Response:
    """An organiser cancels someone's registration."""
    registration = _staff_registration(registration_id)
    return _staff_action(
        reg_service.cancel_registration,
        registration,
        registration.event,
        "Registration cancelled.",
        "registration.cancel",
    )


@bp.route("/registrations/<int:registration_id>/promote", methods=["POST"])
@role_required("organiser")
def staff_promote(registration_id: int) -> Response:
    """An organiser moves someone up from the event's waiting list."""
    registration = _staff_registration(registration_id)
    return _staff_action(
        reg_service.promote_registration,
        registration,
        registration.event,
        "Moved up from the waiting list.",
        "registration.promote",
    )


@bp.route("/seats/<int:seat_id>/cancel", methods=["POST"])
@role_required("organiser")
def staff_cancel_seat(seat_id: int) -> Response:
    """An organiser cancels one session seat."""
    seat = _staff_seat(seat_id)
    return _staff_action(
        reg_service.cancel_seat, seat, seat.registration.event, "Seat cancelled.", "seat.cancel"
    )


@bp.route("/seats/<int:seat_id>/promote", methods=["POST"])
@role_required("organiser")
def staff_promote_seat(seat_id: int) -> Response:
    """An organiser moves someone up from a session's waiting list."""
    seat = _staff_seat(seat_id)
    return _staff_action(
        reg_service.promote_seat,
        seat,
        seat.registration.event,
        "Moved up from the session's waiting list.",
        "seat.promote",
    )


@bp.route("/events/<slug>/capacity", methods=["POST"])
@role_required("organiser")
def event_capacity(slug: str) -> Response:
    """Change the event's capacity."""
    event = _event_or_404(slug)
    form = CapacityForm(prefix="event")
    if not form.validate_on_submit():
        flash("Give the capacity as a whole number.", "danger")
        return _back(event)
    try:
        outcome = reg_service.set_event_capacity(event, form.capacity.data)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        audit.record("event.capacity", event, {"capacity": form.capacity.data})
        db.session.commit()
        _report(outcome, "Capacity changed.")
    return _back(event)


@bp.route("/events/<slug>/sessions/<int:session_id>/capacity", methods=["POST"])
@role_required("organiser")
def session_capacity(slug: str, session_id: int) -> Response:
    """Change a training session's capacity."""
    event = _event_or_404(slug)
    training = event_service.get_session(event, session_id)
    if training is None:
        abort(404)
    form = CapacityForm(prefix=f"s{training.id}")
    if not form.validate_on_submit():
        flash("Give the capacity as a whole number.", "danger")
        return _back(event)
    try:
        outcome = reg_service.set_session_capacity(training, form.capacity.data)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        audit.record("session.capacity", training, {"capacity": form.capacity.data})
        db.session.commit()
        _report(outcome, "Capacity changed.")
    return _back(event)

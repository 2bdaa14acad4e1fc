"""Registration for events: sign-up, "My registrations", the organiser's lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from ..auth.decorators import is_staff, role_required
from ..auth.routes import safe_next
from ..forms import ConfirmForm
from ..i18n import page_language
from ..models import Event, Registration, RegistrationStatus, Role, SessionSeat
from ..query_args import one_of, page_number
from ..services import csv_dialect, scope
from ..services import events as event_service
from ..services import registration as reg_service
from ..web import perform
from .forms import CapacityForm, RegistrationForm, SessionsForm, session_choices

bp = Blueprint("registration", __name__)

Way = reg_service.Way
#: the HTTP status of each page that says why registering is not possible here
REFUSAL_STATUS = {
    Way.UNKNOWN_LINK: 404,
    Way.GONE: 410,
    Way.NOT_YOURS: 403,
    Way.INVITATION_ONLY: 403,
    Way.CLOSED: 200,
}


def _event_or_404(slug: str) -> Event:
    event = event_service.get_event(slug, include_drafts=is_staff())
    if event is None:
        abort(404)
    return event


def _visitor() -> Any:
    return current_user._get_current_object() if current_user.is_authenticated else None


def _attendee(form: RegistrationForm) -> reg_service.Attendee:
    return reg_service.Attendee(
        name=form.name.data or "",
        organisation_name=form.organisation_name.data or "",
        country=form.country.data or "",
        position=form.position.data or "",
        phone=form.phone.data or "",
        dietary_needs=form.dietary_needs.data or "",
        accessibility_needs=form.accessibility_needs.data or "",
        privacy_consent=bool(form.privacy_consent.data),
    )


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
def register(slug: str) -> str | Response | tuple[str, int]:
    """Register for an event; ``?invitation=<token>`` registers its invitee."""
    event = _event_or_404(slug)
    user = _visitor()
    entry = reg_service.entry(event, request.args.get("invitation", ""), user)
    if entry.language:
        page_language(entry.language)  # the invitation's pages speak its language
    if entry.way != Way.FORM:
        return _elsewhere(event, entry)
    form = RegistrationForm()
    form.sessions.choices = session_choices(event)
    if not form.is_submitted():
        form.process(data=entry.prefill(user))
    elif form.validate():
        result = perform(
            lambda: reg_service.register(
                event,
                _attendee(form),
                form.sessions.data or [],
                user=user,
                password=form.password.data if entry.new_account else None,
                invitation=entry.invitation,
            ),
            form=form,
        )
        if result.ok:
            return _registered(result.value, new_account=entry.new_account)
    form.email.data = entry.email  # the address is the invitation's or the account's
    return render_template(
        "registration/register.html", event=event, form=form, new_account=entry.new_account
    )


def _elsewhere(event: Event, entry: reg_service.Entry) -> Response | tuple[str, int]:
    """The answer when there is no form to show: why not, or the way to log in or to one's
    own registrations."""
    if entry.way in REFUSAL_STATUS:
        page = render_template("registration/closed.html", event=event, message=entry.message)
        return page, REFUSAL_STATUS[entry.way]
    flash(entry.message, "info")
    if entry.way == Way.SEE_MINE:
        return redirect(url_for("registration.mine"))
    after = request.full_path if entry.way == Way.LOG_IN_TO_REGISTER else None
    return redirect(url_for("auth.login", next=after or url_for("registration.mine")))


def _registered(registration: Registration, *, new_account: bool) -> Response:
    if new_account:
        session.clear()
        login_user(registration.user)
    if registration.status == RegistrationStatus.CONFIRMED:
        flash(_("You are registered. We have sent you a confirmation."), "success")
    else:
        flash(_("The event is full: you are on the waiting list."), "warning")
    return redirect(url_for("registration.mine"))


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
        form.sessions.data = [
            s.session_id for s in registration.seats if s.status != RegistrationStatus.CANCELLED
        ]
        forms[registration.id] = form
    return render_template(
        "registration/mine.html",
        registrations=registrations,
        ranks=reg_service.registration_ranks(registrations),
        seat_ranks=reg_service.seat_ranks(seats),
        forms=forms,
        confirm=ConfirmForm(),
        window_problem=reg_service.registration_window_problem,
        qr_images={
            r.id: reg_service.qr_data_uri(r.checkin_code)
            for r in registrations
            if r.status == RegistrationStatus.CONFIRMED
        },
    )


@bp.route("/my/registrations/<int:registration_id>/sessions", methods=["POST"])
@login_required
def change_sessions(registration_id: int) -> Response:
    """Change one's session choices."""
    registration = _own_registration(registration_id)
    form = SessionsForm(prefix=f"r{registration.id}")
    form.sessions.choices = session_choices(registration.event)
    if form.validate_on_submit():
        perform(
            lambda: reg_service.change_sessions(registration, form.sessions.data or []),
            done=_("Your sessions are saved."),
        )
    else:
        flash(_("Choose training sessions from the list."), "danger")
    return redirect(url_for("registration.mine"))


# --- organiser ------------------------------------------------------------------------------


def _list_filter() -> tuple[str | None, str | None]:
    """The ``?status=`` filter of the organiser's lists -> (status or None, error message)."""
    status, unknown = one_of(request.args, "status", reg_service.STATUSES)
    if not unknown:
        return status, None
    return None, _(
        "Unknown status “%(value)s”: choose confirmed, waitlisted or cancelled.",
        value=unknown[:40],
    )


def _chart_scale(counts: list[dict[str, Any]]) -> int:
    waiting = [c[RegistrationStatus.CONFIRMED] + c[RegistrationStatus.WAITLISTED] for c in counts]
    return max(waiting or [1])


@bp.route("/events/<slug>/registrations")
@role_required(Role.ORGANISER)
def event_registrations(slug: str) -> str:
    """One page of an event's registrations, counts per country, capacities."""
    event = _event_or_404(slug)
    status, status_error = _list_filter()
    countries = scope.visible_countries(current_user)
    page = reg_service.event_registrations(
        event, status=status, page=page_number(request.args), countries=countries
    )
    counts = reg_service.country_counts(event, countries=countries)
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
        max_count=_chart_scale(counts),
        capacity_forms=capacity_forms,
        confirm=ConfirmForm(),
        **csv_dialect.offered(str(get_locale() or "en")),
    )


@bp.route("/events/<slug>/sessions/<int:session_id>/registrations")
@role_required(Role.ORGANISER)
def session_registrations(slug: str, session_id: int) -> str:
    """One page of the seats of a training session."""
    event = _event_or_404(slug)
    training = event_service.get_session(event, session_id)
    if training is None:
        abort(404)
    status, status_error = _list_filter()
    countries = scope.visible_countries(current_user)
    page = reg_service.session_seats(
        training, status=status, page=page_number(request.args), countries=countries
    )
    counts = reg_service.country_counts(event, training, countries=countries)
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
        max_count=_chart_scale(counts),
        capacity_form=CapacityForm(prefix=f"s{training.id}", data={"capacity": training.capacity}),
        confirm=ConfirmForm(),
    )


def _back(event: Event) -> Response:
    target = safe_next(request.form.get("back"))
    if target:
        return redirect(target)
    return redirect(url_for("registration.event_registrations", slug=event.slug))


def _reported(done: Any) -> Callable[[reg_service.Outcome], str]:
    """The flash of an organiser's action: ``done``, what the capacity became, who moved up."""

    def message(outcome: reg_service.Outcome) -> str:
        parts = [str(done)]
        if outcome.capacity_raised_to is not None:
            parts.append(_("The capacity was raised to %(n)s.", n=outcome.capacity_raised_to))
        if outcome.promoted:
            parts.append(
                ngettext(
                    "%(num)d moved up from the waiting list.",
                    "%(num)d moved up from the waiting list.",
                    outcome.promoted,
                )
            )
        return " ".join(parts)

    return message


def _staff_action(call: Callable[[], reg_service.Outcome], event: Event, done: Any) -> Response:
    if ConfirmForm().validate_on_submit():
        perform(call, done=_reported(done))
    return _back(event)


def _staff_registration(registration_id: int) -> Registration:
    registration = reg_service.find_registration(registration_id)
    if registration is None or not scope.sees_country(current_user, registration.country):
        abort(404)
    return registration


def _staff_seat(seat_id: int) -> SessionSeat:
    seat = reg_service.find_seat(seat_id)
    if seat is None or not scope.sees_country(current_user, seat.registration.country):
        abort(404)
    return seat


@bp.route("/registrations/<int:registration_id>/promote", methods=["POST"])
@role_required(Role.ORGANISER)
def staff_promote(registration_id: int) -> Response:
    """An organiser moves someone up from the event's waiting list."""
    registration = _staff_registration(registration_id)
    return _staff_action(
        lambda: reg_service.promote_registration(registration),
        registration.event,
        _l("Moved up from the waiting list."),
    )


@bp.route("/seats/<int:seat_id>/promote", methods=["POST"])
@role_required(Role.ORGANISER)
def staff_promote_seat(seat_id: int) -> Response:
    """An organiser moves someone up from a session's waiting list."""
    seat = _staff_seat(seat_id)
    return _staff_action(
        lambda: reg_service.promote_seat(seat),
        seat.registration.event,
        _l("Moved up from the session's waiting list."),
    )


def _capacity_change(form: CapacityForm, event: Event, call: Callable[[Any], Any]) -> Response:
    if form.validate_on_submit():
        perform(lambda: call(form.capacity.data), done=_reported(_l("Capacity changed.")))
    else:
        flash(_("Give the capacity as a whole number."), "danger")
    return _back(event)


@bp.route("/events/<slug>/capacity", methods=["POST"])
@role_required(Role.ORGANISER)
def event_capacity(slug: str) -> Response:
    """Change the event's capacity."""
    event = _event_or_404(slug)
    return _capacity_change(
        CapacityForm(prefix="event"),
        event,
        lambda capacity: reg_service.set_event_capacity(event, capacity),
    )


@bp.route("/events/<slug>/sessions/<int:session_id>/capacity", methods=["POST"])
@role_required(Role.ORGANISER)
def session_capacity(slug: str, session_id: int) -> Response:
    """Change a training session's capacity."""
    event = _event_or_404(slug)
    training = event_service.get_session(event, session_id)
    if training is None:
        abort(404)
    return _capacity_change(
        CapacityForm(prefix=f"s{training.id}"),
        event,
        lambda capacity: reg_service.set_session_capacity(training, capacity),
    )


# cancelling a registration or a seat (each after its confirmation) lives in its own module
# and the organiser's export and changes to registrations in another, on this blueprint
from . import cancelling, organiser  # noqa: E402, F401

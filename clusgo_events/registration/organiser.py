"""The organiser's registration work beyond the lists: the export (CSV, XLSX), registering a
person on their behalf, correcting a registration's details, moving a person to another
session. Organisers of the event only; the routes are on the registration blueprint."""

from __future__ import annotations

import tempfile

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from ..auth.decorators import role_required
from ..extensions import db
from ..models import Event, Registration, RegistrationStatus, Respondent, Role, SessionStatus
from ..query_args import record_id
from ..services import corrections, csv_dialect, scope
from ..services import registration as reg_service
from ..services.registration import export, staff
from ..web import perform
from .forms import session_choices
from .routes import _event_or_404, bp
from .staff_forms import DetailsForm, MoveForm, OnBehalfForm


def managed_event(slug: str) -> Event:
    """The event, if the organiser runs it (404 / 403 otherwise)."""
    event = _event_or_404(slug)
    if not scope.manages_event(current_user, event):
        abort(403)
    return event


def _managed_registration(registration_id: int) -> Registration:
    registration = reg_service.find_registration(registration_id)
    countries = scope.visible_countries(current_user)
    if registration is None or (countries is not None and registration.country not in countries):
        abort(404)
    if not scope.manages_event(current_user, registration.event):
        abort(403)
    return registration


def _list_url(event: Event) -> str:
    return url_for("registration.event_registrations", slug=event.slug)


@bp.route("/events/<slug>/registrations.<fmt>")
@role_required(Role.ORGANISER)
def export_registrations(slug: str, fmt: str) -> Response:
    """The event's registrations as CSV or XLSX, headers in the reader's language."""
    event = managed_event(slug)
    if fmt not in export.FORMATS:
        abort(404)
    dialect = csv_dialect.choose(request.args.get("delimiter"), str(get_locale() or "en"))
    spool = tempfile.TemporaryFile()
    countries = scope.visible_countries(current_user)
    export.export_to_file(event, fmt, spool, dialect=dialect, countries=countries)
    spool.seek(0)
    return send_file(
        spool,
        mimetype=export.MIMETYPES[fmt],
        as_attachment=True,
        download_name=export.filename_for(event, fmt),
    )


def _details(form: DetailsForm, email: str = "", consent: bool = True) -> reg_service.Attendee:
    return reg_service.Attendee(
        name=form.name.data or "",
        email=email,
        organisation_name=form.organisation_name.data or "",
        country=form.country.data or "",
        position=form.position.data or "",
        phone=form.phone.data or "",
        dietary_needs=form.dietary_needs.data or "",
        accessibility_needs=form.accessibility_needs.data or "",
        privacy_consent=consent,
    )


@bp.route("/events/<slug>/registrations/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def staff_register(slug: str) -> str | Response:
    """Register a person on their behalf: from the respondents (``?respondent=ID``) or new."""
    event = managed_event(slug)
    form = OnBehalfForm() if request.method == "POST" else OnBehalfForm(formdata=None)
    form.sessions.choices = session_choices(event)
    respondent_id = record_id(request.args, "respondent")
    if request.method == "GET" and respondent_id:
        respondent = db.session.get(Respondent, respondent_id)
        if respondent is not None and scope.sees_country(current_user, respondent.country):
            form.email.data = respondent.email
            form.name.data = respondent.contact_name
            form.organisation_name.data = respondent.organisation_name
            form.country.data = respondent.country or ""
    if request.method == "POST" and form.validate_on_submit():
        attendee = _details(form, form.email.data or "", bool(form.privacy_consent.data))
        result = perform(
            lambda: staff.register_on_behalf(
                event,
                attendee,
                form.sessions.data or [],
                countries=scope.visible_countries(current_user),
            ),
            done=lambda r: (
                _("%(name)s is registered.", name=r.name)
                if r.status == RegistrationStatus.CONFIRMED
                else _("%(name)s is on the waiting list.", name=r.name)
            ),
            form=form,
        )
        if result.ok:
            return redirect(_list_url(event))
    return render_template("registration/staff_register.html", event=event, form=form)


@bp.route("/registrations/<int:registration_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def staff_edit(registration_id: int) -> str | Response:
    """Correct a registration's details; an edit over a newer change is refused."""
    registration = _managed_registration(registration_id)
    if request.method == "GET":
        form = DetailsForm(obj=registration)
        form.version.data = corrections.version_of(registration)
    else:
        form = DetailsForm()
        if form.validate_on_submit():
            attendee = _details(form, registration.email)
            result = perform(
                lambda: staff.update_details(
                    registration,
                    attendee,
                    form.version.data or "",
                    countries=scope.visible_countries(current_user),
                ),
                done=lambda changed: _("Saved.") if changed else _("Nothing changed."),
                form=form,
            )
            if result.ok:
                return redirect(_list_url(registration.event))
            form.version.data = corrections.version_of(registration)
    return render_template("registration/staff_edit.html", registration=registration, form=form)


@bp.route("/seats/<int:seat_id>/move", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def staff_move_seat(seat_id: int) -> str | Response:
    """Move a person to another session (the page says what happens; one POST moves)."""
    seat = reg_service.find_seat(seat_id)
    if seat is None:
        abort(404)
    registration = _managed_registration(seat.registration_id)
    event = registration.event
    form = MoveForm() if request.method == "POST" else MoveForm(formdata=None)
    form.session.choices = [
        SelectChoice(str(s.id), f"{s.text('title')} ({s.confirmed_count}/{s.capacity})")
        for s in event.sessions
        if s.status != SessionStatus.CANCELLED and s.id != seat.session_id
    ]
    if request.method == "GET":
        form.version.data = corrections.version_of(seat)
    elif form.validate_on_submit():
        result = perform(
            lambda: staff.move_seat(seat, form.session.data, form.version.data or ""),
            done=lambda outcome: _("Moved."),
            form=form,
        )
        if result.ok:
            return redirect(_list_url(event))
        form.version.data = corrections.version_of(seat)
    return render_template(
        "registration/staff_move.html", seat=seat, registration=registration, form=form
    )

"""Events and training sessions: public list and pages, organiser management."""

from __future__ import annotations

from dataclasses import fields

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.decorators import is_staff, role_required
from ..forms import ConfirmForm
from ..models import Event, Role, TrainingSession
from ..services import events as event_service
from ..services import registration as reg_service
from ..services.timeutil import utc_to_local
from ..web import perform
from .forms import EventForm, SessionForm, language_data, translations_of

bp = Blueprint("events", __name__)


def _event_or_404(slug: str, staff: bool = False) -> Event:
    event = event_service.get_event(slug, include_drafts=staff or is_staff())
    if event is None:
        abort(404)
    return event


def _event_data(form: EventForm) -> event_service.EventData:
    names = {f.name for f in fields(event_service.EventData)} - {"translations"}
    values = {name: getattr(form, name).data for name in names}
    values["main_language"] = form.main_language.data or "en"
    values["translations"] = translations_of(form, Event.form_fields(), values["main_language"])
    values["capacity"] = form.capacity.data
    values["host_organisation_id"] = form.host_organisation_id.data or None
    values["target_countries"] = form.target_countries.data or []
    return event_service.EventData(**values)


def _session_data(form: SessionForm, event: Event) -> event_service.SessionData:
    names = {f.name for f in fields(event_service.SessionData)} - {"translations"}
    values = {name: getattr(form, name).data for name in names}
    main = event.main_language or "en"
    values["translations"] = translations_of(form, TrainingSession.form_fields(), main)
    return event_service.SessionData(**values)


@bp.route("/")
def index() -> str:
    """Published events, upcoming first, then past; organisers also see drafts."""
    upcoming, past = event_service.list_events(include_drafts=is_staff())
    return render_template("events/index.html", upcoming=upcoming, past=past)


@bp.route("/<slug>")
def show(slug: str) -> str:
    """An event's page with its programme of sessions."""
    staff = is_staff()
    event = _event_or_404(slug, staff=staff)
    # only staff see the publish/cancel buttons: a visitor's page makes no CSRF token (and so
    # no session cookie to sign and set)
    confirm = ConfirmForm() if staff else None
    mine = None
    if current_user.is_authenticated and not staff:
        mine = reg_service.registration_for(event, current_user)
    return render_template(
        "events/show.html",
        event=event,
        confirm=confirm,
        staff=staff,
        mine=mine,
        rank=reg_service.registration_ranks([mine]).get(mine.id) if mine else None,
        signup_problem=reg_service.registration_window_problem(event),
        has_started=event_service.has_started,
        can_delete=lambda e: staff and event_service.can_delete(e),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def create() -> str | Response:
    """Create a draft event."""
    form = EventForm()
    form.set_choices(event_service.organisation_choices())
    if not form.is_submitted():
        form.main_language.data = str(get_locale())  # the organiser's own language, at first
    if form.validate_on_submit():
        result = perform(
            lambda: event_service.create_event(_event_data(form), created_by=current_user),
            done=lambda event: _(
                "Event “%(title)s” created as a draft.", title=event.text("title")
            ),
            form=form,
        )
        if result.ok:
            return redirect(url_for("events.show", slug=result.value.slug))
    return render_template("events/form.html", form=form, event=None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit(slug: str) -> str | Response:
    """Change an event."""
    event = _event_or_404(slug, staff=True)
    form = EventForm()
    form.set_choices(event_service.organisation_choices())
    if not form.is_submitted():
        form.process(
            data={
                "title": event.title,
                "slug": event.slug,
                "description": event.description,
                "venue": event.venue,
                "address": event.address,
                "timezone": event.timezone,
                "starts_local": utc_to_local(event.starts_at, event.timezone).replace(tzinfo=None),
                "ends_local": utc_to_local(event.ends_at, event.timezone).replace(tzinfo=None),
                "capacity": event.capacity,
                "registration_opens_local": _local_or_none(event.registration_opens_at, event),
                "registration_closes_local": _local_or_none(event.registration_closes_at, event),
                "host_organisation_id": event.host_organisation_id or 0,
                "target_countries": event.target_country_list,
                "allow_direct_signup": event.allow_direct_signup,
                "main_language": event.main_language,
                **language_data(event, Event.form_fields()),
            }
        )
    elif form.validate():
        result = perform(
            lambda: event_service.edit_event(event, _event_data(form)),
            done=_("Event saved."),
            form=form,
        )
        if result.ok:
            _promoted(result.value)
            return redirect(url_for("events.show", slug=event.slug))
    return render_template("events/form.html", form=form, event=event)


def _promoted(edit: event_service.Edit) -> None:
    """Say who moved up from the waiting list when a saved capacity rose."""
    if edit.promoted:
        flash(
            ngettext(
                "%(num)d moved up from the waiting list.",
                "%(num)d moved up from the waiting list.",
                edit.promoted,
            ),
            "info",
        )


def _local_or_none(value, event: Event):  # type: ignore[no-untyped-def]
    return utc_to_local(value, event.timezone).replace(tzinfo=None) if value else None


@bp.route("/<slug>/publish", methods=["POST"])
@role_required(Role.ORGANISER)
def publish(slug: str) -> Response:
    """Publish a draft."""
    event = _event_or_404(slug, staff=True)
    if ConfirmForm().validate_on_submit():
        perform(lambda: event_service.publish_event(event), done=_("The event is published."))
    return redirect(url_for("events.show", slug=slug))


@bp.route("/<slug>/sessions/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def add_session(slug: str) -> str | Response:
    """Add a training session."""
    event = _event_or_404(slug, staff=True)
    form = SessionForm()
    form.set_choices(event_service.trainer_choices())
    if form.validate_on_submit():
        result = perform(
            lambda: event_service.add_session(event, _session_data(form, event)),
            done=lambda session: _("Session “%(title)s” added.", title=session.text("title")),
            form=form,
        )
        if result.ok:
            return redirect(url_for("events.show", slug=slug))
    return render_template("events/session_form.html", form=form, event=event, session=None)


def _session_or_404(event: Event, session_id: int) -> TrainingSession:
    session = event_service.get_session(event, session_id)
    if session is None:
        abort(404)
    return session


@bp.route("/<slug>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit_session(slug: str, session_id: int) -> str | Response:
    """Change a training session."""
    event = _event_or_404(slug, staff=True)
    session = _session_or_404(event, session_id)
    form = SessionForm()
    form.set_choices(event_service.trainer_choices())
    if not form.is_submitted():
        form.process(
            data={
                "title": session.title,
                "description": session.description,
                "room": session.room,
                "starts_local": utc_to_local(session.starts_at, event.timezone).replace(
                    tzinfo=None
                ),
                "ends_local": utc_to_local(session.ends_at, event.timezone).replace(tzinfo=None),
                "capacity": session.capacity,
                "trainer_ids": [t.id for t in session.trainers],
                **language_data(session, TrainingSession.form_fields()),
            }
        )
    elif form.validate():
        result = perform(
            lambda: event_service.edit_session(session, _session_data(form, event)),
            done=_("Session saved."),
            form=form,
        )
        if result.ok:
            _promoted(result.value)
            return redirect(url_for("events.show", slug=slug))
    return render_template("events/session_form.html", form=form, event=event, session=session)


# cancelling, reinstating, deleting and duplicating live in their own module, on this blueprint
from . import lifecycle  # noqa: E402, F401

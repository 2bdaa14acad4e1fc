"""Cancelling and reinstating events and sessions, deleting a draft, duplicating an event.

Each destructive step asks once (:func:`..web.ask_then_perform`): the GET page names the
consequences the service computes, the POST acts and refuses a page that has gone stale.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.decorators import role_required
from ..models import Event, Role, TrainingSession
from ..services import events as event_service
from ..services import scope
from ..services.versions import FIELD, version_of
from ..web import Confirmation, ask_then_perform, perform
from .forms import DuplicateForm
from .routes import _event_or_404, _session_or_404, bp


def _managed(slug: str) -> Event:
    event = _event_or_404(slug, staff=True)
    if not scope.manages_event(current_user, event):
        abort(404)
    return event


def _page(slug: str) -> str:
    return url_for("events.show", slug=slug)


def _undo_until_start(item: Event | TrainingSession) -> str | None:
    if event_service.has_started(item):
        return None
    return _("You can reinstate it until it starts; participants are told again.")


def _step(
    item: Event | TrainingSession,
    slug: str,
    *,
    title: str,
    consequences: Callable[[], list[str]],
    button: str,
    undo: str | None,
    call: Callable[[str | None], object],
    done: str,
    category: str = "success",
    then: str | None = None,
) -> str | Response:
    """One destructive step on ``item``: its confirmation page, then the service call with
    the version the page showed."""
    return ask_then_perform(
        lambda: Confirmation(
            title=title,
            consequences=consequences(),
            action=request.path,
            button=button,
            back=_page(slug),
            undo=undo,
            fields={FIELD: version_of(item)},
        ),
        call,
        then=then or _page(slug),
        done=done,
        category=category,
    )


@bp.route("/<slug>/cancel", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def cancel(slug: str) -> str | Response:
    """Cancel an event, after a confirmation naming who is told."""
    event = _managed(slug)
    return _step(
        event,
        slug,
        title=_("Cancel the event “%(title)s”?", title=event.text("title")),
        consequences=lambda: event_service.cancel_event_consequences(event),
        button=_("Cancel the event"),
        undo=_undo_until_start(event),
        call=lambda seen: event_service.cancel_event(event, seen=seen),
        done=_("The event is cancelled."),
        category="warning",
    )


@bp.route("/<slug>/reinstate", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def reinstate(slug: str) -> str | Response:
    """Reinstate a cancelled event before it starts."""
    event = _managed(slug)
    return _step(
        event,
        slug,
        title=_("Reinstate the event “%(title)s”?", title=event.text("title")),
        consequences=lambda: event_service.reinstate_consequences(event),
        button=_("Reinstate the event"),
        undo=_("You can cancel it again."),
        call=lambda seen: event_service.reinstate_event(event, seen=seen),
        done=_("The event takes place again."),
    )


@bp.route("/<slug>/delete", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def delete(slug: str) -> str | Response:
    """Delete a draft (never a published event with registrations)."""
    event = _managed(slug)
    return _step(
        event,
        slug,
        title=_("Delete the draft “%(title)s”?", title=event.text("title")),
        consequences=lambda: event_service.delete_consequences(event),
        button=_("Delete the draft"),
        undo=None,
        call=lambda seen: event_service.delete_event(event, seen=seen),
        done=_("The draft is deleted."),
        category="warning",
        then=url_for("events.index"),
    )


@bp.route("/<slug>/duplicate", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def duplicate(slug: str) -> str | Response:
    """Copy an event as a new draft at a chosen date, with its sessions."""
    event = _managed(slug)
    form = DuplicateForm()
    if not form.is_submitted():
        form.slug.data = f"{event.slug}-copy"[:80]
    elif form.validate():
        result = perform(
            lambda: event_service.duplicate_event(event, form.starts_on.data, form.slug.data),
            done=_("A draft copy is made: check its dates and texts before publishing."),
            form=form,
        )
        if result.ok:
            return redirect(_page(result.value.slug))
    return render_template("events/duplicate.html", form=form, event=event)


@bp.route("/<slug>/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def cancel_session(slug: str, session_id: int) -> str | Response:
    """Cancel a training session, after a confirmation naming who is told."""
    session = _session_or_404(_managed(slug), session_id)
    return _step(
        session,
        slug,
        title=_("Cancel the session “%(title)s”?", title=session.text("title")),
        consequences=lambda: event_service.cancel_session_consequences(session),
        button=_("Cancel the session"),
        undo=_undo_until_start(session),
        call=lambda seen: event_service.cancel_session(session, seen=seen),
        done=_("The session is cancelled."),
        category="warning",
    )


@bp.route("/<slug>/sessions/<int:session_id>/reinstate", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def reinstate_session(slug: str, session_id: int) -> str | Response:
    """Reinstate a cancelled session before it starts."""
    session = _session_or_404(_managed(slug), session_id)
    return _step(
        session,
        slug,
        title=_("Reinstate the session “%(title)s”?", title=session.text("title")),
        consequences=lambda: event_service.reinstate_consequences(session),
        button=_("Reinstate the session"),
        undo=_("You can cancel it again."),
        call=lambda seen: event_service.reinstate_session(session, seen=seen),
        done=_("The session takes place again."),
    )

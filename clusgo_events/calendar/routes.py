"""Calendar downloads (.ics) and the personal feed."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..auth.decorators import is_staff
from ..models import User
from ..services import calendar_feed, ical
from ..services import events as event_service
from ..web import perform
from .forms import ResetFeedForm

bp = Blueprint("calendar", __name__)


def _ics_response(text: str, filename: str | None) -> Response:
    response = make_response(text.encode("utf-8"))
    response.headers["Content-Type"] = ical.CONTENT_TYPE
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/events/<slug>/calendar.ics")
def event_ics(slug: str) -> Response:
    """The event and its sessions as an .ics file (drafts for organisers only)."""
    event = event_service.get_event(slug, include_drafts=is_staff())
    if event is None:
        abort(404)
    return _ics_response(ical.event_calendar(event), f"{event.slug}.ics")


@bp.route("/events/<slug>/sessions/<int:session_id>/calendar.ics")
def session_ics(slug: str, session_id: int) -> Response:
    """One training session as an .ics file."""
    event = event_service.get_event(slug, include_drafts=is_staff())
    if event is None:
        abort(404)
    session = next((s for s in event.sessions if s.id == session_id), None)
    if session is None:
        abort(404)
    return _ics_response(ical.session_calendar(session), f"{event.slug}-session-{session.id}.ics")


@bp.route("/calendar/feed/<key>.ics")
def feed(key: str) -> Response:
    """A user's personal feed; any key that is not a user's current one gets a plain 404."""
    user = calendar_feed.user_for_feed_key(key)
    if user is None:
        abort(404)
    response = _ics_response(calendar_feed.feed_calendar(user), None)
    response.headers["Content-Disposition"] = 'inline; filename="clusgo-events.ics"'
    response.headers["Cache-Control"] = "private, max-age=0"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/calendar/feed/reset", methods=["POST"])
@login_required
def reset_feed() -> Response:
    """Draw a new feed URL; the old one stops working at once."""
    if ResetFeedForm().validate_on_submit():
        user: User = current_user._get_current_object()  # type: ignore[attr-defined]
        perform(
            lambda: calendar_feed.reset_feed(user),
            done=_("Your calendar feed has a new address. The old one no longer works."),
        )
    else:
        flash(_("The form has expired; please try again."), "danger")
    return redirect(url_for("auth.profile"))


@bp.app_template_global("calendar_feed_urls")
def calendar_feed_urls(user: User) -> dict[str, str]:
    """The https and webcal:// links of ``user``'s feed, for the profile page."""
    return calendar_feed.feed_urls(user)


@bp.app_template_global("calendar_reset_form")
def calendar_reset_form() -> ResetFeedForm:
    """The (CSRF-only) form that resets the feed URL."""
    return ResetFeedForm()

"""Registration for events (the registration work fills this blueprint in)."""

from __future__ import annotations

from flask import Blueprint, abort

from ..services import events as event_service

bp = Blueprint("registration", __name__)


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
def register(slug: str) -> str:
    """Register for an event; ``?invitation=<token>`` prefills from the survey."""
    event = event_service.get_event(slug)
    if event is None:
        abort(404)
    abort(404)

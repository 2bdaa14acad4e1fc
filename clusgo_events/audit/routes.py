"""The audit trail, readable: per event, per person (account, respondent, registration) and
everything (admins); filterable by action, who, source and dates; paged."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_datetime
from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.decorators import role_required
from ..extensions import db
from ..models import Registration, Respondent, Role, User
from ..query_args import one_of, page_number
from ..services import audit_trail, scope
from ..services import events as event_service
from ..services.timeutil import utc_to_local
from . import labels

bp = Blueprint("audit", __name__)

PERSON_MODELS: dict[str, Any] = {
    "account": User,
    "respondent": Respondent,
    "registration": Registration,
}


def _day(name: str, problems: list[str]) -> date | None:
    given = (request.args.get(name) or "").strip()
    if not given:
        return None
    try:
        return date.fromisoformat(given[:10])
    except ValueError:
        problems.append(
            _("“%(value)s” is not a date: use the calendar or YYYY-MM-DD.", value=given[:20])
        )
        return None


def _filters(actions: list[str]) -> tuple[audit_trail.TrailFilter, list[str]]:
    """The filter the query string asks for, and what in it could not be used."""
    problems: list[str] = []
    action, unknown_action = one_of(request.args, "action", actions)
    if unknown_action:
        problems.append(_("No entry has the action “%(value)s”.", value=unknown_action[:40]))
    source, unknown_source = one_of(request.args, "source", audit_trail.SOURCES)
    if unknown_source:
        problems.append(_("Unknown source “%(value)s”.", value=unknown_source[:40]))
    who = (request.args.get("who") or "").strip()[:100] or None
    since, until = _day("since", problems), _day("until", problems)
    if since and until and until < since:
        problems.append(_("The end of the date range comes before its start."))
        since = until = None
    return audit_trail.TrailFilter(action, who, source, since, until), problems


def _page(where: Any, heading: str, zone: str = "UTC", **context: Any) -> str:
    actions = audit_trail.actions_in(where)
    filters, problems = _filters(actions)
    trail = audit_trail.read(where, filters, page=page_number(request.args), zone=zone)
    return render_template(
        "audit/trail.html",
        heading=heading,
        trail=trail,
        filters=filters,
        problems=problems,
        actions=actions,
        sources=audit_trail.SOURCES,
        labels=labels,
        zone=zone,
        person_kinds={v: k for k, v in audit_trail.PERSON_KINDS.items()},
        when=lambda moment: format_datetime(
            utc_to_local(moment, zone), "medium", locale=str(get_locale())
        ),
        page_url=lambda number: f"{request.path}?{urlencode({**request.args, 'page': number})}",
        **context,
    )


@bp.route("/events/<slug>/audit")
@role_required(Role.ORGANISER)
def event_trail(slug: str) -> str:
    """Who did what to one event, its sessions, invitations and registrations."""
    event = event_service.get_event(slug, include_drafts=True)
    if event is None or not scope.reads_trail(current_user, "event", event):
        abort(404)
    return _page(
        audit_trail.for_event(event.id),
        _("History of “%(title)s”", title=event.title),
        zone=event.timezone,
        event=event,
    )


@bp.route("/audit/<kind>/<int:object_id>")
@role_required(Role.ORGANISER)
def person(kind: str, object_id: int) -> str:
    """Who did what about one account, respondent or registration."""
    model = PERSON_MODELS.get(kind)
    obj = db.session.get(model, object_id) if model is not None else None
    if obj is None or not scope.reads_trail(current_user, kind, obj):
        abort(404)
    name = {
        "account": lambda: obj.email,
        "respondent": lambda: obj.email,
        "registration": lambda: f"{obj.name} · {obj.event.title}",
    }[kind]()
    zone = obj.event.timezone if kind == "registration" else "UTC"
    return _page(audit_trail.for_person(kind, obj.id), _("History of %(name)s", name=name), zone)


@bp.route("/audit")
@role_required(Role.ADMIN)
def everything() -> str:
    """The whole trail (admins)."""
    return _page(audit_trail.everything(), _("Audit trail"))

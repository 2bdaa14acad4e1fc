"""The Outbox page: every message an organiser may see, its answer from the server, and the
actions that steer it (send again, cancel, send an event's failed mail again)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.decorators import role_required
from ..extensions import db
from ..models import Event, OutboxMessage, Role
from ..query_args import one_of, page_number
from ..services.outbox import listing, relay, steering
from ..services.outbox.listing import OutboxFilter
from ..services.timeutil import format_moment
from ..web import Confirmation, ask_then_perform, confirmation_page, perform_confirmed

bp = Blueprint("outbox", __name__)

#: the zone of a message about no event (account mails)
DEFAULT_ZONE = "Europe/Prague"
RECIPIENT_FILTER_MAX = 254


@bp.app_template_filter("outbox_moment")
def outbox_moment(value: datetime | None, zone: str | None = None) -> str:
    """A moment in the reader's locale and the event's zone (the one formatter); a message
    about no event in DEFAULT_ZONE."""
    return format_moment(value, zone or DEFAULT_ZONE)


def _filters(events: list[Event]) -> tuple[OutboxFilter, list[str]]:
    """The page's filters from the query string, and a message for each unusable one."""
    errors: list[str] = []
    status, unknown = one_of(request.args, "status", listing.STATUSES)
    if unknown:
        errors.append(_("Unknown status “%(value)s”.", value=unknown[:40]))
    kind, unknown = one_of(request.args, "kind", listing.KINDS)
    if unknown:
        errors.append(_("Unknown kind of message “%(value)s”.", value=unknown[:40]))
    slugs = {event.slug: event.id for event in events}
    slug, unknown = one_of(request.args, "event", slugs)
    if unknown:
        errors.append(_("No event “%(value)s” among yours.", value=unknown[:40]))
    recipient = (request.args.get("recipient") or "").strip()[:RECIPIENT_FILTER_MAX]
    return (
        OutboxFilter(
            status=status,
            kind=kind,
            event_id=slugs[slug] if slug else None,
            recipient=recipient,
        ),
        errors,
    )


@bp.route("/outbox")
@role_required(Role.ORGANISER)
def index() -> str:
    """Every message the organiser may see, filtered, counted per status, one page at a time."""
    events = listing.managed_events(current_user)
    event_ids = [event.id for event in events]
    chosen, errors = _filters(events)
    counts = listing.counts_by_status(current_user, chosen, event_ids)
    pagination = listing.list_messages(
        current_user, chosen, page=page_number(request.args), event_ids=event_ids
    )
    selected = next((event for event in events if event.id == chosen.event_id), None)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "outbox/index.html",
        events=events,
        chosen=chosen,
        selected=selected,
        errors=errors,
        counts=counts,
        largest=max(counts.values(), default=0),
        pagination=pagination,
        statuses=listing.STATUSES,
        kinds=listing.KINDS,
        args=args,
        outlook=relay.outlook(),
    )


def _message_or_404(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None or not listing.may_see(current_user, message):
        abort(404)
    return message


@bp.route("/outbox/<int:message_id>")
@role_required(Role.ORGANISER)
def show(message_id: int) -> str:
    """One message: what it is, its answer from the server, and what can be done with it."""
    message = _message_or_404(message_id)
    return render_template(
        "outbox/show.html",
        message=message,
        plan=steering.plan_resend(message),
        cancellable=message.status == "queued",
    )


@bp.route("/outbox/<int:message_id>/resend", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def resend(message_id: int) -> str | Response:
    """Ask once (GET), then send the message again (POST)."""
    message = _message_or_404(message_id)
    back = url_for("outbox.show", message_id=message.id)
    if request.method == "POST":
        return perform_confirmed(
            lambda: steering.resend(current_user, message),
            then=back,
            done=_("The message goes out again with the next delivery run."),
        )
    plan = steering.plan_resend(message)
    if not plan.ok:
        return render_template("outbox/show.html", message=message, plan=plan, cancellable=False)
    return confirmation_page(
        Confirmation(
            title=_("Send the message to %(to)s again?", to=message.recipient),
            consequences=steering.resend_consequences(plan),
            action=url_for("outbox.resend", message_id=message.id),
            button=_("Send again"),
            back=back,
            undo=_("Until it goes out, you can cancel it on this page."),
        )
    )


@bp.route("/outbox/<int:message_id>/cancel", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def cancel(message_id: int) -> str | Response:
    """Ask once (GET), then withdraw the queued message (POST)."""
    message = _message_or_404(message_id)
    back = url_for("outbox.show", message_id=message.id)
    return ask_then_perform(
        lambda: Confirmation(
            title=_("Cancel the message to %(to)s?", to=message.recipient),
            consequences=steering.cancel_consequences(message),
            action=url_for("outbox.cancel", message_id=message.id),
            button=_("Cancel the message"),
            back=back,
            undo=_(
                "An invitation or a reminder can be sent again later from this page, with a "
                "new link; any other message cannot."
            ),
        ),
        lambda _seen: steering.cancel(current_user, message),
        then=back,
        done=_("The message is cancelled."),
    )


@bp.route("/outbox/events/<slug>/requeue", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def requeue_event(slug: str) -> str | Response:
    """Ask once (GET), then send every failed message of the event again (POST)."""
    event = next((e for e in listing.managed_events(current_user) if e.slug == slug), None)
    if event is None:
        abort(404)
    back = url_for("outbox.index", event=event.slug, status="failed")
    if request.method == "POST":
        return perform_confirmed(
            lambda: steering.requeue_event(current_user, event),
            then=back,
            done=lambda done: ngettext(
                "%(num)d message goes out again.",
                "%(num)d messages go out again.",
                len(done.ready),
            ),
        )
    plan = steering.plan_event_requeue(current_user, event)
    return confirmation_page(
        Confirmation(
            title=_("Send the failed mail of %(event)s again?", event=event.title),
            consequences=plan.consequences(),
            action=url_for("outbox.requeue_event", slug=event.slug),
            button=_("Send again"),
            back=back,
            undo=_("Until they go out, you can cancel each one on its page."),
        )
    )

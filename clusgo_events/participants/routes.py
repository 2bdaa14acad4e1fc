"""Talking to participants: the event's mail settings, preview and test copy (organisers)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.decorators import role_required
from ..forms import ConfirmForm
from ..models import Event, Role
from ..query_args import one_of
from ..services import events as event_service
from ..services import participants as service
from ..services.scope import manages_event
from ..web import perform
from .forms import NOTES, MailForm, MessageForm

bp = Blueprint("participants", __name__)

#: the preview document's own policy: no script, nothing fetched, only the mail's own inline
#: styles and data: images, in a sandbox (an opaque origin), framed only by the app's page
PREVIEW_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src data:",
        "frame-ancestors 'self'",
        "form-action 'none'",
        "sandbox",
    ]
)


def _managed_event(slug: str) -> Event:
    event = event_service.get_event(slug, include_drafts=True)
    if event is None or not manages_event(current_user, event):
        abort(404)
    return event


def _choice(event: Event) -> tuple[str, str]:
    """The mail and language asked for in the query string (``language``: ``lang`` switches
    the page's own language); unknown values fall back to the first."""
    languages = list(service.recipients_by_language(event, "invitation"))
    mail = one_of(request.args, "mail", service.MAILS)[0] or next(iter(service.MAILS))
    language = one_of(request.args, "language", languages)[0] or languages[0]
    return mail, language


def _settings_from(form: MailForm) -> service.MailSettings:
    return service.MailSettings(
        notes={
            name: {language: field.data or "" for language, field in form.note_fields(name)}
            for name in NOTES
        },
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
        inviting_organisation_id=form.inviting_organisation_id.data,
        reminder_days=form.reminder_days.data,
    )


def _form_for(event: Event) -> MailForm:
    form = MailForm()
    form.set_associations([(o.id, o.name) for o in service.associations()])
    if request.method == "GET":
        current = service.settings_of(event)
        for name in NOTES:
            for language, field in form.note_fields(name):
                field.data = current.notes[name].get(language, "")
        form.contact_name.data = current.contact_name
        form.contact_email.data = current.contact_email
        form.inviting_organisation_id.data = current.inviting_organisation_id
        form.reminder_days.data = current.reminder_days
    return form


@bp.route("/events/<slug>/mail", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def settings(slug: str) -> str | Response:
    """The event's mail settings: the organiser's own words, contact person, association."""
    event = _managed_event(slug)
    form = _form_for(event)
    if form.validate_on_submit():
        result = perform(
            lambda: service.update_settings(event, _settings_from(form)),
            done=_("The mail settings are saved."),
            form=form,
        )
        if result.ok:
            return redirect(url_for("participants.settings", slug=event.slug))
    return render_template(
        "participants/settings.html",
        event=event,
        form=form,
        notes=NOTES,
        main_language=event.main_language,
        reminder_due=service.due_at(event),
    )


@bp.route("/events/<slug>/mail/preview")
@role_required(Role.ORGANISER)
def preview(slug: str) -> str:
    """The mail as each language's recipients get it: subject, text and HTML."""
    event = _managed_event(slug)
    mail, language = _choice(event)
    return render_template(
        "participants/preview.html",
        event=event,
        mails=service.MAILS,
        mail=mail,
        language=language,
        counts=service.recipients_by_language(event, mail),
        shown=service.preview(event, mail, language),
        form=ConfirmForm(),
    )


@bp.route("/events/<slug>/mail/preview.html")
@role_required(Role.ORGANISER)
def preview_html(slug: str) -> Response:
    """The HTML part alone, for the sandboxed frame of the preview page."""
    event = _managed_event(slug)
    mail, language = _choice(event)
    response = Response(service.preview(event, mail, language).html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/events/<slug>/mail/test", methods=["POST"])
@role_required(Role.ORGANISER)
def send_test(slug: str) -> Response:
    """Queue a test copy of the previewed mail to the organiser's own address."""
    event = _managed_event(slug)
    form = ConfirmForm()
    mail = request.form.get("mail", "")
    language = request.form.get("language", "")
    if form.validate_on_submit():
        perform(
            lambda: service.send_test(event, mail, language, current_user),
            done=lambda message: _(
                "A test copy is on its way to %(address)s.", address=message.recipient
            ),
        )
    known = mail in service.MAILS
    return redirect(
        url_for(
            "participants.preview",
            slug=event.slug,
            mail=mail if known else None,
            language=language if known else None,
        )
    )


# -- messages to participants --------------------------------------------------------------


def _draft(form: MessageForm) -> service.messages.Draft:
    return service.messages.Draft(
        subject={lang: f.data or "" for lang, f, _b in form.language_fields()},
        body={lang: b.data or "" for lang, _f, b in form.language_fields()},
        session_id=form.session_id.data,
        include_waitlisted=bool(form.include_waitlisted.data),
    )


def _sent(message: object) -> str:
    count = message.recipients  # type: ignore[attr-defined]
    return ngettext(
        "The message is on its way to %(num)d participant.",
        "The message is on its way to %(num)d participants.",
        count,
    )


@bp.route("/events/<slug>/messages/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def new_message(slug: str) -> str | Response:
    """Write to the participants: preview with the count of recipients, then send."""
    event = _managed_event(slug)
    form = MessageForm()
    form.set_sessions([(s.id, s.title) for s in event.sessions])
    shown = None
    if form.validate_on_submit():
        draft = _draft(form)
        if request.form.get("action") == "send":
            result = perform(
                lambda: service.messages.send(event, draft, current_user),
                done=_sent,
                form=form,
            )
            if result.ok:
                return redirect(url_for("participants.messages", slug=event.slug))
        else:
            result = perform(lambda: service.messages.preview(event, draft), form=form)
            shown = result.value
    return render_template(
        "participants/message_form.html",
        event=event,
        form=form,
        shown=shown,
        main_language=event.main_language,
    )


@bp.route("/events/<slug>/messages")
@role_required(Role.ORGANISER)
def messages(slug: str) -> str:
    """The messages sent to the event's participants: who, when, to how many, the texts."""
    event = _managed_event(slug)
    return render_template(
        "participants/messages.html", event=event, sent=service.messages.sent_messages(event)
    )

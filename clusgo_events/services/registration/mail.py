"""The registration e-mails: confirmed, waitlisted, promoted, cancelled, with the QR code.

Each change queues its mail in the outbox in the same transaction, in the person's language.
Fewer mails: when the same operation queued the calendar invitation (or cancellation) of the
event or session for this person, the notice's words become that mail's subject and text
(:func:`..calendar_mail.carrier`) instead of a second mail. So registering for an event and
two sessions sends three mails (the confirmation with the event's calendar entry, and one
calendar entry per session: clients take one calendar object per mail), cancelling one
session sends one, and no action sends one person two mails with the same subject.
"""

from __future__ import annotations

import base64
import io
from enum import StrEnum

import segno

from ...extensions import db
from ...models import OutboxMessage, Registration, TrainingSession
from ...models.base import max_length
from ...models.enums import RegistrationStatus, SeatStatus
from .. import calendar_mail
from ..calendar_feed import feed_urls
from ..mailer import render_email
from ..outbox import attachment, enqueue, keys
from ..sender import Sender, sender_for
from ..urls import external_url
from .lists import registration_ranks, seat_ranks


class Mail(StrEnum):
    """What a registration mail says; ``registration_<kind>`` is its template and outbox kind
    (the key, kind and references come from ``outbox.keys.registration_notice``)."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    CANCELLED = "cancelled"


def qr_png(code: str) -> bytes:
    """The check-in code as a QR code PNG."""
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def queue_to_participant(
    registration: Registration,
    key: keys.OutboxKey,
    sender: Sender,
    mail: tuple[str, str, str],
    *,
    language: str | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> OutboxMessage:
    """Queue ``mail`` (subject, text, HTML) to the person of ``registration``, answered by
    ``sender``'s contact (Reply-To): every mail to a participant goes through here."""
    subject, text, html = mail
    return enqueue(
        key=key,
        recipient=registration.email,
        recipient_name=registration.name,
        reply_to=sender.contact_email,
        reply_to_name=sender.contact_name,
        subject=subject,
        body_text=text,
        body_html=html,
        language=language or registration.language,
        attachments=attachments,
    )


def qr_data_uri(code: str) -> str:
    """The check-in code's QR code as a ``data:`` URI (the pages' CSP allows ``img-src data:``),
    shown on "My registrations" and in the mails' HTML."""
    return "data:image/png;base64," + base64.b64encode(qr_png(code)).decode("ascii")


def notify(
    registration: Registration,
    kind: Mail,
    session: TrainingSession | None = None,
    qr: bytes | None = None,
) -> None:
    """Queue the e-mail for a state change (``kind``) in the person's
    language; ``qr`` is the check-in code's PNG when it was made beforehand."""
    event = registration.event
    seats = sorted(
        (s for s in registration.seats if s.status != SeatStatus.CANCELLED),
        key=lambda s: (s.session.starts_at, s.session_id),
    )
    attachments = []
    qr_b64 = None
    if registration.status == RegistrationStatus.CONFIRMED and kind in (
        Mail.CONFIRMED,
        Mail.PROMOTED,
    ):
        png = qr or qr_png(registration.checkin_code)
        attachments.append(attachment("checkin-code.png", "image/png", png))
        qr_b64 = base64.b64encode(png).decode("ascii")
    sender = sender_for(event, registration.country)
    about = session if session is not None else event
    carrier = (
        calendar_mail.carrier(registration.email or "", about, kind != Mail.CANCELLED)
        if kind != Mail.WAITLISTED
        else None
    )
    subject, text, html = render_email(
        f"registration_{kind}",
        registration.language,
        calendar=carrier is not None,
        sender=sender,
        registration=registration,
        event=event,
        session=session,
        seats=seats,
        seat_ranks=seat_ranks(seats),
        rank=registration_ranks([registration]).get(registration.id),
        qr_b64=qr_b64,
        my_url=external_url("registration.mine"),
        event_url=external_url("events.show", slug=event.slug),
        ics_url=external_url("calendar.event_ics", slug=event.slug),
        feed_url=feed_urls(registration.user)["https"],
    )
    if carrier is not None:  # the calendar mail of this change carries the words
        carrier.subject = subject[: max_length(OutboxMessage.subject)]
        carrier.body_text, carrier.body_html = text, html
        carrier.attachments = [*(carrier.attachments or []), *attachments]
        carrier.reply_to, carrier.reply_to_name = sender.contact_email, sender.contact_name
        carrier.registration_id, carrier.respondent_id = registration.id, registration.respondent_id
        carrier.notice = str(kind)
        db.session.flush()
        return
    message = queue_to_participant(
        registration,
        keys.registration_notice(registration, kind, session),
        sender,
        (subject, text, html),
        attachments=attachments,
    )
    message.notice = str(kind)


def notify_state(registration: Registration, qr: bytes | None = None) -> None:
    """The mail that says where a registration stands now: confirmed (with the QR code,
    ``qr`` when made beforehand) or on the waiting list."""
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    notify(registration, Mail.CONFIRMED if confirmed else Mail.WAITLISTED, qr=qr)

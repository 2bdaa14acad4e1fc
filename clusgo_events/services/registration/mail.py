"""The registration e-mails: confirmed, waitlisted, promoted, cancelled, with the QR code.

Each change queues its mail in the outbox in the same transaction, in the person's language.
"""

from __future__ import annotations

import base64
import io
from enum import StrEnum

import segno

from ...models import Registration, TrainingSession
from ...models.enums import RegistrationStatus, SeatStatus
from ..calendar_feed import feed_urls
from ..mailer import render_email
from ..outbox import attachment, enqueue, keys
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
    subject, text, html = render_email(
        f"registration_{kind}",
        registration.language,
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
    enqueue(
        key=keys.registration_notice(registration, kind, session),
        recipient=registration.email,
        recipient_name=registration.name,
        subject=subject,
        body_text=text,
        body_html=html,
        language=registration.language,
        attachments=attachments,
    )


def notify_state(registration: Registration, qr: bytes | None = None) -> None:
    """The mail that says where a registration stands now: confirmed (with the QR code,
    ``qr`` when made beforehand) or on the waiting list."""
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    notify(registration, Mail.CONFIRMED if confirmed else Mail.WAITLISTED, qr=qr)

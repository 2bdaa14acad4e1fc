"""Certificates of attendance: who earns one, the PDF, and the e-mail through the outbox.

A certificate goes to each confirmed participant who was present (or late) at every one of
their confirmed sessions; it is queued in the outbox once per person (its idempotency key),
and each sending writes one audit entry with how many were queued.
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import force_locale, format_date, format_time, get_locale, gettext
from sqlalchemy import and_, func, select

from ...extensions import db
from ...i18n import language_for
from ...models import (
    AttendanceRecord,
    Event,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    SeatStatus,
    SessionSeat,
    SessionStatus,
    TrainingSession,
    User,
)
from .. import audit
from ..mailer import render_email
from ..outbox import attachment
from ..outbox import keys as outbox_keys
from ..registration.mail import queue_to_participant
from ..sender import senders_of
from ..timeutil import utc_to_local
from .pdf_text import MAIN, UnicodePDF
from .roster import ATTENDED


def eligible_for_certificate(event: Event) -> list[Registration]:
    """Confirmed participants present or late at every one of their confirmed sessions."""
    came = func.count(AttendanceRecord.id)
    qualifying = (
        select(Registration.id)
        .join(SessionSeat, SessionSeat.registration_id == Registration.id)
        .join(TrainingSession, TrainingSession.id == SessionSeat.session_id)
        .outerjoin(
            AttendanceRecord,
            and_(
                AttendanceRecord.session_id == SessionSeat.session_id,
                AttendanceRecord.registration_id == Registration.id,
                AttendanceRecord.status.in_(ATTENDED),
            ),
        )
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            SessionSeat.status == SeatStatus.CONFIRMED,
            TrainingSession.status != SessionStatus.CANCELLED,
        )
        .group_by(Registration.id)
        .having(func.count(SessionSeat.id) == came, came > 0)
    )
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.id.in_(qualifying))
            .order_by(Registration.name, Registration.id)
        )
    )


def _sessions_of(registrations: list[Registration]) -> dict[int, list[TrainingSession]]:
    """Each registration's confirmed sessions, in one query."""
    found: dict[int, list[TrainingSession]] = defaultdict(list)
    if not registrations:
        return found
    rows = db.session.execute(
        select(SessionSeat.registration_id, TrainingSession)
        .join(TrainingSession, TrainingSession.id == SessionSeat.session_id)
        .where(
            SessionSeat.registration_id.in_([r.id for r in registrations]),
            SessionSeat.status == SeatStatus.CONFIRMED,
            TrainingSession.status != SessionStatus.CANCELLED,
        )
        .order_by(TrainingSession.starts_at)
    )
    for registration_id, session in rows:
        found[registration_id].append(session)
    return found


def _session_line(session: TrainingSession, zone: str) -> str:
    """``Title — 13. 2. 2031 9:00–11:00 CET`` in the current locale, in the event's zone."""
    start = utc_to_local(session.starts_at, zone)
    end = utc_to_local(session.ends_at, zone)
    return (
        f"{session.title} — {format_date(start.date(), 'medium')} "
        f"{format_time(start, 'short', rebase=False)}–{format_time(end, 'short', rebase=False)}"
        f" {start.tzname()}"
    )


def certificate_pdf(
    registration: Registration, sessions: list[TrainingSession] | None = None
) -> bytes:
    """A one-page A4 certificate of attendance in the participant's language."""
    event = registration.event
    if sessions is None:
        if registration.id is None:  # a sample: the event's sessions
            sessions = [s for s in event.sessions if s.status != SessionStatus.CANCELLED]
        else:
            sessions = _sessions_of([registration])[registration.id]
    zone = event.timezone
    language = language_for(registration.language, registration.country)
    with force_locale(language):
        title = gettext("Certificate of attendance")
        certifies = gettext("This is to certify that")
        attended = gettext("attended the following training sessions of")
        issued = gettext("Issued by the organisers of %(event)s", event=event.title)
        lines = [_session_line(session, zone) for session in sessions]
    pdf = UnicodePDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("ClusGo Events")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_draw_color(40, 70, 140)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(28)
    pdf.set_font(MAIN, "B", 28)
    pdf.cell(0, 14, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(MAIN, "", 13)
    pdf.cell(0, 8, certifies, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(MAIN, "B", 22)
    pdf.cell(0, 14, registration.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(MAIN, "", 13)
    if registration.organisation_name:
        pdf.cell(0, 8, registration.organisation_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(0, 8, attended, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(MAIN, "B", 15)
    pdf.multi_cell(0, 9, event.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(MAIN, "", 11)
    pdf.ln(3)
    for line in lines:
        pdf.multi_cell(0, 6.5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    place = ", ".join(p for p in (event.venue, event.address) if p)
    if place:
        pdf.cell(0, 7, place, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(-45)
    pdf.set_font(MAIN, "", 10)
    pdf.cell(0, 6, issued, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def sample_registration(event: Event) -> Registration:
    """An unsaved participant with a placeholder name, to preview the certificate."""
    return Registration(
        event=event,
        name="Jana Nováková",
        organisation_name=gettext("Cluster organisation"),
        language=str(get_locale() or "en"),
    )


def preview_for(event: Event, registration_id: int | None) -> Registration | None:
    """Whose certificate to preview: an eligible participant's (None when ``registration_id``
    is not one), or without an id a sample with a placeholder name."""
    if registration_id is None:
        return sample_registration(event)
    return next((r for r in eligible_for_certificate(event) if r.id == registration_id), None)


def send_certificates(event: Event, by: User | None) -> int:
    """Queue a certificate e-mail to every eligible participant not yet sent one."""
    eligible = eligible_for_certificate(event)
    # one e-mail per person: the key (and kind and references) from the outbox's schema
    keys = {outbox_keys.certificate(event, r): r for r in eligible}
    already = (
        set(
            db.session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.idempotency_key.in_([key.key for key in keys])
                )
            )
        )
        if keys
        else set()
    )
    pending = {key: r for key, r in keys.items() if key.key not in already}
    sessions = _sessions_of(list(pending.values()))
    senders = senders_of(event)
    for key, registration in pending.items():
        language = language_for(registration.language, registration.country)
        sender = senders(registration.country)
        data = certificate_pdf(registration, sessions[registration.id])
        mail = render_email(
            "certificate",
            language,
            registration=registration,
            event=event,
            sessions=sessions[registration.id],
            sender=sender,
        )
        queue_to_participant(
            registration,
            key,
            sender,
            mail,
            language=language,
            attachments=[attachment("certificate.pdf", "application/pdf", data)],
        )
    if pending:
        audit.record("attendance.certificates", event, {"queued": len(pending)}, actor=by)
    db.session.flush()
    return len(pending)

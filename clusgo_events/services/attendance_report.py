"""An event's attendance summary and certificates of attendance.

The summary runs a fixed number of grouped queries, whatever the number of sessions or
participants. A certificate goes to each confirmed participant who was present (or late)
at every one of their confirmed sessions; it is queued in the outbox once per person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import force_locale, gettext
from fpdf import FPDF
from sqlalchemy import and_, case, func, select

from ..extensions import db
from ..i18n import language_for
from ..models import (
    AttendanceRecord,
    Event,
    OutboxMessage,
    Registration,
    SessionSeat,
    TrainingSession,
    User,
)
from . import audit
from .attendance import ATTENDED
from .attendance_export import add_fonts
from .mailer import render_email
from .outbox import attachment, enqueue
from .outbox import keys as outbox_keys
from .timeutil import utc_to_local


@dataclass
class SessionStats:
    """Attendance at one session: confirmed seats and how many of them came."""

    session: TrainingSession
    confirmed: int = 0
    present: int = 0
    late: int = 0
    excused: int = 0
    absent: int = 0
    walk_ins: int = 0

    @property
    def attended(self) -> int:
        return self.present + self.late

    @property
    def unmarked(self) -> int:
        return max(0, self.confirmed - self.present - self.late - self.excused - self.absent)

    @property
    def rate(self) -> float:
        """Share of confirmed participants who attended (0..1)."""
        return self.attended / self.confirmed if self.confirmed else 0.0


@dataclass
class GroupCount:
    """Participants of one country or organisation."""

    label: str
    country: str
    registered: int = 0
    attended: int = 0
    walk_ins: int = 0


@dataclass
class Summary:
    sessions: list[SessionStats] = field(default_factory=list)
    countries: list[GroupCount] = field(default_factory=list)
    organisations: list[GroupCount] = field(default_factory=list)

    @property
    def max_country(self) -> int:
        return max((c.registered + c.walk_ins for c in self.countries), default=0)


def _attended_any(event: Event):  # type: ignore[no-untyped-def]
    """Registration ids of the event with at least one present/late mark (a subquery)."""
    return (
        select(AttendanceRecord.registration_id)
        .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
        .where(
            TrainingSession.event_id == event.id,
            AttendanceRecord.registration_id.is_not(None),
            AttendanceRecord.status.in_(ATTENDED),
        )
        .distinct()
        .scalar_subquery()
    )


def summary(event: Event) -> Summary:
    """The event's figures in six queries."""
    result = Summary()
    sessions = db.session.scalars(
        select(TrainingSession)
        .where(TrainingSession.event_id == event.id, TrainingSession.status != "cancelled")
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    ).all()
    stats = {s.id: SessionStats(s) for s in sessions}
    result.sessions = list(stats.values())

    confirmed_seat = and_(SessionSeat.status == "confirmed", Registration.status == "confirmed")
    for session_id, confirmed in db.session.execute(
        select(SessionSeat.session_id, func.count())
        .join(Registration, Registration.id == SessionSeat.registration_id)
        .where(SessionSeat.session_id.in_(stats), confirmed_seat)
        .group_by(SessionSeat.session_id)
    ):
        stats[session_id].confirmed = confirmed
    for session_id, status, count in db.session.execute(
        select(SessionSeat.session_id, AttendanceRecord.status, func.count())
        .join(Registration, Registration.id == SessionSeat.registration_id)
        .join(
            AttendanceRecord,
            and_(
                AttendanceRecord.session_id == SessionSeat.session_id,
                AttendanceRecord.registration_id == SessionSeat.registration_id,
            ),
        )
        .where(SessionSeat.session_id.in_(stats), confirmed_seat)
        .group_by(SessionSeat.session_id, AttendanceRecord.status)
    ):
        if status in ("present", "late", "excused", "absent"):
            setattr(stats[session_id], status, count)
    for session_id, count in db.session.execute(
        select(AttendanceRecord.session_id, func.count())
        .where(AttendanceRecord.session_id.in_(stats), AttendanceRecord.is_walk_in.is_(True))
        .group_by(AttendanceRecord.session_id)
    ):
        stats[session_id].walk_ins = count

    attended = case((Registration.id.in_(_attended_any(event)), 1), else_=0)
    countries: dict[str, GroupCount] = {}
    organisations: dict[tuple[str, str], GroupCount] = {}
    for organisation, country, registered, came in db.session.execute(
        select(
            Registration.organisation_name,
            Registration.country,
            func.count(),
            func.sum(attended),
        )
        .where(Registration.event_id == event.id, Registration.status == "confirmed")
        .group_by(Registration.organisation_name, Registration.country)
    ):
        org = organisation or "—"
        code = country or "—"
        group = organisations.setdefault((org, code), GroupCount(org, code))
        group.registered += registered
        group.attended += int(came or 0)
        total = countries.setdefault(code, GroupCount(code, code))
        total.registered += registered
        total.attended += int(came or 0)
    for organisation, country, count in db.session.execute(
        select(AttendanceRecord.organisation_name, AttendanceRecord.country, func.count())
        .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
        .where(TrainingSession.event_id == event.id, AttendanceRecord.is_walk_in.is_(True))
        .group_by(AttendanceRecord.organisation_name, AttendanceRecord.country)
    ):
        org = organisation or "—"
        code = country or "—"
        organisations.setdefault((org, code), GroupCount(org, code)).walk_ins += count
        countries.setdefault(code, GroupCount(code, code)).walk_ins += count
    result.countries = sorted(countries.values(), key=lambda g: (-g.registered, g.label))
    result.organisations = sorted(
        organisations.values(), key=lambda g: (g.country, g.label.casefold())
    )
    return result


# --- certificates ------------------------------------------------------------------------


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
            Registration.status == "confirmed",
            SessionSeat.status == "confirmed",
            TrainingSession.status != "cancelled",
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
            SessionSeat.status == "confirmed",
            TrainingSession.status != "cancelled",
        )
        .order_by(TrainingSession.starts_at)
    )
    for registration_id, session in rows:
        found[registration_id].append(session)
    return found


def certificate_pdf(
    registration: Registration, sessions: list[TrainingSession] | None = None
) -> bytes:
    """A one-page A4 certificate of attendance in the participant's language."""
    event = registration.event
    if sessions is None:
        if registration.id is None:  # a sample: the event's sessions
            sessions = [s for s in event.sessions if s.status != "cancelled"]
        else:
            sessions = _sessions_of([registration])[registration.id]
    zone = event.timezone
    language = language_for(registration.language, registration.country)
    with force_locale(language):
        title = gettext("Certificate of attendance")
        certifies = gettext("This is to certify that")
        attended = gettext("attended the following training sessions of")
        issued = gettext("Issued by the organisers of %(event)s", event=event.title)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    add_fonts(pdf)
    pdf.set_title(title)
    pdf.set_creator("ClusGo Events")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_draw_color(40, 70, 140)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(28)
    pdf.set_font("DejaVu", "B", 28)
    pdf.cell(0, 14, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 13)
    pdf.cell(0, 8, certifies, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 22)
    pdf.cell(0, 14, registration.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 13)
    if registration.organisation_name:
        pdf.cell(0, 8, registration.organisation_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(0, 8, attended, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 9, event.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.ln(3)
    for session in sessions:
        start = utc_to_local(session.starts_at, zone)
        end = utc_to_local(session.ends_at, zone)
        line = f"{session.title} — {start:%d.%m.%Y %H:%M}–{end:%H:%M} {start.tzname()}"
        pdf.multi_cell(0, 6.5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    place = ", ".join(p for p in (event.venue, event.address) if p)
    if place:
        pdf.cell(0, 7, place, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(-45)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, issued, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def sample_registration(event: Event) -> Registration:
    """An unsaved participant with a placeholder name, to preview the certificate."""
    return Registration(
        event=event, name="Jana Nováková", organisation_name="Cluster organisation", language="en"
    )


def certificate_key(event: Event, registration: Registration) -> str:
    return outbox_keys.certificate(event, registration).key


def send_certificates(event: Event, by: User | None) -> int:
    """Queue a certificate e-mail to every eligible participant not yet sent one."""
    eligible = eligible_for_certificate(event)
    keys = {certificate_key(event, r): r for r in eligible}
    already = (
        set(
            db.session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.idempotency_key.in_(list(keys))
                )
            )
        )
        if keys
        else set()
    )
    pending = [r for key, r in keys.items() if key not in already]
    sessions = _sessions_of(pending)
    for registration in pending:
        language = language_for(registration.language, registration.country)
        data = certificate_pdf(registration, sessions[registration.id])
        subject, text, html = render_email(
            "certificate",
            language,
            registration=registration,
            event=event,
            sessions=sessions[registration.id],
        )
        enqueue(
            key=outbox_keys.certificate(event, registration),
            recipient=registration.email,
            recipient_name=registration.name,
            subject=subject,
            body_text=text,
            body_html=html,
            language=language,
            attachments=[attachment("certificate.pdf", "application/pdf", data)],
        )
    if pending:
        audit.record("attendance.certificates", event, {"queued": len(pending)}, actor=by)
    db.session.flush()
    return len(pending)

"""The certificate of attendance as a PDF: the issuing association and its signatory, the
sessions attended and their training hours, date and place, the event's logos, and the
verification code a public page confirms. Who earns one and the sending: :mod:`.issuing`.
"""

from __future__ import annotations

import io

from flask import current_app
from flask_babel import (
    force_locale,
    format_date,
    format_decimal,
    get_locale,
    gettext,
    ngettext,
)
from sqlalchemy import select

from ...extensions import db
from ...i18n import language_for
from ...models import Certificate, Event, Registration, SessionStatus, TrainingSession
from ..timeutil import format_span, utc_to_local
from .logos import logos_of
from .pdf_text import MAIN, UnicodePDF
from .settings import settings_of

LOGO_HEIGHT = 16.0


def _session_line(session: TrainingSession, zone: str) -> str:
    """``Title — 13. 2. 2031 9:00–11:00 CET`` in the current locale, in the event's zone."""
    return f"{session.text('title')} — {format_span(session.starts_at, session.ends_at, zone)}"


def verification_url(code: str) -> str:
    """Where anyone confirms a certificate: ``BASE_URL/certificates/<code>``."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/certificates/{code}"


def _logos(pdf: UnicodePDF, event: Event) -> None:
    shown = [(logo.data, logo.width, logo.height) for logo in logos_of(event)]
    widths = [LOGO_HEIGHT * w / h for _, w, h in shown if h]
    total = sum(widths) + 6 * max(0, len(widths) - 1)
    x = (297 - min(total, 250)) / 2
    for (data, _w, _h), width in zip(shown, widths, strict=False):
        if x + width > 272:
            break
        pdf.image(io.BytesIO(data), x=x, y=16, h=LOGO_HEIGHT)
        x += width + 6


def certificate_pdf(
    registration: Registration,
    sessions: list[TrainingSession] | None = None,
    certificate: Certificate | None = None,
) -> bytes:
    """A one-page A4 certificate in the participant's language; ``sessions`` are those they
    attended (default: a sample's, the event's), ``certificate`` gives the code and date."""
    event = registration.event
    if sessions is None:
        sessions = [s for s in event.sessions if s.status != SessionStatus.CANCELLED]
    settings = settings_of(event)
    zone = event.timezone
    minutes = sum(int((s.ends_at - s.starts_at).total_seconds() // 60) for s in sessions)
    issued = utc_to_local(certificate.issued_at, zone) if certificate else None
    language = language_for(registration.language, registration.country)
    with force_locale(language):
        title = gettext("Certificate of attendance")
        certifies = gettext("This is to certify that")
        attended = gettext("attended the following training sessions of")
        hours = ngettext(
            "Training hours: %(hours)s hour",
            "Training hours: %(hours)s hours",
            max(1, round(minutes / 60)),
            hours=format_decimal(round(minutes / 60, 1)),
        )
        issuer = settings.issuer or gettext(
            "the organisers of %(event)s", event=event.text("title")
        )
        issued_by = gettext("Issued by %(issuer)s", issuer=issuer)
        place = ", ".join(p for p in (settings.city or event.text("venue"),) if p)
        when = format_date(issued.date(), "long") if issued else ""
        dated = ", ".join(p for p in (place, when) if p)
        lines = [_session_line(session, zone) for session in sessions]
        event_title = event.text("title")
        code_line = (
            gettext(
                "Verification code %(code)s: %(url)s",
                code=certificate.code,
                url=verification_url(certificate.code),
            )
            if certificate
            else gettext("Sample: a certificate sent carries its verification code here.")
        )
    pdf = UnicodePDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("ClusGo Events")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(40, 70, 140)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    _logos(pdf, event)
    pdf.set_y(36)
    pdf.set_font(MAIN, "B", 26)
    pdf.cell(0, 13, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(MAIN, "", 12)
    pdf.cell(0, 7, certifies, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(MAIN, "B", 20)
    pdf.cell(0, 12, registration.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(MAIN, "", 12)
    if registration.organisation_name:
        pdf.multi_cell(0, 6, registration.organisation_name, align="C", new_x="LMARGIN")
    pdf.cell(0, 7, attended, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(MAIN, "B", 14)
    pdf.multi_cell(0, 7.5, event_title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(MAIN, "", 10)
    for line in lines[:12]:
        pdf.multi_cell(0, 5.5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(MAIN, "B", 11)
    pdf.cell(0, 7, hours, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(MAIN, "", 10)
    pdf.set_xy(30, 160)
    pdf.cell(110, 6, dated)
    pdf.line(170, 165, 260, 165)
    pdf.set_xy(170, 166)
    signatory = " · ".join(p for p in (settings.signatory_name, settings.signatory_role) if p)
    pdf.cell(90, 5, signatory, align="C", new_x="LEFT", new_y="NEXT")
    pdf.multi_cell(90, 5, issued_by, align="C")
    pdf.set_xy(20, 188)
    pdf.set_font(MAIN, "", 8)
    pdf.cell(257, 5, code_line, align="C")
    return bytes(pdf.output())


def sample_registration(event: Event) -> Registration:
    """An unsaved participant with a placeholder name, to preview the certificate."""
    return Registration(
        event=event,
        name="Jana Nováková",
        organisation_name=gettext("Cluster organisation"),
        language=str(get_locale() or "en"),
    )


def preview_for(
    event: Event, registration_id: int | None
) -> tuple[Registration, Certificate | None] | None:
    """Whose certificate to preview: a participant's certificate in force (None when
    ``registration_id`` has none), or without an id a sample with a placeholder name."""
    if registration_id is None:
        return sample_registration(event), None
    certificate = db.session.scalar(
        select(Certificate).where(
            Certificate.event_id == event.id,
            Certificate.registration_id == registration_id,
            Certificate.revoked_at.is_(None),
        )
    )
    if certificate is None or certificate.registration is None:
        return None
    return certificate.registration, certificate

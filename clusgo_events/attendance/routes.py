"""Trainers' rosters and check-in; organisers' exports, summary and certificates.

Marking answers JSON to ``fetch()`` (``Accept: application/json``) and redirects back to the
roster for a plain form post, so the page works with and without JavaScript.
"""

from __future__ import annotations

import io
import tempfile
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from ..auth.decorators import role_required
from ..extensions import db
from ..forms import apply_service_errors
from ..models import AttendanceRecord, Event, Registration, TrainingSession
from ..security import MAX_DB_INT
from ..services import ServiceError
from ..services import attendance as att
from ..services import attendance_export as export
from ..services import attendance_report as report
from ..services.timeutil import format_local
from .forms import CheckInForm, ConfirmForm, MarkForm, WalkInForm

bp = Blueprint("attendance", __name__)

STAFF_OR_TRAINER = ("trainer", "organiser")


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


def _session_or_404(session_id: int) -> TrainingSession:
    """The session, if the current user may see its roster; a stranger gets 404."""
    session = db.session.get(TrainingSession, session_id)
    if session is None or not att.can_view(current_user, session):
        abort(404)
    return session


def _event_or_404(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    return event


def _entry_json(session: TrainingSession, entry: att.RosterEntry) -> dict[str, Any]:
    zone = session.event.timezone
    return {
        "key": entry.key,
        "name": entry.name,
        "status": entry.status,
        "method": entry.method,
        "checked_in": format_local(entry.checked_in_at, zone, "%H:%M"),
        "is_walk_in": entry.is_walk_in,
    }


def _counts(entries: list[att.RosterEntry]) -> dict[str, int]:
    counts = {status: 0 for status in ("present", "late", "excused", "absent")}
    for entry in entries:
        if entry.status in counts:
            counts[entry.status] += 1
    counts["unmarked"] = sum(1 for e in entries if e.status is None)
    counts["total"] = len(entries)
    return counts


def _error(session: TrainingSession, message: str, status: int = 400) -> Any:
    """A refusal: JSON for fetch(), a flash and a redirect to the roster for a plain form."""
    if _wants_json():
        return jsonify(ok=False, error=message), status
    flash(message, "danger")
    return redirect(url_for("attendance.roster", session_id=session.id))


# --- the trainer's pages -----------------------------------------------------------------


@bp.route("/")
@role_required(*STAFF_OR_TRAINER)
def my_sessions() -> str:
    """'My sessions': a trainer's own sessions; organisers and admins see every session."""
    sessions = att.sessions_for(current_user)
    return render_template("attendance/my_sessions.html", sessions=sessions)


def _render_roster(
    session: TrainingSession,
    checkin_form: CheckInForm | None = None,
    walk_in_form: WalkInForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    entries = att.roster(session)
    return (
        render_template(
            "attendance/roster.html",
            session=session,
            event=session.event,
            entries=entries,
            counts=_counts(entries),
            can_change=att.can_change(current_user, session),
            mark_form=MarkForm(formdata=None),
            checkin_form=checkin_form or CheckInForm(formdata=None),
            walk_in_form=walk_in_form or WalkInForm(formdata=None),
            confirm=ConfirmForm(formdata=None),
            statuses=("present", "late", "excused", "absent"),
            formats=export.FORMATS,
        ),
        status,
    )


@bp.route("/sessions/<int:session_id>")
@role_required(*STAFF_OR_TRAINER)
def roster(session_id: int) -> tuple[str, int]:
    """The roster of one session: one tap per participant to mark them."""
    return _render_roster(_session_or_404(session_id))


@bp.route("/sessions/<int:session_id>/mark", methods=["POST"])
@role_required(*STAFF_OR_TRAINER)
def mark(session_id: int) -> Any:
    """Mark one participant (or walk-in) present, late, excused or absent."""
    session = _session_or_404(session_id)
    form = MarkForm()
    if not form.validate_on_submit():
        return _error(session, "Choose a participant and a status.")
    kind, ident = form.target.data[0], int(form.target.data[1:])
    registration = record = None
    if ident > MAX_DB_INT:  # no such id; PostgreSQL would refuse the number itself
        return _error(session, "No such participant.", 404)
    if kind == "r":
        registration = db.session.get(Registration, ident)
        if registration is None:
            return _error(session, "No such participant.", 404)
    else:
        record = db.session.get(AttendanceRecord, ident)
        if record is None or record.session_id != session.id:
            return _error(session, "No such walk-in.", 404)
    try:
        record = att.mark(
            session,
            status=form.status.data,
            by=current_user,
            registration=registration,
            record=record,
        )
    except ServiceError as exc:
        db.session.rollback()
        return _error(session, exc.message, 409 if session.attendance_closed_at else 400)
    entry = att.roster_entry(session, record)
    db.session.commit()
    message = f"{entry.name}: {entry.status}."
    if _wants_json():
        return jsonify(ok=True, message=message, entry=_entry_json(session, entry))
    flash(message, "success")
    return redirect(url_for("attendance.roster", session_id=session.id) + f"#{entry.key}")


@bp.route("/sessions/<int:session_id>/check-in", methods=["POST"])
@role_required(*STAFF_OR_TRAINER)
def check_in(session_id: int) -> Any:
    """Check in by the code of the participant's QR code, scanned or typed."""
    session = _session_or_404(session_id)
    form = CheckInForm()
    method = "qr" if request.form.get("scanned") == "1" else "manual"
    if not form.validate_on_submit():
        if _wants_json():
            return jsonify(ok=False, error="Enter or scan a check-in code."), 400
        return _render_roster(session, checkin_form=form)
    try:
        result = att.check_in(session, form.code.data, current_user, method=method)
    except ServiceError as exc:
        db.session.rollback()
        if _wants_json():
            return jsonify(ok=False, error=exc.message), 409
        apply_service_errors(form, exc)
        return _render_roster(session, checkin_form=form)
    entry = att.roster_entry(session, result.record)
    db.session.commit()
    if _wants_json():
        return jsonify(
            ok=True,
            already=result.already,
            message=result.message,
            entry=_entry_json(session, entry),
        )
    flash(result.message, "warning" if result.already else "success")
    return redirect(url_for("attendance.roster", session_id=session.id) + f"#{entry.key}")


@bp.route("/sessions/<int:session_id>/walk-in", methods=["POST"])
@role_required(*STAFF_OR_TRAINER)
def walk_in(session_id: int) -> Any:
    """Add someone who came without registering."""
    session = _session_or_404(session_id)
    form = WalkInForm()
    if form.validate_on_submit():
        data = att.WalkInData(
            name=form.name.data or "",
            organisation=form.organisation.data or "",
            country=form.country.data or "",
            email=form.email.data or "",
        )
        try:
            record = att.add_walk_in(session, data, current_user, status=form.status.data)
        except ServiceError as exc:
            db.session.rollback()
            apply_service_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Walk-in {record.name} added.", "success")
            return redirect(url_for("attendance.roster", session_id=session.id) + f"#w{record.id}")
    return _render_roster(session, walk_in_form=form)


@bp.route("/sessions/<int:session_id>/close", methods=["POST"])
@role_required(*STAFF_OR_TRAINER)
def close(session_id: int) -> Any:
    """Close the session's attendance (then only organisers change it)."""
    session = _session_or_404(session_id)
    if ConfirmForm().validate_on_submit():
        try:
            att.close(session, current_user)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash("Attendance closed.", "success")
    return redirect(url_for("attendance.roster", session_id=session.id))


@bp.route("/sessions/<int:session_id>/reopen", methods=["POST"])
@role_required("organiser")
def reopen(session_id: int) -> Any:
    """Reopen a closed session's attendance."""
    session = _session_or_404(session_id)
    if ConfirmForm().validate_on_submit():
        try:
            att.reopen(session, current_user)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash("Attendance reopened.", "success")
    return redirect(url_for("attendance.roster", session_id=session.id))


# --- exports -----------------------------------------------------------------------------


def _download(sessions: list[TrainingSession], fmt: str, base: str, blank: bool) -> Response:
    name = export.filename_for(base, fmt, blank)
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        chunks = export.iter_csv(export.rows_for(sessions, blank=blank))
        return Response(
            stream_with_context(chunks), mimetype=export.MIMETYPES["csv"], headers=disposition
        )
    if fmt == "xlsx":
        spool = tempfile.TemporaryFile()
        export.write_xlsx(export.rows_for(sessions, blank=blank), spool)
        spool.seek(0)
        return send_file(
            spool, mimetype=export.MIMETYPES["xlsx"], as_attachment=True, download_name=name
        )
    data = export.build_pdf(sessions, blank=blank)
    return send_file(
        io.BytesIO(data), mimetype=export.MIMETYPES["pdf"], as_attachment=True, download_name=name
    )


@bp.route("/sessions/<int:session_id>/attendance.<fmt>")
@role_required(*STAFF_OR_TRAINER)
def export_session(session_id: int, fmt: str) -> Response:
    """The session's list in CSV, XLSX or PDF; ``?blank=1`` for an unmarked sign-in sheet."""
    session = _session_or_404(session_id)
    if fmt not in export.FORMATS:
        abort(404)
    blank = request.args.get("blank") == "1"
    return _download([session], fmt, f"{session.event.slug}-session-{session.id}", blank)


@bp.route("/events/<slug>/attendance.<fmt>")
@role_required("organiser")
def export_event(slug: str, fmt: str) -> Response:
    """Every session of the event in one list."""
    event = _event_or_404(slug)
    if fmt not in export.FORMATS:
        abort(404)
    blank = request.args.get("blank") == "1"
    return _download(export.sessions_of(event), fmt, event.slug, blank)


# --- summary and certificates ------------------------------------------------------------


@bp.route("/events/<slug>")
@role_required("organiser")
def summary(slug: str) -> str:
    """Participants per country and organisation, attendance rate per session."""
    event = _event_or_404(slug)
    data = report.summary(event)
    return render_template(
        "attendance/summary.html",
        event=event,
        data=data,
        formats=export.FORMATS,
        confirm=ConfirmForm(formdata=None),
    )


@bp.route("/events/<slug>/certificates", methods=["POST"])
@role_required("organiser")
def send_certificates(slug: str) -> Any:
    """E-mail a certificate to everyone present at all their sessions (once each)."""
    event = _event_or_404(slug)
    if ConfirmForm().validate_on_submit():
        queued = report.send_certificates(event, current_user)
        db.session.commit()
        flash(f"{queued} certificate(s) queued for e-mail.", "success")
    return redirect(url_for("attendance.summary", slug=event.slug))


@bp.route("/events/<slug>/certificate.pdf")
@role_required("organiser")
def certificate(slug: str) -> Response:
    """A certificate to look at before sending: ``?registration=ID`` for an eligible
    participant's own, else a sample with a placeholder name."""
    event = _event_or_404(slug)
    wanted = request.args.get("registration", type=int)
    if wanted is None:
        registration = report.sample_registration(event)
    else:
        registration = next(
            (r for r in report.eligible_for_certificate(event) if r.id == wanted), None
        )
        if registration is None:
            abort(404)
    data = report.certificate_pdf(registration)
    return send_file(
        io.BytesIO(data),
        mimetype="application/pdf",
        as_attachment=False,
        download_name=f"certificate-{event.slug}.pdf",
    )

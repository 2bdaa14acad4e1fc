"""Trainers' rosters and check-in; organisers' exports, summary and certificates.

Marking answers JSON to ``fetch()`` (``Accept: application/json``) and redirects back to the
roster for a plain form post, so the page works with and without JavaScript. Each view makes
one service call through :func:`clusgo_events.web.perform`, which commits or rolls back; the
services write the audit entries.
"""

from __future__ import annotations

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
from flask import (
    session as browser_session,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.decorators import role_required
from ..extensions import db
from ..forms import ConfirmForm
from ..models import AttendanceMethod, AttendanceStatus, Event, Role, TrainingSession
from ..services import attendance as att
from ..services import csv_dialect
from ..services.attendance import exports, issuing
from ..services.attendance import summary as figures
from ..services.attendance.report import country_name
from ..services.attendance.rows import rows_for
from ..services.attendance.settings import settings_of
from ..services.attendance.sign_in_sheet import write_pdf
from ..services.attendance.spreadsheets import iter_csv, write_xlsx
from ..services.timeutil import format_moment
from ..web import Result, perform
from .forms import CheckInForm, MarkForm, WalkInForm

bp = Blueprint("attendance", __name__)

STAFF_OR_TRAINER = (Role.TRAINER, Role.ORGANISER)


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


def _roster_url(session: TrainingSession, key: str = "") -> str:
    return url_for("attendance.roster", session_id=session.id) + (f"#{key}" if key else "")


def _entry_json(session: TrainingSession, entry: att.RosterEntry) -> dict[str, Any]:
    zone = session.event.timezone
    return {
        "key": entry.key,
        "name": entry.name,
        "status": entry.status,
        "method": entry.method,
        "checked_in": format_moment(entry.checked_in_at, zone, "time"),
        "is_walk_in": entry.is_walk_in,
    }


def _refused(session: TrainingSession, result: Result[Any], status: int) -> Any:
    """A refusal: JSON for fetch(); for a plain form ``perform`` has flashed it already."""
    if _wants_json():
        message = result.error.message if result.error else _("That did not work.")
        return jsonify(ok=False, error=message), status
    return redirect(_roster_url(session))


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
    entries = att.roster(session, str(get_locale()))
    search = (request.args.get("q") or "").strip()[:100]
    return (
        render_template(
            "attendance/roster.html",
            session=session,
            event=session.event,
            entries=att.matching(entries, search),
            search=search,
            search_text=att.search_text,
            early=att.marking_is_early(session) and not _early_ok(session),
            counts=att.counts(entries),
            can_change=att.can_change(current_user, session),
            mark_form=MarkForm(formdata=None),
            checkin_form=checkin_form or CheckInForm(formdata=None),
            walk_in_form=walk_in_form or WalkInForm(formdata=None),
            confirm=ConfirmForm(formdata=None),
            statuses=[status.value for status in AttendanceStatus],
            formats=exports.FORMATS,
            **csv_dialect.offered(str(get_locale() or "en")),
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
    as_json = _wants_json()
    if not form.validate_on_submit():
        if as_json:
            return jsonify(ok=False, error=_("Choose a participant and a status.")), 400
        flash(_("Choose a participant and a status."), "danger")
        return redirect(_roster_url(session))
    early = att.marking_is_early(session) and att.can_change(current_user, session)
    if early and not _early_ok(session):
        refusal = _("This session has not started yet: confirm on the roster first.")
        if as_json:
            return jsonify(ok=False, error=refusal), 409
        flash(refusal, "warning")
        return redirect(_roster_url(session))
    result = perform(
        lambda: att.mark_line(session, form.target.data, form.status.data, current_user),
        form=form if as_json else None,
    )
    if not result.ok:
        unknown = isinstance(result.error, att.UnknownParticipant)
        return _refused(session, result, 404 if unknown else 409)
    entry = att.roster_entry(result.value)
    message = _("%(name)s: %(status)s.", name=entry.name, status=_status_label(entry.status))
    if as_json:
        return jsonify(ok=True, message=message, entry=_entry_json(session, entry))
    flash(message, "success")
    return redirect(_roster_url(session, entry.key))


def _early_ok(session: TrainingSession) -> bool:
    """True once this browser confirmed marking the (not yet started) session."""
    return session.id in browser_session.get("early_marking", [])


@bp.route("/sessions/<int:session_id>/start-early", methods=["POST"])
@role_required(*STAFF_OR_TRAINER)
def start_early(session_id: int) -> Response:
    """The trainer confirms, once, that they mark a session before its start."""
    session = _session_or_404(session_id)
    if ConfirmForm().validate_on_submit() and att.can_change(current_user, session):
        allowed = [i for i in browser_session.get("early_marking", []) if i != session.id]
        browser_session["early_marking"] = [*allowed[-19:], session.id]
    return redirect(_roster_url(session))


def _status_label(status: str | None) -> str:
    labels = {
        AttendanceStatus.PRESENT: _("Present"),
        AttendanceStatus.LATE: _("Late"),
        AttendanceStatus.EXCUSED: _("Excused"),
        AttendanceStatus.ABSENT: _("Absent"),
    }
    return labels.get(status, _("Not marked")) if status else _("Not marked")


@bp.route("/sessions/<int:session_id>/check-in", methods=["POST"])
@role_required(*STAFF_OR_TRAINER)
def check_in(session_id: int) -> Any:
    """Check in by the code of the participant's QR code, scanned or typed."""
    session = _session_or_404(session_id)
    form = CheckInForm()
    scanned = request.form.get("scanned") == "1"
    method = AttendanceMethod.QR if scanned else AttendanceMethod.MANUAL
    as_json = _wants_json()
    if not form.validate_on_submit():
        if as_json:
            return jsonify(ok=False, error=_("Enter or scan a check-in code.")), 400
        return _render_roster(session, checkin_form=form)
    result = perform(
        lambda: att.check_in(session, form.code.data, current_user, method=method), form=form
    )
    if not result.ok:
        if as_json:
            return _refused(session, result, 409)
        return _render_roster(session, checkin_form=form)
    done = result.value
    entry = att.roster_entry(done.record)
    if as_json:
        return jsonify(
            ok=True, already=done.already, message=done.message, entry=_entry_json(session, entry)
        )
    flash(done.message, "warning" if done.already else "success")
    return redirect(_roster_url(session, entry.key))


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
        result = perform(
            lambda: att.add_walk_in(session, data, current_user, status=form.status.data),
            form=form,
            done=lambda record: _("Walk-in %(name)s added.", name=record.name),
        )
        if result.ok:
            return redirect(_roster_url(session, f"w{result.value.id}"))
    return _render_roster(session, walk_in_form=form)


def _confirmed(call: Any, done: str) -> None:
    """Run a CSRF-only confirmation form's ``call`` through ``perform``."""
    if ConfirmForm().validate_on_submit():
        perform(call, done=done)
    else:
        flash(_("The form has expired; please try again."), "danger")


@bp.route("/sessions/<int:session_id>/close", methods=["POST"])
@role_required(*STAFF_OR_TRAINER)
def close(session_id: int) -> Any:
    """Close the session's attendance (then only organisers change it)."""
    session = _session_or_404(session_id)
    _confirmed(lambda: att.close(session, current_user), _("Attendance closed."))
    return redirect(_roster_url(session))


@bp.route("/sessions/<int:session_id>/reopen", methods=["POST"])
@role_required(Role.ORGANISER)
def reopen(session_id: int) -> Any:
    """Reopen a closed session's attendance."""
    session = _session_or_404(session_id)
    _confirmed(lambda: att.reopen(session, current_user), _("Attendance reopened."))
    return redirect(_roster_url(session))


# --- exports -----------------------------------------------------------------------------


def _download(sessions: list[TrainingSession], fmt: str, base: str, blank: bool) -> Response:
    name = exports.filename_for(base, fmt, blank)
    if fmt == "csv":
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        dialect = csv_dialect.choose(request.args.get("delimiter"), str(get_locale() or "en"))
        chunks = iter_csv(rows_for(sessions, blank=blank), dialect)
        return Response(
            stream_with_context(chunks), mimetype=exports.MIMETYPES["csv"], headers=disposition
        )
    if fmt == "xlsx":
        spool = tempfile.TemporaryFile()
        write_xlsx(rows_for(sessions, blank=blank), spool)
        spool.seek(0)
        return send_file(
            spool, mimetype=exports.MIMETYPES["xlsx"], as_attachment=True, download_name=name
        )
    spool = tempfile.TemporaryFile()
    write_pdf(sessions, spool, blank=blank)
    spool.seek(0)
    return send_file(
        spool, mimetype=exports.MIMETYPES["pdf"], as_attachment=True, download_name=name
    )


@bp.route("/sessions/<int:session_id>/attendance.<fmt>")
@role_required(*STAFF_OR_TRAINER)
def export_session(session_id: int, fmt: str) -> Response:
    """The session's list in CSV, XLSX or PDF; ``?blank=1`` for an unmarked sign-in sheet."""
    session = _session_or_404(session_id)
    if fmt not in exports.FORMATS:
        abort(404)
    blank = request.args.get("blank") == "1"
    return _download([session], fmt, f"{session.event.slug}-session-{session.id}", blank)


@bp.route("/events/<slug>/attendance.<fmt>")
@role_required(Role.ORGANISER)
def export_event(slug: str, fmt: str) -> Response:
    """Every session of the event in one list."""
    event = _event_or_404(slug)
    if fmt not in exports.FORMATS:
        abort(404)
    blank = request.args.get("blank") == "1"
    return _download(exports.sessions_of(event), fmt, event.slug, blank)


# --- summary and certificates ------------------------------------------------------------


@bp.route("/events/<slug>")
@role_required(Role.ORGANISER)
def summary(slug: str) -> str:
    """Participants per country and organisation, attendance rate per session."""
    event = _event_or_404(slug)
    data = figures.summary(event)
    codes = {c.label for c in data.countries} | {data.event_country or "—"}
    return render_template(
        "attendance/summary.html",
        event=event,
        data=data,
        names={code: country_name(code) for code in codes},
        formats=exports.FORMATS,
        **csv_dialect.offered(str(get_locale() or "en")),
        confirm=ConfirmForm(formdata=None),
        settings=settings_of(event),
        certificates=issuing.certificates_of(event),
    )

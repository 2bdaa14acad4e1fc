"""The funder's report of an event: its workbook and its "Report" settings page.

Views on the attendance blueprint (``/attendance/events/<slug>/report...``); the work is in
:mod:`clusgo_events.services.attendance.report` and ``.settings``.
"""

from __future__ import annotations

import tempfile
from typing import Any

from flask import abort, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.decorators import role_required
from ..extensions import db
from ..models import Event, Role
from ..services.attendance import report as workbook
from ..services.attendance.settings import ReportSettingsData, settings_of, update_settings
from ..services.scope import manages_event
from ..web import perform
from .forms import ReportSettingsForm
from .routes import bp


def _managed_event_or_404(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or not manages_event(current_user, event):
        abort(404)
    return event


@bp.route("/events/<slug>/report.xlsx")
@role_required(Role.ORGANISER)
def report(slug: str) -> Any:
    """The funder's workbook of the event, in the downloader's language."""
    event = _managed_event_or_404(slug)
    spool = tempfile.TemporaryFile()
    workbook.write_report(event, spool)
    spool.seek(0)
    return send_file(
        spool,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=workbook.report_filename(event),
    )


@bp.route("/events/<slug>/report", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def report_settings(slug: str) -> Any:
    """The event's "Report" settings: the Fund's calendar fields, the funder's line."""
    event = _managed_event_or_404(slug)
    settings = settings_of(event)
    form = ReportSettingsForm(
        data={
            "is_public": "1" if settings.is_public else "0",
            "event_type": settings.event_type,
            "web_page": settings.web_page,
            "city": settings.city,
            "country": settings.country or "",
            "funder_line": settings.funder_line,
        }
    )
    if form.validate_on_submit():
        data = ReportSettingsData(
            is_public=form.is_public.data == "1",
            event_type=form.event_type.data or "",
            web_page=form.web_page.data or "",
            city=form.city.data or "",
            country=form.country.data or "",
            funder_line=bool(form.funder_line.data),
        )
        result = perform(
            lambda: update_settings(event, data, current_user),
            form=form,
            done=_("Report settings saved."),
        )
        if result.ok:
            return redirect(url_for("attendance.report_settings", slug=event.slug))
    return render_template("attendance/report_settings.html", event=event, form=form)

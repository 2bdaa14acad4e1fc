"""The funder's report of an event: its workbook and its "Report" settings page.

Views on the attendance blueprint (``/attendance/events/<slug>/report...``); the work is in
:mod:`clusgo_events.services.attendance.report` and ``.settings``.
"""

from __future__ import annotations

import tempfile
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.decorators import role_required
from ..extensions import db
from ..forms import ConfirmForm
from ..models import Event, Role
from ..services.attendance import logos
from ..services.attendance import report as workbook
from ..services.attendance.settings import ReportSettingsData, settings_of, update_settings
from ..services.scope import manages_event
from ..web import Confirmation, confirmation_page, perform
from .forms import LogoForm, ReportSettingsForm
from .routes import bp


def managed_event_or_404(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or not manages_event(current_user, event):
        abort(404)
    return event


@bp.route("/events/<slug>/report.xlsx")
@role_required(Role.ORGANISER)
def report(slug: str) -> Any:
    """The funder's workbook of the event, in the downloader's language."""
    event = managed_event_or_404(slug)
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
    event = managed_event_or_404(slug)
    form = ReportSettingsForm() if request.method == "POST" else _settings_form(event)
    if form.validate_on_submit():
        data = ReportSettingsData(
            is_public=form.is_public.data == "1",
            event_type=form.event_type.data or "",
            web_page=form.web_page.data or "",
            city=form.city.data or "",
            country=form.country.data or "",
            funder_line=bool(form.funder_line.data),
            issuer=form.issuer.data or "",
            signatory_name=form.signatory_name.data or "",
            signatory_role=form.signatory_role.data or "",
            certificate_rule=form.certificate_rule.data,
            certificate_min_sessions=form.certificate_min_sessions.data or 1,
        )
        result = perform(
            lambda: update_settings(event, data, current_user),
            form=form,
            done=_("Report settings saved."),
        )
        if result.ok:
            return redirect(url_for("attendance.report_settings", slug=event.slug))
    return _settings_page(event, form, LogoForm(formdata=None))


def _settings_page(
    event: Event, form: ReportSettingsForm, logo_form: LogoForm, status: int = 200
) -> tuple[str, int]:
    return (
        render_template(
            "attendance/report_settings.html",
            event=event,
            form=form,
            logo_form=logo_form,
            logos=logos.logos_of(event),
            limits={"kb": logos.MAX_BYTES // 1024, "side": logos.MAX_SIDE, "n": logos.MAX_LOGOS},
        ),
        status,
    )


def _settings_form(event: Event) -> ReportSettingsForm:
    settings = settings_of(event)
    return ReportSettingsForm(
        formdata=None,
        data={
            "is_public": "1" if settings.is_public else "0",
            "event_type": settings.event_type,
            "web_page": settings.web_page,
            "city": settings.city,
            "country": settings.country or "",
            "funder_line": settings.funder_line,
            "issuer": settings.issuer,
            "signatory_name": settings.signatory_name,
            "signatory_role": settings.signatory_role,
            "certificate_rule": settings.certificate_rule,
            "certificate_min_sessions": settings.certificate_min_sessions,
        },
    )


@bp.route("/events/<slug>/report/logos", methods=["POST"])
@role_required(Role.ORGANISER)
def add_logo(slug: str) -> Any:
    """Upload a logo for the sign-in sheets and certificates."""
    event = managed_event_or_404(slug)
    form = LogoForm()
    if form.validate_on_submit():
        upload = form.image.data
        result = perform(
            lambda: logos.add_logo(
                event, form.kind.data, upload.filename or "", upload.read(), current_user
            ),
            form=form,
            done=_("Logo added."),
        )
        if result.ok:
            return redirect(url_for("attendance.report_settings", slug=event.slug))
    return _settings_page(event, _settings_form(event), form)


@bp.route("/events/<slug>/report/logos/<int:logo_id>/delete", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def remove_logo(slug: str, logo_id: int) -> Any:
    """Remove a logo: a confirmation page, then the POST that removes it."""
    event = managed_event_or_404(slug)
    logo = logos.logo_of(event, logo_id)
    if logo is None:
        abort(404)
    back = url_for("attendance.report_settings", slug=event.slug)
    if request.method == "GET":
        if logo.removed_at is not None:
            abort(404)
        return confirmation_page(
            Confirmation(
                title=_("Remove the logo %(name)s?", name=logo.filename or logo.id),
                consequences=[
                    _("Sign-in sheets and certificates made from now on will not show it."),
                    _("Files printed or sent before keep it."),
                ],
                action=url_for("attendance.remove_logo", slug=event.slug, logo_id=logo.id),
                button=_("Remove the logo"),
                back=back,
                undo=_("You can upload it again."),
            )
        )
    if ConfirmForm().validate_on_submit():
        perform(lambda: logos.remove_logo(event, logo, current_user), done=_("Logo removed."))
    else:
        flash(_("The form has expired; please try again."), "danger")
    return redirect(back)

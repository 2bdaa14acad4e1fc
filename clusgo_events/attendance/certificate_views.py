"""Certificates of attendance: issuing (by the event's rule or chosen by hand), reissuing, the
preview, and the public page that confirms a verification code.

Views on the attendance blueprint, and ``public_bp`` for ``/certificates/<code>``; the rules
are in :mod:`clusgo_events.services.attendance.issuing`.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..auth.decorators import role_required
from ..forms import ConfirmForm
from ..models import Role
from ..services.attendance import certificates, issuing
from ..services.attendance.settings import settings_of
from ..web import Confirmation, confirmation_page, perform
from .report import managed_event_or_404
from .routes import bp

public_bp = Blueprint("certificates", __name__)


def _queued(count: int) -> str:
    return ngettext(
        "%(num)d certificate queued for e-mail.", "%(num)d certificates queued for e-mail.", count
    )


@bp.route("/events/<slug>/certificates", methods=["POST"])
@role_required(Role.ORGANISER)
def send_certificates(slug: str) -> Any:
    """E-mail a certificate to everyone the event's rule names (once each)."""
    event = managed_event_or_404(slug)
    if ConfirmForm().validate_on_submit():
        perform(lambda: issuing.send_certificates(event, current_user), done=_queued)
    else:
        flash(_("The form has expired; please try again."), "danger")
    return redirect(url_for("attendance.summary", slug=event.slug))


@bp.route("/events/<slug>/certificates/choose", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def choose_certificates(slug: str) -> Any:
    """Choose by hand who receives a certificate: the confirmed participants with their
    attendance, those holding one already marked."""
    event = managed_event_or_404(slug)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        chosen = [int(v) for v in request.form.getlist("chosen") if v.isdigit() and len(v) < 12]
        result = perform(lambda: issuing.issue_chosen(event, chosen, current_user), done=_queued)
        if result.ok:
            return redirect(url_for("attendance.summary", slug=event.slug))
    return render_template(
        "attendance/choose_certificates.html",
        event=event,
        form=ConfirmForm(formdata=None),
        standings=issuing.standings(event),
        held=issuing.valid_certificates(event),
    )


@bp.route("/events/<slug>/certificates/<int:certificate_id>/reissue", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def reissue_certificate(slug: str, certificate_id: int) -> Any:
    """Reissue a certificate: a confirmation page, then the POST that revokes and reissues."""
    event = managed_event_or_404(slug)
    certificate = issuing.certificate_of(event, certificate_id)
    if certificate is None:
        abort(404)
    back = url_for("attendance.summary", slug=event.slug)
    if request.method == "GET":
        return confirmation_page(
            Confirmation(
                title=_("Reissue the certificate of %(name)s?", name=certificate.name),
                consequences=[
                    _("The code %(code)s will be shown as revoked.", code=certificate.code),
                    _(
                        "A new certificate with a new code is e-mailed to %(name)s.",
                        name=certificate.name,
                    ),
                ],
                action=url_for(
                    "attendance.reissue_certificate", slug=event.slug, certificate_id=certificate.id
                ),
                button=_("Reissue"),
                back=back,
            )
        )
    if ConfirmForm().validate_on_submit():
        perform(
            lambda: issuing.reissue(event, certificate, current_user),
            done=lambda new: _("Certificate reissued: %(code)s.", code=new.code),
        )
    else:
        flash(_("The form has expired; please try again."), "danger")
    return redirect(back)


@bp.route("/events/<slug>/certificate.pdf")
@role_required(Role.ORGANISER)
def certificate(slug: str) -> Any:
    """A certificate to look at: ``?registration=ID`` for a participant's certificate in
    force, else a sample with a placeholder name."""
    event = managed_event_or_404(slug)
    found = certificates.preview_for(event, request.args.get("registration", type=int))
    if found is None:
        abort(404)
    registration, issued = found
    sessions = (
        issuing.attended_sessions([registration])[registration.id] if issued is not None else None
    )
    return send_file(
        io.BytesIO(certificates.certificate_pdf(registration, sessions, issued)),
        mimetype="application/pdf",
        as_attachment=False,
        download_name=f"certificate-{event.slug}.pdf",
    )


@public_bp.route("/certificates/<code>")
def verify(code: str) -> Any:
    """Anyone confirms a certificate by its code: who, which event, when issued; a revoked
    code says so, an unknown one too (404). Nothing more personal than the certificate shows."""
    found = issuing.verify(code)
    status = 200 if found is not None else 404
    settings = settings_of(found.event) if found is not None else None
    return render_template(
        "attendance/verify_certificate.html", certificate=found, code=code, settings=settings
    ), status

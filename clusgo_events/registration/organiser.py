"""The organiser's registration work beyond the lists: the export (CSV, XLSX).
Organisers of the event only; the routes are on the registration blueprint."""

from __future__ import annotations

import tempfile

from flask import abort, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.decorators import role_required
from ..models import Event, Role
from ..services import scope
from ..services.registration import export
from .routes import _event_or_404, bp


def managed_event(slug: str) -> Event:
    """The event, if the organiser runs it (404 / 403 otherwise)."""
    event = _event_or_404(slug)
    if not scope.manages_event(current_user, event):
        abort(403)
    return event


@bp.route("/events/<slug>/registrations.<fmt>")
@role_required(Role.ORGANISER)
def export_registrations(slug: str, fmt: str) -> Response:
    """The event's registrations as CSV or XLSX, headers in the reader's language."""
    event = managed_event(slug)
    if fmt not in export.FORMATS:
        abort(404)
    spool = tempfile.TemporaryFile()
    export.export_to_file(event, fmt, spool)
    spool.seek(0)
    return send_file(
        spool,
        mimetype=export.MIMETYPES[fmt],
        as_attachment=True,
        download_name=export.filename_for(event, fmt),
    )

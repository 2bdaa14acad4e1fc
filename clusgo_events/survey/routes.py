"""Survey import (upload, preview, confirm) and the respondents list; organisers only."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from ..auth.decorators import role_required
from ..extensions import db
from ..services import respondents as respondent_service
from ..services import scope
from ..services import survey as survey_service
from ..web import perform
from .forms import MAPPING_LABELS, ConfirmImportForm, RespondentFilterForm, UploadForm

bp = Blueprint("survey", __name__)

PER_PAGE = 50
MAX_PAGE = 1_000_000


def _max_upload() -> int:
    return int(current_app.config["SURVEY_MAX_UPLOAD"])


def _too_large_message() -> str:
    limit = min(_max_upload(), current_app.config.get("MAX_CONTENT_LENGTH") or _max_upload())
    return _(
        "The file is too large: the limit is %(size)s MB. Remove columns or rows you do not"
        " need, or split the file.",
        size=format_decimal(limit / 1024 / 1024, format="#,##0.0"),
    )


def _render_upload(form: UploadForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "survey/upload.html", form=form, labels=MAPPING_LABELS, max_upload=_max_upload()
    ), status


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """The request was over MAX_CONTENT_LENGTH: the upload page again, with the reason."""
    if not (current_user.is_authenticated and current_user.has_role("organiser")):
        return render_template("errors/error.html", error=error), 413
    form = UploadForm(formdata=None)
    form.file.errors = [_too_large_message()]
    return _render_upload(form, 413)


@bp.route("/import", methods=["GET", "POST"])
@role_required("organiser")
def upload() -> tuple[str, int] | str:
    """Upload a survey file; a valid one is previewed (a dry run) before it is imported."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _render_upload(form)
    data = form.file.data.read(_max_upload() + 1)
    if len(data) > _max_upload():
        form.file.errors = [_too_large_message()]
        return _render_upload(form, 413)
    mapping, filename = form.mapping(), form.file.data.filename or ""
    done = perform(lambda: survey_service.preview_upload(data, mapping, filename), form=form)
    if not done.ok or done.value is None:
        return _render_upload(form)
    result, upload_id = done.value
    return render_template(
        "survey/preview.html",
        result=result,
        filename=filename,
        mapping=mapping,
        confirm=ConfirmImportForm(formdata=None, upload_id=upload_id),
    )


@bp.route("/import/confirm", methods=["POST"])
@role_required("organiser")
def confirm() -> str | Response:
    """Import a previewed upload."""
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash(_("Nothing to import: upload the file again."), "warning")
        return redirect(url_for("survey.upload"))
    done = perform(lambda: survey_service.import_upload(form.upload_id.data))
    if not done.ok or done.value is None:
        return redirect(url_for("survey.upload"))
    return render_template("survey/result.html", result=done.value, filename=done.value.filename)


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


@bp.route("/respondents")
@role_required("organiser")
def respondents() -> str:
    """Respondents with filters, a page at a time, and counts per country."""
    countries = scope.visible_countries(current_user)
    counts = respondent_service.country_counts(countries)
    names = get_locale().territories if get_locale() else {}
    form = RespondentFilterForm(formdata=request.args)
    form.country.choices = [SelectChoice("", "any")] + [
        SelectChoice(c.country, f"{names.get(c.country, c.country)} ({c.country})")
        for c in counts
        if c.country
    ]
    if request.args and not form.validate():
        for field in form:
            if field.errors:
                field.data = field.default
    filters = respondent_service.RespondentFilter(
        country=form.country.data or None,
        interested_in_event=_yes_no(form.interested_in_event.data),
        interested_in_training=_yes_no(form.interested_in_training.data),
        consent=_yes_no(form.consent.data),
        invited=_yes_no(form.invited.data),
        search=form.q.data or "",
        countries=countries,
    )
    page = db.paginate(
        respondent_service.respondents_query(filters),
        # bounded: a huge page number overflows the OFFSET on PostgreSQL
        page=min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE),
        per_page=PER_PAGE,
        error_out=False,
    )
    invitations = respondent_service.invitation_counts([r.id for r in page.items])
    args = {k: v for k, v in request.args.items() if k not in ("page", "submit") and v}
    return render_template(
        "survey/respondents.html",
        form=form,
        page=page,
        invitations=invitations,
        counts=counts,
        country_names=names,
        largest=max((c.total for c in counts), default=0),
        args=args,
    )

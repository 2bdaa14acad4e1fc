"""A respondent's page and its corrections: edit, delete, merge; organisers only.

Thin views: parse, one service call (services/corrections) through ``perform``, answer.
Delete and merge ask once (``confirmation_page``), naming their consequences.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from ..auth.decorators import role_required
from ..extensions import db
from ..forms import ConfirmForm
from ..models import Invitation, Respondent, Role
from ..query_args import record_id
from ..services import corrections, scope
from ..services import invitations as invitation_service
from ..web import Confirmation, confirmation_page, perform
from .forms import MergeForm, RespondentForm

bp = Blueprint("respondents", __name__)


def respondent_or_404(respondent_id: int) -> Respondent:
    """The respondent, if the organiser may see their country; else 404."""
    respondent = db.session.get(Respondent, respondent_id)
    countries = scope.visible_countries(current_user)
    if respondent is None or (countries is not None and respondent.country not in countries):
        abort(404)
    return respondent


def _show_url(respondent: Respondent) -> str:
    return url_for("respondents.show", respondent_id=respondent.id)


@bp.route("/respondents/<int:respondent_id>")
@role_required(Role.ORGANISER)
def show(respondent_id: int) -> str:
    """The respondent, their invitations and each invitation's mails (address and time)."""
    respondent = respondent_or_404(respondent_id)
    invitations = list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.respondent_id == respondent.id)
            .options(joinedload(Invitation.event))
            .order_by(Invitation.id)
        )
    )
    return render_template(
        "respondents/show.html",
        respondent=respondent,
        invitations=invitations,
        history=corrections.invitation_history(i.id for i in invitations),
        effective_status=invitation_service.effective_status,
        may_contact=invitation_service.may_contact_by_hand,
        form=ConfirmForm(formdata=None),
    )


@bp.route("/respondents/<int:respondent_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit(respondent_id: int) -> str | Response:
    """Correct the address, name, organisation, country, language or consent."""
    respondent = respondent_or_404(respondent_id)
    form = RespondentForm(obj=respondent) if request.method == "GET" else RespondentForm()
    if request.method == "GET":
        form.language.data = respondent.language or ""
        form.country.data = respondent.country or ""
        form.version.data = corrections.version_of(respondent)
    elif form.validate_on_submit():
        changes = corrections.RespondentChanges(
            email=form.email.data or "",
            contact_name=form.contact_name.data or "",
            organisation_name=form.organisation_name.data or "",
            country=form.country.data or "",
            language=form.language.data or "",
            consent=bool(form.consent.data),
            consent_reason=form.consent_reason.data or "",
        )
        result = perform(
            lambda: corrections.update_respondent(
                respondent,
                changes,
                form.version.data or "",
                countries=scope.visible_countries(current_user),
            ),
            done=lambda changed: _("Saved.") if changed else _("Nothing changed."),
            form=form,
        )
        if result.ok:
            return redirect(_show_url(respondent))
        form.version.data = corrections.version_of(respondent)
    return render_template("respondents/edit.html", respondent=respondent, form=form)


@bp.route("/respondents/<int:respondent_id>/delete", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def delete(respondent_id: int) -> str | Response:
    """Ask once (what happens to invitations and registrations), then delete."""
    respondent = respondent_or_404(respondent_id)
    if request.method == "POST":
        form = ConfirmForm()
        if form.validate_on_submit():
            seen = request.form.get("version", "")
            result = perform(
                lambda: corrections.delete_respondent(respondent, seen),
                done=_("The respondent is deleted."),
            )
            if result.ok:
                return redirect(url_for("survey.respondents"))
        return redirect(_show_url(respondent))
    try:
        corrections.check_deletable(respondent)
    except corrections.ServiceError as exc:
        flash(exc.message, "warning")
        return redirect(_show_url(respondent))
    return confirmation_page(
        Confirmation(
            title=_("Delete %(email)s?", email=respondent.email),
            consequences=corrections.delete_consequences(respondent),
            action=url_for("respondents.delete", respondent_id=respondent.id),
            button=_("Delete"),
            back=_show_url(respondent),
            fields={"version": corrections.version_of(respondent)},
        )
    )


def _other(form: MergeForm) -> Respondent | None:
    address = (form.other.data or "").strip().lower()
    if not address:
        return None
    other = db.session.scalar(select(Respondent).where(Respondent.email == address))
    # another association's respondent is not found, as on every list
    return other if other is not None and scope.sees_country(current_user, other.country) else None


@bp.route("/respondents/<int:respondent_id>/merge", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def merge(respondent_id: int) -> str | Response:
    """Merge another record of the same person into this one: a preview, then confirm."""
    survivor = respondent_or_404(respondent_id)
    if request.method == "POST":
        form = ConfirmForm()
        other_id = record_id(request.form, "other_id")
        if not form.validate_on_submit() or other_id is None:
            return redirect(url_for("respondents.merge", respondent_id=survivor.id))
        other = respondent_or_404(other_id)
        seen = {
            "survivor": request.form.get("survivor_version", ""),
            "other": request.form.get("other_version", ""),
        }
        result = perform(
            lambda: corrections.merge_respondents(survivor, other, seen),
            done=_("The two records are merged."),
        )
        return redirect(
            _show_url(survivor)
            if result.ok
            else url_for("respondents.merge", respondent_id=survivor.id, other=other.email)
        )
    form = MergeForm(formdata=request.args)
    other = _other(form) if form.validate() else None
    if form.other.data and other is None:
        form.other.errors = [*form.other.errors, _("No respondent has this address.")]
    if other is not None:
        try:
            plan = corrections.merge_plan(survivor, other)
        except corrections.ServiceError as exc:
            form.other.errors = [exc.message]
        else:
            return confirmation_page(
                Confirmation(
                    title=_("Merge %(gone)s into %(kept)s?", gone=other.email, kept=survivor.email),
                    consequences=plan.consequences(),
                    action=url_for("respondents.merge", respondent_id=survivor.id),
                    button=_("Merge"),
                    back=_show_url(survivor),
                    fields={
                        "other_id": str(other.id),
                        "survivor_version": corrections.version_of(survivor),
                        "other_version": corrections.version_of(other),
                    },
                )
            )
    return render_template("respondents/merge.html", respondent=survivor, form=form)

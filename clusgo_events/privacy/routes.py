"""The privacy notice, one-click unsubscribe, a person's data and erasure (thin views)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from ..auth.decorators import role_required
from ..extensions import csrf, db
from ..forms import ConfirmForm
from ..models import ErasureRequest, Respondent, Role, User
from ..models.enums import ConsentMethod
from ..services import scope
from ..services.privacy import consent, erasure, export, notice, unsubscribe
from ..services.privacy import retention as _retention  # noqa: F401  (the daily purge task)
from ..web import Confirmation, confirmation_page, perform
from .forms import LANGUAGE_NAMES, AssociationForm, ConsentForm, NoticeForm, PersonForm

bp = Blueprint("privacy", __name__)


def _zip(data: bytes, name: str) -> Response:
    import io

    return send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name
    )


# ----------------------------------------------------------------- public


@bp.route("/privacy")
def notice_page() -> str:
    """The privacy notice in force, in the reader's language (else English)."""
    return render_template("privacy/notice.html", notice=notice.current_notice())


@bp.route("/privacy/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mailbox provider's POST carries no token and no cookie
def unsubscribe_page(token: str) -> tuple[str, int]:
    """GET: ask (mail scanners follow links); POST: withdraw consent, 200, any number of times."""
    respondent = unsubscribe.respondent_for(token)
    if respondent is None:
        if unsubscribe.is_genuine(token):  # the person was erased: nothing reaches them
            return render_template("privacy/unsubscribe.html", valid=True, done=True), 200
        return render_template("privacy/unsubscribe.html", valid=False), 404
    if request.method == "POST":
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        via = request.args.get("via") == "invitation"
        method = ConsentMethod.INVITATION if via else ConsentMethod.UNSUBSCRIBE
        how = "one-click" if one_click else "page"
        result = perform(lambda: unsubscribe.unsubscribe(token, how, method))
        if not result.ok:
            abort(400)
        return render_template("privacy/unsubscribe.html", valid=True, done=True), 200
    return render_template(
        "privacy/unsubscribe.html",
        valid=True,
        done=respondent.consent_withdrawn_at is not None,
        token=token,
    ), 200


# ----------------------------------------------------------------- the user's own data


@bp.route("/privacy/my-data")
@login_required
def my_data() -> Response:
    """The logged-in user's own data as a ZIP."""
    data, _content = export.export_zip(current_user.email)
    db.session.commit()
    return _zip(data, "my-data.zip")


@bp.route("/privacy/erase-me", methods=["GET", "POST"])
@login_required
def request_erasure() -> str | Response:
    """Ask the admins to erase one's data (a confirmation step, then a request)."""
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        perform(
            lambda: erasure.request_erasure(current_user),
            done=_("Your request is with the administrators; they will erase your data."),
        )
        return redirect(url_for("auth.profile"))
    return confirmation_page(
        Confirmation(
            title=_("Ask for your data to be erased"),
            consequences=[
                _("An administrator erases your name and address everywhere in ClusGo."),
                _("Your account is closed: you cannot log in again with it."),
                _("Your registrations stay in the counts, without your name."),
            ],
            action=url_for("privacy.request_erasure"),
            button=_("Ask for erasure"),
            back=url_for("auth.profile"),
        )
    )


# ----------------------------------------------------------------- organisers


@bp.route("/privacy/respondents/<int:respondent_id>/consent", methods=["GET", "POST"])
@role_required("organiser")
def respondent_consent(respondent_id: int) -> str | Response:
    """A respondent's consent history; an organiser records a change with a reason."""
    respondent = db.session.get(Respondent, respondent_id)
    if respondent is None or not scope.sees_country(current_user, respondent.country):
        abort(404)
    form = ConsentForm()
    if form.validate_on_submit():
        given = form.given.data == "yes"
        result = perform(
            lambda: consent.record_consent(
                respondent, given, ConsentMethod.ORGANISER, form.reason.data or ""
            ),
            done=_("Consent recorded."),
            form=form,
        )
        if result.ok:
            return redirect(url_for("privacy.respondent_consent", respondent_id=respondent_id))
    return render_template(
        "privacy/consent.html",
        respondent=respondent,
        records=consent.history(respondent),
        form=form,
        method_labels=consent.method_labels(),
    )


# ----------------------------------------------------------------- admins


def _organisers() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.ORGANISER)
            .options(selectinload(User.association))
            .order_by(User.name, User.email)
        )
    )


def _association_form(**kwargs: object) -> AssociationForm:
    form = AssociationForm(**kwargs)
    form.user_id.choices = [SelectChoice(u.id, f"{u.name} <{u.email}>") for u in _organisers()]
    form.association.choices = [SelectChoice("", _("Every country (lead partner)"))] + [
        SelectChoice(str(a.id), f"{a.name} ({a.country})") for a in scope.associations()
    ]
    return form


def _admin_page(
    notice_form: NoticeForm | None = None,
    person_form: PersonForm | None = None,
    association_form: AssociationForm | None = None,
) -> str:
    current = notice.current_notice()
    if notice_form is None:
        notice_form = NoticeForm(formdata=None)
        if current is not None:
            texts = current.texts_of("body")
            for lang in LANGUAGE_NAMES:
                getattr(notice_form, f"body_{lang}").data = texts.get(lang, "")
    return render_template(
        "privacy/admin.html",
        association_form=association_form or _association_form(formdata=None),
        organisers=_organisers(),
        notice=current,
        notice_form=notice_form,
        person_form=person_form or PersonForm(formdata=None),
        requests=erasure.pending_requests(),
        decline_form=ConfirmForm(formdata=None),
    )


@bp.route("/admin/privacy")
@role_required("admin")
def admin() -> str:
    """The notice's versions, the erasure requests, a person's export and erasure."""
    return _admin_page()


@bp.route("/admin/privacy/notice", methods=["POST"])
@role_required("admin")
def admin_notice() -> str | Response:
    """Publish a new version of the notice."""
    form = NoticeForm()
    if form.validate_on_submit():
        result = perform(
            lambda: notice.publish_notice(form.texts()),
            done=lambda n: _("Version %(n)s of the privacy notice is in force.", n=n.version),
            form=form,
            field_names={f"body_{lang}": f"body_{lang}" for lang in LANGUAGE_NAMES},
        )
        if result.ok:
            return redirect(url_for("privacy.admin"))
    return _admin_page(notice_form=form)


@bp.route("/admin/privacy/person", methods=["POST"])
@role_required("admin")
def admin_person() -> str | Response:
    """Export (a ZIP) or go on to erase the data held about an address."""
    form = PersonForm()
    if not form.validate_on_submit():
        return _admin_page(person_form=form)
    email = (form.email.data or "").strip()
    if form.erase.data:
        return redirect(url_for("privacy.admin_erase", email=email))
    data, _content = export.export_zip(email)
    db.session.commit()
    return _zip(data, "personal-data.zip")


@bp.route("/admin/privacy/erase", methods=["GET", "POST"])
@role_required("admin")
def admin_erase() -> str | Response:
    """Erase a person: GET names what will change (counted), POST erases."""
    email = (request.values.get("email") or "").strip()
    result = perform(lambda: erasure.plan(email))
    if not result.ok or result.value is None:
        return redirect(url_for("privacy.admin"))
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        done = perform(
            lambda: erasure.erase(email), done=_("Erased. The erasure is logged without the data.")
        )
        return redirect(url_for("privacy.admin")) if done.ok else redirect(request.url)
    report = result.value
    return confirmation_page(
        Confirmation(
            title=_("Erase %(email)s", email=email),
            consequences=[
                _("The address and the name are removed from every record listed here:"),
                *report.lines(),
                _("The account is closed; mail still waiting to be sent to them is stopped."),
                _("Registrations and attendance stay in every count, without the person."),
            ],
            action=url_for("privacy.admin_erase"),
            button=_("Erase for good"),
            back=url_for("privacy.admin"),
            fields={"email": email},
        )
    )


@bp.route("/admin/privacy/association", methods=["POST"])
@role_required("admin")
def admin_association() -> str | Response:
    """Limit an organiser to a partner association's country, or lift the limit."""
    form = _association_form()
    if not form.validate_on_submit():
        return _admin_page(association_form=form)
    user = db.session.get(User, form.user_id.data)
    if user is None:
        abort(404)
    chosen = int(form.association.data) if (form.association.data or "").isdigit() else None
    perform(lambda: scope.assign_association(user, chosen), done=_("Saved."), form=form)
    return redirect(url_for("privacy.admin"))


@bp.route("/admin/privacy/requests/<int:request_id>/decline", methods=["POST"])
@role_required("admin")
def admin_decline(request_id: int) -> Response:
    """Decline an erasure request."""
    if db.session.get(ErasureRequest, request_id) is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    perform(lambda: erasure.decline_request(request_id), done=_("Request declined."))
    return redirect(url_for("privacy.admin"))


@bp.app_context_processor
def _privacy_links() -> dict[str, object]:
    def unsubscribe_link(respondent: Respondent) -> str:
        """The invitation page's link: the withdrawal is recorded as made there."""
        token = unsubscribe.token_for(respondent)
        return url_for("privacy.unsubscribe_page", token=token, via="invitation")

    return {"unsubscribe_link": unsubscribe_link}

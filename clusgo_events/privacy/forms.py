"""Forms of the privacy pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import FlaskForm
from ..i18n import LANGUAGE_NAMES
from ..models import ConsentRecord, PrivacyNotice
from ..models.base import max_length


class NoticeForm(FlaskForm):
    """A new version of the privacy notice, in each language (English required)."""

    body_en = TextAreaField(
        LANGUAGE_NAMES["en"],
        validators=[DataRequired(), Length(max=max_length(PrivacyNotice.body))],
    )
    body_cs = TextAreaField(LANGUAGE_NAMES["cs"], validators=[Optional()])
    body_hu = TextAreaField(LANGUAGE_NAMES["hu"], validators=[Optional()])
    body_sk = TextAreaField(LANGUAGE_NAMES["sk"], validators=[Optional()])
    body_pl = TextAreaField(LANGUAGE_NAMES["pl"], validators=[Optional()])
    submit = SubmitField(_l("Publish this version"))

    def texts(self) -> dict[str, str]:
        return {lang: getattr(self, f"body_{lang}").data or "" for lang in LANGUAGE_NAMES}


class PersonForm(FlaskForm):
    """The address whose data an admin exports or erases."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    export = SubmitField(_l("Download their data (ZIP)"))
    erase = SubmitField(_l("Erase…"))


class AssociationForm(FlaskForm):
    """An admin limits an organiser to a partner association's country."""

    user_id = SelectField(_l("Organiser"), coerce=int, choices=[])
    association = SelectField(_l("Partner association"), choices=[])
    save = SubmitField(_l("Save"))


class ConsentForm(FlaskForm):
    """An organiser records a change of consent, with the person's reason."""

    given = SelectField(
        _l("Consent to be contacted"),
        choices=[SelectChoice("yes", _l("Given")), SelectChoice("no", _l("Withdrawn"))],
    )
    reason = StringField(
        _l("Reason (how the person told you)"),
        validators=[DataRequired(), Length(max=max_length(ConsentRecord.detail))],
    )
    submit = SubmitField(_l("Record"))

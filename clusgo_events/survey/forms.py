"""Survey upload, confirmation and respondent filter forms (format checks only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import FlaskForm

MAPPING_LABELS = {
    "email": _l("E-mail"),
    "contact_name": _l("Contact name"),
    "organisation": _l("Organisation"),
    "country": _l("Country"),
    "city": _l("City"),
    "sector": _l("Sector"),
    "website": _l("Website"),
    "language": _l("Language"),
    "interested_in_event": _l("Interested in the event"),
    "interested_in_training": _l("Interested in training"),
    "consent": _l("Consent to be contacted"),
    "submitted_at": _l("Submitted at"),
}


class UploadForm(FlaskForm):
    """A survey file and, optionally, which header holds which field."""

    file = FileField(
        _l("Survey file"),
        validators=[FileRequired(_l("Choose a CSV or XLSX file."))],
        description=_l("CSV (comma or semicolon; UTF-8 or Windows-1250) or Excel XLSX."),
    )
    submit = SubmitField(_l("Preview"))

    def mapping_fields(self) -> list:
        """The column-mapping inputs, in the order of the canonical fields."""
        return [getattr(self, f"map_{name}") for name in MAPPING_LABELS]

    def mapping(self) -> dict[str, str]:
        """{canonical name: header} for the fields the organiser filled in."""
        return {
            name: (getattr(self, f"map_{name}").data or "").strip()
            for name in MAPPING_LABELS
            if (getattr(self, f"map_{name}").data or "").strip()
        }


for _name, _label in MAPPING_LABELS.items():
    setattr(
        UploadForm,
        f"map_{_name}",
        StringField(_label, validators=[Optional(), Length(max=200)]),
    )


class ConfirmImportForm(FlaskForm):
    """Confirm the import of a previewed upload."""

    upload_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Confirm import"))


ANY_YES_NO = [
    SelectChoice("", _l("any")),
    SelectChoice("yes", _l("yes")),
    SelectChoice("no", _l("no")),
]


class RespondentFilterForm(FlaskForm):
    """Filters of the respondents list (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    country = SelectField(_l("Country"), default="")
    interested_in_event = SelectField(_l("Interested in the event"), choices=ANY_YES_NO, default="")
    interested_in_training = SelectField(
        _l("Interested in training"), choices=ANY_YES_NO, default=""
    )
    consent = SelectField(_l("Consent"), choices=ANY_YES_NO, default="")
    invited = SelectField(_l("Invited"), choices=ANY_YES_NO, default="")
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Filter"))

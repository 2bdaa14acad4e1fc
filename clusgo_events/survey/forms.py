"""Survey upload, confirmation and respondent filter forms (format checks only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

MAPPING_LABELS = {
    "email": "E-mail",
    "contact_name": "Contact name",
    "organisation": "Organisation",
    "country": "Country",
    "city": "City",
    "sector": "Sector",
    "website": "Website",
    "language": "Language",
    "interested_in_event": "Interested in the event",
    "interested_in_training": "Interested in training",
    "consent": "Consent to be contacted",
    "submitted_at": "Submitted at",
}


class UploadForm(FlaskForm):
    """A survey file and, optionally, which header holds which field."""

    file = FileField(
        "Survey file",
        validators=[FileRequired("Choose a CSV or XLSX file.")],
        description="CSV (comma or semicolon; UTF-8 or Windows-1250) or Excel XLSX.",
    )
    submit = SubmitField("Preview")

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
    submit = SubmitField("Confirm import")


ANY_YES_NO = [SelectChoice("", "any"), SelectChoice("yes", "yes"), SelectChoice("no", "no")]


class RespondentFilterForm(FlaskForm):
    """Filters of the respondents list (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    country = SelectField("Country", default="")
    interested_in_event = SelectField("Interested in the event", choices=ANY_YES_NO, default="")
    interested_in_training = SelectField("Interested in training", choices=ANY_YES_NO, default="")
    consent = SelectField("Consent", choices=ANY_YES_NO, default="")
    invited = SelectField("Invited", choices=ANY_YES_NO, default="")
    q = StringField("Search", validators=[Optional(), Length(max=100)])
    submit = SubmitField("Filter")

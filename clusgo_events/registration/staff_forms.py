"""The organiser's registration forms: on behalf of a person, details, a move (format checks
only; the rules live in services/registration/staff.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from ..forms import FlaskForm
from ..models import Registration
from ..models.base import max_length
from .forms import SessionChoiceField


def _limit(column) -> Length:  # type: ignore[no-untyped-def]
    return Length(max=max_length(column))


class DetailsForm(FlaskForm):
    """A registration's details; ``version`` refuses a save over a newer change."""

    name = StringField(_l("Name"), validators=[_limit(Registration.name)])
    organisation_name = StringField(
        _l("Organisation"), validators=[Optional(), _limit(Registration.organisation_name)]
    )
    country = StringField(
        _l("Country"),
        validators=[Optional(), _limit(Registration.country)],
        description=_l("Two-letter code, e.g. CZ, HU, SK or PL."),
    )
    position = StringField(_l("Position"), validators=[Optional(), _limit(Registration.position)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), _limit(Registration.phone)])
    dietary_needs = TextAreaField(
        _l("Dietary needs"), validators=[Optional(), _limit(Registration.dietary_needs)]
    )
    accessibility_needs = TextAreaField(
        _l("Accessibility needs"),
        validators=[Optional(), _limit(Registration.accessibility_needs)],
    )
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class OnBehalfForm(DetailsForm):
    """Register a person on their behalf."""

    email = StringField(_l("E-mail"), validators=[_limit(Registration.email)])
    sessions = SessionChoiceField(_l("Training sessions"), coerce=int, validate_choice=False)
    privacy_consent = BooleanField(_l("The person agreed to the privacy notice."))
    submit = SubmitField(_l("Register"))


class MoveForm(FlaskForm):
    """Move a person's seat to another session."""

    session = SelectField(_l("To the session"), validate_choice=False)
    version = HiddenField()
    submit = SubmitField(_l("Move"))

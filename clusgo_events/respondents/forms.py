"""Forms of the respondent corrections and of inviting one person (format checks only; the
rules live in services/corrections/)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Length

from ..forms import FlaskForm
from ..i18n import LANGUAGE_NAMES
from ..models import ConsentRecord, Respondent
from ..models.base import max_length
from ..services.survey.normalise import LANGUAGES


def _limit(column) -> Length:  # type: ignore[no-untyped-def]
    return Length(max=max_length(column))


def language_choices() -> list[SelectChoice]:
    """The five languages by their own names, and "not given"."""
    return [SelectChoice("", _l("not given"))] + [
        SelectChoice(c, LANGUAGE_NAMES.get(c, c)) for c in LANGUAGES
    ]


class PersonFields(FlaskForm):
    """A person's address, name, organisation, country and language."""

    email = StringField(_l("E-mail"), validators=[_limit(Respondent.email)])
    contact_name = StringField(_l("Name"), validators=[_limit(Respondent.contact_name)])
    organisation_name = StringField(
        _l("Organisation"), validators=[_limit(Respondent.organisation_name)]
    )
    country = StringField(
        _l("Country"),
        validators=[Length(max=100)],
        description=_l("A code (CZ) or a name (Czechia, Česko)."),
    )
    language = SelectField(_l("Language"), choices=language_choices, default="")


class RespondentForm(PersonFields):
    """Edit a respondent; ``version`` refuses a save over a newer change."""

    consent = BooleanField(_l("Consents to be contacted"))
    consent_reason = StringField(
        _l("Reason for a change of consent"),
        validators=[Length(max=max_length(ConsentRecord.detail))],
    )
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class InviteOneForm(PersonFields):
    """Invite one person by hand."""

    submit = SubmitField(_l("Invite"))


class MergeForm(FlaskForm):
    """Which other record (by its e-mail address) to merge into this one (a GET form)."""

    class Meta:
        csrf = False

    other = StringField(_l("E-mail of the other record"), validators=[_limit(Respondent.email)])
    submit = SubmitField(_l("Preview the merge"))

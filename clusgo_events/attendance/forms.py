"""Attendance forms (format checks only; the rules live in services/attendance/)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import AnyOf, DataRequired, Email, Length, NumberRange, Optional, Regexp

from ..forms import FlaskForm
from ..models import (
    ATTENDANCE_STATUSES,
    AttendanceRecord,
    AttendanceStatus,
    CertificateRule,
    LogoKind,
    ReportSettings,
)
from ..models.base import max_length


class MarkForm(FlaskForm):
    """One tap on a roster line: ``target`` is ``r<registration id>`` or ``w<record id>``;
    the tapped button supplies ``status``."""

    target = HiddenField(validators=[DataRequired(), Regexp(r"^[rw]\d{1,12}$")])
    status = HiddenField(validators=[DataRequired(), AnyOf(ATTENDANCE_STATUSES)])


class CheckInForm(FlaskForm):
    """A check-in code, scanned from the participant's QR code or typed in."""

    code = StringField(
        _l("Check-in code"),
        validators=[DataRequired(message=_l("Enter or scan a check-in code.")), Length(max=500)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Check in"))


class WalkInForm(FlaskForm):
    """Someone who came without registering."""

    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=max_length(AttendanceRecord.name))]
    )
    organisation = StringField(
        _l("Organisation"),
        validators=[Optional(), Length(max=max_length(AttendanceRecord.organisation_name))],
    )
    country = StringField(
        _l("Country (code)"),
        validators=[Optional(), Length(min=2, max=2, message=_l("Two letters, e.g. CZ."))],
        render_kw={"maxlength": 2, "autocapitalize": "characters"},
    )
    email = EmailField(
        _l("E-mail"),
        validators=[Optional(), Email(), Length(max=max_length(AttendanceRecord.email))],
    )
    status = SelectField(
        _l("Arrived"),
        choices=[
            SelectChoice(AttendanceStatus.PRESENT.value, _l("On time")),
            SelectChoice(AttendanceStatus.LATE.value, _l("Late")),
        ],
        default=AttendanceStatus.PRESENT.value,
    )
    submit = SubmitField(_l("Add walk-in"))


class ReportSettingsForm(FlaskForm):
    """An event's "Report" settings: the Fund's calendar fields and the funder's line."""

    is_public = SelectField(
        _l("Public or private"),
        choices=[SelectChoice("1", _l("Public")), SelectChoice("0", _l("Private"))],
        default="1",
    )
    event_type = StringField(
        _l("Type of event"),
        validators=[Optional(), Length(max=max_length(ReportSettings.event_type))],
        description=_l("As the Fund's calendar names it, e.g. conference, workshop, training."),
    )
    web_page = StringField(
        _l("Web page"),
        validators=[Optional(), Length(max=max_length(ReportSettings.web_page))],
        render_kw={"inputmode": "url"},
    )
    city = StringField(
        _l("City"), validators=[Optional(), Length(max=max_length(ReportSettings.city))]
    )
    country = StringField(
        _l("Country (code)"),
        validators=[Optional(), Length(max=60)],
        render_kw={"autocapitalize": "characters"},
    )
    funder_line = BooleanField(
        _l('Print "Co-financed by the International Visegrad Fund" on the sign-in sheets')
    )
    issuer = StringField(
        _l("Issuing association (on certificates)"),
        validators=[Optional(), Length(max=max_length(ReportSettings.issuer))],
    )
    signatory_name = StringField(
        _l("Signatory"),
        validators=[Optional(), Length(max=max_length(ReportSettings.signatory_name))],
    )
    signatory_role = StringField(
        _l("Signatory's position"),
        validators=[Optional(), Length(max=max_length(ReportSettings.signatory_role))],
    )
    certificate_rule = SelectField(
        _l("Who receives a certificate"),
        choices=[
            SelectChoice(CertificateRule.ALL.value, _l("Present at all their sessions")),
            SelectChoice(CertificateRule.AT_LEAST.value, _l("Present at a number of sessions")),
            SelectChoice(CertificateRule.BY_HAND.value, _l("Chosen by hand")),
        ],
        default=CertificateRule.ALL.value,
    )
    certificate_min_sessions = IntegerField(
        _l("Sessions needed (for “a number of sessions”)"),
        default=1,
        validators=[NumberRange(min=1, max=100)],
    )
    submit = SubmitField(_l("Save"))


class LogoForm(FlaskForm):
    """One logo for the sign-in sheets and certificates (checked by content in the service)."""

    kind = SelectField(
        _l("Whose logo"),
        choices=[
            SelectChoice(LogoKind.EVENT.value, _l("The event's")),
            SelectChoice(LogoKind.PARTNER.value, _l("A partner's")),
        ],
        default=LogoKind.EVENT.value,
    )
    image = FileField(
        _l("Image (PNG or JPEG)"),
        validators=[FileRequired(message=_l("Choose an image file."))],
        render_kw={"accept": "image/png,image/jpeg"},
    )
    upload = SubmitField(_l("Upload logo"))

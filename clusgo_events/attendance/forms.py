"""Attendance forms (format checks only; the rules live in services/attendance.py)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, Regexp

from ..models import ATTENDANCE_STATUSES


class MarkForm(FlaskForm):
    """One tap on a roster line: ``target`` is ``r<registration id>`` or ``w<record id>``;
    the tapped button supplies ``status``."""

    target = HiddenField(validators=[DataRequired(), Regexp(r"^[rw]\d{1,12}$")])
    status = HiddenField(validators=[DataRequired(), AnyOf(ATTENDANCE_STATUSES)])


class CheckInForm(FlaskForm):
    """A check-in code, scanned from the participant's QR code or typed in."""

    code = StringField(
        "Check-in code",
        validators=[DataRequired(message="Enter or scan a check-in code."), Length(max=500)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    submit = SubmitField("Check in")


class WalkInForm(FlaskForm):
    """Someone who came without registering."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=300)])
    country = StringField(
        "Country (code)",
        validators=[Optional(), Length(min=2, max=2, message="Two letters, e.g. CZ.")],
        render_kw={"maxlength": 2, "autocapitalize": "characters"},
    )
    email = EmailField("E-mail", validators=[Optional(), Email(), Length(max=254)])
    status = SelectField(
        "Arrived",
        choices=[SelectChoice("present", "On time"), SelectChoice("late", "Late")],
        default="present",
    )
    submit = SubmitField("Add walk-in")


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token."""

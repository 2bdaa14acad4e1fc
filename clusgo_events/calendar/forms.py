"""Calendar forms."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ResetFeedForm(FlaskForm):
    """A POST with its CSRF token, nothing else: draws a new feed URL."""

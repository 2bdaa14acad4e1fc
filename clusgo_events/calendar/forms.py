"""Calendar forms."""

from __future__ import annotations

from ..forms import FlaskForm


class ResetFeedForm(FlaskForm):
    """A POST with its CSRF token, nothing else: draws a new feed URL."""

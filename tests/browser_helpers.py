"""A test client whose every request has an app context of its own, as in production: the
test's context would share ``g`` (Flask-Login's cached user, Flask-Babel's locale) between
requests and hide what a request loads afresh."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient


class Browser(FlaskClient):
    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture()
def browsers(app: Flask) -> None:
    """Make ``app.test_client()`` (and the ``client`` fixture) a :class:`Browser`."""
    app.test_client_class = Browser

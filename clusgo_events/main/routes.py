"""The front page and a health check."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from werkzeug.wrappers import Response

bp = Blueprint("main", __name__)


@bp.route("/")
def index() -> Response:
    """The front page is the list of events."""
    return redirect(url_for("events.index"))


@bp.route("/healthz")
def health() -> dict[str, str]:
    """For load balancers."""
    return {"status": "ok"}


@bp.route("/hello")
def hello() -> str:
    """A bare route: the reference in throughput benchmarks."""
    return "hello"

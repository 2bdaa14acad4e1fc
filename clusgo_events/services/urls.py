"""Absolute links for e-mails and calendar files, built from ``BASE_URL``."""

from __future__ import annotations

from typing import Any

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    """``BASE_URL`` + the path of ``endpoint``; works without a request (CLI, workers)."""
    adapter = current_app.url_map.bind("localhost", url_scheme="http")
    path = adapter.build(endpoint, values, force_external=False)
    return current_app.config["BASE_URL"].rstrip("/") + path

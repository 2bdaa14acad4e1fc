"""The privacy notice: versions the operator writes, each in up to five languages.

The newest version is in force; consent records name the version the person saw.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...extensions import db
from ...models import PrivacyNotice
from ...models.base import max_length
from .. import ServiceError, audit


def current_notice() -> PrivacyNotice | None:
    """The version in force (the newest), None before the operator wrote one."""
    return db.session.scalar(select(PrivacyNotice).order_by(PrivacyNotice.version.desc()))


def current_version() -> int | None:
    """The number of the version in force (what a consent record names)."""
    return db.session.scalar(select(func.max(PrivacyNotice.version)))


def publish_notice(texts: dict[str, str]) -> PrivacyNotice:
    """Store a new version with ``texts`` (language -> text); English is required, as the
    other languages fall back to it."""
    languages = current_app.config["LANGUAGES"]
    cleaned = {lang: (texts.get(lang) or "").strip() for lang in languages}
    if not cleaned.get("en"):
        raise ServiceError(
            _l("Write the notice in English at least: the other languages fall back to it."),
            "body_en",
        )
    limit = max_length(PrivacyNotice.body)
    for lang, text in cleaned.items():
        if len(text) > limit:
            raise ServiceError(_l("At most %(n)s characters.", n=limit), f"body_{lang}")
    version = (current_version() or 0) + 1
    notice = PrivacyNotice(version=version, texts={})
    notice.set_texts("body", cleaned)
    db.session.add(notice)
    db.session.flush()
    audit.record("privacy.notice_published", notice, {"version": version})
    return notice

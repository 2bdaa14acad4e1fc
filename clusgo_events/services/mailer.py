"""Rendering e-mails in the recipient's language from templates/email/."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale


def render_email(template: str, language: str, **context: Any) -> tuple[str, str, str]:
    """Subject, text and HTML of ``templates/email/<template>.{subject.txt,txt,html}``.

    Rendered with ``language`` as the locale, so ``_()`` in the templates translates.
    """
    with force_locale(language or "en"):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    return " ".join(subject.split()), text, html

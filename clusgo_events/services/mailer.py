"""Rendering e-mails in the recipient's language from templates/email/."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale


def render_email(template: str, language: str, **context: Any) -> tuple[str, str, str]:
    """Subject, text and HTML of ``templates/email/<template>.{subject.txt,txt,html}``.

    Rendered with ``language`` as the locale, so ``_()`` in the templates translates. Every
    mail ends with the privacy footer (``email/_privacy_footer.*``, the one include): a link
    to the privacy notice and, for invitations and reminders, the unsubscribe link.
    """
    with force_locale(language or "en"):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
        footer = _footer_context(context)
        text = text.rstrip("\n") + "\n\n" + render_template("email/_privacy_footer.txt", **footer)
        html = _before_body_end(html, render_template("email/_privacy_footer.html", **footer))
    return " ".join(subject.split()), text, html


def _footer_context(context: dict[str, Any]) -> dict[str, Any]:
    """The privacy footer's links: the notice in the mail's language, and the unsubscribe
    link when the mail has one (invitations and reminders)."""
    from .urls import external_url

    lang = context.get("lang")
    values = {"lang": lang} if lang else {}
    return {
        "privacy_url": external_url("privacy.notice_page", **values),
        "unsubscribe_url": context.get("unsubscribe_url"),
    }


def _before_body_end(html: str, footer: str) -> str:
    """``html`` with ``footer`` placed just before ``</body>`` (appended when there is none)."""
    if not html:
        return html
    at = html.lower().rfind("</body>")
    return html + footer if at < 0 else html[:at] + footer + html[at:]

"""One-click unsubscribe (RFC 8058) for invitations and reminders.

Each such mail carries ``List-Unsubscribe`` (an https URL built from ``BASE_URL`` and a
mailto) and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``. The URL holds a signed
token naming the respondent (itsdangerous, its own salt; it does not expire: a mail from last
year must still unsubscribe). A POST to it withdraws consent, without a log-in or a CSRF token,
as often as it comes; a GET only shows the confirmation page (mail scanners follow GETs).
"""

from __future__ import annotations

from email.utils import parseaddr
from urllib.parse import quote

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ...extensions import db
from ...models import Respondent
from ...models.enums import ConsentMethod
from ..urls import external_url
from .consent import record_consent

ONE_CLICK = "List-Unsubscribe=One-Click"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="clusgo-unsubscribe")


def token_for(respondent: Respondent) -> str:
    """The unsubscribe token of ``respondent``."""
    return str(_serializer().dumps({"r": respondent.id}))


def _respondent_id(token: str) -> int | None:
    try:
        data = _serializer().loads(token or "")
    except BadSignature:
        return None
    rid = data.get("r") if isinstance(data, dict) else None
    return rid if isinstance(rid, int) else None


def is_genuine(token: str) -> bool:
    """True when the token is one the app made (its respondent may be erased since)."""
    return _respondent_id(token) is not None


def respondent_for(token: str) -> Respondent | None:
    """The respondent a valid token names (None: invalid, or the person was erased)."""
    rid = _respondent_id(token)
    if rid is None:
        return None
    respondent = db.session.get(Respondent, rid)
    if respondent is None or respondent.anonymised_at is not None:
        return None
    return respondent


def unsubscribe_url(respondent: Respondent) -> str:
    """The https (``BASE_URL``) address of the respondent's unsubscribe page."""
    return external_url("privacy.unsubscribe_page", token=token_for(respondent))


def mailto_address() -> str:
    """Where an unsubscribe by mail goes: ``UNSUBSCRIBE_MAILTO``, else the sender's address."""
    configured = current_app.config.get("UNSUBSCRIBE_MAILTO")
    return configured or parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]


def headers_for(respondent: Respondent) -> dict[str, str]:
    """The List-Unsubscribe headers of an invitation or reminder to ``respondent``."""
    token = token_for(respondent)
    url = external_url("privacy.unsubscribe_page", token=token)
    mailto = f"mailto:{mailto_address()}?subject={quote('unsubscribe ' + token)}"
    return {"List-Unsubscribe": f"<{url}>, <{mailto}>", "List-Unsubscribe-Post": ONE_CLICK}


def unsubscribe(
    token: str, how: str = "one-click", method: ConsentMethod = ConsentMethod.UNSUBSCRIBE
) -> bool:
    """Withdraw the consent of the respondent ``token`` names (by the mail's link, or from
    the invitation page: ``method``); False when it names nobody. Coming twice changes
    nothing the second time."""
    respondent = respondent_for(token)
    if respondent is None:
        return False
    record_consent(respondent, False, method, how)
    return True

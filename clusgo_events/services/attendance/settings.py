"""An event's report settings: read them (defaults before the first save) and change them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import CertificateRule, Event, ReportSettings, User
from ...models.base import max_length
from .. import ServiceError, audit
from ..survey.normalise import RowError, normalise_country

MAX_SESSIONS = 100


def settings_of(event: Event) -> ReportSettings:
    """The event's report settings; unsaved defaults when none were saved yet."""
    found = db.session.scalar(select(ReportSettings).where(ReportSettings.event_id == event.id))
    if found is not None:
        return found
    host = event.host_organisation
    return ReportSettings(
        event_id=event.id,
        is_public=True,
        event_type="",
        web_page="",
        city=host.city if host is not None else "",
        country=host.country if host is not None else None,
        funder_line=True,
        issuer="",
        signatory_name="",
        signatory_role="",
        certificate_rule=CertificateRule.ALL,
        certificate_min_sessions=1,
    )


@dataclass(frozen=True)
class ReportSettingsData:
    """What the "Report" settings page sends."""

    is_public: bool = True
    event_type: str = ""
    web_page: str = ""
    city: str = ""
    country: str = ""
    funder_line: bool = True
    issuer: str = ""
    signatory_name: str = ""
    signatory_role: str = ""
    certificate_rule: str = CertificateRule.ALL
    certificate_min_sessions: int = 1


def _checked(data: ReportSettingsData) -> tuple[dict[str, str], str | None]:
    """The texts of ``data`` stripped and checked, and the country's code."""
    texts = {
        "event_type": data.event_type.strip(),
        "web_page": data.web_page.strip(),
        "city": data.city.strip(),
        "issuer": data.issuer.strip(),
        "signatory_name": data.signatory_name.strip(),
        "signatory_role": data.signatory_role.strip(),
    }
    for name, value in texts.items():
        limit = max_length(getattr(ReportSettings, name))
        if len(value) > limit:
            raise ServiceError(_l("At most %(n)s characters.", n=limit), name)
    page = texts["web_page"]
    if page:
        parts = urlsplit(page)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ServiceError(_l("Give a web address starting with https://."), "web_page")
    try:
        country = normalise_country(data.country)
    except RowError:
        raise ServiceError(_l("Unknown country; give a code such as CZ."), "country") from None
    if data.certificate_rule not in set(CertificateRule):
        raise ServiceError(_l("Choose who receives a certificate."), "certificate_rule")
    if not 1 <= data.certificate_min_sessions <= MAX_SESSIONS:
        raise ServiceError(
            _l("Between 1 and %(n)s sessions.", n=MAX_SESSIONS), "certificate_min_sessions"
        )
    return texts, country


def update_settings(event: Event, data: ReportSettingsData, by: User | None) -> ReportSettings:
    """Save the event's report settings (creating them on the first save), with an audit
    entry naming the fields that changed."""
    texts, country = _checked(data)
    settings = settings_of(event)
    new = {
        **texts,
        "is_public": data.is_public,
        "country": country,
        "funder_line": data.funder_line,
        "certificate_rule": data.certificate_rule,
        "certificate_min_sessions": data.certificate_min_sessions,
    }
    changed = sorted(k for k, v in new.items() if getattr(settings, k) != v)
    for key, value in new.items():
        setattr(settings, key, value)
    if settings.id is None:
        db.session.add(settings)
        changed = sorted(new)
    db.session.flush()
    audit.record("event.report_settings", event, {"changed": changed}, actor=by)
    return settings

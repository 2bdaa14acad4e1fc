"""An event's report settings: read them (defaults before the first save) and change them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Event, ReportSettings, User
from ...models.base import max_length
from .. import ServiceError, audit
from ..survey.normalise import RowError, normalise_country


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


def _checked(data: ReportSettingsData) -> tuple[str, str, str, str | None]:
    """The texts of ``data`` stripped and checked: (type, web page, city, country code)."""
    texts = {
        "event_type": data.event_type.strip(),
        "web_page": data.web_page.strip(),
        "city": data.city.strip(),
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
    return texts["event_type"], page, texts["city"], country


def update_settings(event: Event, data: ReportSettingsData, by: User | None) -> ReportSettings:
    """Save the event's report settings (creating them on the first save), with an audit
    entry naming the fields that changed."""
    event_type, web_page, city, country = _checked(data)
    settings = settings_of(event)
    new = {
        "is_public": data.is_public,
        "event_type": event_type,
        "web_page": web_page,
        "city": city,
        "country": country,
        "funder_line": data.funder_line,
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

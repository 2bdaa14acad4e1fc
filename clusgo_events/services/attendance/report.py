"""The funder's workbook of an event: Participants, Countries, Organisations, Sessions, Event.

Every figure comes from :func:`.summary.summary` (the summary page's own queries) or
:func:`.participants.participants`, so the workbook and the page cannot disagree. Dates and
times are real cells (Excel's locale-dependent built-in formats), headers are frozen and
filtered, titles are in the downloader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, BinaryIO

from babel import Locale
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ...models import Event, RegistrationStatus
from ..timeutil import utc_to_local
from .participants import participants
from .rows import safe_cell
from .settings import settings_of
from .summary import Summary, summary

V4 = ("CZ", "HU", "SK", "PL")
#: Excel's built-in formats 14, 20 and 22: shown in the reader's own date and time style
DATE, TIME, DATETIME, PERCENT = "mm-dd-yy", "h:mm", "m/d/yy h:mm", "0%"
BOLD = Font(bold=True)


def _locale() -> Locale:
    return Locale.parse(str(get_locale() or "en"))


def country_name(code: str, locale: Locale | None = None) -> str:
    """``CZ`` as the reader calls it (``Česko``, ``Czechia`` ...); the code when unknown."""
    locale = locale or _locale()
    return locale.territories.get(code, code) if code and code != "—" else "—"


def _local(value: datetime, zone: str) -> datetime:
    """A naive local time for a spreadsheet cell (cells have no zone)."""
    return utc_to_local(value, zone).replace(tzinfo=None)


def _sheet(
    workbook: Workbook,
    title: str,
    header: Sequence[str],
    widths: Sequence[int],
    rows: Iterable[Sequence[Any]],
    formats: dict[int, str] | None = None,
) -> Worksheet:
    """A sheet with a bold frozen header, column widths, an auto-filter and cell formats
    (``formats`` maps a 0-based column to a number format)."""
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = BOLD
    for row in rows:
        sheet.append([safe_cell(v) if isinstance(v, str) else v for v in row])
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for column, number_format in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
            cell.number_format = number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    return sheet


def _participants_sheet(workbook: Workbook, event: Event, locale: Locale) -> None:
    statuses = {
        RegistrationStatus.CONFIRMED: _("confirmed"),
        RegistrationStatus.WAITLISTED: _("waitlisted"),
    }
    yes, no = _("yes"), _("no")
    _sheet(
        workbook,
        _("Participants"),
        [
            _("Name"),
            _("Organisation"),
            _("Country"),
            _("City"),
            _("E-mail"),
            _("Sessions attended"),
            _("Status"),
            _("Walk-in"),
        ],
        (30, 36, 16, 18, 32, 10, 14, 9),
        (
            (
                p.name,
                p.organisation,
                country_name(p.country, locale) if p.country else "",
                p.city,
                p.email,
                p.sessions_attended,
                statuses.get(p.status, p.status),
                yes if p.walk_in else no,
            )
            for p in participants(event)
        ),
    )


def _countries_sheet(workbook: Workbook, data: Summary, locale: Locale) -> None:
    by_code = {c.label: c for c in data.countries}
    others = [c for c in data.countries if c.label not in V4]
    rows: list[list[Any]] = []

    def line(label: str, groups: list[Any]) -> list[Any]:
        return [
            label,
            sum(g.registered for g in groups),
            sum(g.confirmed for g in groups),
            sum(g.attended for g in groups),
            sum(g.walk_ins for g in groups),
        ]

    v4 = [by_code[code] for code in V4 if code in by_code]
    for code in V4:
        rows.append(line(country_name(code, locale), [by_code[code]] if code in by_code else []))
    rows.append(line(_("V4 countries"), v4))
    for group in others:
        rows.append(line(country_name(group.label, locale), [group]))
    rows.append(line(_("Other countries"), others))
    rows.append(line(_("Total"), data.countries))
    mobility = data.mobility
    if data.event_country:
        rows.append(
            line(
                _(
                    "From another country than %(country)s",
                    country=country_name(data.event_country, locale),
                ),
                [mobility],
            )
        )
    sheet = _sheet(
        workbook,
        _("Countries"),
        [_("Country"), _("Registered"), _("Confirmed"), _("Present at least once"), _("Walk-ins")],
        (34, 12, 12, 14, 10),
        rows,
    )
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in (_("V4 countries"), _("Other countries"), _("Total")):
            for cell in row:
                cell.font = BOLD


def _organisations_sheet(workbook: Workbook, data: Summary, locale: Locale) -> None:
    _sheet(
        workbook,
        _("Organisations"),
        [
            _("Organisation"),
            _("Country"),
            _("Registered"),
            _("Confirmed"),
            _("Present at least once"),
            _("Walk-ins"),
        ],
        (40, 16, 12, 12, 14, 10),
        (
            (
                o.label,
                country_name(o.country, locale),
                o.registered,
                o.confirmed,
                o.attended,
                o.walk_ins,
            )
            for o in data.organisations
        ),
    )


def _sessions_sheet(workbook: Workbook, event: Event, data: Summary) -> None:
    zone = event.timezone
    _sheet(
        workbook,
        _("Sessions"),
        [
            _("Session"),
            _("Date"),
            _("Start"),
            _("End"),
            _("Room"),
            _("Trainers"),
            _("Capacity"),
            _("Confirmed"),
            _("Present"),
            _("Late"),
            _("Excused"),
            _("Absent"),
            _("Not marked"),
            _("Walk-ins"),
            _("Attendance rate"),
        ],
        (34, 12, 8, 8, 14, 28, 9, 10, 9, 8, 9, 8, 10, 9, 11),
        (
            (
                st.session.title,
                _local(st.session.starts_at, zone).date(),
                _local(st.session.starts_at, zone).time(),
                _local(st.session.ends_at, zone).time(),
                st.session.room,
                ", ".join(t.name or t.email for t in st.session.trainers),
                st.session.capacity,
                st.confirmed,
                st.present,
                st.late,
                st.excused,
                st.absent,
                st.unmarked,
                st.walk_ins,
                st.rate,
            )
            for st in data.sessions
        ),
        formats={1: DATE, 2: TIME, 3: TIME, 14: PERCENT},
    )


def _event_sheet(workbook: Workbook, event: Event, locale: Locale) -> None:
    settings = settings_of(event)
    country = settings.country or (
        event.host_organisation.country if event.host_organisation else ""
    )
    rows: list[tuple[str, Any]] = [(_("Title"), event.text("title"))]
    titles = event.texts_of("title")
    for language in current_app.config["LANGUAGES"]:
        name = Locale.parse(language).get_display_name(locale) or language
        rows.append((_("Title (%(language)s)", language=name), titles.get(language, "")))
    rows += [
        (_("Public or private"), _("public") if settings.is_public else _("private")),
        (_("Type"), settings.event_type),
        (_("Web page"), settings.web_page),
        (_("Description"), event.text("description")),
        (_("Starts"), _local(event.starts_at, event.timezone)),
        (_("Ends"), _local(event.ends_at, event.timezone)),
        (_("Venue"), event.text("venue")),
        (_("City"), settings.city),
        (_("Country"), country_name(country, locale) if country else ""),
    ]
    sheet = _sheet(workbook, _("Event"), [_("Field"), _("Value")], (26, 90), rows)
    for label, value in sheet.iter_rows(min_row=2):
        label.font = BOLD
        value.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(value.value, datetime):
            value.number_format = DATETIME


def write_report(
    event: Event, out: BinaryIO, on_sheet: Callable[[str], None] | None = None
) -> None:
    """Write the event's report workbook to ``out``; ``on_sheet`` hears of each sheet done."""
    locale = _locale()
    data = summary(event)
    workbook = Workbook()
    workbook.remove(workbook.active)
    steps: list[tuple[str, Callable[[], None]]] = [
        ("participants", lambda: _participants_sheet(workbook, event, locale)),
        ("countries", lambda: _countries_sheet(workbook, data, locale)),
        ("organisations", lambda: _organisations_sheet(workbook, data, locale)),
        ("sessions", lambda: _sessions_sheet(workbook, event, data)),
        ("event", lambda: _event_sheet(workbook, event, locale)),
    ]
    for name, step in steps:
        step()
        if on_sheet is not None:
            on_sheet(name)
    workbook.save(out)


#: how many steps :func:`write_report` reports (for a progress bar)
STEPS = 5


def report_filename(event: Event) -> str:
    """``report-brno-2030.xlsx``."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in event.slug.lower())
    return f"report-{safe.strip('-') or 'event'}.xlsx"

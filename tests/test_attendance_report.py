"""The funder's report workbook, read back with openpyxl: every sheet, the numbers of the
summary page, real date and time cells, the downloader's language; its settings page."""

from __future__ import annotations

import io
from datetime import datetime, time
from pathlib import Path

import pytest
from flask_babel import force_locale, refresh
from openpyxl import load_workbook
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, ReportSettings
from clusgo_events.services.attendance import report, summary
from clusgo_events.services.attendance.settings import ReportSettingsData, update_settings
from tests import factories as f

LONG_ORG = "Moravský strojírenský klastr, zájmové sdružení právnických osob pro inovace"


@pytest.fixture()
def world(app, users):  # type: ignore[no-untyped-def]
    """Two sessions; CZ, HU, PL, DE participants; a waitlisted one, a walk-in, marks."""
    host = f.organisation("Jihomoravské inovační centrum", country="CZ", city="Brno")
    event = f.event("report-event", host_organisation=host)
    event.set_texts("title", {"cs": "Setkání V4ClusGo", "hu": "V4ClusGo találkozó"})
    first = f.session(event, hour=10, trainers=[users["trainer"]], title="Strategie")
    second = f.session(event, hour=14, title="Financování")
    org = f.organisation(LONG_ORG, country="CZ", city="Olomouc")
    answer = f.respondent(country="CZ", organisation=org, city="")
    cz = f.registration(
        event, 0, sessions=[first, second], organisation_name=LONG_ORG, respondent_id=answer.id
    )
    hu = f.registration(event, 1, sessions=[first, second])
    pl = f.registration(event, 3, sessions=[first])
    de = f.registration(event, 0, sessions=[first], country="DE", name="Jürgen Groß")
    waiting = f.registration(event, 2, status="waitlisted")
    f.attendance(first, cz)
    f.attendance(second, cz, status="late")
    f.attendance(first, hu, status="absent")
    f.attendance(second, hu, status="excused")
    f.attendance(first, de)
    f.attendance(first, None, name="Walk Ińa", country="SK")
    f.attendance(second, None, name="Walk Ińa", country="SK")
    db.session.commit()
    return event, (first, second), {"cz": cz, "hu": hu, "pl": pl, "de": de, "wait": waiting}


def _workbook(event):  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    report.write_report(event, out)
    out.seek(0)
    return load_workbook(out)


def _table(sheet) -> dict[str, list]:  # type: ignore[no-untyped-def]
    return {row[0]: list(row[1:]) for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_sheets_headers_frozen_filtered(world) -> None:
    event, _, _ = world
    book = _workbook(event)
    assert book.sheetnames == ["Participants", "Countries", "Organisations", "Sessions", "Event"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == sheet.dimensions
        assert sheet.column_dimensions["A"].width >= 26
    header = [c.value for c in book["Participants"][1]]
    assert header == [
        "Name",
        "Organisation",
        "Country",
        "City",
        "E-mail",
        "Sessions attended",
        "Status",
        "Walk-in",
    ]


def test_participants_sheet(world) -> None:
    event, _, regs = world
    rows = _table(_workbook(event)["Participants"])
    cz = rows[regs["cz"].name]
    assert cz[0] == LONG_ORG  # the full name, nothing cut
    assert cz[1:6] == ["Czechia", "Olomouc", regs["cz"].email, 2, "confirmed"]
    assert rows[regs["hu"].name][4] == 0
    assert rows["Jürgen Groß"][1] == "Germany" and rows["Jürgen Groß"][4] == 1
    assert rows[regs["wait"].name][5] == "waitlisted"
    walk_in = rows["Walk Ińa"]
    assert walk_in[1] == "Slovakia" and walk_in[4] == 2 and walk_in[6] == "yes"
    assert len(rows) == 6  # five registrations (none cancelled) and one walk-in person


def test_countries_match_the_summary(world) -> None:
    event, _, _ = world
    figures = {c.label: c for c in summary.summary(event).countries}
    rows = _table(_workbook(event)["Countries"])
    for code, name in (("CZ", "Czechia"), ("HU", "Hungary"), ("PL", "Poland")):
        c = figures[code]
        assert rows[name] == [c.registered, c.confirmed, c.attended, c.walk_ins]
    assert rows["Slovakia"] == [1, 0, 0, 2]  # the waitlisted Slovak and two walk-in marks
    assert rows["V4 countries"] == [4, 3, 1, 2]
    assert rows["Germany"] == [1, 1, 1, 0]
    assert rows["Other countries"] == [1, 1, 1, 0]
    assert rows["Total"] == [5, 4, 2, 2]
    # mobility: from another country than the host's (CZ)
    assert rows["From another country than Czechia"] == [4, 3, 1, 2]


def test_sessions_sheet_real_cells(world) -> None:
    event, (first, second), _ = world
    sheet = _workbook(event)["Sessions"]
    rows = _table(sheet)
    strategy = rows["Strategie"]
    day, start, end = strategy[0:3]
    assert (
        isinstance(day, datetime)
        and day.date() == first.starts_at.astimezone(f.local_zone()).date()
    )
    assert start == time(10, 0) and end == time(12, 0)
    assert strategy[3:5] == ["Hall A", "Trainer"]
    # capacity, confirmed, present, late, excused, absent, not marked, walk-ins, rate
    assert strategy[5:] == [30, 4, 2, 0, 0, 1, 1, 1, 0.5]
    assert rows["Financování"][6:] == [2, 0, 1, 1, 0, 0, 1, 0.5]
    assert sheet["B2"].number_format == "mm-dd-yy" and sheet["O2"].number_format == "0%"


def test_event_sheet_calendar_fields(world, users) -> None:
    event, _, _ = world
    update_settings(
        event,
        ReportSettingsData(
            is_public=False,
            event_type="workshop",
            web_page="https://v4clusgo.eu/brno",
            city="Brno",
            country="Česko",
        ),
        users["organiser"],
    )
    db.session.commit()
    rows = {k: v[0] for k, v in _table(_workbook(event)["Event"]).items()}
    assert rows["Title"] == event.title
    assert rows["Title (Czech)"] == "Setkání V4ClusGo"
    assert rows["Title (Hungarian)"] == "V4ClusGo találkozó"
    assert rows["Title (English)"] == event.title and rows["Title (Polish)"] is None
    assert rows["Public or private"] == "private" and rows["Type"] == "workshop"
    assert rows["Web page"] == "https://v4clusgo.eu/brno"
    assert rows["City"] == "Brno" and rows["Country"] == "Czechia"
    assert rows["Starts"] == event.starts_at.astimezone(f.local_zone()).replace(tzinfo=None)
    assert isinstance(rows["Ends"], datetime)


def test_headers_in_the_downloaders_language(world) -> None:
    event, _, regs = world
    with force_locale("cs"):
        book = _workbook(event)
    assert book.sheetnames[0] == "Účastníci"
    rows = _table(book["Země"])
    assert "Česko" in rows and "Maďarsko" in rows


def test_download_button_and_cli(world, client, auth, users, runner, tmp_path: Path) -> None:
    event, _, _ = world
    auth.login_as(users["organiser"])
    page = client.get(f"/attendance/events/{event.slug}").get_data(as_text=True)
    assert f"/attendance/events/{event.slug}/report.xlsx" in page
    refresh()  # the test's app context outlives requests: forget the cached locale
    answer = client.get(f"/attendance/events/{event.slug}/report.xlsx?lang=hu")
    assert answer.status_code == 200
    assert "report-report-event.xlsx" in answer.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(answer.data))
    answer.close()
    assert book.sheetnames[0] == "Résztvevők"
    out = tmp_path / "report.xlsx"
    refresh()
    result = runner.invoke(args=["attendance", "report", event.slug, "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert _table(load_workbook(out)["Countries"])["Total"] == [5, 4, 2, 2]
    missing = runner.invoke(args=["attendance", "report", "nope", "--output", str(out)])
    assert missing.exit_code != 0 and "No event" in missing.output


def test_settings_page(world, client, auth, users) -> None:
    event, _, _ = world
    auth.login_as(users["organiser"])
    url = f"/attendance/events/{event.slug}/report"
    page = client.get(url).get_data(as_text=True)
    assert "Report settings" in page and 'value="Brno"' in page  # the host's city
    bad = client.post(url, data={"is_public": "1", "web_page": "javascript:alert(1)"})
    assert bad.status_code == 200
    assert "Give a web address starting with https://." in bad.get_data(as_text=True)
    assert db.session.scalar(select(ReportSettings)) is None
    unknown = client.post(url, data={"is_public": "1", "country": "Atlantis"})
    assert "Unknown country" in unknown.get_data(as_text=True)
    done = client.post(
        url,
        data={
            "is_public": "0",
            "event_type": "training",
            "web_page": "https://x.eu",
            "country": "cz",
            "city": "Brno",
            "funder_line": "y",
        },
    )
    assert done.headers["Location"].endswith(url)
    saved = db.session.scalar(select(ReportSettings))
    assert (saved.is_public, saved.event_type, saved.country) == (False, "training", "CZ")
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "event.report_settings")
    )
    assert entry is not None and "event_type" in entry.details["changed"]


def test_an_event_without_anything(app) -> None:
    empty = f.event("empty-event")
    db.session.commit()
    book = _workbook(empty)
    assert _table(book["Countries"])["Total"] == [0, 0, 0, 0]
    assert book["Participants"].max_row == 1


def test_summary_page_per_country_and_mobility(world, client, auth, users) -> None:
    event, _, _ = world
    auth.login_as(users["organiser"])
    refresh()
    page = client.get(f"/attendance/events/{event.slug}?lang=en").get_data(as_text=True)
    assert "<svg" in page and "Czechia" in page and "Germany" in page
    row = page.split("<td>Slovakia</td>")[1].split("</tr>")[0]
    assert [cell.split(">")[1] for cell in row.split("</td>")[:4]] == ["1", "0", "0", "2"]
    # present: CZ 1 and DE 1 registered, two SK walk-in marks; all but the Czech from abroad
    assert "3 of 4 participants present came from another country than Czechia." in page
    assert "75 %" in page
    refresh()
    czech = client.get(f"/attendance/events/{event.slug}?lang=cs").get_data(as_text=True)
    assert "Německo" in czech and "Mobilita" in czech


def test_summary_without_a_country_says_how_to_set_it(app, client, auth, users) -> None:
    plain = f.event("no-country")
    db.session.commit()
    auth.login_as(users["organiser"])
    refresh()
    page = client.get(f"/attendance/events/{plain.slug}?lang=en").get_data(as_text=True)
    assert "Set the country of the event on its Report page" in page

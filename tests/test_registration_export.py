"""The registrations export (page and CLI): every column, the reader's language, real dates
in XLSX, formula-neutralised CSV; dietary and accessibility needs labelled for organisers."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path

from flask import Flask
from openpyxl import load_workbook

from clusgo_events.extensions import db
from clusgo_events.models.enums import RegistrationStatus, SeatStatus
from tests import factories


def _event_with_people():  # type: ignore[no-untyped-def]
    event = factories.event(slug="brno-export")
    training = factories.session(event, title="Strategie")
    factories.registration(
        event,
        0,
        sessions=[training],
        position="ředitel",
        phone="+420 601 123 456",
        dietary_needs='=HYPERLINK("http://evil")',
        accessibility_needs="bezbariérový přístup",
    )
    factories.registration(event, 1, status=RegistrationStatus.WAITLISTED, waitlist_position=7)
    factories.registration(
        event, 2, sessions=[training], seat_status=SeatStatus.WAITLISTED, phone="-5"
    )
    db.session.commit()
    return event


def test_xlsx_from_the_page_has_every_column_and_dates(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    event = _event_with_people()
    auth.login_as(users["organiser"])
    response = client.get(f"/events/{event.slug}/registrations.xlsx")
    data = response.get_data()
    response.close()
    assert response.status_code == 200
    assert "registrations-brno-export.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Name",
        "E-mail",
        "Organisation",
        "Country",
        "Position",
        "Phone",
        "Status",
        "Waiting-list position",
        "Sessions",
        "Dietary needs",
        "Accessibility needs",
        "Consent time",
        "Registered at",
    )
    first = rows[1]
    assert first[0] == "Řehoř Dvořák" and first[4] == "ředitel"
    assert first[5] == "'+420 601 123 456"  # the attendance exports' rule: "+" may start a formula
    assert first[6] == "confirmed" and first[8] == "Strategie (confirmed)"
    assert first[9] == '\'=HYPERLINK("http://evil")' and first[10] == "bezbariérový přístup"
    assert isinstance(first[11], datetime) and isinstance(first[12], datetime)
    by_name = {row[0]: row for row in rows[1:]}
    waiting = by_name["Szőke-Fűzfa Győző"]
    assert waiting[6] == "waiting list" and waiting[7] == 1
    assert by_name["Ľubomír Ďurčo-Kráľ"][8] == "Strategie (waiting list)"
    assert len(rows) == 4


def test_headers_follow_the_readers_language(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    event = _event_with_people()
    auth.login_as(users["organiser"])
    with app.app_context():
        response = client.get(f"/events/{event.slug}/registrations.csv?lang=cs")
        text = response.get_data().decode("utf-8-sig")
        response.close()
    # a Czech reader's Excel separates a list with semicolons (services/csv_dialect)
    header = next(csv.reader(io.StringIO(text), delimiter=";"))
    assert header[0] == "Jméno" and "Stravovací požadavky" in header
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    assert any(row[5] == "'-5" for row in rows)  # a formula trigger made inert


def test_the_csv_separator_can_be_chosen(app: Flask, client, auth, users, runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    event = _event_with_people()
    auth.login_as(users["organiser"])
    page = client.get(f"/events/{event.slug}/registrations?lang=pl").get_data(as_text=True)
    assert 'name="delimiter"' in page  # the page offers the choice, Polish Excel's chosen
    assert re.search(r'<option value="semicolon"\s+selected', page)
    response = client.get(f"/events/{event.slug}/registrations.csv?lang=cs&delimiter=comma")
    text = response.get_data().decode("utf-8-sig")
    response.close()
    assert next(csv.reader(io.StringIO(text)))[:2] == ["Jméno", "E-mail"]
    target = tmp_path / "semicolon.csv"
    result = runner.invoke(
        args=[
            "registrations",
            "export",
            event.slug,
            "--format",
            "csv",
            "--delimiter",
            "semicolon",
            "--output",
            str(target),
        ]
    )
    assert result.exit_code == 0, result.output
    first = target.read_text(encoding="utf-8-sig").splitlines()[0]
    assert first.startswith("Name;E-mail;")


def test_cli_export_with_progress(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    event = _event_with_people()
    target = tmp_path / "registrations.csv"
    result = runner.invoke(
        args=["registrations", "export", event.slug, "--format", "csv", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 3 registrations" in result.output
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 4 and rows[0][1] == "E-mail"
    xlsx = tmp_path / "r.xlsx"
    ok = runner.invoke(
        args=["registrations", "export", event.slug, "--format", "xlsx", "--output", str(xlsx)]
    )
    assert ok.exit_code == 0 and load_workbook(xlsx).active.max_row == 4
    missing = runner.invoke(
        args=["registrations", "export", "nope", "--format", "csv", "--output", str(target)]
    )
    assert missing.exit_code != 0 and "No event with slug" in missing.output


def test_needs_are_labelled_for_organisers_only(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    event = _event_with_people()
    auth.login_as(users["organiser"])
    html = client.get(f"/events/{event.slug}/registrations").get_data(as_text=True)
    assert "Accessibility needs:" in html and "bezbariérový přístup" in html
    assert "Dietary needs:" in html
    assert f"/events/{event.slug}/registrations.xlsx" in html
    auth.logout()
    auth.login_as(users["representative"])
    refused = client.get(f"/events/{event.slug}/registrations.xlsx")
    assert refused.status_code == 403
    assert client.get(f"/events/{event.slug}/registrations.pdf").status_code in (403, 404)


def test_sessions_cell_in_the_sessions_order_without_cancelled_places(
    app: Flask, client, auth, users
) -> None:  # type: ignore[no-untyped-def]
    event = factories.event(slug="two-sessions")
    late = factories.session(event, title="Odpoledne", hour=15)
    early = factories.session(event, title="Ráno", hour=9)
    dropped = factories.session(event, title="Zrušeno", hour=12)
    person = factories.registration(event, 0, sessions=[late, early, dropped])
    person.seats[0].status = SeatStatus.WAITLISTED
    person.seats[2].status = SeatStatus.CANCELLED
    db.session.commit()
    auth.login_as(users["organiser"])
    response = client.get(f"/events/{event.slug}/registrations.csv?delimiter=comma")
    text = response.get_data().decode("utf-8-sig")
    response.close()
    (row,) = list(csv.reader(io.StringIO(text)))[1:]
    assert row[8] == "Ráno (confirmed); Odpoledne (waiting list)"

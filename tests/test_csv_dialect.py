"""CSV downloads in the Excel dialect of the reader's locale (semicolon for cs, hu, sk, pl;
comma for en), chosen on the page or with --delimiter; XLSX lists with real date cells."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from flask_babel import refresh
from openpyxl import load_workbook

from clusgo_events.extensions import db
from clusgo_events.models import AttendanceStatus, Role
from clusgo_events.services import csv_dialect
from clusgo_events.services.attendance import exports
from clusgo_events.services.attendance.rows import naive_local
from tests import factories as f

LONG_ORG = "Moravský strojírenský klastr; zájmové sdružení právnických osob, Brno"


@pytest.mark.parametrize(
    ("language", "delimiter"),
    [("cs", ";"), ("hu", ";"), ("sk", ";"), ("pl", ";"), ("en", ","), (None, ","), ("cs_CZ", ";")],
)
def test_dialect_of_each_locale(language: str | None, delimiter: str) -> None:
    assert csv_dialect.dialect_for(language).delimiter == delimiter


def test_choice_overrides_the_locale() -> None:
    assert csv_dialect.choose("comma", "cs").delimiter == ","
    assert csv_dialect.choose("semicolon", "en").delimiter == ";"
    assert csv_dialect.choose("tab; drop table", "pl").delimiter == ";"  # unknown: the locale's


@pytest.fixture()
def world(app, clock):  # type: ignore[no-untyped-def]
    trainer = f.user(Role.TRAINER)
    organiser = f.user(Role.ORGANISER)
    event = f.event()
    session = f.session(event, trainers=[trainer])
    people = [f.registration(event, n, sessions=[session]) for n in range(4)]
    people[0].organisation_name = LONG_ORG
    f.attendance(session, people[0], AttendanceStatus.PRESENT, by=trainer)
    db.session.commit()
    return {"event": event, "session": session, "people": people, "organiser": organiser}


def _get(client, url: str) -> bytes:  # type: ignore[no-untyped-def]
    refresh()  # the test's app context outlives requests: forget the cached locale
    with client.get(url) as response:
        assert response.status_code == 200
        return response.get_data()


@pytest.mark.parametrize(
    ("query", "delimiter"),
    [
        ("lang=cs", ";"),
        ("lang=hu", ";"),
        ("lang=pl", ";"),
        ("lang=en", ","),
        ("lang=cs&delimiter=comma", ","),
        ("lang=en&delimiter=semicolon", ";"),
    ],
)
def test_download_in_the_readers_dialect(client, auth, world, query: str, delimiter: str) -> None:
    auth.login_as(world["organiser"])
    body = _get(client, f"/attendance/events/{world['event'].slug}/attendance.csv?{query}")
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0].count(delimiter) == 9
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert all(len(row) == 10 for row in rows)
    by_name = {row[3]: row for row in rows[1:]}
    assert by_name[world["people"][0].name][4] == LONG_ORG  # quoted, whole


def test_page_offers_the_locales_dialect_first(client, auth, world) -> None:
    auth.login_as(world["organiser"])
    refresh()
    page = client.get(f"/attendance/events/{world['event'].slug}?lang=cs").get_data(as_text=True)
    assert 'name="delimiter"' in page
    assert '<option value="semicolon" selected>' in page
    refresh()
    roster = client.get(f"/attendance/sessions/{world['session'].id}?lang=en").get_data(
        as_text=True
    )
    assert '<option value="comma" selected>' in roster


def test_cli_delimiter(world, runner, tmp_path: Path) -> None:
    out = tmp_path / "list.csv"
    slug = world["event"].slug
    args = ["attendance", "export", "--event", slug, "--format", "csv", "--output", str(out)]
    result = runner.invoke(args=[*args, "--delimiter", "semicolon"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig")), delimiter=";"))
    assert len(rows) == 5 and all(len(r) == 10 for r in rows)
    assert runner.invoke(args=args).exit_code == 0
    assert out.read_text("utf-8-sig").splitlines()[0].count(",") == 9
    bad = runner.invoke(args=[*args, "--delimiter", "tab"])
    assert bad.exit_code != 0


def test_xlsx_list_has_real_date_cells(world) -> None:
    out = io.BytesIO()
    exports.export_to_file([world["session"]], "xlsx", out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    session = world["session"]
    assert all(row[2] == naive_local(session.starts_at, session.event.timezone) for row in rows)
    checked = [row[7] for row in rows if row[7] is not None]
    assert len(checked) == 1 and isinstance(checked[0], datetime)
    assert sheet.auto_filter.ref == "A1:J5" and sheet.freeze_panes == "A2"

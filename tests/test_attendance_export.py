"""Attendance lists: CSV, XLSX and PDF read back by real readers, diacritics, formulas, CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from clusgo_events.extensions import db
from clusgo_events.services import attendance as att
from clusgo_events.services.attendance import exports, sign_in_sheet, spreadsheets
from clusgo_events.services.attendance import rows as export_rows
from clusgo_events.services.timeutil import format_moment
from tests.attendance_helpers import NAMES, make_event, make_registration, make_session, populate

DIACRITICS = "řőűľłżą"


@pytest.fixture()
def marked(app, users):  # type: ignore[no-untyped-def]
    event = make_event()
    session = make_session(event, trainers=[users["trainer"]])
    regs = populate(event, session)
    evil = make_registration(
        event, '=HYPERLINK("http://x")', "+Org", "CZ", sessions=[session], code="EVIL0001"
    )
    db.session.commit()
    att.mark(session, registration=regs[0], status="present", by=users["trainer"])
    att.mark(session, registration=regs[1], status="late", by=users["trainer"])
    att.mark(session, registration=evil, status="absent", by=users["trainer"])
    att.add_walk_in(session, att.WalkInData("@Walk Ińa", "-Minus", "SK"), users["trainer"])
    db.session.commit()
    return event, session, regs


def _all_names_text() -> str:
    return "".join(name for name, _, _ in NAMES)


def test_names_carry_every_diacritic() -> None:
    assert all(ch in _all_names_text() for ch in DIACRITICS)


def test_csv_reads_back_with_neutralised_cells(marked) -> None:
    _, session, regs = marked
    data = b"".join(spreadsheets.iter_csv(export_rows.rows_for([session])))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:8] == export_rows.header()[:8]
    by_name = {r[3]: r for r in rows[1:]}
    for name, org, country in NAMES:
        assert by_name[name][4] == org and by_name[name][5] == country
    assert by_name["Řehoř Dvořák"][6] == "present"
    record = att.find_record(session, regs[0])
    assert by_name["Řehoř Dvořák"][7] == format_moment(
        record.checked_in_at, "Europe/Prague", "stamp"
    )
    assert by_name["Řehoř Dvořák"][7].endswith(("CET", "CEST"))
    assert by_name["Győző Szőke-Fűzfa"][6] == "late"
    assert by_name["Michał Żąbkowski-Różycki"][6] == "not marked"
    assert '\'=HYPERLINK("http://x")' in by_name
    assert by_name['\'=HYPERLINK("http://x")'][4] == "'+Org"
    walk_in = by_name["'@Walk Ińa"]
    assert walk_in[4] == "'-Minus" and walk_in[9] == "yes" and walk_in[8] == "walk-in"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_safe_cell() -> None:
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert export_rows.safe_cell(bad) == "'" + bad
    assert export_rows.safe_cell("Ostrava") == "Ostrava"
    assert export_rows.safe_cell("") == ""


def test_xlsx_reads_back(marked, tmp_path: Path) -> None:
    _, session, _ = marked
    target = tmp_path / "a.xlsx"
    with target.open("wb") as out:
        exports.export_to_file([session], "xlsx", out)
    sheet = load_workbook(target).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == export_rows.header()
    names = {r[3] for r in rows[1:]}
    assert {n for n, _, _ in NAMES} <= names
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            assert not str(cell.value or "").startswith(("=", "+", "-", "@"))
    assert '\'=HYPERLINK("http://x")' in names


def test_pdf_sign_in_sheet_text(marked) -> None:
    event, session, _ = marked
    data = sign_in_sheet.build_pdf([session])
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for name, _org, _ in NAMES:
        assert name in text
    assert "Łódzki Klaster Tekstylny" in text
    for label in ("Signature", event.title, session.title, "Brno Exhibition Centre", "Trainer"):
        assert label in text
    assert "Page 1 of 1" in text
    fonts = str(reader.pages[0]["/Resources"]["/Font"])
    assert "DejaVu" in str(
        [
            reader.pages[0]["/Resources"]["/Font"][k]["/BaseFont"]
            for k in reader.pages[0]["/Resources"]["/Font"]
        ]
    ), fonts


def test_pdf_header_repeats_on_every_page(app, users) -> None:
    event = make_event()
    session = make_session(event, trainers=[users["trainer"]], title="Strategy workshop")
    for i in range(70):
        make_registration(event, f"Účastník {i:03d} Řeřicha", "Klastr", "CZ", sessions=[session])
    db.session.commit()
    reader = PdfReader(io.BytesIO(sign_in_sheet.build_pdf([session], blank=True)))
    assert len(reader.pages) >= 3
    for n, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        assert "Strategy workshop" in text and "Signature" in text and "Participant" in text
        assert f"Page {n} of {len(reader.pages)}" in text
    all_text = "".join(p.extract_text() for p in reader.pages)
    assert "Účastník 069 Řeřicha" in all_text
    # a blank sheet has no marks
    assert "not marked" not in all_text and "present" not in all_text


def test_event_export_covers_every_session(marked, users) -> None:
    event, session, regs = marked
    second = make_session(event, trainers=[], title="Second session", hours_from_start=4)
    make_registration(event, "Only Second", sessions=[second])
    db.session.commit()
    sessions = export_rows.sessions_of(event)
    rows = list(export_rows.rows_for(sessions))
    assert {r.session for r in rows} == {session.title, "Second session"}
    assert export_rows.count_rows(sessions) == len(rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_cli_export(marked, runner, tmp_path: Path, fmt: str) -> None:
    event, session, _ = marked
    target = tmp_path / f"out.{fmt}"
    result = runner.invoke(
        args=["attendance", "export", "--event", event.slug, "--format", fmt, "--output", target]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 6 rows" in result.output
    if fmt == "csv":
        assert "Ľubomír Ďurčo-Kráľ" in target.read_text(encoding="utf-8-sig")
    elif fmt == "xlsx":
        values = [c.value for row in load_workbook(target).active.iter_rows() for c in row]
        assert "Ľubomír Ďurčo-Kráľ" in values
    else:
        assert "Ľubomír Ďurčo-Kráľ" in PdfReader(target).pages[0].extract_text()
    by_session = runner.invoke(
        args=[
            "attendance",
            "export",
            "--session",
            str(session.id),
            "--format",
            fmt,
            "--output",
            tmp_path / f"s.{fmt}",
        ]
    )
    assert by_session.exit_code == 0, by_session.output


def test_cli_export_errors(app, runner, tmp_path: Path) -> None:
    out = str(tmp_path / "x.csv")
    both = runner.invoke(args=["attendance", "export", "--format", "csv", "--output", out])
    assert both.exit_code != 0 and "exactly one" in both.output
    missing = runner.invoke(
        args=["attendance", "export", "--event", "nope", "--format", "csv", "--output", out]
    )
    assert missing.exit_code != 0 and "No event" in missing.output
    bad = runner.invoke(
        args=["attendance", "export", "--session", "99", "--format", "doc", "--output", out]
    )
    assert bad.exit_code != 0

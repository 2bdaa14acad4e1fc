"""Real survey files for the tests: CSV in several encodings and delimiters, XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook

HEADER = [
    "E-mail",
    "Contact name",
    "Organization",
    "Country",
    "City",
    "Interested in event",
    "Interested in training",
    "Consent",
    "Submitted",
    "Language",
    "Q1 Main export market",
]

ROWS = [
    ["jana.bruskova@aero.example", "Jana Břusková", "Moravian Aerospace Cluster", "Česko", "Brno",
     "ano", "ne", "ano", "5.1.2017", "čeština", "Germany"],
    ["Gabor.Szucs@Pannon.example", "Gábor Szűcs", "Pannon Autóipari Klaszter", "Magyarország",
     "Győr", "igen", "igen", "igen", "2017-01-06", "magyar", "Austria"],
    ["lubos@zilina.example", "Ľuboš Štefánik", "Žilina ICT Cluster", "Slovak Republic", "Žilina",
     "áno", "nie", "áno", "2017-01-07 10:30", "sk", "Czechia"],
    ["lukasz@lodz.example", "Łukasz Żółkiewski", "Łódź Textile Cluster", "PL", "Łódź",
     "tak", "tak", "nie", "08.01.2017", "Polish", "Italy"],
]


def csv_bytes(
    rows: Sequence[Sequence[str]] = ROWS,
    header: Sequence[str] = HEADER,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    """A CSV file as Excel or a survey tool would save it."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]] = ROWS, header: Sequence[str] = HEADER) -> bytes:
    """An XLSX workbook written by openpyxl."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def typed_xlsx_rows() -> list[list[object]]:
    """The rows with real spreadsheet types: dates as dates, yes/no as booleans and numbers."""
    typed = [list(r) for r in ROWS]
    typed[0][8] = datetime(2017, 1, 5, 9, 0)
    typed[1][5] = True
    typed[1][6] = 1
    typed[3][7] = 0
    return typed

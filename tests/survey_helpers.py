"""Real survey files for the tests: CSV in several encodings and delimiters, XLSX."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Iterable, Sequence
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
    [
        "jana.bruskova@aero.example",
        "Jana Břusková",
        "Moravian Aerospace Cluster",
        "Česko",
        "Brno",
        "ano",
        "ne",
        "ano",
        "5.1.2017",
        "čeština",
        "Germany",
    ],
    [
        "Gabor.Szucs@Pannon.example",
        "Gábor Szűcs",
        "Pannon Autóipari Klaszter",
        "Magyarország",
        "Győr",
        "igen",
        "igen",
        "igen",
        "2017-01-06",
        "magyar",
        "Austria",
    ],
    [
        "lubos@zilina.example",
        "Ľuboš Štefánik",
        "Žilina ICT Cluster",
        "Slovak Republic",
        "Žilina",
        "áno",
        "nie",
        "áno",
        "2017-01-07 10:30",
        "sk",
        "Czechia",
    ],
    [
        "lukasz@lodz.example",
        "Łukasz Żółkiewski",
        "Łódź Textile Cluster",
        "PL",
        "Łódź",
        "tak",
        "tak",
        "nie",
        "08.01.2017",
        "Polish",
        "Italy",
    ],
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


PKG_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
STYLES_XML = (
    f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="1"><numFmt numFmtId="164" '
    'formatCode="d/m/yyyy\\ h:mm"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
    "</borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" xfId="0"/><xf numFmtId="164" xfId="0" '
    'applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

Part = str | Iterable[bytes]


def workbook_zip(sheet_data: Part, shared_strings: Part = "") -> bytes:
    """A workbook as Excel lays it out, written part by part with zipfile.

    ``sheet_data`` is what goes inside ``<sheetData>``, ``shared_strings`` the ``<si>``
    elements of the shared strings; either may be an iterable of byte chunks, so a test can
    write a part of hundreds of MB (which deflate shrinks to a few KB) without holding it."""
    parts: dict[str, Part] = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{PKG_TYPE}"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(
                f'<Override PartName="/xl/{part}" ContentType="{OOXML}.{kind}+xml"/>'
                for part, kind in [
                    ("workbook.xml", "sheet.main"),
                    ("worksheets/sheet1.xml", "worksheet"),
                    ("sharedStrings.xml", "sharedStrings"),
                    ("styles.xml", "styles"),
                ]
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG_NS}"><Relationship Id="rId1" '
            f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            '<sheet name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{REL_NS}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": STYLES_XML,
        "xl/sharedStrings.xml": _wrapped(f'<sst xmlns="{MAIN_NS}">', shared_strings, "</sst>"),
        "xl/worksheets/sheet1.xml": _wrapped(
            f'<worksheet xmlns="{MAIN_NS}"><sheetData>', sheet_data, "</sheetData></worksheet>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in [content] if isinstance(content, str) else content:
                    part.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
    return out.getvalue()


def _wrapped(head: str, body: Part, tail: str) -> Iterable[bytes]:
    yield head.encode()
    yield from [body.encode("utf-8")] if isinstance(body, str) else body
    yield tail.encode()


def excel_style_xlsx(rows: Sequence[Sequence[str]], header: Sequence[str]) -> bytes:
    """A minimal workbook as Excel writes it: shared strings (openpyxl writes inline ones),
    a date cell styled with a date number format, a boolean and a number."""
    from xml.sax.saxutils import escape

    strings: list[str] = []

    def shared(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    def column(i: int) -> str:
        return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i]

    sheet_rows = []
    for r, values in enumerate([header, *rows], start=1):
        cells = "".join(
            f'<c r="{column(i)}{r}" t="s"><v>{shared(v)}</v></c>'
            for i, v in enumerate(values)
            if v != ""
        )
        sheet_rows.append(f'<row r="{r}">{cells}</row>')
    # one more row with typed cells: a date (serial 42740 = 2017-01-05), TRUE, 1, a gap
    n = len(rows) + 2
    sheet_rows.append(
        f'<row r="{n}"><c r="A{n}" t="s"><v>{shared("typed@example.org")}</v></c>'
        f'<c r="F{n}" t="b"><v>1</v></c><c r="G{n}"><v>1</v></c>'
        f'<c r="I{n}" s="1"><v>42740.5</v></c></row>'
    )
    return workbook_zip(
        "".join(sheet_rows), "".join(f"<si><t>{escape(t)}</t></si>" for t in strings)
    )


BENCH_COUNTRIES = ["CZ", "Česko", "Hungary", "Magyarország", "SK", "Slovensko", "PL", "Polska"]
BENCH_YES_NO = ["yes", "no", "ano", "ne", "igen", "nem", "tak", "nie"]


def make_rows(n: int) -> list[list[str]]:
    """``n`` survey rows for the benchmarks: diacritics, 400 organisations, a few answers."""
    rng = random.Random(2017)
    return [
        [
            f"respondent{i}@cluster{i % 400}.example",
            f"Jana Břusková {i}",
            f"Cluster Łódź–Győr {i % 400}",
            BENCH_COUNTRIES[i % len(BENCH_COUNTRIES)],
            "Žilina",
            rng.choice(BENCH_YES_NO),
            rng.choice(BENCH_YES_NO),
            rng.choice(BENCH_YES_NO),
            f"{1 + i % 28}.1.2017",
            "",
            rng.choice(["Germany", "Austria", "Italy", "France"]),
        ]
        for i in range(n)
    ]


def openpyxl_records(data: bytes) -> list[tuple[int, list[str]]]:
    """The first sheet's rows as text, read by openpyxl's read-only reader: the reference the
    import's own XLSX reader is compared with (tests) and timed against (bench_survey)."""
    import warnings

    from openpyxl import load_workbook

    from clusgo_events.services.survey.xlsx import cell_text

    with warnings.catch_warnings():  # "no default style" and the like
        warnings.simplefilter("ignore")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(min_row=1, values_only=True)
        return [(number, [cell_text(v) for v in values]) for number, values in enumerate(rows, 1)]
    finally:
        workbook.close()

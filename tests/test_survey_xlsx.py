"""The XLSX reader's bounds: a small workbook that unpacks or expands to hundreds of MB is
refused with a clear message, costs little memory and writes nothing.

Every workbook here is a real ZIP file written with zipfile (tests/survey_helpers.workbook_zip)
and read through the import service; tracemalloc measures what reading it cost.
"""

from __future__ import annotations

import struct
import tracemalloc
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import Respondent
from clusgo_events.services import ServiceError
from clusgo_events.services.survey import import_survey, xlsx
from tests.survey_helpers import workbook_zip

MB = 1024 * 1024
HEAD = '<row r="1"><c r="A1" t="inlineStr"><is><t>email</t></is></c></row>'


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def repeated(head: bytes, chunk: bytes, times: int, tail: bytes = b"") -> Iterator[bytes]:
    """A part's content in chunks: ``head``, ``chunk`` ``times`` times, ``tail``."""
    yield head
    for _ in range(times):
        yield chunk
    yield tail


def refused(data: bytes) -> tuple[str, int]:
    """The import's refusal of ``data`` and the peak memory (bytes) reading it took."""
    tracemalloc.start()
    try:
        with pytest.raises(ServiceError) as info:
            import_survey(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.field == "file"
    db.session.commit()
    assert db.session.scalar(select(func.count(Respondent.id))) == 0
    return info.value.message, peak


def test_a_cell_in_column_zzzzzz_is_refused_at_once(app) -> None:
    data = workbook_zip(
        HEAD + f'<row r="2">{inline("A2", "a@b.example")}{inline("ZZZZZZ2", "x")}</row>'
    )
    assert len(data) < 4096  # a 2 KB file
    message, peak = refused(data)
    assert "ZZZZZZ2" in message and "beyond column ALL" in message
    assert peak < 8 * MB, peak


def test_a_shared_string_reference_far_right_is_refused(app) -> None:
    data = workbook_zip(
        HEAD + '<row r="2"><c r="XFD2" t="s"><v>0</v></c></row>', "<si><t>x</t></si>"
    )
    message, peak = refused(data)
    assert "XFD2" in message and peak < 8 * MB


def test_a_huge_shared_string_is_refused_while_it_streams(app) -> None:
    # 20 MB of one string: the part is under the unpacked-size bound, the text is not
    strings = repeated(b"<si><t>", b"A" * MB, 20, b"</t></si>")
    data = workbook_zip(HEAD + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>', strings)
    assert len(data) < 100_000
    message, peak = refused(data)
    assert "longer than 32767 characters" in message
    assert peak < 8 * MB, peak


def test_a_huge_inline_string_is_refused_while_it_streams(app) -> None:
    cells = repeated(
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>', b"B" * MB, 20, b"</t></is></c></row>"
    )
    message, peak = refused(workbook_zip(cells))
    assert "longer than 32767 characters" in message and peak < 8 * MB, peak


def test_a_workbook_that_unpacks_past_the_bound_is_refused_unread(app) -> None:
    strings = repeated(b"<si><t>", b"C" * MB, 129, b"</t></si>")
    data = workbook_zip(HEAD, strings)
    assert len(data) < 1 * MB
    message, peak = refused(data)
    assert "unpacks to more than 128 MB" in message and peak < 4 * MB, peak


def test_one_long_text_repeated_by_reference_is_refused(app) -> None:
    # 1,000 cells showing one 30,000-character string: 30 million characters of text
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(2, 1002))
    data = workbook_zip(HEAD + rows, "<si><t>" + "D" * 30_000 + "</t></si>")
    message, peak = refused(data)
    assert "more than 25000000 characters of text" in message and peak < 8 * MB, peak


# The count limits are lowered here so that the tests stay fast under tracemalloc; what each
# costs at its real value is bounded by the value itself (MAX_ROWS rows of MAX_COLUMNS ...).


def test_too_many_rows_are_refused(app, monkeypatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_ROWS", 1_000)
    rows = repeated(HEAD.encode(), b'<row><c t="inlineStr"><is><t>x</t></is></c></row>', 100_000)
    message, peak = refused(workbook_zip(rows))
    assert "more than 1000 rows" in message and peak < 8 * MB, peak


def test_too_many_cells_are_refused(app, monkeypatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_CELLS", 100_000)
    # each row reaches column 1,000 (ALL): 100 rows are 100,000 cells
    rows = (f'<row r="{r}">{inline(f"ALL{r}", "x")}</row>'.encode() for r in range(2, 20_000))
    message, peak = refused(workbook_zip(rows))
    assert "more than 100000 cells" in message and peak < 8 * MB, peak


def test_too_many_shared_strings_are_refused(app, monkeypatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_SHARED_STRINGS", 1_000)
    strings = (f"<si><t>{i}</t></si>".encode() for i in range(100_000))
    message, peak = refused(workbook_zip(HEAD, strings))
    assert "more than 1000 different texts" in message and peak < 8 * MB, peak


def test_a_part_that_lies_about_its_size_is_refused(app) -> None:
    """A ZIP directory may claim a small size for a part that inflates to much more: the
    reader stops at the claimed size (zipfile does) and the CRC check fails."""
    cells = repeated(
        b'<row r="2">', b'<c t="inlineStr"><is><t>a@b.example</t></is></c>', 200_000, b"</row>"
    )
    data = _claim_size(workbook_zip(cells), "xl/worksheets/sheet1.xml", 4000)
    message, peak = refused(data)
    assert "damaged" in message and peak < 8 * MB, peak


def test_a_document_type_declaration_is_refused(app) -> None:
    """No workbook has a DTD; entity expansion ("billion laughs") needs one."""
    lol = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    data = workbook_zip(HEAD + '<row r="2"><c r="A2" t="inlineStr"><is><t>&b;</t></is></c></row>')
    message, _ = refused(_with_doctype(data, lol))
    assert "cannot be read" in message


def test_styled_blank_cells_far_right_and_empty_rows_cost_nothing(app) -> None:
    """Excel writes styled empty cells and rows: they are not content, and import fine."""
    blank_rows = (f'<row r="{r}"><c r="XFD{r}" s="1"/></row>'.encode() for r in range(3, 20_000))
    body = [
        HEAD.encode(),
        f'<row r="2">{inline("A2", "a@b.example")}<c r="ZZZ2" s="1"/></row>'.encode(),
        *blank_rows,
    ]
    result = import_survey(workbook_zip(iter(body)))
    db.session.commit()
    assert (result.created, result.rejected) == (1, [])


def _claim_size(data: bytes, name: str, size: int) -> bytes:
    """``data`` with the ZIP's central directory claiming ``size`` bytes unpacked for ``name``."""
    entry = 0
    while True:
        entry = data.index(b"PK\x01\x02", entry)
        (name_length,) = struct.unpack("<H", data[entry + 28 : entry + 30])
        if data[entry + 46 : entry + 46 + name_length] == name.encode():
            break
        entry += 4
    return data[: entry + 24] + struct.pack("<I", size) + data[entry + 28 :]


def _with_doctype(data: bytes, doctype: str) -> bytes:
    """The workbook rewritten with ``doctype`` before the sheet's root element."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = doctype.encode() + content
            target.writestr(info.filename, content)
    return out.getvalue()

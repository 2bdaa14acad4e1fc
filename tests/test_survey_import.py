"""The survey import service, on real CSV and XLSX files and a real database."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import Organisation, Respondent
from clusgo_events.services import ServiceError
from clusgo_events.services.survey import (
    import_survey,
    normalise_country,
    normalise_datetime,
    normalise_language,
    normalise_yes_no,
    read_survey_file,
)
from tests.survey_helpers import HEADER, ROWS, csv_bytes, typed_xlsx_rows, xlsx_bytes


def respondents() -> dict[str, Respondent]:
    return {r.email: r for r in db.session.scalars(select(Respondent))}


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def check_four_imported() -> None:
    found = respondents()
    assert set(found) - {"typed@example.org"} == {
        "jana.bruskova@aero.example",
        "gabor.szucs@pannon.example",
        "lubos@zilina.example",
        "lukasz@lodz.example",
    }
    jana = found["jana.bruskova@aero.example"]
    assert jana.contact_name == "Jana Břusková"
    assert jana.country == "CZ" and jana.city == "Brno" and jana.language == "cs"
    assert (jana.interested_in_event, jana.interested_in_training, jana.consent) == (
        True,
        False,
        True,
    )
    assert jana.raw_answers == {"Q1 Main export market": "Germany"}
    assert jana.organisation is not None
    assert jana.organisation.name == "Moravian Aerospace Cluster"
    assert jana.organisation.country == "CZ"
    gabor = found["gabor.szucs@pannon.example"]
    assert gabor.contact_name == "Gábor Szűcs" and gabor.city == "Győr" and gabor.country == "HU"
    assert gabor.language == "hu" and gabor.consent is True
    lubos = found["lubos@zilina.example"]
    assert lubos.country == "SK" and lubos.contact_name == "Ľuboš Štefánik"
    assert lubos.submitted_at == datetime(2017, 1, 7, 10, 30, tzinfo=UTC)
    lukasz = found["lukasz@lodz.example"]
    assert lukasz.country == "PL" and lukasz.city == "Łódź" and lukasz.language == "pl"
    assert lukasz.organisation.name == "Łódź Textile Cluster"
    assert lukasz.consent is False and lukasz.interested_in_training is True
    assert lukasz.submitted_at == datetime(2017, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("encoding", "delimiter", "expected"),
    [
        ("utf-8", ",", "utf-8"),
        ("utf-8-sig", ",", "utf-8-sig"),
        ("utf-8-sig", ";", "utf-8-sig"),
        ("utf-16", "\t", "utf-16"),
    ],
)
def test_csv_in_unicode_encodings(app, encoding, delimiter, expected) -> None:
    data = csv_bytes(encoding=encoding, delimiter=delimiter)
    result = import_survey(data)
    db.session.commit()
    assert (result.created, result.updated, result.unchanged, result.rejected) == (4, 0, 0, [])
    assert (result.encoding, result.delimiter, result.kind) == (expected, delimiter, "csv")
    check_four_imported()


def test_windows_1250_with_czech_hungarian_polish_letters(app) -> None:
    # What Czech Excel saves: Windows-1250, semicolons. č ř ž ő ł all exist in cp1250.
    rows = [list(r) for r in ROWS]
    rows[0][1] = "Jiří Černý-Žák"
    rows[1][1] = "Gábor Szőke"
    rows[3][1] = "Łukasz Żółkiewski"
    data = csv_bytes(rows, delimiter=";", encoding="cp1250")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = import_survey(data)
    db.session.commit()
    assert (result.encoding, result.delimiter) == ("cp1250", ";")
    assert result.created == 4 and result.rejected == []
    found = respondents()
    assert found["jana.bruskova@aero.example"].contact_name == "Jiří Černý-Žák"
    assert found["gabor.szucs@pannon.example"].contact_name == "Gábor Szőke"
    assert found["lukasz@lodz.example"].contact_name == "Łukasz Żółkiewski"
    assert found["lukasz@lodz.example"].city == "Łódź"


def test_xlsx_with_typed_cells(app) -> None:
    result = import_survey(xlsx_bytes(typed_xlsx_rows()))
    db.session.commit()
    assert result.kind == "xlsx" and result.created == 4 and result.rejected == []
    found = respondents()
    assert found["jana.bruskova@aero.example"].submitted_at == datetime(2017, 1, 5, 9, tzinfo=UTC)
    assert found["gabor.szucs@pannon.example"].interested_in_event is True
    assert found["gabor.szucs@pannon.example"].interested_in_training is True
    assert found["lukasz@lodz.example"].consent is False
    check_four_imported()


def test_same_file_twice_changes_nothing(app) -> None:
    data = csv_bytes()
    import_survey(data)
    db.session.commit()
    stamps = {r.email: r.updated_at for r in respondents().values()}
    orgs = count(Organisation)
    again = import_survey(data)
    db.session.commit()
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 4, [])
    assert again.organisations_created == 0
    assert count(Organisation) == orgs == 4
    assert {r.email: r.updated_at for r in respondents().values()} == stamps
    # the same answers in an XLSX file are the same answers
    assert import_survey(xlsx_bytes()).unchanged == 4


def test_corrected_file_updates_only_the_changed_rows(app) -> None:
    import_survey(csv_bytes())
    db.session.commit()
    rows = [list(r) for r in ROWS]
    rows[2][7] = "nie"  # Ľuboš withdraws consent
    rows[3][10] = "France"  # a raw answer changes
    rows.append(
        [
            "new@example.org",
            "New Person",
            "Moravian Aerospace Cluster",
            "CZ",
            "Brno",
            "yes",
            "no",
            "yes",
            "",
            "",
            "",
        ]
    )
    result = import_survey(csv_bytes(rows))
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (1, 2, 2)
    found = respondents()
    assert found["lubos@zilina.example"].consent is False
    assert found["lukasz@lodz.example"].raw_answers == {"Q1 Main export market": "France"}
    # same organisation (name and country) -> the same row, not a new one
    assert (
        found["new@example.org"].organisation_id
        == found["jana.bruskova@aero.example"].organisation_id
    )
    assert count(Organisation) == 4


def test_rejected_rows_have_row_numbers_and_reasons(app) -> None:
    rows = [list(r) for r in ROWS]
    rows.append(["", "No Mail", "X", "CZ", "", "yes", "yes", "yes", "", "", ""])  # row 6
    rows.append(["not-an-address", "Bad", "X", "CZ", "", "yes", "yes", "yes", "", "", ""])  # 7
    rows.append(["a@narnia.example", "A", "X", "Narnia", "", "yes", "yes", "yes", "", "", ""])  # 8
    rows.append(["b@b.example", "B", "X", "CZ", "", "maybe", "yes", "yes", "", "", ""])  # 9
    conflicting = list(ROWS[0])
    conflicting[7] = "ne"
    rows.append(conflicting)  # row 10: same e-mail as row 2, other consent
    rows.append(list(ROWS[1]))  # row 11: identical to row 3 -> fine
    rows.append(["c@c.example", "C", "X", "CZ", "", "yes", "yes", "yes", "31.2.2017", "", ""])
    rows.append(["d@d.example", "D", "X", "CZ", "", "yes", "yes", "yes", "", "Klingon", ""])
    result = import_survey(csv_bytes(rows))
    db.session.commit()
    reasons = dict(result.rejected)
    assert sorted(reasons) == [6, 7, 8, 9, 10, 12, 13]
    assert reasons[6] == "missing e-mail"
    assert reasons[7].startswith("bad e-mail 'not-an-address'")
    assert reasons[8] == "unknown country 'Narnia'"
    assert "maybe" in reasons[9] and "interested in event" in reasons[9]
    assert "duplicate of row 2" in reasons[10]
    assert "not a date" in reasons[12]
    assert "unknown language" in reasons[13]
    assert result.created == 4 and result.duplicates == 1
    assert set(respondents()) == {r[0].lower() for r in ROWS}
    assert respondents()["jana.bruskova@aero.example"].consent is True  # the first row won


def test_dry_run_writes_nothing(app, count_queries) -> None:
    result = import_survey(csv_bytes(), dry_run=True)
    assert result.dry_run and result.created == 4 and result.organisations_created == 4
    assert [row["status"] for row in result.preview] == ["new"] * 4
    assert result.preview[0]["country"] == "CZ"
    db.session.commit()
    assert count(Respondent) == 0 and count(Organisation) == 0
    import_survey(csv_bytes())
    db.session.commit()
    rows = [list(r) for r in ROWS]
    rows[0][1] = "Jana Nováková"
    result = import_survey(csv_bytes(rows), dry_run=True)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    db.session.commit()
    assert respondents()["jana.bruskova@aero.example"].contact_name == "Jana Břusková"


def test_header_synonyms_and_explicit_mapping(app) -> None:
    header = ["Email Address", "Full_Name", "organisation", "COUNTRY CODE", "Which survey wave?"]
    rows = [["x@y.example", "X Y", "Org", "hu", "2"]]
    table = read_survey_file(csv_bytes(rows, header))
    assert table.column_map == {
        "Email Address": "email",
        "Full_Name": "contact_name",
        "organisation": "organisation",
        "COUNTRY CODE": "country",
        "Which survey wave?": "raw answer",
    }
    # a header no synonym knows, mapped by hand
    header = ["Kontakt", "Cég neve", "Ország"]
    data = csv_bytes([["k@k.example", "Kft", "Magyarország"]], header)
    with pytest.raises(ServiceError) as info:
        read_survey_file(data)
    assert "no e-mail column" in info.value.message
    result = import_survey(data, mapping={"email": "kontakt", "organisation": "Cég neve"})
    db.session.commit()
    assert result.created == 1
    found = respondents()["k@k.example"]
    assert (found.organisation_name, found.country) == ("Kft", "HU")
    with pytest.raises(ServiceError) as info:
        read_survey_file(data, mapping={"email": "Mail"})
    assert info.value.field == "map_email"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\r\n  \r\n", "empty"),
        (bytes(range(256)) * 40, "neither a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, "neither a spreadsheet"),
        (b"name,city\nJana,Brno\n", "no e-mail column"),
        (b"PK\x03\x04garbage that is not a zip", "damaged"),
    ],
)
def test_unreadable_files_write_nothing(app, data, message) -> None:
    with pytest.raises(ServiceError) as info:
        import_survey(data)
    assert message in info.value.message
    assert info.value.field == "file"
    db.session.commit()
    assert count(Respondent) == 0 and count(Organisation) == 0


def test_zip_that_is_not_a_workbook_is_refused(app) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "email\nx@y.example\n")
    with pytest.raises(ServiceError, match="not an Excel workbook"):
        import_survey(out.getvalue())


def test_header_only_file_imports_nothing(app) -> None:
    result = import_survey(csv_bytes([]))
    assert (result.created, result.total) == (0, 0)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("CZ", "CZ"),
        ("cz", "CZ"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("Česko", "CZ"),
        ("Česká republika", "CZ"),
        ("ceska republika", "CZ"),
        ("Hungary", "HU"),
        ("Magyarország", "HU"),
        ("SK", "SK"),
        ("Slovakia", "SK"),
        ("Slovak Republic", "SK"),
        ("Slovensko", "SK"),
        ("Poland", "PL"),
        ("Polska", "PL"),
        ("pl", "PL"),
        ("AT", "AT"),
        ("Austria", "AT"),
        ("Deutschland", "DE"),
        (" ", None),
    ],
)
def test_countries(value, code, app) -> None:
    assert normalise_country(value) == code


@pytest.mark.parametrize("value", ["Narnia", "EU", "XX", "Czechoslovakia"])
def test_unknown_countries(value, app) -> None:
    with pytest.raises(ValueError):
        normalise_country(value)


@pytest.mark.parametrize("value", ["yes", "Y", "TRUE", "1", "ano", "Áno", "igen", "tak", "Tak"])
def test_yes(value) -> None:
    assert normalise_yes_no(value) is True


@pytest.mark.parametrize("value", ["no", "n", "False", "0", "ne", "nem", "nie", "NIE"])
def test_no(value) -> None:
    assert normalise_yes_no(value) is False


def test_yes_no_blank_and_bad() -> None:
    assert normalise_yes_no("  ") is None
    with pytest.raises(ValueError):
        normalise_yes_no("maybe")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("cs", "cs"),
        ("CZ", "cs"),
        ("cs-CZ", "cs"),
        ("Čeština", "cs"),
        ("magyar", "hu"),
        ("Slovenčina", "sk"),
        ("polski", "pl"),
        ("English", "en"),
        ("en_GB", "en"),
        ("", None),
    ],
)
def test_languages(value, code) -> None:
    assert normalise_language(value) == code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-01-05", datetime(2017, 1, 5, tzinfo=UTC)),
        ("2017-01-05T10:00:00+01:00", datetime(2017, 1, 5, 9, tzinfo=UTC)),
        ("2017-01-05T10:00:00Z", datetime(2017, 1, 5, 10, tzinfo=UTC)),
        ("5.1.2017", datetime(2017, 1, 5, tzinfo=UTC)),
        ("05. 01. 2017 14:30", datetime(2017, 1, 5, 14, 30, tzinfo=UTC)),
        ("2017.01.05.", datetime(2017, 1, 5, tzinfo=UTC)),
    ],
)
def test_dates(value, expected) -> None:
    assert normalise_datetime(value) == expected


def test_website_is_normalised(app) -> None:
    header = ["email", "website"]
    rows = [["a@a.example", "WWW.Aero-Cluster.CZ"], ["b@b.example", "https://pannon.hu/en/"]]
    import_survey(csv_bytes(rows, header))
    db.session.commit()
    found = respondents()
    assert found["a@a.example"].website == "https://www.aero-cluster.cz"
    assert found["b@b.example"].website == "https://pannon.hu/en/"


def test_columns_missing_from_a_file_are_left_alone(app) -> None:
    import_survey(csv_bytes())
    db.session.commit()
    # a later file with only e-mail and consent does not wipe names or countries
    result = import_survey(csv_bytes([["lubos@zilina.example", "no"]], ["email", "consent"]))
    db.session.commit()
    assert (result.updated, result.unchanged) == (1, 0)
    lubos = respondents()["lubos@zilina.example"]
    assert lubos.consent is False and lubos.country == "SK" and lubos.contact_name
    assert lubos.raw_answers == {"Q1 Main export market": "Czechia"}


def test_import_uses_few_queries(app, count_queries) -> None:
    rows = [
        [
            f"person{i}@example.org",
            f"Person {i}",
            f"Cluster {i % 7}",
            "CZ",
            "Brno",
            "yes",
            "no",
            "yes",
            "",
            "",
            str(i),
        ]
        for i in range(1200)
    ]
    with count_queries() as counter:
        result = import_survey(csv_bytes(rows, HEADER))
        db.session.commit()
    assert result.created == 1200
    # 3 respondent look-ups (500 a chunk), organisations, their inserts, respondent insert
    assert counter.count < 30, counter.statements
    # a big file (one scan instead of IN-lists), with a change in every tenth row
    rows += [
        [f"more{i}@example.org", f"More {i}", "Cluster 1", "CZ", "", "no", "no", "no", "", "", ""]
        for i in range(1000)
    ]
    for row in rows[::10]:
        row[1] += " Jr."
    with count_queries() as counter:
        result = import_survey(csv_bytes(rows, HEADER))
        db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (1000, 120, 1080)
    assert counter.count < 30, counter.statements
    assert respondents()["person10@example.org"].contact_name == "Person 10 Jr."


def _trimmed(records) -> list[tuple[int, list[str]]]:  # type: ignore[no-untyped-def]
    out = []
    for number, cells in records:
        while cells and cells[-1] == "":
            cells = cells[:-1]
        if cells:
            out.append((number, cells))
    return out


@pytest.mark.parametrize("maker", ["openpyxl", "excel"])
def test_streamed_xlsx_reader_matches_openpyxl(maker) -> None:
    from clusgo_events.services.survey.xlsx import read_xlsx
    from tests.survey_helpers import excel_style_xlsx, openpyxl_records

    if maker == "openpyxl":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.append(HEADER)
        for row in typed_xlsx_rows():
            sheet.append(row)
        sheet.cell(row=8, column=3, value="after a gap")
        sheet.cell(row=8, column=1, value=2.5)
        dated = sheet.cell(row=9, column=9, value=42740.25)
        dated.number_format = "DD.MM.YYYY HH:MM"
        out = io.BytesIO()
        workbook.save(out)
        data = out.getvalue()
    else:
        data = excel_style_xlsx(ROWS, HEADER)
    streamed = _trimmed(read_xlsx(data))
    assert streamed == _trimmed(openpyxl_records(data))
    assert len(streamed) >= 6


def test_excel_style_workbook_imports(app) -> None:
    from tests.survey_helpers import excel_style_xlsx

    result = import_survey(excel_style_xlsx(ROWS, HEADER))
    db.session.commit()
    assert result.kind == "xlsx" and result.created == 5 and result.rejected == []
    check_four_imported()
    typed = respondents()["typed@example.org"]
    assert typed.interested_in_event is True and typed.interested_in_training is True
    assert typed.submitted_at == datetime(2017, 1, 5, 12, tzinfo=UTC)


def test_international_addresses(app) -> None:
    """A non-ASCII domain imports (delivery sends it as IDNA); a non-ASCII local part needs a
    relay that speaks SMTPUTF8 (RFC 6531), so it is refused unless MAIL_SMTPUTF8 says so."""
    header = ["email", "contact_name"]
    rows = [
        ["jan@żółw.pl", "Jan Żółw"],
        ["jiří@example.cz", "Jiří Novák"],
        ["ondrej@xn--w-uga1v8h.pl", "Ondřej"],  # the same domain, written as IDNA
    ]
    assert app.config["MAIL_SMTPUTF8"] is False
    result = import_survey(csv_bytes(rows, header))
    db.session.commit()
    assert result.created == 2
    assert result.rejected == [
        (
            3,
            "bad e-mail 'jiří@example.cz': the mail server cannot deliver to an address with"
            " í, ř before the @",
        )
    ]
    assert set(respondents()) == {"jan@żółw.pl", "ondrej@żółw.pl"}

    app.config["MAIL_SMTPUTF8"] = True
    result = import_survey(csv_bytes(rows, header))
    db.session.commit()
    assert (result.created, result.unchanged, result.rejected) == (1, 2, [])
    assert respondents()["jiří@example.cz"].contact_name == "Jiří Novák"

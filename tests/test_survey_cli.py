"""``flask survey import FILE [--dry-run]`` through Click's runner, on real files."""

from __future__ import annotations

from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, Respondent
from tests.survey_helpers import ROWS, csv_bytes, xlsx_bytes


def respondent_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Respondent.id))) or 0


def test_import_prints_counts_and_rejected_rows(app, runner, tmp_path) -> None:
    rows = [list(r) for r in ROWS]
    rows.append(["broken@", "X", "X", "CZ", "", "yes", "yes", "yes", "", "", ""])  # row 6
    rows.append(["z@z.example", "Z", "X", "Atlantis", "", "yes", "yes", "yes", "", "", ""])  # 7
    path = tmp_path / "survey.csv"
    path.write_bytes(csv_bytes(rows, delimiter=";", encoding="cp1250"))
    result = runner.invoke(args=["survey", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "cp1250" in result.output and "';'" in result.output
    assert "created: 4  updated: 0  unchanged: 0  rejected: 2" in result.output
    assert "row 6: bad e-mail 'broken@'" in result.output
    assert "row 7: unknown country 'Atlantis'" in result.output
    assert respondent_count() == 4

    again = runner.invoke(args=["survey", "import", str(path)])
    assert again.exit_code == 0
    assert "created: 0  updated: 0  unchanged: 4  rejected: 2" in again.output


def test_dry_run_writes_nothing(app, runner, tmp_path) -> None:
    path = tmp_path / "survey.xlsx"
    path.write_bytes(xlsx_bytes())
    result = runner.invoke(args=["survey", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "XLSX" in result.output
    assert "created: 4" in result.output and "Dry run: nothing was written." in result.output
    assert respondent_count() == 0


def test_unreadable_file_exits_non_zero_and_writes_nothing(app, runner, tmp_path) -> None:
    for name, data, message in [
        ("garbage.csv", bytes(range(256)) * 20, "neither a spreadsheet"),
        ("empty.csv", b"", "empty"),
        ("noemail.csv", b"name;country\nJana;CZ\n", "no e-mail column"),
        ("fake.xlsx", b"PK\x03\x04not really", "damaged"),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        result = runner.invoke(args=["survey", "import", str(path)])
        assert result.exit_code != 0, name
        assert message in result.output and "Nothing was imported" in result.output
    assert respondent_count() == 0


def test_missing_file_is_an_error(app, runner, tmp_path) -> None:
    result = runner.invoke(args=["survey", "import", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_import_leaves_the_same_trace_as_the_page(app, runner, tmp_path) -> None:
    """The import operation writes its audit entry: from the command line, with the source
    "cli", the file's name and the counts; a dry run writes none."""
    path = tmp_path / "answers-2017.csv"
    path.write_bytes(csv_bytes())
    assert runner.invoke(args=["survey", "import", str(path), "--dry-run"]).exit_code == 0
    db.session.rollback()
    assert db.session.scalars(select(AuditEntry)).all() == []
    assert runner.invoke(args=["survey", "import", str(path)]).exit_code == 0
    db.session.rollback()
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.source, entry.user_id) == ("survey.import", "cli", None)
    assert entry.details["file"] == "answers-2017.csv"
    assert (entry.details["created"], entry.details["rejected"]) == (4, 0)

"""The organisers' survey pages: upload, preview, confirm, respondents."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, Event, InvitationStatus, Respondent
from tests import factories
from tests.survey_helpers import ROWS, csv_bytes, xlsx_bytes


def respondent_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Respondent.id))) or 0


def upload(client, data: bytes, name: str = "survey.csv", **mapping: str):  # type: ignore[no-untyped-def]
    form = {"file": (io.BytesIO(data), name)}
    form.update({f"map_{k}": v for k, v in mapping.items()})
    return client.post("/survey/import", data=form, content_type="multipart/form-data")


def upload_id(html: str) -> str:
    match = re.search(r'name="upload_id"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="upload_id"', html
    )
    assert match, html
    return match.group(1)


@pytest.mark.parametrize("role", ["trainer", "representative"])
def test_only_organisers(client, auth, users, role) -> None:
    auth.login_as(users[role])
    assert client.get("/survey/import").status_code == 403
    assert upload(client, csv_bytes()).status_code == 403
    assert client.post("/survey/import/confirm", data={"upload_id": "x" * 32}).status_code == 403
    assert client.get("/survey/respondents").status_code == 403
    assert respondent_count() == 0


def test_anonymous_is_sent_to_log_in(client) -> None:
    response = client.get("/survey/respondents")
    assert "/auth/login" in response.headers["Location"]


def test_preview_then_confirm(app, client, auth, users) -> None:
    auth.login_as(users["organiser"])
    page = client.get("/survey/import")
    assert page.status_code == 200 and b'enctype="multipart/form-data"' in page.data
    rows = [list(r) for r in ROWS] + [["oops", "X", "X", "CZ", "", "yes", "", "", "", "", ""]]
    response = upload(client, csv_bytes(rows, delimiter=";", encoding="cp1250"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing has been imported yet" in html
    assert 'id="count-created">4<' in html and 'id="count-rejected">1<' in html
    assert "cp1250" in html and "semicolon" in html
    assert "bad e-mail &#39;oops&#39;" in html
    assert "Jana Břusková" in html and "Łódź Textile Cluster" in html
    assert "Q1 Main export market" in html and "raw answer" in html
    assert respondent_count() == 0  # a preview writes nothing

    token = upload_id(html)
    folder = app.config["INSTANCE_TMP"] + "/survey-uploads"
    assert any(p.endswith(".data") for p in __import__("os").listdir(folder))
    done = client.post("/survey/import/confirm", data={"upload_id": token})
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "The survey file was imported." in text
    assert 'id="count-created">4<' in text
    assert respondent_count() == 4
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "survey.import")).one()
    assert entry.details["created"] == 4 and entry.details["file"] == "survey.csv"
    assert (entry.source, entry.user_id) == ("web", users["organiser"].id)  # the preview: none

    # the same id again: the kept file is gone
    stale = client.post("/survey/import/confirm", data={"upload_id": token}, follow_redirects=True)
    assert "unknown or has expired" in stale.get_data(as_text=True)
    assert respondent_count() == 4


def test_confirm_with_an_unknown_id(client, auth, users) -> None:
    auth.login_as(users["organiser"])
    for bad in ["A" * 32, "../../etc/passwd", ""]:
        response = client.post(
            "/survey/import/confirm", data={"upload_id": bad}, follow_redirects=True
        )
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "unknown or has expired" in text or "upload the file again" in text


def test_xlsx_upload_and_manual_mapping(client, auth, users) -> None:
    auth.login_as(users["organiser"])
    header = ["Kontakt", "Cég", "Ország", "Hozzájárulás"]
    data = xlsx_bytes([["k@k.example", "Kft", "Magyarország", "igen"]], header)
    refused = upload(client, data, "answers.xlsx")
    assert "no e-mail column" in refused.get_data(as_text=True)
    wrong = upload(client, data, "answers.xlsx", email="Mail")
    assert "The file has no column" in wrong.get_data(as_text=True)
    preview = upload(client, data, "answers.xlsx", email="Kontakt", organisation="cég")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "XLSX" in html and 'id="count-created">1<' in html
    client.post("/survey/import/confirm", data={"upload_id": upload_id(html)})
    found = db.session.scalar(select(Respondent))
    assert (found.email, found.organisation_name, found.country, found.consent) == (
        "k@k.example",
        "Kft",
        "HU",
        True,
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (bytes(range(256)) * 10, "survey.csv", "neither a spreadsheet"),
        (b"", "survey.csv", "empty"),
        (b"PK\x03\x04zzzz", "survey.xlsx", "damaged"),
        (csv_bytes(), "survey.xlsx", "Preview"),  # content decides, not the name
    ],
)
def test_content_not_extension_decides(client, auth, users, data, name, message) -> None:
    auth.login_as(users["organiser"])
    response = upload(client, data, name)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert respondent_count() == 0


def test_upload_over_max_content_length_is_refused_kindly(app, client, auth, users) -> None:
    auth.login_as(users["organiser"])
    app.config["MAX_CONTENT_LENGTH"] = 2000
    response = upload(client, csv_bytes(ROWS * 30))
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "The file is too large" in text and "Survey file" in text
    assert respondent_count() == 0


def test_upload_over_survey_limit_is_refused(app, client, auth, users) -> None:
    auth.login_as(users["organiser"])
    app.config["SURVEY_MAX_UPLOAD"] = 1000
    response = upload(client, csv_bytes(ROWS * 10))
    assert response.status_code == 413
    assert "The file is too large: the limit is" in response.get_data(as_text=True)
    assert respondent_count() == 0


def make_respondents(n: int, invited_every: int = 3) -> None:
    """``n`` respondents of five countries with mixed answers; every third one invited."""
    event = factories.event("brno", title="Brno", days=1)
    countries = ["CZ", "HU", "SK", "PL", "AT"]
    people = [
        factories.respondent(
            f"p{i}@example.org",
            contact_name=f"Person {i}",
            organisation_name=f"Cluster {i}",
            country=countries[i % 5],
            interested_in_event=i % 2 == 0,
            interested_in_training=i % 3 == 0,
            consent=i % 4 != 0,
        )
        for i in range(n)
    ]
    for person in people[::invited_every]:
        factories.invitation(event, person, InvitationStatus.QUEUED)
    db.session.commit()


def test_respondents_list_makes_constant_queries(client, auth, users, count_queries) -> None:
    auth.login_as(users["organiser"])
    make_respondents(5)
    with count_queries() as five:
        assert client.get("/survey/respondents").status_code == 200
    db.session.rollback()
    db.session.execute(Respondent.__table__.delete().where(Respondent.email.like("p%")))
    db.session.execute(Event.__table__.delete())
    db.session.commit()
    make_respondents(50)
    with count_queries() as fifty:
        response = client.get("/survey/respondents")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("@example.org</td>") == 50
    assert five.count == fifty.count, (five.statements, fifty.statements)


def test_respondents_filters_counts_and_pages(client, auth, users) -> None:
    auth.login_as(users["organiser"])
    make_respondents(120)
    page = client.get("/survey/respondents").get_data(as_text=True)
    assert "120 respondents" in page
    assert page.count("@example.org</td>") == 50 and "page=3" in page
    assert "<svg" in page and "<rect" in page and "<script>" not in page
    assert re.search(r"Czechia.*?<td class=\"text-end\">24</td>", page, re.S)

    def count_for(query: str) -> int:
        text = client.get("/survey/respondents?" + query).get_data(as_text=True)
        match = re.search(r"(\d+) respondents? match", text)
        assert match, text
        return int(match.group(1))

    assert count_for("country=HU") == 24
    assert count_for("interested_in_event=yes") == 60
    assert count_for("interested_in_training=no") == 80
    assert count_for("consent=no") == 30
    assert count_for("invited=yes") == 40
    assert count_for("invited=no") == 80
    assert count_for("country=CZ&invited=yes&consent=yes") == len(
        [i for i in range(0, 120, 3) if i % 5 == 0 and i % 4 != 0]
    )
    assert count_for("q=person 11") == 11  # 11, 110-119
    # nonsense filters get a message, not an error
    bad = client.get("/survey/respondents?country=XX&consent=maybe&page=zz&q=" + "x" * 300)
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    assert text.count("Not a valid choice") == 2 and "longer than 100" in text
    assert "120 respondents match" in text  # the bad filters are ignored
    # a NUL (PostgreSQL text holds none) and a page beyond the OFFSET's range: no error
    nul = client.get("/survey/respondents?q=%00person 11")
    assert nul.status_code == 200 and "11 respondents match" in nul.get_data(as_text=True)
    assert client.get(f"/survey/respondents?page={10**20}").status_code == 200
    beyond = client.get("/survey/respondents?country=CZ&page=9")
    assert beyond.status_code == 200 and "No respondents on this page" in beyond.get_data(
        as_text=True
    )


def test_nav_link_for_organisers_only(client, auth, users) -> None:
    auth.login_as(users["organiser"])
    assert b'href="/survey/respondents"' in client.get("/events/").data
    auth.logout()
    auth.login_as(users["trainer"])
    assert b'href="/survey/respondents"' not in client.get("/events/").data


def _real_png() -> bytes:
    from clusgo_events.services.registration import qr_png

    data = qr_png("not a survey")
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return data


def _zip_renamed() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("email.csv", "email\nx@y.example\n")
    return out.getvalue()


def _gzip_csv() -> bytes:
    import gzip

    return gzip.compress(csv_bytes())


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (_real_png, "survey.csv", "neither a spreadsheet"),
        (_real_png, "survey.xlsx", "neither a spreadsheet"),
        (_zip_renamed, "survey.xlsx", "not an Excel workbook"),
        (_gzip_csv, "survey.csv", "neither a spreadsheet"),
    ],
)
def test_renamed_binary_files_are_refused_by_content(
    client, auth, users, make, name, message
) -> None:
    """A picture or archive with a survey's extension is refused for what it is."""
    auth.login_as(users["organiser"])
    response = upload(client, make(), name)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert message in text and 'name="upload_id"' not in text
    assert respondent_count() == 0


@pytest.mark.parametrize(
    ("make", "name", "kind"),
    [
        (lambda: xlsx_bytes(), "survey.csv", "XLSX"),  # a workbook saved with a .csv name
        (lambda: csv_bytes(), "survey.xlsx", "CSV"),  # a CSV saved with an .xlsx name
        (lambda: csv_bytes(), "survey.png", "CSV"),
    ],
)
def test_renamed_survey_files_import_by_content(client, auth, users, make, name, kind) -> None:
    auth.login_as(users["organiser"])
    preview = upload(client, make(), name)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and f"<strong>{kind}</strong>" in html
    client.post("/survey/import/confirm", data={"upload_id": upload_id(html)})
    assert respondent_count() == len(ROWS)


def test_rejections_and_refusals_are_in_the_organisers_language(client, auth, users) -> None:
    auth.login_as(users["organiser"])
    client.get("/survey/import?lang=cs")
    rows = [list(r) for r in ROWS]
    rows.append(["a@narnia.example", "A", "X", "Narnia", "", "maybe", "", "", "", "", ""])
    rows.append(["<b>x</b>", "B", "X", "CZ", "", "", "", "", "", "", ""])
    html = upload(client, csv_bytes(rows)).get_data(as_text=True)
    assert "neznámá země &#39;Narnia&#39;" in html
    assert "neplatný e-mail &#39;&lt;b&gt;x&lt;/b&gt;&#39;" in html  # escaped, not markup
    refused = upload(client, b"name,city\nJana,Brno\n").get_data(as_text=True)
    assert "Soubor nemá sloupec s e-mailem" in refused
    stale = client.post(
        "/survey/import/confirm", data={"upload_id": "A" * 32}, follow_redirects=True
    )
    assert "Tento nahraný soubor neznáme nebo mu vypršela platnost" in stale.get_data(as_text=True)

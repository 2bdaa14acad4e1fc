"""Attendance downloads served as a WSGI server serves them: every format, event and session.

The other tests run their requests inside the test's own application context, which outlives
the request, so a streamed body that still needs the request's database objects works there
and fails under gunicorn (the event-wide CSV answered 500 every time: DetachedInstanceError).
``served`` runs each request in a context of its own, so the request's application context and
its database session end when the view returns, before the body is read.
"""

from __future__ import annotations

import contextvars
import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from clusgo_events.extensions import db
from clusgo_events.models import AttendanceStatus, Role
from tests import factories as f
from tests.conftest import AuthActions


def served(client, url: str) -> tuple[int, bytes]:  # type: ignore[no-untyped-def]
    """GET ``url`` in a fresh context, reading the whole (possibly streamed) body."""

    def fetch() -> tuple[int, bytes]:
        with client.get(url) as response:
            return response.status_code, response.get_data()

    return contextvars.Context().run(fetch)


def _texts(fmt: str, body: bytes) -> str:
    """Everything a reader of the file sees, as one text."""
    if fmt == "csv":
        return "\n".join(",".join(row) for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            ",".join(str(v) for v in row if v is not None)
            for row in book.active.iter_rows(values_only=True)
        )
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture()
def world(app, clock):  # type: ignore[no-untyped-def]
    trainer = f.user(Role.TRAINER)
    organiser = f.user(Role.ORGANISER)
    event = f.event(title="V4ClusGo Brno")
    first = f.session(event, trainers=[trainer], title="Strategie internacionalizace")
    second = f.session(event, trainers=[trainer], hour=14, title="Exportní trhy")
    people = [f.registration(event, n, sessions=[first, second]) for n in range(4)]
    f.attendance(first, people[0], AttendanceStatus.PRESENT, by=trainer)
    f.attendance(second, None, AttendanceStatus.LATE, by=trainer, name="Jiří Příchozí")
    db.session.commit()
    return {
        "trainer": trainer.email,
        "organiser": organiser.email,
        "slug": event.slug,
        "sessions": [first.id, second.id],
        "names": [p.name for p in people],
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
@pytest.mark.parametrize("blank", [False, True])
def test_event_list_in_every_format(client, world, fmt: str, blank: bool) -> None:
    AuthActions(client).login(world["organiser"])
    query = "?blank=1" if blank else ""
    status, body = served(client, f"/attendance/events/{world['slug']}/attendance.{fmt}{query}")
    assert status == 200
    text = _texts(fmt, body)
    for name in world["names"]:
        assert name in text
    assert "Strategie internacionalizace" in text and "Exportní trhy" in text
    # a blank sign-in sheet carries no marks and no walk-ins' names
    assert ("Jiří Příchozí" in text) is not blank


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
@pytest.mark.parametrize("blank", [False, True])
def test_session_list_in_every_format(client, world, fmt: str, blank: bool) -> None:
    AuthActions(client).login(world["trainer"])
    query = "?blank=1" if blank else ""
    session_id = world["sessions"][1]
    status, body = served(client, f"/attendance/sessions/{session_id}/attendance.{fmt}{query}")
    assert status == 200
    text = _texts(fmt, body)
    for name in world["names"]:
        assert name in text
    assert "Exportní trhy" in text and "Strategie internacionalizace" not in text
    assert ("Jiří Příchozí" in text) is not blank


def test_lists_and_refusals_in_the_readers_language(client, world) -> None:
    AuthActions(client).login(world["organiser"])
    status, body = served(client, f"/attendance/events/{world['slug']}/attendance.csv?lang=cs")
    # Czech Excel separates with a semicolon (services/csv_dialect.py)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Akce", "Školení", "Začátek školení", "Účastník"]
    assert {"přítomen", "nezapsáno"} <= {row[6] for row in rows[1:]}
    status, body = served(
        client, f"/attendance/sessions/{world['sessions'][0]}/attendance.pdf?lang=pl"
    )
    assert "Podpis" in _texts("pdf", body) and "Strona 1 z 1" in _texts("pdf", body)
    refused = client.post(
        f"/attendance/sessions/{world['sessions'][0]}/check-in?lang=hu",
        data={"code": "NOSUCHCODE"},
        headers={"Accept": "application/json"},
    )
    assert refused.get_json()["error"] == "Ez a kód egyik regisztrációhoz sem tartozik."

"""Sign-in sheets a funder accepts, read back with pypdf: long names wrap (nothing is cut),
check-in date and time, logos and the funder's line on every page, page N of M across the
documents merged for a long sheet; logo uploads checked by content."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale, format_date, format_time, refresh
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import AttendanceStatus, AuditEntry, ReportLogo, Role
from clusgo_events.services import ServiceError
from clusgo_events.services.attendance import logos, sign_in_sheet
from clusgo_events.services.attendance.rows import naive_local
from clusgo_events.services.attendance.settings import ReportSettingsData, update_settings
from tests import factories as f

LONG_ORG = "Moravský strojírenský klastr – zájmové sdružení právnických osob pro inovace v průmyslu"
LONG_NAME = "Maria Magdalena Wiśniewska-Brzęczyszczykiewicz-Żółtowska"


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(out, format=fmt)
    return out.getvalue()


def squeezed(text: str) -> str:
    """``text`` without any white space (a wrapped line breaks between words)."""
    return "".join(text.split())


@pytest.fixture()
def world(app, clock):  # type: ignore[no-untyped-def]
    trainer = f.user(Role.TRAINER)
    organiser = f.user(Role.ORGANISER)
    event = f.event()
    session = f.session(event, trainers=[trainer], title="Strategie internacionalizace")
    long = f.registration(event, 3, sessions=[session], name=LONG_NAME, organisation_name=LONG_ORG)
    others = [f.registration(event, n, sessions=[session]) for n in range(3)]
    record = f.attendance(session, long, AttendanceStatus.PRESENT, by=trainer)
    db.session.commit()
    return {
        "event": event,
        "session": session,
        "long": long,
        "others": others,
        "record": record,
        "organiser": organiser,
    }


def _text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_long_names_wrap_whole(world) -> None:
    _, text = _text(sign_in_sheet.build_pdf([world["session"]]))
    assert "…" not in text
    assert squeezed(LONG_ORG) in squeezed(text) and squeezed(LONG_NAME) in squeezed(text)
    assert "present" in text


def test_check_in_date_and_time(world) -> None:
    record = world["record"]
    local = naive_local(record.checked_in_at, world["event"].timezone)
    with force_locale("cs"):
        _, text = _text(sign_in_sheet.build_pdf([world["session"]]))
        stamp = f"{format_date(local.date(), 'short')} {format_time(local.time(), 'short')}"
    assert squeezed(stamp) in squeezed(text)
    assert "Podpis" in text and "Strana 1 z 1" in text


def test_logos_and_funders_line_on_every_page(world) -> None:
    event, session = world["event"], world["session"]
    for n in range(70):
        f.registration(event, n, sessions=[session], name=f"Účastník {n:03d}")
    logos.add_logo(event, "event", "brno.png", image_bytes(), world["organiser"])
    logos.add_logo(event, "partner", "partner.jpg", image_bytes("JPEG"), world["organiser"])
    db.session.commit()
    reader, _ = _text(sign_in_sheet.build_pdf([session]))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        assert len(page.images) == 2
        assert "Co-financed by the International Visegrad Fund" in page.extract_text()
    with force_locale("hu"):
        _, text = _text(sign_in_sheet.build_pdf([session]))
    assert "A Nemzetközi Visegrádi Alap társfinanszírozásával" in text
    update_settings(event, ReportSettingsData(funder_line=False), world["organiser"])
    db.session.commit()
    _, text = _text(sign_in_sheet.build_pdf([session]))
    assert "Visegrad" not in text


def test_long_sheet_merged_page_n_of_m(world, monkeypatch) -> None:
    event, session = world["event"], world["session"]
    second = f.session(event, hour=15, title="Exportní trhy")
    for n in range(130):
        f.registration(event, n, sessions=[session, second], name=f"Účastník {n:03d} Řeřicha")
    db.session.commit()
    monkeypatch.setattr(sign_in_sheet, "CHUNK_PAGES", 2)  # several documents, merged
    reader, text = _text(sign_in_sheet.build_pdf([session, second]))
    per_session: dict[str, list[str]] = {"Strategie": [], "Exportní": []}
    for page in reader.pages:
        page_text = page.extract_text()
        key = "Strategie" if "Strategie internacionalizace" in page_text else "Exportní"
        per_session[key].append(page_text)
    for pages in per_session.values():
        assert len(pages) >= 3
        for n, page_text in enumerate(pages, 1):
            assert f"Page {n} of {len(pages)}" in page_text
            assert "Signature" in page_text
    assert text.count("Účastník 129 Řeřicha") == 2
    assert reader.metadata.title == "Attendance sign-in sheet"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose an image file."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "Upload a PNG or JPEG image."),
        (image_bytes("GIF"), "Upload a PNG or JPEG image."),
        (image_bytes("PNG")[:60], "Upload a PNG or JPEG image."),
        (image_bytes("PNG", (4001, 10)), "larger than 4000 pixels"),
        (b"\x89PNG" + b"\0" * (logos.MAX_BYTES + 1), "larger than 1024 kB"),
    ],
)
def test_uploads_checked_by_content(world, data: bytes, message: str) -> None:
    with pytest.raises(ServiceError) as refused:
        logos.add_logo(world["event"], "event", "logo.png", data, world["organiser"])
    assert message in refused.value.message
    assert db.session.scalar(select(func.count()).select_from(ReportLogo)) == 0


def test_a_jpeg_named_png_is_taken_for_what_it_is(world) -> None:
    logo = logos.add_logo(
        world["event"], "partner", "x.png", image_bytes("JPEG", (2400, 800)), world["organiser"]
    )
    assert Image.open(io.BytesIO(logo.data)).format == "PNG"
    assert (logo.width, logo.height) == (1200, 400)  # scaled down to the stored box


def test_logo_pages(world, client, auth) -> None:
    event = world["event"]
    auth.login_as(world["organiser"])
    refresh()
    url = f"/attendance/events/{event.slug}/report"
    bad = client.post(
        f"{url}/logos",
        data={"kind": "event", "image": (io.BytesIO(b"GIF89a not really"), "logo.png")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 200 and "Upload a PNG or JPEG image." in bad.get_data(as_text=True)
    done = client.post(
        f"{url}/logos",
        data={"kind": "partner", "image": (io.BytesIO(image_bytes()), "partner.png")},
        content_type="multipart/form-data",
    )
    assert done.headers["Location"].endswith(url)
    logo = db.session.scalar(select(ReportLogo))
    page = client.get(url).get_data(as_text=True)
    assert "partner.png" in page and "120 × 40 px" in page
    remove = f"{url}/logos/{logo.id}/delete"
    question = client.get(remove).get_data(as_text=True)
    assert "Remove the logo partner.png?" in question and "You can upload it again." in question
    assert db.session.scalar(select(func.count()).select_from(ReportLogo)) == 1
    assert client.post(remove).headers["Location"].endswith(url)
    assert logos.logos_of(event) == [] and logo.data == b""
    assert client.post(remove).headers["Location"].endswith(url)  # a second click: done
    assert client.get(remove).status_code == 404
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"event.logo_add", "event.logo_remove"} <= actions
    other = f.event()
    db.session.commit()
    assert (
        client.get(f"/attendance/events/{other.slug}/report/logos/{logo.id}/delete").status_code
        == 404
    )

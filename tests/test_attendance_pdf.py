"""Names in every script print on the PDF sign-in sheet and the certificate, read back by pypdf.

DejaVu Sans has no Chinese, Japanese or Korean glyphs, so 王小明 printed blank; the fallback
font prints it, and a character that no font has shows as U+FFFD, never as nothing.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import AttendanceStatus, Registration, Role
from clusgo_events.services.attendance.certificates import certificate_pdf
from clusgo_events.services.attendance.pdf_text import REPLACEMENT
from clusgo_events.services.attendance.sign_in_sheet import build_pdf
from tests import factories as f

CJK = ["王小明", "山田 太郎", "김민수"]
THAI = "สมชาย"  # in neither font


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    return {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


@pytest.fixture()
def session(app, clock):  # type: ignore[no-untyped-def]
    trainer = f.user(Role.TRAINER, name="李老师")
    event = f.event(title="V4ClusGo Brno 布尔诺")
    training = f.session(event, trainers=[trainer], title="Strategie internacionalizace")
    for n, name in enumerate([*CJK, THAI]):
        person = f.registration(event, n, name=name, sessions=[training])
        f.attendance(training, person, AttendanceStatus.PRESENT, by=trainer)
    f.registration(event, 1, sessions=[training])
    db.session.commit()
    return training


@pytest.mark.parametrize("blank", [False, True])
def test_sign_in_sheet_prints_cjk_names(session, blank: bool) -> None:
    data = build_pdf([session], blank=blank)
    text = _text(data)
    for name in CJK:
        assert name in text
    assert "Szőke-Fűzfa Győző" in text  # the V4 letters still come from DejaVu
    assert "布尔诺" in text and "李老师" in text  # the page header too
    assert THAI not in text and REPLACEMENT * len(THAI) in text
    assert any("Droid" in font for font in _fonts(data))


def test_a_sheet_without_cjk_does_not_embed_the_fallback(app, clock) -> None:
    event = f.event()
    training = f.session(event, trainers=[f.user(Role.TRAINER)])
    f.registration(event, 0, sessions=[training])
    db.session.commit()
    data = build_pdf([training])
    assert "Řehoř Dvořák" in _text(data)
    assert not any("Droid" in font for font in _fonts(data))


def test_certificate_prints_a_cjk_name(session) -> None:
    person = db.session.scalar(select(Registration).where(Registration.name == "王小明"))
    text = _text(certificate_pdf(person, [session]))
    assert "王小明" in text and "布尔诺" in text

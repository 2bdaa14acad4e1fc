"""Attendance on a phone in a real browser: one-tap marks without a reload (CSRF on),
a typed code, and a QR code read by jsQR from a (fake) camera."""

from __future__ import annotations

from pathlib import Path

import segno

from clusgo_events.extensions import db
from clusgo_events.services import attendance as att
from tests.attendance_helpers import make_event, make_registration, make_session, populate
from tests.conftest import make_user
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, has_horizontal_scroll, login


def _world():  # type: ignore[no-untyped-def]
    trainer = make_user("trainer", "trainer@example.org", name="Tomáš Třešňák")
    event = make_event()
    session = make_session(event, trainers=[trainer])
    regs = populate(event, session)
    scanned = make_registration(
        event, "Ágnes Kővári", "Pannon", "HU", sessions=[session], code="a1b2c3d4e5f60718"
    )
    db.session.commit()
    return trainer, session, regs, scanned


def test_trainer_marks_on_a_phone(app, live_server, browser_page, screenshots) -> None:
    trainer, session, regs, _ = _world()
    page = browser_page(phone=True)
    login(page, live_server, trainer.email)
    page.goto(live_server("/attendance/"))
    page.click(f"text={session.title}")
    page.wait_for_url(live_server(f"/attendance/sessions/{session.id}"))
    assert not has_horizontal_scroll(page)
    screenshots.take(page, "roster")

    # the session has not started yet: the roster asks once before marks can be made
    page.click("form[action$='/start-early'] [type=submit]")
    page.wait_for_url(live_server(f"/attendance/sessions/{session.id}"))
    page.evaluate("window.__sameDocument = true")
    row = page.locator(f"#r{regs[0].id}")
    top = f"document.getElementById('r{regs[1].id}').getBoundingClientRect().top + scrollY"
    before = page.evaluate(top)
    row.locator("button[value=late]").tap()
    page.wait_for_selector(f"#r{regs[0].id}[data-status=late]")
    assert page.evaluate("window.__sameDocument") is True  # no reload
    # the message floats: the rows under the finger did not move
    assert page.evaluate(top) == before
    assert (
        page.evaluate("getComputedStyle(document.getElementById('att-message')).position")
        == "fixed"
    )
    assert page.inner_text("[data-count=late]") == "1"
    assert "late" in page.inner_text("#att-message").lower()
    db.session.expire_all()
    record = att.find_record(session, regs[0])
    assert record.status == "late" and record.marked_by_id == trainer.id

    page.fill("#code", regs[1].checkin_code)
    page.click("form.js-checkin button[type=submit]")
    page.wait_for_selector(f"#r{regs[1].id}[data-status=present]")
    page.fill("#code", regs[1].checkin_code)
    page.click("form.js-checkin button[type=submit]")
    page.locator("#att-message", has_text="already checked in").wait_for()
    # a refused code answers 409 with its reason, shown on the page
    browser_page.expected_failures.add(live_server(f"/attendance/sessions/{session.id}/check-in"))
    page.fill("#code", "ffffffffffffffff")
    page.click("form.js-checkin button[type=submit]")
    page.locator("#att-message", has_text="No registration has this code").wait_for()
    assert page.evaluate("window.__sameDocument") is True
    screenshots.take(page, "after marking")


def _qr_video(text: str, target: Path, width: int = 640, height: int = 480) -> Path:
    """A one-frame Y4M video of a QR code, for chromium's fake camera."""
    rows = [list(r) for r in segno.make(text, error="m").matrix_iter(scale=8, border=4)]
    size = len(rows)
    left, top = (width - size) // 2, (height - size) // 2
    luma = bytearray([235]) * (width * height)
    for y, line in enumerate(rows):
        for x, dark in enumerate(line):
            if dark:
                luma[(top + y) * width + left + x] = 16
    chroma = bytes([128]) * (width * height // 4)
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    target.write_bytes(header + b"FRAME\n" + bytes(luma) + chroma + chroma)
    return target


def test_qr_code_read_by_the_camera(app, live_server, browser, tmp_path: Path) -> None:
    trainer, session, _, scanned = _world()
    video = _qr_video(scanned.checkin_code, tmp_path / "qr.y4m")
    camera = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        login(page, live_server, trainer.email)
        page.goto(live_server(f"/attendance/sessions/{session.id}"))
        page.click("#qr-start")
        page.wait_for_selector(f"#r{scanned.id}[data-status=present]", timeout=15_000)
        assert "Ágnes Kővári checked in" in page.inner_text("#att-message")
        assert not errors, errors
        context.close()
    finally:
        camera.close()
    db.session.expire_all()
    assert att.find_record(session, scanned).method == "qr"


def test_organiser_summary_and_downloads(app, live_server, browser_page, screenshots) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from tests.e2e.conftest import download

    trainer, session, regs, scanned = _world()
    organiser = make_user("organiser", "organiser@example.org", name="Olga Organiserová")
    att.mark(session, registration=regs[0], status="present", by=trainer)
    att.mark(session, registration=regs[1], status="late", by=trainer)
    att.mark(session, registration=scanned, status="present", by=trainer)
    att.add_walk_in(session, att.WalkInData("Žofie Walk-in", "Nový klastr", "CZ"), trainer)
    db.session.commit()
    page = browser_page()
    login(page, live_server, organiser.email)
    page.click("nav >> text=Attendance")
    page.click(f"a[href='/attendance/events/{session.event.slug}']")
    page.wait_for_url(live_server(f"/attendance/events/{session.event.slug}"))
    assert "60 %" in page.inner_text("table")
    screenshots.take(page, "summary")
    sheet = load_workbook(download(page, "a:has-text('XLSX')")).active
    assert "Ľubomír Ďurčo-Kráľ" in [c.value for row in sheet.iter_rows() for c in row]
    pdf = PdfReader(download(page, "a:has-text('Blank sign-in sheets')"))
    assert "Ágnes Kővári" in pdf.pages[0].extract_text()

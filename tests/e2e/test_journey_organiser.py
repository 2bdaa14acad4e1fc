"""Journey: an organiser creates an event with a session and publishes it; phones can read it.

The journeys of issue 7 (survey import and invitations, a representative's registration, a
trainer's attendance) reuse these fixtures: see tests/e2e/conftest.py.
"""

from __future__ import annotations

import smtplib
from datetime import datetime, time, timedelta
from email.message import EmailMessage

from clusgo_events.extensions import db
from clusgo_events.models import Event, User
from clusgo_events.services.timeutil import format_local, local_to_utc
from tests.conftest import make_user
from tests.e2e.conftest import download, flask_command, has_horizontal_scroll, login, mail_links
from tests.factories import day_with_offset


def test_organiser_publishes_an_event(app, live_server, browser_page, screenshots) -> None:
    organiser = make_user("organiser", "organiser@example.org", name="Olga Organiser")
    trainer = make_user("trainer", "trainer@example.org", name="Tomáš Trainer")
    page = browser_page()
    winter = day_with_offset(1, after_days=30)  # a day of CET a month or more from now

    login(page, live_server, organiser.email)
    screenshots.take(page, "events after log-in")

    page.goto(live_server("/events/new"))
    page.fill("input[name=title]", "V4ClusGo internationalisation event")
    page.fill("input[name=slug]", "brno-2030")
    page.fill("textarea[name=description]", "Trainings on internationalisation strategy")
    page.fill("input[name=venue]", "Brno Exhibition Centre")
    page.select_option("select[name=timezone]", "Europe/Prague")
    page.fill("input[name=starts_local]", f"{winter}T09:00")
    page.fill("input[name=ends_local]", f"{winter + timedelta(days=1)}T17:00")
    page.fill("input[name=capacity]", "120")
    screenshots.take(page, "new event form")
    page.click("form [type=submit][name=submit]")
    page.wait_for_url(live_server("/events/brno-2030"))
    assert "draft" in page.inner_text("h1")

    page.click("text=Add session")
    page.fill("input[name=title]", "Preparing an internationalisation strategy")
    page.fill("input[name=room]", "Hall A")
    page.fill("input[name=starts_local]", f"{winter}T10:00")
    page.fill("input[name=ends_local]", f"{winter}T12:30")
    page.fill("input[name=capacity]", "25")
    page.select_option("select[name=trainer_ids]", str(trainer.id))
    screenshots.take(page, "new session form")
    page.click("form [type=submit][name=submit]")
    page.wait_for_url(live_server("/events/brno-2030"))
    programme = page.inner_text(".list-group")
    assert "Preparing an internationalisation strategy" in programme
    session_start = local_to_utc(datetime.combine(winter, time(10)), "Europe/Prague")
    shown = format_local(session_start, "Europe/Prague")  # as the page writes it
    assert "Tomáš Trainer" in programme and shown in programme and shown.endswith(" CET")

    page.click("button:has-text('Publish')")
    page.wait_for_url(live_server("/events/brno-2030"))
    assert "The event is published." in page.inner_text("main")
    assert "draft" not in page.inner_text("h1")
    screenshots.take(page, "published event")

    db.session.expire_all()
    event = db.session.scalar(db.select(Event).where(Event.slug == "brno-2030"))
    assert event is not None and event.status == "published"
    assert [s.title for s in event.sessions] == ["Preparing an internationalisation strategy"]

    # a visitor on a phone: the event page fits the screen, the menu opens (Bootstrap's JS
    # runs under the Content-Security-Policy)
    phone = browser_page(phone=True)
    phone.goto(live_server("/events/brno-2030"))
    assert "V4ClusGo internationalisation event" in phone.inner_text("h1")
    assert not has_horizontal_scroll(phone), "the event page scrolls sideways on a phone"
    screenshots.take(phone, "event on a phone")
    assert not phone.is_visible("#nav a:has-text('Log in')")
    phone.click("button.navbar-toggler")
    phone.wait_for_selector("#nav.show a:has-text('Log in')")
    screenshots.take(phone, "phone menu open", full_page=False)
    assert len(screenshots.files) == 6


def test_smtp_catcher_receives_real_mail(live_server, smtp_catcher) -> None:
    """The catcher the journeys read mail from is a real SMTP server on loopback."""
    message = EmailMessage()
    message["From"] = "ClusGo Events <no-reply@clusgo.example>"
    message["To"] = "Zuzana Nováková <zuzana@example.sk>"
    message["Subject"] = "Pozvánka na podujatie"
    message.set_content(
        f"Dobrý deň, {live_server('/events/brno-2030')} alebo https://example.org/x"
    )
    config = live_server.app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=5) as smtp:
        smtp.send_message(message)
    received = smtp_catcher.wait_for(1)
    assert received[0]["Subject"] == "Pozvánka na podujatie"
    assert smtp_catcher.to("zuzana@example.sk")
    assert smtp_catcher.envelopes[0][1] == ["zuzana@example.sk"]
    assert mail_links(received[0], live_server) == [live_server("/events/brno-2030")]
    assert len(mail_links(received[0])) == 2


def test_flask_command_runs_against_the_served_app(app, live_server) -> None:
    output = flask_command(
        live_server,
        "users",
        "create",
        "cli@example.org",
        "--role",
        "trainer",
        "--password",
        "long-enough-1",
    )
    assert "Created trainer cli@example.org" in output
    db.session.expire_all()
    assert db.session.scalar(db.select(User).where(User.email == "cli@example.org")) is not None


def test_browser_enforces_the_content_security_policy(live_server, browser) -> None:
    """Chromium refuses an inline script on our pages, and reports it (which fails journeys)."""
    context = browser.new_context()
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text))
    page.goto(live_server("/events/"))
    assert page.evaluate("typeof bootstrap") == "object"  # the local bundle loaded and ran
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.head.appendChild(s); }"
    )
    assert page.evaluate("window.injected === undefined")
    assert any("Content Security Policy" in text for text in messages), messages
    context.close()


def test_download_helper_keeps_the_file(live_server, browser_page, tmp_path) -> None:
    """``download`` (for the .ics and the PDF sign-in sheet) saves what the browser received."""
    page = browser_page()
    page.route(
        live_server("/fake/event.ics"),
        lambda route: route.fulfill(
            body="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
            headers={
                "Content-Type": "text/calendar",
                "Content-Disposition": 'attachment; filename="event.ics"',
            },
        ),
    )
    page.goto(live_server("/events/"))
    page.set_content(f'<a id="get" href="{live_server("/fake/event.ics")}">get</a>')
    saved = download(page, "#get", tmp_path)
    assert saved.name == "event.ics"
    assert saved.read_text().startswith("BEGIN:VCALENDAR")

"""The three journeys of issue 7 in a real browser (Debian's chromium), against the app served
on loopback, with mail delivered over SMTP by ``flask mail deliver`` to a real catcher:

1. an organiser imports a survey file, sends the invitations and sees them delivered;
2. a representative follows the e-mailed link, accepts, registers, picks a session, downloads
   the .ics, cancels the session, and the first on its waiting list is promoted;
3. a trainer marks attendance on a phone, and the organiser downloads the PDF sign-in sheet.

Screenshots of the key pages land in ``test-artifacts/screenshots/<journey>/``.
"""

from __future__ import annotations

import csv
import io
import time
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.i18n import COUNTRY_LANGUAGE
from clusgo_events.models import (
    Event,
    Invitation,
    OutboxMessage,
    Registration,
    Respondent,
    SessionSeat,
    TrainingSession,
    User,
)
from clusgo_events.services import invitations as invitation_service
from clusgo_events.services import registration as reg_service
from clusgo_events.services.timeutil import utc_to_local
from tests import factories
from tests.conftest import make_user
from tests.e2e.conftest import (
    LiveServer,
    MailCatcher,
    download,
    flask_command,
    has_horizontal_scroll,
    login,
    mail_links,
)
from tests.survey_helpers import HEADER

SLUG = "v4-brno-2030"

# a survey export as the partners send it (columns: tests/survey_helpers.HEADER): the
# respondents' own words for countries, yes/no and languages; one row without consent (not
# eligible), one with a broken address (rejected)
SURVEY_ROWS = [
    [
        "jiri.ruzicka@drevo-klastr.example",
        "Jiří Růžička",
        "Moravskoslezský dřevařský klastr",
        "Česko",
        "Ostrava",
        "ano",
        "ano",
        "ano",
        "12.3.2029",
        "čeština",
        "Německo",
    ],
    [
        "erzsebet.gyori@pannon-gep.example",
        "Győri Erzsébet",
        "Pannon Gépipari Klaszter",
        "Magyarország",
        "Győr",
        "igen",
        "nem",
        "igen",
        "2029-03-13",
        "magyar",
        "Ausztria",
    ],
    [
        "grzegorz@slaski-klaster.example",
        "Grzegorz Brzęczyszczykiewicz",
        "Śląski Klaster Lotniczy",
        "Polska",
        "Katowice",
        "tak",
        "tak",
        "tak",
        "14.03.2029",
        "polski",
        "Niemcy",
    ],
    [
        "zdenek@bez-souhlasu.example",
        "Zdeněk Nesouhlasný",
        "Klastr bez souhlasu",
        "CZ",
        "Plzeň",
        "ano",
        "ano",
        "ne",
        "15.3.2029",
        "cs",
        "",
    ],
    [
        "not-an-address",
        "Łucja Błędna",
        "Łódzki Klaster",
        "PL",
        "Łódź",
        "tak",
        "tak",
        "tak",
        "15.03.2029",
        "pl",
        "",
    ],
]
INVITED = {  # e-mail -> (name, the language of their invitation)
    "jiri.ruzicka@drevo-klastr.example": ("Jiří Růžička", "cs"),
    "erzsebet.gyori@pannon-gep.example": ("Győri Erzsébet", "hu"),
    "grzegorz@slaski-klaster.example": ("Grzegorz Brzęczyszczykiewicz", "pl"),
}


def _survey_file(folder: Path) -> Path:
    """The survey as Excel saves a UTF-8 CSV: BOM, semicolons, CRLF."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(SURVEY_ROWS)
    path = folder / "průzkum-V4-2029.csv"
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    return path


def _event(session_capacities: tuple[int, ...] = (), trainer_ids: list[int] | None = None) -> Event:
    """A published event a month from now (invitations, and direct sign-up) with its training
    sessions, from ``tests/factories.py``."""
    event = factories.event(
        SLUG,
        title="V4ClusGo Internationalisation Days",
        description="Matchmaking and trainings on preparing an internationalisation strategy",
        address="Výstaviště 405/1, Brno",
        capacity=100,
        allow_direct_signup=True,
        closes_in_days=None,
    )
    trainers = [db.session.get(User, id_) for id_ in trainer_ids or []]
    titles = ["Internationalisation strategy", "Export financing", "Cluster matchmaking"]
    for number, capacity in enumerate(session_capacities):
        factories.session(
            event,
            title=titles[number],
            hour=10 + 2 * number,
            hours=1.5,
            room=f"Hall {'ABC'[number]}",
            capacity=capacity,
            trainers=trainers,
        )
    db.session.commit()
    return event


def _deliver(server: LiveServer) -> str:
    """The real ``flask mail deliver`` against the served app (its SMTP is the catcher)."""
    return flask_command(server, "mail", "deliver")


def _mails_to(catcher: MailCatcher, address: str, count: int) -> list[EmailMessage]:
    """The ``count`` messages received for ``address`` (fails when more or fewer arrive)."""
    deadline = time.monotonic() + 10
    while len(catcher.to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    received = catcher.to(address)
    assert len(received) == count, [str(m["Subject"]) for m in received]
    return received


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


# --- 1. the organiser ------------------------------------------------------------------------


def test_organiser_imports_and_invites(
    app, live_server, browser_page, screenshots, smtp_catcher: MailCatcher, tmp_path: Path
) -> None:
    organiser = make_user("organiser", "olga@cluster-association.example", name="Olga Nováková")
    _event(session_capacities=(25,))
    survey = _survey_file(tmp_path)
    page = browser_page()
    login(page, live_server, organiser.email)

    # the survey file: upload, preview (nothing stored yet), confirm
    page.click("nav >> text=Respondents")
    page.click("text=Import survey results")
    page.wait_for_url(live_server("/survey/import"))
    page.set_input_files("input[name=file]", str(survey))
    screenshots.take(page, "upload")
    page.click("form [type=submit][name=submit]")
    page.wait_for_selector("text=Nothing has been imported yet")
    assert page.inner_text("#count-created") == "4"
    assert page.inner_text("#count-rejected") == "1"
    preview = page.inner_text("main")
    assert "průzkum-V4-2029.csv" in preview and "semicolon" in preview
    assert "Grzegorz Brzęczyszczykiewicz" in preview and "Śląski Klaster Lotniczy" in preview
    assert "Győri Erzsébet" in preview
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count(Respondent.id))) == 0
    screenshots.take(page, "preview")
    page.click("button:has-text('Confirm import')")
    page.wait_for_selector("text=The survey file was imported.")
    assert page.inner_text("#count-created") == "4"
    screenshots.take(page, "imported")
    db.session.expire_all()
    names = set(db.session.scalars(select(Respondent.contact_name)))
    assert {"Jiří Růžička", "Győri Erzsébet", "Grzegorz Brzęczyszczykiewicz"} <= names

    # the event's Invitations page: three eligible (the fourth gave no consent), send them
    page.goto(live_server("/events/"))
    page.click("text=V4ClusGo Internationalisation Days")
    page.click("a:has-text('Invitations')")
    page.wait_for_url(live_server(f"/events/{SLUG}/invitations"))
    assert page.inner_text("#eligible-count") == "3"
    screenshots.take(page, "invitations before sending")
    page.click("button:has-text('Send 3 invitation(s)')")
    page.wait_for_selector("text=3 invitation(s) queued.")
    assert page.locator(".badge.status-queued").count() == 3
    assert page.inner_text("#eligible-count") == "0"
    assert not smtp_catcher.messages  # queued in the outbox, not sent by the request

    # delivery: the real command, the real SMTP server
    output = _deliver(live_server)
    received = smtp_catcher.wait_for(3)
    assert len(received) == 3, output
    page.reload()
    assert page.locator(".badge.status-sent").count() == 3
    assert page.locator(".badge.status-queued").count() == 0
    per_country = page.inner_text("#per-country tfoot")
    assert per_country.split()[:3] == ["all", "0", "3"]  # queued 0, sent 3
    chart = page.locator("#per-country-chart").bounding_box()
    assert chart is not None and chart["width"] <= 420  # natural size, not the page's width
    screenshots.take(page, "invitations delivered")

    for email, (name, language) in INVITED.items():
        (message,) = smtp_catcher.to(email)
        assert name in str(message["To"])
        assert message["Auto-Submitted"] == "auto-generated"
        links = mail_links(message, live_server)
        assert any("/invitations/" in link for link in links), links
        body = _text(message)
        assert name in body
        if language == "cs":
            assert "Pozvánka" in message["Subject"]
        elif language == "hu":
            assert "Meghívó" in message["Subject"]
        else:
            assert "Zaproszenie" in message["Subject"]
    assert not smtp_catcher.to("zdenek@bez-souhlasu.example")
    db.session.expire_all()
    states = db.session.scalars(select(Invitation.status)).all()
    assert sorted(states) == ["sent", "sent", "sent"]


# --- 2. the representative --------------------------------------------------------------------


def _register_other(  # type: ignore[no-untyped-def]
    event: Event, session: TrainingSession, email: str, name: str, country: str, org: str = ""
):
    """Someone else registers for ``session`` (their own account, in their country's language,
    with the test password)."""
    account = make_user("representative", email, name=name)
    account.language = COUNTRY_LANGUAGE[country]
    registration = reg_service.register(
        event,
        reg_service.Attendee(
            name=name,
            email=email,
            organisation_name=org or f"Klaster {name.split()[-1]}",
            country=country,
            privacy_consent=True,
        ),
        [session.id],
        user=account,
    )
    db.session.commit()
    return registration


def test_representative_registers_and_gives_up_a_seat(
    app, live_server, browser_page, screenshots, smtp_catcher: MailCatcher, tmp_path: Path
) -> None:
    import icalendar

    event = _event(session_capacities=(2, 20))
    strategy, financing = event.sessions
    # the strategy training already has one of its two places taken
    _register_other(event, strategy, "marek@morava-klastr.example", "Marek Dvořák", "CZ")
    respondent = factories.respondent(
        "katarzyna.wojcik@klaster-mazowsze.example",
        contact_name="Katarzyna Wójcik-Żurawska",
        organisation_name="Mazowiecki Klaster ICT",
        country="PL",
        language="pl",
        interested_in_training=True,
    )
    invitation_service.send_invitations(event)
    db.session.commit()
    _deliver(live_server)
    (invitation_mail,) = _mails_to(smtp_catcher, respondent.email, 1)
    assert "Zaproszenie" in invitation_mail["Subject"]
    (link,) = {url for url in mail_links(invitation_mail, live_server) if "/invitations/" in url}

    # the link from the e-mail: the invitation in Polish, accept
    page = browser_page()
    page.goto(link)
    assert "Katarzyna Wójcik-Żurawska" in page.inner_text("main")
    assert page.evaluate("document.documentElement.lang") == "pl"
    screenshots.take(page, "invitation")
    page.click("form[action$='/accept'] [type=submit]")
    page.wait_for_url(f"**/events/{SLUG}/register?invitation=*")

    # registration, prefilled from the survey; a password for the new account; one session
    assert page.evaluate("document.documentElement.lang") == "pl"  # still in her language
    assert page.input_value("input[name=name]") == "Katarzyna Wójcik-Żurawska"
    assert page.input_value("input[name=email]") == respondent.email
    assert page.input_value("input[name=organisation_name]") == "Mazowiecki Klaster ICT"
    page.check(f"input[name=sessions][value='{strategy.id}']")
    page.fill("input[name=password]", "Wójcik-2030-hasło")
    page.fill("input[name=password_again]", "Wójcik-2030-hasło")
    page.check("input[name=privacy_consent]")
    screenshots.take(page, "registration form")
    page.click("form [type=submit][name=submit]")
    page.wait_for_url(live_server("/my/registrations"))
    mine = page.inner_text("main")
    assert "Wysłaliśmy potwierdzenie" in mine  # "we have sent you a confirmation"
    assert "Internationalisation strategy" in mine
    screenshots.take(page, "my registrations")
    db.session.expire_all()
    registration = db.session.scalar(
        select(Registration).where(Registration.email == respondent.email)
    )
    assert registration is not None and registration.status == "confirmed"
    (seat,) = registration.seats
    assert seat.session_id == strategy.id and seat.status == "confirmed"
    _deliver(live_server)
    # the confirmation carrying the event's calendar invitation, and the session's, in Polish
    mails = _mails_to(smtp_catcher, respondent.email, 3)
    subjects = [str(m["Subject"]) for m in mails[1:]]
    assert any("potwierdzona" in subject for subject in subjects), subjects
    invites = [m for m in mails if any(p.get_content_type() == "text/calendar" for p in m.walk())]
    assert len(invites) == 2, subjects

    # the strategy training is now full: two more people join its waiting list, in order
    first = _register_other(event, strategy, "gabor@pannon.example", "Gábor Szűcs", "HU")
    second = _register_other(event, strategy, "zofia@krakow.example", "Zofia Łęcka", "PL")
    db.session.expire_all()
    assert [s.status for s in first.seats + second.seats] == ["waitlisted", "waitlisted"]

    # the calendar file from the event page, read back by icalendar
    page.click(f"main a[href='/events/{SLUG}']")
    page.wait_for_url(live_server(f"/events/{SLUG}"))
    screenshots.take(page, "event page")
    ics = download(page, "a[href$='/calendar.ics'][download] >> nth=0", tmp_path)
    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    events = [c for c in calendar.walk("VEVENT")]
    assert {str(e["SUMMARY"]) for e in events} >= {
        "V4ClusGo Internationalisation Days",
        "Internationalisation strategy",
    }
    assert all(not c.errors for c in calendar.walk())
    first_day = utc_to_local(event.starts_at, event.timezone).date()
    assert {e["DTSTART"].dt.date() for e in events} == {first_day}

    # cancel the session: the first on its waiting list moves up, the second stays in line
    page.click("nav >> a[href='/my/registrations']")
    page.click(f"form[action$='/seats/{seat.id}/cancel'] [type=submit]")
    page.wait_for_url(live_server("/my/registrations"))
    assert page.locator(f"form[action$='/seats/{seat.id}/cancel']").count() == 0
    assert (
        page.locator(".card .list-group-item", has_text="Internationalisation strategy").count()
        == 0
    )
    screenshots.take(page, "session cancelled")
    db.session.expire_all()
    assert db.session.get(SessionSeat, seat.id).status == "cancelled"
    assert [s.status for s in first.seats] == ["confirmed"]
    assert [(s.status, s.waitlist_position) for s in second.seats] == [("waitlisted", 2)]

    _deliver(live_server)
    db.session.expire_all()
    (promotion,) = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.recipient == first.email,
            OutboxMessage.notice == "promoted",
        )
    )
    assert "Internationalisation strategy" in promotion.subject
    received = [m for m in smtp_catcher.to(first.email) if m["Subject"] == promotion.subject]
    assert len(received) == 1, [str(m["Subject"]) for m in smtp_catcher.to(first.email)]
    assert "Internationalisation strategy" in _text(received[0])
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(db.func.count(OutboxMessage.id)).where(OutboxMessage.status != "sent")
        )
        == 0
    )

    # the promoted person sees the seat confirmed on their own page
    other = browser_page()
    login(other, live_server, first.email)
    other.goto(live_server("/my/registrations"))
    assert other.evaluate("document.documentElement.lang") == "hu"
    item = other.locator(".list-group-item", has_text="Internationalisation strategy")
    assert "visszaigazolva" in item.inner_text()  # confirmed
    assert item.locator(".badge.bg-success").count() == 1
    assert item.locator(".badge.bg-warning").count() == 0  # no longer on the waiting list
    screenshots.take(other, "promoted person")


# --- 3. the trainer and the sign-in sheet ----------------------------------------------------

PARTICIPANTS = [
    ("Řehoř Dvořák", "Jihomoravský klastr", "CZ", "rehor@jmk.example"),
    ("Szőke-Fűzfa Győző", "Pannon Mechatronikai Klaszter", "HU", "gyozo@pannon.example"),
    ("Michał Żąbkowski-Różycki", "Łódzki Klaster Tekstylny", "PL", "michal@lodz.example"),
]


def test_trainer_marks_on_a_phone_and_organiser_prints(
    app, live_server, browser_page, screenshots, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    trainer = make_user("trainer", "tomas@trainers.example", name="Tomáš Třešňák")
    organiser = make_user("organiser", "olga@cluster-association.example", name="Olga Nováková")
    event = _event(session_capacities=(10,), trainer_ids=[trainer.id])
    (training,) = event.sessions
    regs = [
        _register_other(event, training, email, name, country, organisation)
        for name, organisation, country, email in PARTICIPANTS
    ]

    # the trainer, on a phone: My sessions, the roster, one tap per person, no reload
    phone = browser_page(phone=True)
    login(phone, live_server, trainer.email)
    phone.click("button.navbar-toggler")
    phone.click("#nav.show a[href='/attendance/']")
    phone.click(f"a[href='/attendance/sessions/{training.id}']")
    phone.wait_for_url(live_server(f"/attendance/sessions/{training.id}"))
    assert not has_horizontal_scroll(phone), "the roster scrolls sideways on a phone"
    assert phone.inner_text("[data-count=unmarked]") == "3"
    screenshots.take(phone, "roster on a phone")
    phone.evaluate("window.__sameDocument = true")
    for registration, status in zip(regs, ("present", "late", "present"), strict=True):
        row = phone.locator(f"#r{registration.id}")
        row.locator(f"button[value={status}]").tap()
        phone.wait_for_selector(f"#r{registration.id}[data-status={status}]")
    assert phone.evaluate("window.__sameDocument") is True  # marked without a reload
    assert phone.inner_text("[data-count=present]") == "2"
    assert phone.inner_text("[data-count=late]") == "1"
    assert phone.inner_text("[data-count=unmarked]") == "0"
    screenshots.take(phone, "roster marked")
    phone.reload()  # the marks were stored, not just drawn
    assert phone.get_attribute(f"#r{regs[1].id}", "data-status") == "late"

    # the organiser: the event, its attendance summary, the session's PDF sign-in sheet
    page = browser_page()
    login(page, live_server, organiser.email)
    page.goto(live_server(f"/events/{SLUG}"))
    page.click(f"a[href='/attendance/events/{SLUG}']")
    page.wait_for_url(live_server(f"/attendance/events/{SLUG}"))
    assert "100 %" in page.inner_text("table")
    screenshots.take(page, "attendance summary")
    page.click(f"a[href='/attendance/sessions/{training.id}']")
    page.wait_for_url(live_server(f"/attendance/sessions/{training.id}"))
    screenshots.take(page, "roster for the organiser")
    sheet = download(page, f"a[href='/attendance/sessions/{training.id}/attendance.pdf']", tmp_path)
    assert sheet.read_bytes().startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(sheet).pages)
    for name, organisation, _, _ in PARTICIPANTS:
        assert name in text, f"{name} is missing from the sign-in sheet"
        assert organisation[:18] in text  # a long name is cut to its column, with "…"
    assert "Internationalisation strategy" in text
    blank = download(
        page, f"a[href='/attendance/sessions/{training.id}/attendance.pdf?blank=1']", tmp_path
    )
    blank_text = "\n".join(p.extract_text() for p in PdfReader(blank).pages)
    assert all(name in blank_text for name, *_ in PARTICIPANTS)

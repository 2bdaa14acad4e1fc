"""Eligibility, invitations (never twice), reminders, the invitees' pages, the organiser's page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from babel.dates import format_date
from flask import Flask
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from clusgo_events.extensions import db
from clusgo_events.models import Invitation, OutboxMessage
from clusgo_events.models.base import utcnow
from clusgo_events.services import ServiceError, mail_jobs, outbox
from clusgo_events.services import invitations as service
from clusgo_events.services.events import cancel_event
from clusgo_events.services.invitations import Narrowing
from clusgo_events.services.outbox import keys
from clusgo_events.services.timeutil import utc_to_local
from clusgo_events.services.tokens import hash_token
from tests.conftest import PASSWORD, REDIRECT
from tests.mail_helpers import (
    Behaviour,
    SMTPServer,
    make_event,
    make_respondent,
    running_smtp,
    use_smtp,
)

LINK = re.compile(r"https?://[^\s\"<>]+/invitations/([A-Za-z0-9_-]+)")


@pytest.fixture()
def smtp(app: Flask) -> Iterator[SMTPServer]:
    yield from running_smtp(app)


def eligible_emails(event, narrowing=None) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(r.email for r in db.session.scalars(service.eligible_query(event, narrowing)))


def invite(event, narrowing=None) -> service.SendResult:  # type: ignore[no-untyped-def]
    result = service.send_invitations(event, narrowing)
    db.session.commit()
    return result


def token_of(invitation: Invitation, kind: str = "invitation") -> str:
    """The raw token from the last queued mail of ``invitation`` (only the mail has it)."""
    key = (
        keys.invitation(invitation)
        if kind == "invitation"
        else keys.reminder(invitation, invitation.reminders_sent)
    ).key
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    match = LINK.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


# -- eligibility ---------------------------------------------------------------------------


def test_eligibility_rule(app: Flask) -> None:
    event = make_event()
    make_respondent("yes@cz.example")
    make_respondent(
        "training@hu.example", country="HU", interested_in_event=False, interested_in_training=True
    )
    make_respondent("noconsent@cz.example", consent=False)
    make_respondent("nointerest@cz.example", interested_in_event=False)
    make_respondent("austria@at.example", country="AT")
    make_respondent("nocountry@x.example", country=None)
    assert eligible_emails(event) == ["training@hu.example", "yes@cz.example"]
    assert eligible_emails(event, Narrowing(interest="event")) == ["yes@cz.example"]
    assert eligible_emails(event, Narrowing(interest="training")) == ["training@hu.example"]
    assert eligible_emails(event, Narrowing(countries=["hu"])) == ["training@hu.example"]
    event.invite_interest = "training"
    assert eligible_emails(event) == ["training@hu.example"]
    event.invite_interest = "any"
    event.target_countries = "CZ"
    assert eligible_emails(event) == ["yes@cz.example"]
    with pytest.raises(ServiceError) as exc:
        service.eligible_query(event, Narrowing(countries=["HU"]))
    assert exc.value.field == "countries"
    with pytest.raises(ServiceError):
        service.eligible_query(event, Narrowing(interest="sometimes"))
    event.target_countries = "CZ,HU,SK,PL"
    invite(event)
    assert eligible_emails(event) == []  # already invited
    assert service.count_eligible(event) == {}


def test_draft_cancelled_or_closed_events_invite_nobody(app: Flask) -> None:
    make_respondent("yes@cz.example")
    draft = make_event("draft", publish=False)
    with pytest.raises(ServiceError, match="Publish"):
        service.send_invitations(draft)
    closed = make_event("closed", starts_in_days=-20, closes_in_days=-25)
    with pytest.raises(ServiceError, match="closed"):
        service.send_invitations(closed)
    cancelled = make_event("cancelled")
    cancel_event(cancelled)
    db.session.commit()
    with pytest.raises(ServiceError, match="cancelled"):
        service.send_invitations(cancelled)


# -- sending -------------------------------------------------------------------------------


def test_invitations_are_never_duplicated(app: Flask) -> None:
    event = make_event()
    people = [make_respondent(f"p{i}@cz.example") for i in range(3)]
    assert invite(event).queued == 3
    assert invite(event).queued == 0
    assert service.send_invitations(event, dry_run=True).queued == 0
    make_respondent("late@pl.example", country="PL")
    assert invite(event).queued == 1
    assert db.session.scalar(select(func.count(Invitation.id))) == 4
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 4
    stored = set(db.session.scalars(select(OutboxMessage.idempotency_key)))
    first = db.session.scalar(select(Invitation).where(Invitation.respondent_id == people[0].id))
    assert keys.invitation(first).key in stored
    # the unique constraint holds even if the service's check were bypassed
    with pytest.raises(Exception):  # noqa: B017
        with db.session.begin_nested():
            db.session.add(
                Invitation(event_id=event.id, respondent_id=people[0].id, token_hash="x" * 64)
            )
    db.session.rollback()


def test_invitation_fields_language_expiry_and_token(app: Flask) -> None:
    event = make_event()
    make_respondent("hu@example.org", country="HU", contact_name="Gábor Szűcs")
    make_respondent("pref@example.org", country="PL", language="en")
    make_respondent("none@example.org", country="SK")
    invite(event)
    by_email = {i.respondent.email: i for i in db.session.scalars(select(Invitation))}
    assert by_email["hu@example.org"].language == "hu"
    assert by_email["pref@example.org"].language == "en"
    assert by_email["none@example.org"].language == "sk"
    inv = by_email["hu@example.org"]
    assert inv.status == "queued" and inv.expires_at == event.registration_closes_at
    raw = token_of(inv)
    assert len(raw) >= 43 and inv.token_hash == hash_token(raw) and raw not in inv.token_hash
    assert service.find_by_token(raw).id == inv.id


def test_expiry_falls_back_to_event_start(app: Flask) -> None:
    event = make_event(closes_in_days=None)
    assert service.expiry_for(event) == event.starts_at


@pytest.mark.parametrize(
    ("language", "country", "name", "subject", "phrase"),
    [
        ("en", "CZ", "Jana Břusková", "Invitation: ", "We are pleased to invite you"),
        ("cs", "CZ", "Jana Břusková", "Pozvánka: ", "Rádi vás zveme"),
        ("hu", "HU", "Gábor Szűcs, Győr", "Meghívó: ", "Örömmel meghívjuk"),
        ("sk", "SK", "Ľuboš Štefánik, Žilina", "Pozvánka: ", "Radi vás pozývame"),
        ("pl", "PL", "Łukasz Żółkiewski, Łódź", "Zaproszenie: ", "Z przyjemnością zapraszamy"),
    ],
)
def test_invitation_mail_in_each_language(
    app: Flask, smtp: SMTPServer, language, country, name, subject, phrase
) -> None:  # type: ignore[no-untyped-def]
    app.config["BASE_URL"] = "https://events.example.org"
    event = make_event(title="Setkání klastrů V4 – Brno, Győr, Łódź, Žilina")
    make_respondent("r@example.org", country=country, language=language, contact_name=name)
    invite(event)
    assert outbox.deliver().sent == 1
    msg = smtp.wait_for(1)[0].message
    assert msg["Subject"] == subject + "Setkání klastrů V4 – Brno, Győr, Łódź, Žilina"
    assert msg["To"].addresses[0].display_name == name
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for body in (text, html):
        assert phrase in body
        # English and Hungarian greet by name; Czech, Slovak, Polish neutrally (no vocative)
        assert (name in body) == (language in ("en", "hu"))
        assert "Setkání klastrů V4 – Brno, Győr, Łódź, Žilina" in body
    raw = LINK.search(text).group(1)
    assert f"https://events.example.org/invitations/{raw}" in text
    assert f'href="https://events.example.org/invitations/{raw}"' in html
    inv = db.session.scalar(select(Invitation))
    assert inv.status == "sent" and inv.sent_at is not None


def test_html_mail_escapes_names(app: Flask) -> None:
    event = make_event()
    make_respondent("x@example.org", contact_name="<script>alert(1)</script>", language="hu")
    invite(event)  # in Hungarian: the greeting names the person
    message = db.session.scalar(select(OutboxMessage))
    assert "<script>" not in message.body_html and "&lt;script&gt;" in message.body_html
    assert "<script>alert(1)</script>" in message.body_text


def test_permanent_failure_marks_invitation_failed(app: Flask) -> None:
    server = SMTPServer(Behaviour(refuse_rcpt={"bad@cz.example": "550 5.1.1 unknown"})).start()
    try:
        use_smtp(app, server.port)
        event = make_event()
        make_respondent("bad@cz.example")
        make_respondent("good@cz.example")
        invite(event)
        report = outbox.deliver()
    finally:
        server.stop()
    assert (report.sent, report.failed) == (1, 1)
    states = {i.respondent.email: i.status for i in db.session.scalars(select(Invitation))}
    assert states == {"bad@cz.example": "failed", "good@cz.example": "sent"}


def test_cli_send_dry_run_and_reminders(app: Flask, runner, smtp: SMTPServer) -> None:  # type: ignore[no-untyped-def]
    event = make_event()
    make_respondent("a@cz.example")
    make_respondent("b@hu.example", country="HU")
    result = runner.invoke(args=["invitations", "send", event.slug, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2 invitation(s) would be queued (dry run)" in result.output
    assert "HU: 1" in result.output
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    result = runner.invoke(args=["invitations", "send", event.slug, "--country", "HU"])
    assert "1 invitation(s) queued" in result.output
    result = runner.invoke(args=["invitations", "send", event.slug])
    assert "1 invitation(s) queued" in result.output
    result = runner.invoke(args=["invitations", "send", event.slug])
    assert "0 invitation(s) queued" in result.output
    result = runner.invoke(args=["invitations", "send", "nope"])
    assert result.exit_code != 0 and "No event" in result.output
    result = runner.invoke(args=["invitations", "send", event.slug, "--country", "AT"])
    assert result.exit_code != 0 and "does not invite AT" in result.output
    runner.invoke(args=["mail", "deliver"])
    # nobody answered for 8 days
    for inv in db.session.scalars(select(Invitation)):
        inv.sent_at = utcnow() - timedelta(days=8)
    db.session.commit()
    result = runner.invoke(args=["invitations", "send", event.slug, "--reminders", "--dry-run"])
    assert "2 reminder(s) would be queued (dry run)" in result.output
    result = runner.invoke(args=["invitations", "send", event.slug, "--reminders"])
    assert "2 reminder(s) queued" in result.output
    result = runner.invoke(args=["invitations", "send", event.slug, "--reminders"])
    assert "0 reminder(s) queued" in result.output


# -- reminders -----------------------------------------------------------------------------


def test_reminders_once_per_interval_new_link(app: Flask, smtp: SMTPServer) -> None:
    event = make_event()
    make_respondent("quiet@cz.example", language="cs")
    make_respondent("answered@cz.example")
    make_respondent("undelivered@cz.example")
    invite(event)
    invitations = {i.respondent.email: i for i in db.session.scalars(select(Invitation))}
    quiet = invitations["quiet@cz.example"]
    old_token = token_of(quiet)  # read before delivery: a sent message keeps no body
    outbox.deliver()
    service.accept(invitations["answered@cz.example"])
    invitations["undelivered@cz.example"].status = "queued"
    for inv in invitations.values():
        inv.sent_at = utcnow() - timedelta(days=8)
    db.session.commit()
    # too soon for a 10-day interval
    assert service.send_reminders(event, timedelta(days=10)).queued == 0
    assert service.send_reminders(event).queued == 1
    db.session.commit()
    assert service.send_reminders(event).queued == 0  # once per interval
    db.session.refresh(quiet)
    assert quiet.reminders_sent == 1 and quiet.last_reminder_at is not None
    new_token = token_of(quiet, "reminder")
    assert new_token != old_token
    assert service.find_by_token(old_token) is None  # the old link stops working
    assert service.find_by_token(new_token).id == quiet.id
    outbox.deliver()
    reminder = [r for r in smtp.wait_for(4) if "Připomínka" in r.message["Subject"]]
    assert len(reminder) == 1
    assert "Tento odkaz nahrazuje odkaz" in reminder[0].message.get_body(("plain",)).get_content()
    # after another interval, a second reminder with its own key
    quiet.last_reminder_at = utcnow() - timedelta(days=8)
    db.session.commit()
    assert service.send_reminders(event).queued == 1
    db.session.commit()
    assert db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.idempotency_key == keys.reminder(quiet, 2).key)
    )
    with pytest.raises(ServiceError):
        service.send_reminders(event, timedelta(minutes=5))


# -- the invitee's pages -------------------------------------------------------------------


def _invited(language: str = "cs", **kw) -> tuple[Invitation, str]:  # type: ignore[no-untyped-def]
    event = make_event(**kw)
    make_respondent("jana@cz.example", language=language)
    invite(event)
    inv = db.session.scalar(select(Invitation))
    inv.status = "sent"
    db.session.commit()
    return inv, token_of(inv)


def test_page_in_invitees_language_and_accept(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    inv, raw = _invited("cs")
    page = client.get(f"/invitations/{raw}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Přijmout a zaregistrovat se" in html and "Odmítnout" in html
    starts = utc_to_local(inv.event.starts_at, inv.event.timezone)
    assert inv.event.title in html and format_date(starts, "long", locale="cs") in html  # Czech
    response = client.post(f"/invitations/{raw}/accept")
    assert response.status_code == REDIRECT
    assert response.headers["Location"] == f"/events/{inv.event.slug}/register?invitation={raw}"
    db.session.refresh(inv)
    assert inv.status == "accepted" and inv.answered_at is not None
    # used: a clear page, no second answer
    again = client.get(f"/invitations/{raw}")
    assert again.status_code == 200 and "Pozvání jste přijali" in again.get_data(as_text=True)
    client.post(f"/invitations/{raw}/decline", data={"reason": "changed my mind"})
    db.session.refresh(inv)
    assert inv.status == "accepted"


def test_pages_declare_the_language_they_are_written_in(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    """``<html lang>`` follows the page's language (screen readers, hyphenation, translators)."""
    _, raw = _invited("pl")
    for path, lang in [(f"/invitations/{raw}", "pl"), ("/events/?lang=hu", "hu"), ("/", "hu")]:
        with app.app_context():  # its own ``g``, where Flask-Babel keeps the locale
            html = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert f'<html lang="{lang}">' in html, path
    assert "Odrzucam" in client.get(f"/invitations/{raw}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "decline_word"),
    [("en", "Decline"), ("hu", "Elutasítom"), ("sk", "Odmietnuť"), ("pl", "Odrzucam")],
)
def test_decline_with_reason(app: Flask, client, language, decline_word) -> None:  # type: ignore[no-untyped-def]
    inv, raw = _invited(language)
    assert decline_word in client.get(f"/invitations/{raw}").get_data(as_text=True)
    response = client.post(f"/invitations/{raw}/decline", data={"reason": "Jsme v Győru."})
    assert response.status_code == 200
    db.session.refresh(inv)
    assert inv.status == "declined" and inv.decline_reason == "Jsme v Győru."
    # while registration is open, the decline is not final (issue 15)
    again = client.post(f"/invitations/{raw}/accept")
    assert again.status_code == 302
    db.session.refresh(inv)
    assert inv.status == "accepted"


def test_overlong_reason_gets_a_message(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    inv, raw = _invited("en")
    response = client.post(f"/invitations/{raw}/decline", data={"reason": "x" * 2001})
    assert response.status_code == 400 and "2000" in response.get_data(as_text=True)
    db.session.refresh(inv)
    assert inv.status == "sent"


def test_expired_unknown_malformed_cancelled(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    inv, raw = _invited("en")
    unknown = client.get("/invitations/" + "A" * 43)
    malformed = client.get("/invitations/%27%3B--%20drop")
    short = client.get("/invitations/x")
    assert unknown.status_code == malformed.status_code == short.status_code == 404
    # the same page for every bad token (the language switcher's links name the URL asked for)
    pages = [_without_switcher(r.get_data(as_text=True)) for r in (unknown, malformed, short)]
    assert pages[0] == pages[1] == pages[2]
    assert b"This invitation link is not valid" in unknown.data
    assert client.post("/invitations/" + "A" * 43 + "/accept").status_code == 404
    inv.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    expired = client.get(f"/invitations/{raw}")
    assert expired.status_code == 410 and b"This invitation has expired" in expired.data
    assert client.post(f"/invitations/{raw}/accept").status_code == 410
    db.session.refresh(inv)
    assert inv.status == "sent" and service.effective_status(inv) == "expired"
    inv.expires_at = inv.event.registration_closes_at
    cancel_event(inv.event)
    db.session.commit()
    cancelled = client.get(f"/invitations/{raw}")
    assert cancelled.status_code == 410 and b"has been cancelled" in cancelled.data


# -- the organiser's page ------------------------------------------------------------------


def test_organiser_page_counts_send_and_chart(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    event = make_event()
    for i in range(3):
        make_respondent(f"cz{i}@example.org")
    make_respondent("hu@example.org", country="HU")
    auth.login_as(users["organiser"])
    page = client.get(f"/events/{event.slug}/invitations")
    assert page.status_code == 200
    assert re.search(rb'id="eligible-count">4<', page.data)
    assert client.get(f"/events/{event.slug}/invitations?page={10**20}").status_code == 200
    narrowed = client.get(f"/events/{event.slug}/invitations?countries=HU&interest=any")
    assert re.search(rb'id="eligible-count">1<', narrowed.data)
    bad = client.get(f"/events/{event.slug}/invitations?countries=AT")
    assert bad.status_code == 200 and b"not a valid choice" in bad.data
    response = client.post(
        f"/events/{event.slug}/invitations", data={"countries": ["CZ"], "interest": "any"}
    )
    assert response.status_code == REDIRECT
    assert response.headers["Location"] == f"/events/{event.slug}/invitations"
    assert db.session.scalar(select(func.count(Invitation.id))) == 0  # the worker sends them
    mail_jobs.run_queued("test-worker")
    assert db.session.scalar(select(func.count(Invitation.id))) == 3
    client.post(f"/events/{event.slug}/invitations", data={"interest": "any"})
    mail_jobs.run_queued("test-worker")
    client.post(f"/events/{event.slug}/invitations", data={"interest": "any"})
    mail_jobs.run_queued("test-worker")
    assert db.session.scalar(select(func.count(Invitation.id))) == 4
    inv = db.session.scalar(select(Invitation).order_by(Invitation.id))
    service.accept(inv)
    db.session.commit()
    page = client.get(f"/events/{event.slug}/invitations")
    html = page.get_data(as_text=True)
    table = html[html.index('id="per-country"') :]
    assert re.search(r"<th>Czechia</th>(<td[^>]*>\d+</td>){6}", table.replace("\n", ""))
    assert "<svg" in html and "<script>" not in html.split("</main>")[0]
    assert "onclick" not in html
    assert html.count("status-accepted") == 1 and html.count("status-queued") == 3
    reminders = client.post(
        f"/events/{event.slug}/invitations/reminders", data={"interval_days": "0"}
    )
    assert reminders.status_code == 200 and b"Number must be" in reminders.data
    reminders = client.post(
        f"/events/{event.slug}/invitations/reminders", data={"interval_days": "7"}
    )
    assert reminders.status_code == REDIRECT
    assert reminders.headers["Location"] == f"/events/{event.slug}/invitations"


def _hidden_fields(html: str, action: str) -> list[tuple[str, str]]:
    """The hidden inputs of the page's POST form to ``action``, as the browser would send them."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}">(.*?)</form>', html, re.S)
    assert form, f"no form posting to {action}"
    return re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form[1])


def test_send_form_carries_its_csrf_token(app: Flask, users) -> None:
    """With CSRF on, the send button posts a token: the page's count form is read without one."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()

    def open_(url: str, data: MultiDict | dict | None = None):  # type: ignore[no-untyped-def]
        # each request in its own app context, as in production (the test's would share ``g``,
        # and with it Flask-WTF's cached token, between requests)
        with app.app_context():
            return client.open(url, method="POST" if data else "GET", data=data)

    login = open_("/auth/login").get_data(as_text=True)
    (token,) = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', login)
    open_(
        "/auth/login",
        {"email": users["organiser"].email, "password": PASSWORD, "csrf_token": token},
    )
    event = make_event()
    make_respondent("cz@example.org")
    make_respondent("hu@example.org", country="HU")
    action = f"/events/{event.slug}/invitations"
    for query in ("", "?countries=HU&interest=any"):
        fields = _hidden_fields(open_(action + query).get_data(as_text=True), action)
        assert "csrf_token" in dict(fields), fields
    response = open_(action, MultiDict(fields))
    assert response.status_code == REDIRECT, response.status_code
    assert response.headers["Location"] == action
    mail_jobs.run_queued("test-worker")  # the page asked; the worker sends
    emails = db.session.scalars(select(Invitation).join(Invitation.respondent)).all()
    assert [i.respondent.email for i in emails] == ["hu@example.org"]


def test_organiser_page_constant_queries(app: Flask, client, auth, users, count_queries) -> None:  # type: ignore[no-untyped-def]
    event = make_event()
    auth.login_as(users["organiser"])

    def count() -> int:
        with count_queries() as counter:
            assert client.get(f"/events/{event.slug}/invitations").status_code == 200
        return counter.count

    make_respondent("a0@example.org")
    invite(event)
    few = count()
    for i in range(12):
        make_respondent(f"b{i}@example.org", country=["CZ", "HU", "SK", "PL"][i % 4])
    invite(event)
    assert count() == few


def test_organiser_page_is_staff_only(app: Flask, client, auth, users) -> None:  # type: ignore[no-untyped-def]
    event = make_event()
    response = client.get(f"/events/{event.slug}/invitations")
    assert response.status_code == REDIRECT
    assert response.headers["Location"].startswith("/auth/login?next=")
    auth.login_as(users["representative"])
    assert client.get(f"/events/{event.slug}/invitations").status_code == 403
    assert client.post(f"/events/{event.slug}/invitations", data={}).status_code == 403
    auth.logout()
    auth.login_as(users["organiser"])
    assert client.get("/events/nope/invitations").status_code == 404


@pytest.mark.slow
def test_concurrent_sends_invite_nobody_twice(app: Flask) -> None:
    """Two `invitations send` processes at once: every respondent invited exactly once."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    slug = make_event().slug
    for i in range(30):
        make_respondent(f"c{i}@example.org", country=["CZ", "HU", "SK", "PL"][i % 4])
    db.session.remove()
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    flask = str(Path(sys.executable).parent / "flask")
    procs = [
        subprocess.Popen(
            [flask, "--app", "wsgi", "invitations", "send", slug],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
    queued = [
        int(re.search(r"(\d+) invitation\(s\) queued", out.decode()).group(1)) for out, _ in outputs
    ]
    assert sum(queued) == 30
    assert db.session.scalar(select(func.count(Invitation.id))) == 30
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 30


# -- one rule of what a link may do, expiry that follows the deadline, the trace ---------------


def _event_data(event):  # type: ignore[no-untyped-def]
    """The organiser's form values of ``event`` as it is (times in its zone)."""
    from clusgo_events.services.events import EventData
    from clusgo_events.services.timeutil import utc_to_local

    def local(moment):  # type: ignore[no-untyped-def]
        return utc_to_local(moment, event.timezone).replace(tzinfo=None) if moment else None

    return EventData(
        title=event.title,
        slug=event.slug,
        starts_local=local(event.starts_at),
        ends_local=local(event.ends_at),
        timezone=event.timezone,
        capacity=event.capacity,
        registration_closes_local=local(event.registration_closes_at),
        allow_direct_signup=event.allow_direct_signup,
    )


@pytest.mark.parametrize("days", [20, 2])
def test_the_links_follow_a_moved_registration_deadline(app: Flask, client, clock, days) -> None:  # type: ignore[no-untyped-def]
    from clusgo_events.services.events import update_event
    from tests import factories

    event = factories.event(closes_in_days=10)
    factories.respondent("jana@klastr.example")
    invite(event)
    inv = db.session.scalar(select(Invitation))
    inv.status = "sent"
    inv.sent_at = utcnow()
    raw = token_of(inv)
    db.session.commit()
    data = _event_data(event)
    data.registration_closes_local += timedelta(days=days - 10)
    update_event(event, data)
    db.session.commit()
    db.session.refresh(inv)
    assert inv.expires_at == event.registration_closes_at
    clock.advance(days=(days + 10) // 2)  # 15 days on (a moved-out deadline) or 6 (moved in)
    page = client.get(f"/invitations/{raw}")
    reminded = len(db.session.scalars(service.reminder_candidates(event)).all())
    if days > 10:
        assert page.status_code == 200 and b"/accept" in page.data and reminded == 1
    else:
        assert page.status_code == 410 and b"/accept" not in page.data and reminded == 0


def test_at_its_deadline_every_page_agrees_the_link_has_expired(app: Flask, client, clock) -> None:  # type: ignore[no-untyped-def]
    from tests import factories

    event = factories.event(allow_direct_signup=False)
    inv, raw = factories.invitation(event, factories.respondent(), sent_at=utcnow())
    inv.expires_at = event.registration_closes_at = utcnow()  # the deadline is now
    inv.sent_at = utcnow() - timedelta(days=30)
    db.session.commit()
    assert client.get(f"/invitations/{raw}").status_code == 410
    assert client.get(f"/events/{event.slug}/register?invitation={raw}").status_code == 410
    assert db.session.scalars(service.reminder_candidates(event)).all() == []
    assert service.effective_status(inv) == "expired"
    assert service.standing(inv) == service.Standing.EXPIRED


def test_sending_from_the_command_line_leaves_the_same_trace_as_the_page(
    app: Flask, runner, client, auth, users
) -> None:  # type: ignore[no-untyped-def]
    from clusgo_events.models import AuditEntry, AuditSource
    from clusgo_events.services.audit import acting_from

    event = make_event()
    make_respondent("a@cz.example")
    assert runner.invoke(args=["invitations", "send", event.slug]).exit_code == 0
    make_respondent("b@cz.example")
    auth.login_as(users["organiser"])
    client.post(f"/events/{event.slug}/invitations", data={"interest": "any"})
    with acting_from(AuditSource.WORKER):
        mail_jobs.run_queued("test-worker")
    raw = token_of(db.session.scalar(select(Invitation).order_by(Invitation.id.desc())))
    auth.logout()
    client.post(f"/invitations/{raw}/decline", data={"reason": ""})
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.like("invitation%")).order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.source, e.user_id, e.details) for e in entries] == [
        ("invitations.send", AuditSource.CLI, None, {"queued": 1}),
        # the page asks (audited as the organiser's mail_job.requested); the worker sends
        ("invitations.send", AuditSource.WORKER, None, {"queued": 1}),
        ("invitation.decline", AuditSource.WEB, None, {}),
    ]


def _without_switcher(html: str) -> str:
    """``html`` without the language switcher (its links carry the page's own URL)."""
    return re.sub(r'<nav class="[^"]*language-switcher.*?</nav>', "", html, flags=re.S)

"""The crawl: every same-site link of every page, anonymously and as each role, with data behind
the pages; no page answers 5xx and no link a page offers is broken.

Page tests fetch the URLs their authors thought of. The crawl fetches the URLs the pages
themselves offer (``<a href>``, GET forms submitted as they stand, stylesheets, images,
redirects, downloads) over a world that holds every state the models have: registrations,
seats, attendance marks and invitations in each status, walk-ins, a closed and a cancelled
session, mail in every outbox state keyed as the app keys it, and the links only a mailbox
receives (invitations, sign-up confirmation, password reset). A 5xx, or a 4xx answer to a link
a page offered, fails the test with the chain of pages that led to it; so does a crawl that
did not get a 200 from each view its role has (``MUST_VIEW``) or got one from a view of a role
above it (``NEVER_VIEW``).

The world is built once for the module (the crawl only reads). Each role's crawl is bounded
(``MAX_PAGES``); ``CRAWL_REPORT`` keeps what each one reached (``pytest -s`` prints it).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import MapAdapter

from clusgo_events import create_app
from clusgo_events.extensions import db
from clusgo_events.models import (
    AttendanceMethod,
    AttendanceStatus,
    EventStatus,
    InvitationStatus,
    OrganisationKind,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    RegistrationStatus,
    Role,
    SeatStatus,
    SessionStatus,
)
from clusgo_events.models.base import utcnow
from clusgo_events.services import accounts
from clusgo_events.services.calendar_feed import feed_urls
from clusgo_events.services.outbox import keys
from clusgo_events.services.outbox.claims import MAX_ATTEMPTS, NO_BODIES
from tests import factories as make
from tests.conftest import PASSWORD, REDIRECT

#: the most distinct URLs one role's crawl fetches
MAX_PAGES = 400
ANONYMOUS = "anonymous"
WHO = (ANONYMOUS, Role.ADMIN, Role.ORGANISER, Role.TRAINER, Role.REPRESENTATIVE)
#: where every crawl starts: the home page, the event list, and the pages a person of any
#: role calls their own (a role that may not see one gets a refusal, which is fine)
START = ("/", "/events/", "/auth/profile", "/my/registrations", "/attendance/")
#: links a crawl must not follow even though they are GETs
SKIP_PATHS = ("/auth/logout",)
HTML_TYPES = ("text/html",)

#: the views a role's pages lead to, each of which its crawl must get a 200 from (so a crawl
#: that stopped exploring, or a page that lost its link, fails)
EVERYONE = {"events.index", "events.show", "calendar.event_ics", "calendar.session_ics"}
PERSONAL = EVERYONE | {"auth.profile", "registration.mine", "registration.register"}
TRAINERS = PERSONAL | {
    "calendar.feed",
    "attendance.my_sessions",
    "attendance.roster",
    "attendance.export_session",
}
# an organiser sees the organiser's actions on the event page instead of "Register" (issue 15)
ORGANISERS = (TRAINERS - {"registration.register"}) | {
    "events.cancel",
    "events.duplicate",
    "audit.event_trail",
    "events.create",
    "events.edit",
    "events.add_session",
    "events.edit_session",
    "registration.event_registrations",
    "registration.session_registrations",
    "invitations.manage",
    "survey.respondents",
    "survey.upload",
    "attendance.summary",
    "attendance.export_event",
    "attendance.certificate",
    # issue 15's corrections (B4a): each page is reached by a link, its GET changes nothing
    "respondents.show",
    "respondents.edit",
    "respondents.delete",
    "respondents.merge",
    "invitations.resend",
    "registration.export_registrations",
    "registration.staff_register",
    "registration.staff_edit",
    "registration.staff_move_seat",
}
ADMINS = {"admin.users", "admin.edit_user", "admin.deactivate_user", "audit.everything"}
MUST_VIEW: dict[str, set[str]] = {
    ANONYMOUS: EVERYONE
    | {
        "auth.login",
        "auth.signup",
        "auth.signup_confirm",
        "auth.reset_request",
        "auth.reset_password",
        "invitations.show",
        "registration.register",
    },
    Role.ADMIN: ORGANISERS | ADMINS,
    Role.ORGANISER: ORGANISERS,
    Role.TRAINER: TRAINERS,
    Role.REPRESENTATIVE: PERSONAL | {"calendar.feed", "registration.cancel"},
}
#: the views of roles above each one's: its crawl must never get a 200 from them
NEVER_VIEW: dict[str, set[str]] = {
    ANONYMOUS: (ORGANISERS - EVERYONE - {"registration.register", "calendar.feed"}) | ADMINS,
    Role.ADMIN: set(),
    Role.ORGANISER: ADMINS,
    Role.TRAINER: (ORGANISERS - TRAINERS) | ADMINS,
    Role.REPRESENTATIVE: (ORGANISERS - PERSONAL - {"calendar.feed"}) | ADMINS,
}

#: who reached how much: {who: {"pages": n, "downloads": n, "seconds": s, "statuses": {...}}}
CRAWL_REPORT: dict[str, dict[str, object]] = {}


@dataclass
class CrawlWorld:
    """The accounts, and the links that reach a person only by e-mail (their own pages)."""

    emails: dict[str, str]
    mailed_links: dict[str, list[str]] = field(default_factory=dict)
    #: pages each crawl must reach with a 200 by following links (it explored, with data)
    must_reach: dict[str, list[str]] = field(default_factory=dict)


def build_world() -> CrawlWorld:
    """Every state of every model, across a published, a draft, a cancelled, a past and an
    invitation-only event."""
    admin = make.user(Role.ADMIN, "admin@example.org", name="Adéla Správcová")
    organiser = make.user(Role.ORGANISER, "organiser@example.org", name="Ondřej Pořadatel")
    trainer = make.user(Role.TRAINER, "trainer@example.org", name="Tünde Oktató")
    other_trainer = make.user(Role.TRAINER, name="Trener Łukasz")
    rep = make.user(Role.REPRESENTATIVE, "rep@example.org", name="Řehoř Dvořák", language="cs")
    host = make.organisation("Brněnské výstaviště", kind=OrganisationKind.HOST)

    main = make.event("brno-main", capacity=3, host_organisation=host, created_by_id=organiser.id)
    open_session = make.session(main, hour=10, capacity=2, trainers=[trainer])
    closed_session = make.session(main, hour=13, capacity=5, trainers=[trainer, other_trainer])
    closed_session.attendance_closed_at = utcnow() - timedelta(hours=1)
    closed_session.attendance_closed_by_id = trainer.id
    cancelled_session = make.session(
        main, day=1, hour=9, trainers=[other_trainer], status=SessionStatus.CANCELLED
    )
    make.session(main, day=1, hour=14, capacity=1)  # no trainer, nobody in it yet

    # the representative: confirmed at the main event with a seat of every status
    mine = make.registration(main, 0, account=rep, sessions=[open_session])
    make.seat(mine, closed_session, SeatStatus.WAITLISTED)
    make.seat(mine, cancelled_session, SeatStatus.CANCELLED)
    others = [
        make.registration(main, 1, sessions=[open_session, closed_session]),
        make.registration(main, 2, sessions=[closed_session]),
        make.registration(
            main,
            3,
            status=RegistrationStatus.WAITLISTED,
            sessions=[closed_session],
            seat_status=SeatStatus.WAITLISTED,
        ),
        make.registration(
            main,
            0,
            status=RegistrationStatus.CANCELLED,
            cancelled_at=utcnow(),
            sessions=[open_session],
            seat_status=SeatStatus.CANCELLED,
        ),
    ]
    # marks of every status and method, and walk-ins, in the open and the closed session
    make.attendance(
        open_session, mine, AttendanceStatus.PRESENT, by=trainer, method=AttendanceMethod.QR
    )
    make.attendance(open_session, others[0], AttendanceStatus.LATE, by=trainer)
    make.attendance(closed_session, others[0], AttendanceStatus.EXCUSED, by=trainer)
    make.attendance(closed_session, others[1], AttendanceStatus.ABSENT, by=organiser)
    make.attendance(open_session, by=trainer)
    make.attendance(closed_session, by=trainer, name="Zoltán Vendég", email="")

    # invitations of every status; the accepted one is the representative's
    links: list[str] = []
    invited = {}
    for status in InvitationStatus:
        invitee = make.respondent(
            rep.email if status == InvitationStatus.ACCEPTED else None,
            country=("CZ", "HU", "SK", "PL")[len(links) % 4],
            interested_in_training=True,
            language="hu",
        )
        values: dict[str, object] = {}
        if status == InvitationStatus.DECLINED:
            values = {"answered_at": utcnow(), "decline_reason": "Távol van, köszönöm."}
        if status == InvitationStatus.EXPIRED:
            values = {"expires_at": utcnow() - timedelta(days=1)}
        if status == InvitationStatus.ACCEPTED:
            values = {"answered_at": utcnow()}
        invitation, token = make.invitation(main, invitee, status, **values)
        invited[status] = invitation
        if status == InvitationStatus.ACCEPTED:
            mine.invitation_id, mine.respondent_id = invitation.id, invitee.id
        links += [f"/invitations/{token}", f"/events/{main.slug}/register?invitation={token}"]
    _, token = make.invitation(
        main, status=InvitationStatus.SENT, expires_at=utcnow() - timedelta(hours=2)
    )
    links.append(f"/invitations/{token}")
    # respondents never invited: without consent, outside the V4, with no organisation
    make.respondent(consent=False, country="SK")
    make.respondent(country="AT", organisation_name="", contact_name="")
    make.respondent(country="PL", organisation=make.organisation(country="PL"))

    # other events: a second one the representative waits for, one they cancelled, a draft,
    # a cancelled event, one in the past, one whose registration closed, an invitation-only
    waiting = make.event("bratislava-waiting", capacity=1, starts_in_days=40)
    make.session(waiting, trainers=[trainer])
    make.registration(waiting, 2)
    make.registration(waiting, 0, account=rep, status=RegistrationStatus.WAITLISTED)
    gave_up = make.event("budapest-gave-up", starts_in_days=50)
    make.registration(
        gave_up, 0, account=rep, status=RegistrationStatus.CANCELLED, cancelled_at=utcnow()
    )
    draft = make.event("draft-krakow", status=EventStatus.DRAFT)
    make.session(draft, trainers=[trainer])
    make.event("cancelled-zilina", status=EventStatus.CANCELLED)
    past = make.event("past-gyor", starts_in_days=-20, closes_in_days=-25)
    past_session = make.session(past, trainers=[trainer])
    past_session.attendance_closed_at = past.ends_at
    attended = make.registration(past, 0, account=rep, sessions=[past_session])
    make.attendance(past_session, attended, AttendanceStatus.PRESENT, by=trainer)
    make.event("closed-lodz", starts_in_days=5, closes_in_days=-1)
    make.event("invited-only-ostrava", allow_direct_signup=False)

    # the outbox as the app keys it and the worker leaves it (services.outbox.keys): every
    # invitation mailed (sent with its bodies dropped; the failed one's kept, for the organiser
    # to look at), a reminder that failed long ago (bodies purged), the confirmation sent, the
    # past event's certificate queued, a calendar invitation a worker is sending, an account
    # mail; the crawl fails if a page that reads them breaks
    for status, invitation in invited.items():
        if status == InvitationStatus.FAILED:
            make.outbox_message(
                invitation.respondent.email,
                OutboxStatus.FAILED,
                key=keys.invitation(invitation),
                attempts=MAX_ATTEMPTS,
                last_error="gave up after 12 attempts; last: 452 4.2.2 mailbox full",
            )
        elif status != InvitationStatus.QUEUED:
            make.outbox_message(
                invitation.respondent.email, OutboxStatus.SENT, key=keys.invitation(invitation)
            )
    long_ago = utcnow() - timedelta(days=90)
    make.outbox_message(
        invited[InvitationStatus.EXPIRED].respondent.email,
        OutboxStatus.FAILED,
        key=keys.reminder(invited[InvitationStatus.EXPIRED], 1),
        failed_at=long_ago,
        purged_at=long_ago,
        **NO_BODIES,
    )
    make.outbox_message(
        rep.email, OutboxStatus.SENT, key=keys.registration_notice(mine, "confirmed")
    )
    make.outbox_message(rep.email, key=keys.certificate(past, attended))
    make.outbox_message(
        rep.email,
        OutboxStatus.SENDING,
        key=keys.calendar(OutboxKind.CALENDAR_INVITE, open_session, 0, "REQUEST", rep.email),
        calendar_method="REQUEST",
        calendar_ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        locked_by="worker-crawl",
        locked_at=utcnow(),
        attempts=0,
    )
    make.outbox_message(
        admin.email,
        OutboxStatus.SENT,
        key=keys.plain(OutboxKind.PASSWORD_RESET, f"password-reset:{admin.id}:crawl"),
    )
    # the links only a mailbox receives: a sign-up confirmation and a password reset, queued by
    # the account service itself; the anonymous crawl opens the links their bodies carry
    accounts.request_signup("nova.uchazecka@example.cz", "cs")
    accounts.request_password_reset(rep.email)
    db.session.commit()

    return CrawlWorld(
        emails={
            Role.ADMIN: admin.email,
            Role.ORGANISER: organiser.email,
            Role.TRAINER: trainer.email,
            Role.REPRESENTATIVE: rep.email,
        },
        mailed_links={
            ANONYMOUS: links + _links_in_queued_mail(),
            # the representative's personal calendar feed (mailed and shown on their profile)
            Role.REPRESENTATIVE: [_path(url) for url in feed_urls(rep).values()],
        },
        must_reach={
            ANONYMOUS: ["/events/", f"/events/{main.slug}", f"/events/{main.slug}/calendar.ics"],
            Role.ADMIN: ["/admin/users", f"/attendance/events/{main.slug}"],
            Role.ORGANISER: [
                f"/events/{main.slug}/registrations",
                f"/events/{main.slug}/invitations",
                f"/attendance/events/{main.slug}",
                f"/attendance/sessions/{closed_session.id}",
                "/survey/respondents",
            ],
            Role.TRAINER: [
                f"/attendance/sessions/{open_session.id}",
                f"/attendance/sessions/{closed_session.id}",
            ],
            Role.REPRESENTATIVE: ["/my/registrations", f"/events/{waiting.slug}"],
        },
    )


def _links_in_queued_mail() -> list[str]:
    """The same-site links in the HTML bodies of the messages still queued."""
    base = urlsplit(current_app.config["BASE_URL"]).netloc
    found: list[str] = []
    bodies = db.session.scalars(
        select(OutboxMessage.body_html).where(OutboxMessage.status == OutboxStatus.QUEUED)
    )
    for body in bodies:
        parser = LinkParser()
        parser.feed(body)
        found += [_path(url) for url in parser.urls if same_site(url, {base})]
    assert found, "the account mails carry their links"
    return found


# --- the crawler -------------------------------------------------------------------------


class LinkParser(HTMLParser):
    """The URLs a browser would GET from a page: links, GET forms as they stand (their named
    fields with the values the page gives them), stylesheets, images and scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._form: dict[str, object] | None = None
        self._select: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in values:
            if values.get("rel") == "alternate" and values.get("hreflang"):
                return  # the same page in another language (tests/test_pseudo_locale.py)
            self.urls.append(values["href"])
        elif tag in ("link", "script", "img", "iframe", "source"):
            target = values.get("href") or values.get("src")
            if target:
                self.urls.append(target)
        elif tag == "form":
            method = values.get("method", "get").lower()
            if method == "get":
                self._form = {"action": values.get("action", ""), "fields": []}
        elif self._form is not None:
            self._form_field(tag, values)

    def _form_field(self, tag: str, values: dict[str, str]) -> None:
        assert self._form is not None
        fields: list[tuple[str, str]] = self._form["fields"]  # type: ignore[assignment]
        name = values.get("name")
        if tag == "input" and name and "disabled" not in values:
            kind = values.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in values:
                    fields.append((name, values.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                fields.append((name, values.get("value", "")))
        elif tag == "select" and name:
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            chosen = values.get("value", "")
            options = self._select[1]
            if "selected" in values:
                options.insert(0, chosen)
            else:
                options.append(chosen)
        elif tag == "textarea" and name:
            fields.append((name, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            if options:
                self._form["fields"].append((name, options[0]))  # type: ignore[union-attr]
            self._select = None
        elif tag == "form" and self._form is not None:
            query = urlencode(self._form["fields"])  # type: ignore[arg-type]
            action = str(self._form["action"]).split("?")[0]
            self.urls.append(f"{action}?{query}" if query else action or "?")
            self._form = None


def _path(url: str) -> str:
    """``url`` without scheme, host and fragment (what the test client needs)."""
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path or "/", parts.query, ""))


def same_site(url: str, hosts: set[str]) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("", "http", "https") and parts.netloc in hosts


@dataclass
class Failure:
    who: str
    url: str
    answer: str
    chain: list[str]

    def __str__(self) -> str:
        trail = " -> ".join(self.chain + [self.url])
        return f"GET {self.url} as {self.who}: {self.answer}\n    reached by {trail}"


def crawl(app: Flask, client: FlaskClient, who: str, seeds: list[str]) -> list[Failure]:
    """Breadth-first over the same-site links from ``seeds``; every 5xx (or an error while
    the body streams) becomes a Failure."""
    hosts = {"", "localhost", urlsplit(app.config["BASE_URL"]).netloc}
    parent: dict[str, str | None] = {}
    queue: deque[str] = deque()
    for seed in seeds:
        if seed not in parent:
            parent[seed] = None
            queue.append(seed)
    failures: list[Failure] = []
    statuses: dict[int, int] = {}
    answers: dict[str, int] = {}
    endpoints: dict[str, int] = {}
    urls = app.url_map.bind("localhost")
    pages = downloads = 0
    started = time.perf_counter()
    while queue and pages + downloads < MAX_PAGES:
        url = queue.popleft()
        answer, status, links, is_html = _fetch(client, url)
        statuses[status] = statuses.get(status, 0) + 1
        answers[url] = status
        if is_html:
            pages += 1
        else:
            downloads += 1
        if not answer and status >= 400 and parent[url] is not None:
            answer = f"a broken link: answered {status}"
        if answer:
            failures.append(Failure(who, url, answer, _chain(parent, url)))
        if status == 200:
            endpoint = _endpoint(urls, url)
            endpoints[endpoint] = endpoints.get(endpoint, 0) + 1
        for link in links:
            target = urljoin(f"http://localhost{url}", link)
            if not same_site(target, hosts):
                continue
            path = _path(target)
            if path.startswith(SKIP_PATHS) or path in parent:
                continue
            parent[path] = url
            queue.append(path)
    CRAWL_REPORT[who] = {
        "pages": pages,
        "downloads": downloads,
        "unvisited": len(queue),
        "seconds": round(time.perf_counter() - started, 2),
        "statuses": dict(sorted(statuses.items())),
        "endpoints": dict(sorted(endpoints.items())),
        "answers": answers,
    }
    return failures


def _endpoint(urls: MapAdapter, url: str) -> str:
    """The view that answered ``url`` (``static`` for a file)."""
    endpoint, _ = urls.match(urlsplit(url).path, method="GET")
    return str(endpoint)


def _fetch(client: FlaskClient, url: str) -> tuple[str, int, list[str], bool]:
    """GET ``url``: (what went wrong or "", status, the links it offers, whether it is HTML)."""
    try:
        response = client.get(url, headers={"Accept": "text/html,*/*;q=0.8"})
        try:
            body = response.get_data()  # a streamed download fails here, not before
        finally:
            response.close()
    except Exception as error:  # the crawl reports every failure, whatever it is
        return f"raised {type(error).__name__}: {error}", 500, [], False
    status = response.status_code
    answer = f"answered {status}" if status >= 500 else ""
    if 300 <= status < 400:
        return answer, status, [response.headers.get("Location", "")], True
    if response.mimetype not in HTML_TYPES:
        return answer, status, [], False
    parser = LinkParser()
    parser.feed(body.decode(response.mimetype_params.get("charset", "utf-8"), "replace"))
    return answer, status, parser.urls, True


def _chain(parent: dict[str, str | None], url: str) -> list[str]:
    chain: list[str] = []
    step = parent.get(url)
    while step is not None:
        chain.append(step)
        step = parent.get(step)
    return list(reversed(chain))


# --- the test ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(module_app: Flask) -> CrawlWorld:
    return build_world()


@pytest.fixture(scope="module")
def server(module_app: Flask, world: CrawlWorld) -> Iterator[Flask]:
    """The app that answers the crawl: its own application object, so each request runs in
    an app context of its own (its own ``g`` and database session, closed when the response
    is returned) as under a real server, not inside the test's context."""
    served = create_app(dict(module_app.config))
    yield served
    with served.app_context():
        db.engine.dispose()


def _client_for(server: Flask, who: str, world: CrawlWorld) -> FlaskClient:
    client = server.test_client()
    if who != ANONYMOUS:
        response = client.post(
            "/auth/login", data={"email": world.emails[who], "password": PASSWORD}
        )
        assert response.status_code == REDIRECT, f"log-in as {who}: {response.status_code}"
    return client


@pytest.mark.parametrize("who", WHO)
def test_every_link_answers(server: Flask, world: CrawlWorld, who: str) -> None:
    client = _client_for(server, who, world)
    seeds = [*START, *world.mailed_links.get(who, [])]
    failures = crawl(server, client, who, seeds)
    report = CRAWL_REPORT[who]
    answers: dict[str, int] = report.pop("answers")  # type: ignore[assignment]
    print(f"\ncrawl as {who}: {report}")
    assert not failures, f"{len(failures)} failure(s):\n" + "\n".join(map(str, failures))
    # it followed the pages' links to the pages with data behind them
    assert {url: answers.get(url) for url in world.must_reach[who]} == dict.fromkeys(
        world.must_reach[who], 200
    )
    # ... to every kind of page its role has, and to none of a role above it
    views = set(report["endpoints"])  # type: ignore[arg-type]
    assert MUST_VIEW[who] - views == set(), f"not reached as {who}"
    assert NEVER_VIEW[who] & views == set(), f"reached as {who}"

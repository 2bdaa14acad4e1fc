"""Idempotent demo data: the V4ClusGo partners, the Brno event, accounts, respondents."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Event, Organisation, Respondent, TrainingSession, User
from ..models.base import utcnow
from . import audit, demo_texts
from .events import EventData, SessionData, add_session, create_event, publish_event
from .passwords import verify_password
from .users import create_user, find_by_email, set_password

#: the password earlier versions gave every demo account, printed in their README: a demo
#: account that still has it gets the current demo password instead
RETIRED_PASSWORDS = ("clusgo-demo-2017",)
UPCOMING_SLUG = "brno-follow-up"

PARTNERS = [
    ("National Cluster Association CZ", "CZ", "Prague", "association"),
    ("Hungarian National Alliance of Innovative Clusters", "HU", "Budapest", "association"),
    ("Union of Slovak Clusters", "SK", "Bratislava", "association"),
    ("Polish National Association of Innovative Entrepreneurs", "PL", "Warsaw", "association"),
    ("Natureef European Strategic Cluster Partnership", "CZ", "Brno", "host"),
]
CLUSTERS = [
    ("Moravian Aerospace Cluster", "CZ", "Brno", "aerospace"),
    ("Pannon Mechatronics Cluster", "HU", "Győr", "mechatronics"),
    ("Žilina Automotive Cluster", "SK", "Žilina", "automotive"),
    ("Łódź Textile Cluster", "PL", "Łódź", "textiles"),
]
ACCOUNTS = [
    ("admin@clusgo.example", "admin", "Ada Admin"),
    ("organiser@clusgo.example", "organiser", "Olga Organiserová"),
    ("trainer1@clusgo.example", "trainer", "Tomáš Třešňák"),
    ("trainer2@clusgo.example", "trainer", "Zsófia Kővári"),
]
RESPONDENTS = [
    ("jana.bruskova@aerocluster.example", "Jana Břusková", 0, "cs"),
    ("gabor.szucs@pannon.example", "Gábor Szűcs", 1, "hu"),
    ("lubos.stefanik@zilina.example", "Ľuboš Štefánik", 2, "sk"),
    ("lukasz.zolkiewski@lodz.example", "Łukasz Żółkiewski", 3, "pl"),
]


def _organisation(name: str, country: str, city: str, kind: str, sector: str = "") -> Organisation:
    org = db.session.scalar(
        select(Organisation).where(Organisation.name == name, Organisation.country == country)
    )
    if org is None:
        org = Organisation(name=name, country=country, city=city, kind=kind, sector=sector)
        db.session.add(org)
        db.session.flush()
    return org


def demo_password() -> str:
    """The demo accounts' password: ``DEMO_PASSWORD``, else a random one generated once into
    ``DEMO_PASSWORD_FILE`` (``instance/demo_password``) and kept there, so every run of
    ``flask demo`` prints the same one and no demo opens with a published password."""
    from config import ensure_secret_file

    configured = current_app.config.get("DEMO_PASSWORD")
    if configured:
        return str(configured)
    return ensure_secret_file(current_app.config["DEMO_PASSWORD_FILE"], nbytes=12)


def _demo_account(email: str, role: str, name: str, password: str) -> User:
    """The demo account ``email``, made when missing; one still holding a retired (published)
    password gets ``password``."""
    user = find_by_email(email)
    if user is None:
        return create_user(email, role, password, name=name)
    if any(verify_password(user.password_hash, old) for old in RETIRED_PASSWORDS):
        set_password(user, password)
        audit.record("user.password_change", user, {"reason": "retired demo password"})
    return user


def load_demo(password: str | None = None) -> list[tuple[str, str, str]]:
    """Create what is missing; returns the demo log-ins (e-mail, role, password)."""
    password = password or demo_password()
    for name, country, city, kind in PARTNERS:
        _organisation(name, country, city, kind)
    clusters = [
        _organisation(name, country, city, "cluster", sector)
        for name, country, city, sector in CLUSTERS
    ]
    accounts = {email: _demo_account(email, role, name, password) for email, role, name in ACCOUNTS}
    host = _organisation(*PARTNERS[4])
    event = db.session.scalar(select(Event).where(Event.slug == "brno-2017"))
    if event is None:
        event = create_event(
            EventData(
                title="V4ClusGo internationalisation event",
                slug="brno-2017",
                description=(
                    "An internationalisation event of European format for the cluster "
                    "organisations of Czechia, Hungary, Slovakia and Poland, hosted by the "
                    "Natureef European Strategic Cluster Partnership, with trainings on "
                    "preparing an internationalisation strategy."
                ),
                venue="Brno Exhibition Centre, Pavilion E",
                address="Výstaviště 405/1, 603 00 Brno, Czech Republic",
                timezone="Europe/Prague",
                starts_local=datetime(2017, 2, 15, 9, 0),
                ends_local=datetime(2017, 2, 16, 17, 0),
                capacity=120,
                registration_opens_local=datetime(2016, 12, 1, 9, 0),
                registration_closes_local=datetime(2017, 2, 10, 23, 59),
                host_organisation_id=host.id,
                translations=demo_texts.BRNO_2017,
            ),
            created_by=accounts["organiser@clusgo.example"],
        )
        publish_event(event)
    if not db.session.scalar(
        select(TrainingSession.id).where(TrainingSession.event_id == event.id)
    ):
        t1, t2 = accounts["trainer1@clusgo.example"], accounts["trainer2@clusgo.example"]
        add_session(
            event,
            SessionData(
                title="Preparing an internationalisation strategy: analysis",
                description="Mapping markets, partners and the cluster's strengths.",
                room="Hall A",
                starts_local=datetime(2017, 2, 15, 13, 0),
                ends_local=datetime(2017, 2, 15, 16, 0),
                capacity=25,
                trainer_ids=[t1.id],
                translations=demo_texts.BRNO_2017_SESSIONS[0],
            ),
        )
        add_session(
            event,
            SessionData(
                title="Preparing an internationalisation strategy: action plan",
                description="From goals to an action plan, budget and indicators.",
                room="Hall B",
                starts_local=datetime(2017, 2, 16, 9, 0),
                ends_local=datetime(2017, 2, 16, 12, 0),
                capacity=25,
                trainer_ids=[t2.id],
                translations=demo_texts.BRNO_2017_SESSIONS[1],
            ),
        )
    _upcoming_event(host, accounts)
    for email, name, cluster_index, language in RESPONDENTS:
        if db.session.scalar(select(Respondent.id).where(Respondent.email == email)) is None:
            org = clusters[cluster_index]
            db.session.add(
                Respondent(
                    email=email,
                    contact_name=name,
                    organisation_id=org.id,
                    organisation_name=org.name,
                    country=org.country,
                    city=org.city,
                    sector=org.sector,
                    language=language,
                    interested_in_event=True,
                    interested_in_training=True,
                    consent=True,
                    raw_answers={},
                )
            )
    db.session.flush()
    return [(email, role, password) for email, role, _ in ACCOUNTS]


def _upcoming_event(host: Organisation, accounts: dict[str, User]) -> Event:
    """A follow-up event next year with registration open, so a newcomer can try every step."""
    event = db.session.scalar(select(Event).where(Event.slug == UPCOMING_SLUG))
    if event is not None:
        return event
    year = utcnow().year + 1
    event = create_event(
        EventData(
            title="V4ClusGo follow-up: internationalisation strategy trainings",
            slug=UPCOMING_SLUG,
            description=(
                "A follow-up for the cluster organisations of the V4: two trainings on turning "
                "the internationalisation strategy into an action plan, with the partners of "
                "the National Cluster Association CZ, the Hungarian National Alliance of "
                "Innovative Clusters, the Union of Slovak Clusters and the Polish National "
                "Association of Innovative Entrepreneurs."
            ),
            venue="Brno Exhibition Centre, Pavilion E",
            address="Výstaviště 405/1, 603 00 Brno, Czech Republic",
            timezone="Europe/Prague",
            starts_local=datetime(year, 3, 17, 9, 0),
            ends_local=datetime(year, 3, 18, 16, 0),
            capacity=60,
            registration_closes_local=datetime(year, 3, 10, 23, 59),
            host_organisation_id=host.id,
            allow_direct_signup=True,
            translations=demo_texts.FOLLOW_UP,
        ),
        created_by=accounts["organiser@clusgo.example"],
    )
    publish_event(event)
    trainers = [accounts["trainer1@clusgo.example"], accounts["trainer2@clusgo.example"]]
    for day, (title, trainer, texts) in enumerate(
        [
            ("From strategy to action plan", trainers[0], demo_texts.FOLLOW_UP_SESSIONS[0]),
            (
                "Finding partners abroad: matchmaking and EU programmes",
                trainers[1],
                demo_texts.FOLLOW_UP_SESSIONS[1],
            ),
        ]
    ):
        add_session(
            event,
            SessionData(
                title=title,
                room="Hall A",
                starts_local=datetime(year, 3, 17 + day, 10, 0),
                ends_local=datetime(year, 3, 17 + day, 13, 0),
                capacity=3,
                trainer_ids=[trainer.id],
                translations=texts,
            ),
        )
    return event

"""How many mails each registration action sends one person, with their subjects: prints the
figures, asserts nothing (tests/test_fewer_mails.py holds the rules).

Usage: python scripts/count_mails.py [--language cs]

Builds a throw-away SQLite database with one published event and three training sessions,
then, as one person: registers for the event and two sessions, adds the third session, cancels
one session, cancels the registration; after each action it counts the outbox messages queued
to that person (each is one mail at the SMTP server) and prints their subjects and how many
calendar objects they carry.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clusgo_events import create_app  # noqa: E402
from clusgo_events.extensions import db  # noqa: E402
from clusgo_events.models import OutboxMessage, Role, User  # noqa: E402
from clusgo_events.services import registration as reg  # noqa: E402
from clusgo_events.services.events import (  # noqa: E402
    EventData,
    SessionData,
    add_session,
    create_event,
    publish_event,
)

ADDRESS = "jana@count.example"


def _new_mails(seen: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == ADDRESS)
            .order_by(OutboxMessage.id)
            .offset(seen)
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="cs")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="count-mails-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/count.sqlite3",
            "TESTING": True,
            "SECRET_KEY": "count",
        }
    )
    with app.app_context():
        db.create_all()
        year = datetime.now().year + 2
        event = create_event(
            EventData(
                title="V4ClusGo Brno",
                slug="count-brno",
                starts_local=datetime(year, 2, 15, 9, 0),
                ends_local=datetime(year, 2, 16, 17, 0),
                allow_direct_signup=True,
            )
        )
        sessions = [
            add_session(
                event,
                SessionData(
                    title=f"Training {n}",
                    starts_local=datetime(year, 2, 15, 9 + n, 0),
                    ends_local=datetime(year, 2, 15, 10 + n, 0),
                ),
            )
            for n in (1, 2, 3)
        ]
        publish_event(event)
        person = User(
            email=ADDRESS,
            name="Jana Nováková",
            role=Role.REPRESENTATIVE,
            language=args.language,
            password_hash="!",  # never logs in
        )
        db.session.add(person)
        db.session.commit()
        seen = 0

        def report(action: str) -> None:
            nonlocal seen
            db.session.commit()
            mails = _new_mails(seen)
            seen += len(mails)
            subjects = [m.subject for m in mails]
            repeated = len(subjects) - len(set(subjects))
            print(f"{action}: {len(mails)} mail(s), {repeated} repeated subject(s)")
            for m in mails:
                calendar = f"calendar {m.calendar_method}" if m.calendar_ics else "no calendar"
                print(f"  [{m.language}] {m.subject}  ({calendar}; notice: {m.notice or '-'})")

        from clusgo_events.services.registration import Attendee

        registration = reg.register(
            event,
            Attendee(name="Jana Nováková", privacy_consent=True, language=args.language),
            [sessions[0].id, sessions[1].id],
            user=person,
        )
        report("register for the event and two sessions")
        reg.change_sessions(registration, [s.id for s in sessions])
        report("change: add the third session")
        seat = next(s for s in registration.seats if s.session_id == sessions[0].id)
        reg.cancel_seat(seat)
        report("cancel one session")
        reg.cancel_registration(registration)
        report("cancel the registration (two sessions held)")


if __name__ == "__main__":
    main()

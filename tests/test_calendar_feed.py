"""Personal calendar feeds: secret URLs, what they list, constant queries."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest

from clusgo_events.extensions import db
from clusgo_events.models import User
from clusgo_events.services.calendar_feed import feed_key, feed_urls
from tests.calendar_helpers import (
    dst_weekend,
    local,
    make_event,
    make_registration,
    make_seat,
    make_session,
    parse_all,
)
from tests.conftest import make_user


def feed_path(user: User) -> str:
    return f"/calendar/feed/{feed_key(user)}.ics"


def uids(response) -> set[str]:  # type: ignore[no-untyped-def]
    calendar = parse_all(response.get_data(as_text=True))
    return {str(v["UID"]) for v in calendar.walk("VEVENT")}


def test_feed_headers_and_calendar_properties(client, users) -> None:  # type: ignore[no-untyped-def]
    user = users["representative"]
    response = client.get(feed_path(user))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"].startswith("private")
    text = response.get_data(as_text=True)
    calendar = parse_all(text)
    assert calendar["METHOD"] == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "ClusGo Events – Representative"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT4H\r\n" in text
    assert "X-PUBLISHED-TTL:PT4H\r\n" in text
    assert "ORGANIZER" not in text and "ATTENDEE" not in text


def test_feed_name_in_the_users_language(client, app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("representative", "jana@example.cz", name="Jana Nováková")
    user.language = "cs"
    db.session.commit()
    calendar = icalendar.Calendar.from_ical(client.get(feed_path(user)).data)
    assert str(calendar["X-WR-CALNAME"]) == "ClusGo Events – Jana Nováková"


def test_representative_feed_lists_confirmed_registrations_and_seats(client, users) -> None:  # type: ignore[no-untyped-def]
    rep = users["representative"]
    other = make_user("representative", "other@example.org")
    event = make_event()
    kept = make_session(event, "Kept seat")
    dropped = make_session(event, "Dropped seat")
    waiting = make_session(event, "Waitlisted seat")
    registration = make_registration(event, rep)
    make_seat(registration, kept)
    make_seat(registration, dropped, status="cancelled")
    make_seat(registration, waiting, status="waitlisted")
    # someone else's registration is not in my feed
    mine_not = make_event("elsewhere-2030")
    make_registration(mine_not, other)
    # a waitlisted registration is not in the feed either
    waitlisted_event = make_event("waitlisted-2030")
    make_registration(waitlisted_event, rep, status="waitlisted")
    assert uids(client.get(feed_path(rep))) == {event.uid, kept.uid}
    # a cancelled registration takes its seats with it
    registration.status = "cancelled"
    db.session.commit()
    assert uids(client.get(feed_path(rep))) == set()


def test_cancelled_event_stays_in_feed_as_cancelled(client, users) -> None:  # type: ignore[no-untyped-def]
    from clusgo_events.services.events import cancel_event

    rep = users["representative"]
    event = make_event()
    session = make_session(event)
    make_seat(make_registration(event, rep), session)
    cancel_event(event)
    db.session.commit()
    calendar = parse_all(client.get(feed_path(rep)).get_data(as_text=True))
    assert {str(v["UID"]): str(v["STATUS"]) for v in calendar.walk("VEVENT")} == {
        event.uid: "CANCELLED",
        session.uid: "CANCELLED",
    }


def test_trainer_feed_lists_sessions_they_teach(client, users) -> None:  # type: ignore[no-untyped-def]
    trainer = users["trainer"]
    other_trainer = make_user("trainer", "t2@example.org", name="Other Trainer")
    event = make_event()
    teaching = make_session(event, "Mine", trainers=[trainer])
    make_session(event, "Not mine", trainers=[other_trainer])
    draft = make_event("draft-2030", status="draft")
    make_session(draft, "Planned, not yet published", trainers=[trainer])
    response = client.get(feed_path(trainer))
    assert uids(response) == {teaching.uid}
    vevent = icalendar.Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert "Trainers: Trainer" in str(vevent["DESCRIPTION"])


def test_organiser_feed_lists_their_events_admin_all(client, users) -> None:  # type: ignore[no-untyped-def]
    organiser, admin = users["organiser"], users["admin"]
    colleague = make_user("organiser", "colleague@example.org")
    mine = make_event("mine-2030", created_by=organiser)
    mine_session = make_session(mine)
    my_draft = make_event("my-draft-2030", created_by=organiser, status="draft")
    theirs = make_event("theirs-2030", created_by=colleague)
    assert uids(client.get(feed_path(organiser))) == {mine.uid, mine_session.uid, my_draft.uid}
    assert uids(client.get(feed_path(colleague))) == {theirs.uid}
    assert uids(client.get(feed_path(admin))) == {
        mine.uid,
        mine_session.uid,
        my_draft.uid,
        theirs.uid,
    }
    # a draft is marked tentative
    calendar = icalendar.Calendar.from_ical(client.get(feed_path(organiser)).data)
    statuses = {str(v["UID"]): str(v["STATUS"]) for v in calendar.walk("VEVENT")}
    assert statuses[my_draft.uid] == "TENTATIVE"
    assert statuses[mine.uid] == "CONFIRMED"


@pytest.mark.parametrize(
    "key",
    [
        "1-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "nonsense",
        "1-",
        "-1-abc",
        "99999999999999999999-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "4294967296-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "1-" + "A" * 500,
        "1-%27%3B--",
    ],
)
def test_invalid_keys_get_a_plain_404(client, users, key) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/calendar/feed/{key}.ics")
    assert response.status_code == 404
    assert b"VCALENDAR" not in response.data
    assert users["representative"].email.encode() not in response.data


def test_foreign_token_does_not_open_another_feed(client, users) -> None:  # type: ignore[no-untyped-def]
    rep, trainer = users["representative"], users["trainer"]
    token_of_rep = feed_key(rep).split("-", 1)[1]
    response = client.get(f"/calendar/feed/{trainer.id}-{token_of_rep}.ics")
    assert response.status_code == 404
    assert client.get(feed_path(trainer)).status_code == 200


def test_inactive_account_feed_is_404(client, users) -> None:  # type: ignore[no-untyped-def]
    rep = users["representative"]
    path = feed_path(rep)
    rep.is_active_account = False
    db.session.commit()
    assert client.get(path).status_code == 404


def test_token_depends_on_secret_key(app, users) -> None:  # type: ignore[no-untyped-def]
    rep = users["representative"]
    before = feed_key(rep)
    app.config["SECRET_KEY"] = "another-secret"
    assert feed_key(rep) != before


def test_profile_offers_webcal_and_https_and_reset_kills_old_url(client, auth, users) -> None:  # type: ignore[no-untyped-def]
    rep = users["representative"]
    old_path = feed_path(rep)
    auth.login_as(rep)
    page = client.get("/auth/profile").get_data(as_text=True)
    links = feed_urls(rep)
    assert links["https"] == "http://127.0.0.1:5000" + old_path
    assert links["webcal"] == "webcal://127.0.0.1:5000" + old_path
    assert f'href="{links["webcal"]}"' in page
    assert links["https"] in page
    response = client.post("/calendar/feed/reset")
    assert response.headers["Location"].endswith("/auth/profile")
    db.session.expire_all()
    rep = db.session.get(User, rep.id)
    new_path = feed_path(rep)
    assert new_path != old_path
    assert client.get(old_path).status_code == 404
    assert client.get(new_path).status_code == 200
    page = client.get("/auth/profile").get_data(as_text=True)
    assert old_path not in page and new_path in page


def test_reset_needs_login_and_csrf(client, auth, users, app) -> None:  # type: ignore[no-untyped-def]
    rep = users["representative"]
    salt = rep.feed_salt
    response = client.post("/calendar/feed/reset")
    assert "/auth/login" in response.headers["Location"]
    assert client.get("/calendar/feed/reset").status_code == 405
    auth.login_as(rep)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/calendar/feed/reset")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, rep.id).feed_salt == salt


def _user_with_sessions(n: int) -> tuple[User, User, User]:
    """A representative with ``n`` confirmed seats, a trainer teaching ``n`` sessions and the
    organiser who created their events."""
    rep = make_user("representative", f"rep{n}@example.org", name=f"Rep {n}")
    trainer = make_user("trainer", f"trainer{n}@example.org", name=f"Trainer {n}")
    organiser = make_user("organiser", f"organiser{n}@example.org", name=f"Organiser {n}")
    events = [make_event(f"event-{n}-{i}", created_by=organiser) for i in range(max(1, n // 50))]
    registrations = [make_registration(e, rep, commit=False) for e in events]
    saturday, _ = dst_weekend()
    for i in range(n):
        event = events[i % len(events)]
        start = local(saturday, 8) + timedelta(minutes=5 * i)
        session = make_session(
            event,
            f"Session {i} – plánování žluťoučké strategie",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            trainers=[trainer],
            commit=False,
        )
        make_seat(registrations[i % len(events)], session, commit=False)
    db.session.commit()
    return rep, trainer, organiser


def test_feed_queries_do_not_grow_with_sessions(client, count_queries) -> None:  # type: ignore[no-untyped-def]
    counts = {}
    admin = make_user("admin", "admin@example.org")
    for n in (5, 500):
        rep, trainer, organiser = _user_with_sessions(n)
        for user in (rep, trainer, organiser, admin):
            path = feed_path(user)
            db.session.expire_all()
            with count_queries() as counter:
                response = client.get(path)
            assert response.status_code == 200
            found = uids(response)
            assert len(found) >= n
            counts[(n, user.role)] = counter.count
    assert counts[(5, "representative")] == counts[(500, "representative")]
    assert counts[(5, "trainer")] == counts[(500, "trainer")]
    assert counts[(5, "organiser")] == counts[(500, "organiser")]
    assert counts[(5, "admin")] == counts[(500, "admin")]
    assert counts[(500, "representative")] <= 6

"""Calendar files: downloads, the ``ical export`` command, zones, folding, stable UIDs."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import icalendar
import vobject
from ical.calendar_stream import IcsCalendarStream

from clusgo_events.extensions import db
from clusgo_events.services import ical
from clusgo_events.services.events import SessionData, cancel_session, update_session
from tests.calendar_helpers import (
    dst_weekend,
    local,
    make_event,
    make_session,
    parse_all,
    physical_lines,
)

LONG_CZECH = (
    "Příliš žluťoučký kůň úpěl ďábelské ódy – školení o strategii internacionalizace "
    "klastrů ve středoevropském regionu, ŘŠČŽÝÁÍÉŮÚ ěščřžýáíéůú "
)
LONG_POLISH = "Zażółć gęślą jaźń – współpraca klastrów w Grupie Wyszehradzkiej, źdźbło "


def _dst_event():  # type: ignore[no-untyped-def]
    event = make_event()
    _, mon = dst_weekend()
    saturday = make_session(event, "Saturday session")  # the Saturday before the change, CET
    monday = make_session(
        event,
        "Monday session",
        starts_at=local(mon, 9),
        ends_at=local(mon, 11),
    )  # the Monday after, CEST (clocks went forward on the Sunday)
    return event, saturday, monday


def test_event_download_is_valid_and_complete(client) -> None:  # type: ignore[no-untyped-def]
    event, saturday, monday = _dst_event()
    response = client.get("/events/brno-2030/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="brno-2030.ics"'
    text = response.get_data(as_text=True)
    calendar = parse_all(text)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == ical.PRODID
    assert calendar["METHOD"] == "PUBLISH"
    assert "ORGANIZER" not in text and "ATTENDEE" not in text
    vevents = {str(v["UID"]): v for v in calendar.walk("VEVENT")}
    assert set(vevents) == {event.uid, saturday.uid, monday.uid}
    main = vevents[event.uid]
    assert main["SUMMARY"] == event.title
    assert main["LOCATION"] == "Brno Exhibition Centre, Výstaviště 405/1, 603 00 Brno"
    assert main["URL"] == "http://127.0.0.1:5000/events/brno-2030"
    assert main["STATUS"] == "CONFIRMED"
    assert main["SEQUENCE"] == 0
    assert "DTSTAMP" in main
    assert "Trainings on internationalisation strategy." in main["DESCRIPTION"]
    session = vevents[saturday.uid]
    assert session["LOCATION"] == (
        "Brno Exhibition Centre, Výstaviště 405/1, 603 00 Brno, Pavilion A, room 2"
    )
    assert "Part of: V4ClusGo internationalisation event" in session["DESCRIPTION"]
    # one VTIMEZONE for the zone used by DTSTART/DTEND
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Prague"]
    sat, _ = dst_weekend()
    assert f"DTSTART;TZID=Europe/Prague:{sat:%Y%m%d}T090000" in text


def test_times_across_the_dst_change_in_every_reader(app) -> None:  # type: ignore[no-untyped-def]
    event, saturday, monday = _dst_event()
    sat, mon = dst_weekend()
    text = ical.event_calendar(event)
    parse_all(text)
    expected = {
        saturday.uid: (datetime.combine(sat, time(10)), timedelta(hours=1)),
        monday.uid: (datetime.combine(mon, time(9)), timedelta(hours=2)),
    }
    # icalendar
    for vevent in icalendar.Calendar.from_ical(text).walk("VEVENT"):
        uid = str(vevent["UID"])
        if uid in expected:
            start = vevent.decoded("DTSTART")
            assert start.replace(tzinfo=None) == expected[uid][0]
            assert start.utcoffset() == expected[uid][1]
    # the strict ical package reads the VTIMEZONE
    for item in IcsCalendarStream.calendar_from_ics(text).events:
        if item.uid in expected:
            assert item.dtstart.replace(tzinfo=None) == expected[item.uid][0]
            assert item.dtstart.utcoffset() == expected[item.uid][1]
    # vobject
    for vevent in vobject.readOne(text, validate=True).vevent_list:
        uid = vevent.uid.value
        if uid in expected:
            assert vevent.dtstart.value.utcoffset() == expected[uid][1]
    # and the instants are the ones stored
    assert saturday.starts_at == datetime.combine(sat, time(9), tzinfo=UTC)
    assert monday.starts_at == datetime.combine(mon, time(7), tzinfo=UTC)
    # the whole event spans the change: starts in CET, ends in CEST
    assert f"DTEND;TZID=Europe/Prague:{mon:%Y%m%d}T170000" in text


def test_long_czech_and_polish_lines_fold_at_75_octets(app) -> None:  # type: ignore[no-untyped-def]
    event = make_event(
        title=(LONG_CZECH * 2)[:200],
        description=(LONG_CZECH + "\n" + LONG_POLISH) * 6,
        venue="Výstaviště – pavilon Ř, žluťoučký sál",
    )
    make_session(event, (LONG_POLISH * 3)[:200], description=LONG_POLISH * 5)
    text = ical.event_calendar(event)
    lines = physical_lines(text)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines), "expected folded lines"
    for line in lines:
        line.decode("utf-8")  # never split inside a multi-byte character
    calendar = parse_all(text)
    titles = {str(v["SUMMARY"]) for v in calendar.walk("VEVENT")}
    assert (LONG_CZECH * 2)[:200] in titles  # unfolds back to the same text
    assert (LONG_POLISH * 3)[:200] in titles


def test_uid_is_stable_and_stored(app) -> None:  # type: ignore[no-untyped-def]
    event, saturday, _ = _dst_event()
    first = icalendar.Calendar.from_ical(ical.event_calendar(event))
    db.session.expire_all()
    second = icalendar.Calendar.from_ical(
        ical.event_calendar(db.session.get(type(event), event.id))
    )
    uids = [[str(v["UID"]) for v in c.walk("VEVENT")] for c in (first, second)]
    assert uids[0] == uids[1]
    assert event.uid in uids[0] and saturday.uid in uids[0]
    # the UID is a random UUID with no host name in it
    assert "@" not in event.uid and len(event.uid) == 36


def test_session_change_raises_sequence_keeps_uid(app) -> None:  # type: ignore[no-untyped-def]
    event, saturday, _ = _dst_event()
    sat, _ = dst_weekend()
    before = icalendar.Calendar.from_ical(ical.session_calendar(saturday)).walk("VEVENT")[0]
    update_session(
        saturday,
        SessionData(
            title=saturday.title,
            starts_local=datetime.combine(sat, time(13)),
            ends_local=datetime.combine(sat, time(15)),
            room="Pavilion B",
        ),
    )
    db.session.commit()
    after = icalendar.Calendar.from_ical(ical.session_calendar(saturday)).walk("VEVENT")[0]
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after.decoded("DTSTART").replace(tzinfo=None) == datetime.combine(sat, time(13))
    cancel_session(saturday)
    db.session.commit()
    cancelled = icalendar.Calendar.from_ical(ical.session_calendar(saturday)).walk("VEVENT")[0]
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["SEQUENCE"] == after["SEQUENCE"] + 1


def test_session_download(client) -> None:  # type: ignore[no-untyped-def]
    event, saturday, monday = _dst_event()
    response = client.get(f"/events/brno-2030/sessions/{monday.id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        f'filename="brno-2030-session-{monday.id}.ics"' in response.headers["Content-Disposition"]
    )
    calendar = parse_all(response.get_data(as_text=True))
    [vevent] = calendar.walk("VEVENT")
    assert vevent["UID"] == monday.uid
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(hours=2)


def test_session_of_another_event_is_404(client) -> None:  # type: ignore[no-untyped-def]
    _, saturday, _ = _dst_event()
    make_event("other-2030")
    assert client.get(f"/events/other-2030/sessions/{saturday.id}/calendar.ics").status_code == 404
    assert client.get("/events/brno-2030/sessions/99999/calendar.ics").status_code == 404
    assert client.get("/events/nope/calendar.ics").status_code == 404


def test_drafts_are_not_downloadable_by_the_public(client, auth, users) -> None:  # type: ignore[no-untyped-def]
    event = make_event("draft-2030", status="draft")
    session = make_session(event)
    assert client.get("/events/draft-2030/calendar.ics").status_code == 404
    url = f"/events/draft-2030/sessions/{session.id}/calendar.ics"
    assert client.get(url).status_code == 404
    auth.login_as(users["representative"])
    assert client.get("/events/draft-2030/calendar.ics").status_code == 404
    auth.logout()
    auth.login_as(users["organiser"])
    response = client.get("/events/draft-2030/calendar.ics")
    assert response.status_code == 200
    calendar = parse_all(response.get_data(as_text=True))
    assert {str(v["STATUS"]) for v in calendar.walk("VEVENT")} == {"TENTATIVE"}
    assert client.get(url).status_code == 200


def test_cancelled_event_file_says_cancelled(client) -> None:  # type: ignore[no-untyped-def]
    from clusgo_events.services.events import cancel_event

    event, saturday, _ = _dst_event()
    cancel_event(event)
    db.session.commit()
    calendar = parse_all(client.get("/events/brno-2030/calendar.ics").get_data(as_text=True))
    statuses = {str(v["UID"]): (str(v["STATUS"]), v["SEQUENCE"]) for v in calendar.walk("VEVENT")}
    assert statuses[event.uid] == ("CANCELLED", 1)
    # a session's SEQUENCE includes its event's: both rose
    assert statuses[saturday.uid] == ("CANCELLED", 2)


def test_cli_export_writes_a_valid_file(runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    event, saturday, monday = _dst_event()
    target = tmp_path / "brno.ics"
    result = runner.invoke(args=["ical", "export", "brno-2030", "--output", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_bytes().decode("utf-8")
    calendar = parse_all(text)
    assert {str(v["UID"]) for v in calendar.walk("VEVENT")} == {
        event.uid,
        saturday.uid,
        monday.uid,
    }
    # exporting again gives the same UIDs (only DTSTAMP moves)
    runner.invoke(args=["ical", "export", "brno-2030", "--output", str(target)])
    again = icalendar.Calendar.from_ical(target.read_bytes())
    assert {str(v["UID"]) for v in again.walk("VEVENT")} == {
        str(v["UID"]) for v in calendar.walk("VEVENT")
    }


def test_cli_export_unknown_event_fails(runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "none.ics"
    result = runner.invoke(args=["ical", "export", "nope", "--output", str(target)])
    assert result.exit_code != 0
    assert "No event" in result.output
    assert not target.exists()


def test_cli_export_includes_drafts(runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    event = make_event("draft-2030", status="draft")
    target = tmp_path / "draft.ics"
    result = runner.invoke(args=["ical", "export", "draft-2030", "-o", str(target)])
    assert result.exit_code == 0, result.output
    calendar = parse_all(target.read_bytes().decode("utf-8"))
    assert [str(v["UID"]) for v in calendar.walk("VEVENT")] == [event.uid]


def test_event_page_links_the_downloads(client) -> None:  # type: ignore[no-untyped-def]
    event, saturday, _ = _dst_event()
    page = client.get("/events/brno-2030").get_data(as_text=True)
    assert 'href="/events/brno-2030/calendar.ics"' in page
    assert f'href="/events/brno-2030/sessions/{saturday.id}/calendar.ics"' in page

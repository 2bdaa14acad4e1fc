"""The Outbox page (/outbox): what organisers see of the mail, and the actions that steer it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, Invitation, OutboxKind, OutboxMessage, OutboxStatus
from clusgo_events.models.base import utcnow
from clusgo_events.models.enums import InvitationStatus
from clusgo_events.services import scope
from clusgo_events.services.invitations import find_by_token
from clusgo_events.services.outbox import keys
from tests import factories
from tests.conftest import AuthActions


def _invitation_message(event, status=OutboxStatus.FAILED, **values):  # type: ignore[no-untyped-def]
    invitation, raw = factories.invitation(
        event,
        status=InvitationStatus.FAILED
        if status == OutboxStatus.FAILED
        else InvitationStatus.QUEUED,
    )
    key = keys.invitation(invitation)
    message = factories.outbox_message(
        recipient=invitation.respondent.email,
        status=status,
        key=key,
        last_error=values.pop("last_error", "550 5.1.1 mailbox unavailable"),
        failed_at=utcnow() if status == OutboxStatus.FAILED else None,
        **values,
    )
    return invitation, raw, message


@pytest.fixture()
def organiser(app: Flask, client: FlaskClient, auth: AuthActions):  # type: ignore[no-untyped-def]
    user = factories.user("organiser")
    db.session.commit()
    auth.login_as(user)
    return user


def test_the_page_lists_every_column_and_counts_per_status(client, organiser) -> None:  # type: ignore[no-untyped-def]
    event = factories.event(title="Brno Cluster Days")
    _, _, failed = _invitation_message(event)
    factories.outbox_message(status=OutboxStatus.QUEUED, event_id=event.id, kind="other")
    factories.outbox_message(status=OutboxStatus.SENT, event_id=event.id, kind="other")
    db.session.commit()
    html = client.get("/outbox").get_data(as_text=True)
    assert failed.recipient in html
    assert "550 5.1.1 mailbox unavailable" in html
    assert "Brno Cluster Days" in html
    assert f'href="/outbox/{failed.id}"' in html
    for status, n in (("queued", 1), ("sent", 1), ("failed", 1), ("cancelled", 0)):
        assert f'data-status="{status}">{n}<' in html
    assert 'id="outbox-chart"' in html
    assert 'href="/outbox"' in client.get("/events/").get_data(as_text=True)  # navigation


def test_filters_narrow_the_list_and_unknown_values_are_named(client, organiser) -> None:  # type: ignore[no-untyped-def]
    one, other = factories.event(), factories.event()
    a = factories.outbox_message("ana@example.org", status="failed", event_id=one.id)
    b = factories.outbox_message("bela@example.org", status="queued", event_id=other.id)
    db.session.commit()
    html = client.get(f"/outbox?event={one.slug}").get_data(as_text=True)
    assert a.recipient in html and b.recipient not in html
    html = client.get("/outbox?status=queued").get_data(as_text=True)
    assert b.recipient in html and a.recipient not in html
    html = client.get("/outbox?recipient=BELA").get_data(as_text=True)
    assert b.recipient in html and a.recipient not in html
    html = client.get("/outbox?kind=invitation").get_data(as_text=True)
    assert a.recipient not in html and b.recipient not in html
    response = client.get("/outbox?status=lost&kind=nope&event=nowhere&recipient=%25_")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Unknown status “lost”" in html and "Unknown kind of message “nope”" in html
    assert "No event “nowhere” among yours" in html


def test_account_mail_is_for_admins_and_events_follow_the_scope(  # type: ignore[no-untyped-def]
    app, client, auth, monkeypatch
) -> None:
    mine, theirs = factories.event(), factories.event()
    account = factories.outbox_message("account@example.org", status="sent")
    ours = factories.outbox_message("ours@example.org", event_id=mine.id)
    other = factories.outbox_message("other@example.org", event_id=theirs.id)
    organiser, admin = factories.user("organiser"), factories.user("admin")
    db.session.commit()
    real = scope.manages_event
    monkeypatch.setattr(
        scope, "manages_event", lambda user, event: event.id != theirs.id and real(user, event)
    )
    auth.login_as(organiser)
    html = client.get("/outbox").get_data(as_text=True)
    assert ours.recipient in html
    assert account.recipient not in html and other.recipient not in html
    assert client.get(f"/outbox/{account.id}").status_code == 404
    assert client.get(f"/outbox/{other.id}/cancel").status_code == 404
    auth.logout()
    auth.login_as(admin)
    html = client.get("/outbox").get_data(as_text=True)
    assert account.recipient in html and ours.recipient in html
    assert client.get(f"/outbox/{account.id}").status_code == 200


def _fill(event, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        factories.outbox_message(status=["queued", "sent", "failed"][i % 3], event_id=event.id)
    db.session.commit()


def test_the_page_costs_the_same_queries_for_5_and_50_messages(  # type: ignore[no-untyped-def]
    client, organiser, count_queries
) -> None:
    event = factories.event()
    _fill(event, 5)
    client.get("/outbox")  # warm up
    with count_queries() as few:
        assert client.get("/outbox").status_code == 200
    _fill(event, 45)
    client.get("/outbox")  # the commit expired the logged-in user: load it again first
    with count_queries() as many:
        html = client.get("/outbox").get_data(as_text=True)
    assert html.count('id="message-') == 50
    assert many.count == few.count


def test_resend_asks_once_then_goes_to_the_corrected_address(client, organiser) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    invitation, raw, message = _invitation_message(event)
    invitation.respondent.email = "corrected@example.org"
    db.session.commit()
    page = client.get(f"/outbox/{message.id}/resend").get_data(as_text=True)
    assert "corrected@example.org" in page and message.recipient in page
    assert 'method="post"' in page
    assert db.session.get(OutboxMessage, message.id).status == OutboxStatus.FAILED  # GET: nothing
    response = client.post(f"/outbox/{message.id}/resend")
    assert response.headers["Location"].endswith(f"/outbox/{message.id}")
    db.session.expire_all()
    again = db.session.get(OutboxMessage, message.id)
    assert (again.status, again.recipient, again.attempts) == ("queued", "corrected@example.org", 0)
    assert again.body_text  # the kept text goes again: the old link still works
    assert find_by_token(raw) is not None
    assert db.session.get(Invitation, invitation.id).status == InvitationStatus.QUEUED
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.resent"))
    assert entry.details["recipient_changed"] is True and entry.event_id == event.id
    # a second POST is refused: it is queued now, and nothing more is recorded
    follow = client.post(f"/outbox/{message.id}/resend", follow_redirects=True)
    assert "Only a failed or cancelled message can be sent again." in follow.get_data(as_text=True)
    resent = select(AuditEntry).where(AuditEntry.action == "outbox.resent")
    assert len(db.session.scalars(resent).all()) == 1


def test_an_invitation_whose_text_was_dropped_is_written_again_with_a_new_link(  # type: ignore[no-untyped-def]
    client, organiser
) -> None:
    event = factories.event()
    invitation, raw, message = _invitation_message(
        event, body_text="", body_html="", purged_at=utcnow() - timedelta(days=1)
    )
    db.session.commit()
    page = client.get(f"/outbox/{message.id}/resend").get_data(as_text=True)
    assert "new link" in page
    client.post(f"/outbox/{message.id}/resend")
    db.session.expire_all()
    again = db.session.get(OutboxMessage, message.id)
    assert again.status == "queued" and again.purged_at is None
    assert "/invitations/" in again.body_text
    assert find_by_token(raw) is None  # the old link stops working
    new_token = again.body_text.split("/invitations/")[1].split()[0].strip()
    assert find_by_token(new_token).id == invitation.id


def test_a_message_whose_text_is_gone_and_has_no_source_says_why(client, organiser) -> None:  # type: ignore[no-untyped-def]
    event = factories.event()
    message = factories.outbox_message(
        status="failed",
        event_id=event.id,
        kind=OutboxKind.CERTIFICATE,
        body_text="",
        purged_at=utcnow(),
    )
    db.session.commit()
    html = client.get(f"/outbox/{message.id}/resend").get_data(as_text=True)
    assert "cannot be written again" in html
    client.post(f"/outbox/{message.id}/resend")
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "failed"


def test_cancel_a_queued_message_drops_its_text_and_fails_its_invitation(  # type: ignore[no-untyped-def]
    client, organiser
) -> None:
    event = factories.event()
    invitation, _, message = _invitation_message(event, status=OutboxStatus.QUEUED, last_error="")
    sending = factories.outbox_message(status="sending", event_id=event.id, locked_by="w")
    db.session.commit()
    page = client.get(f"/outbox/{message.id}/cancel").get_data(as_text=True)
    assert "is not sent" in page and "Invitations page" in page
    client.post(f"/outbox/{message.id}/cancel")
    db.session.expire_all()
    gone = db.session.get(OutboxMessage, message.id)
    assert (gone.status, gone.body_text) == ("cancelled", "")
    assert db.session.get(Invitation, invitation.id).status == InvitationStatus.FAILED
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.cancelled"))
    client.post(f"/outbox/{sending.id}/cancel")
    db.session.expire_all()
    assert db.session.get(OutboxMessage, sending.id).status == "sending"
    # the Invitations page links the failed invitation to its message
    html = client.get(f"/events/{event.slug}/invitations").get_data(as_text=True)
    assert f'href="/outbox/{message.id}"' in html


def test_requeue_every_failed_message_of_an_event(client, organiser) -> None:  # type: ignore[no-untyped-def]
    event, other = factories.event(), factories.event()
    failed = [factories.outbox_message(status="failed", event_id=event.id) for _ in range(3)]
    gone = factories.outbox_message(
        status="failed", event_id=event.id, kind=OutboxKind.CERTIFICATE, purged_at=utcnow()
    )
    elsewhere = factories.outbox_message(status="failed", event_id=other.id)
    db.session.commit()
    assert "Send the 4 failed messages of this event again" in client.get(
        f"/outbox?event={event.slug}"
    ).get_data(as_text=True)
    page = client.get(f"/outbox/events/{event.slug}/requeue").get_data(as_text=True)
    assert "3 failed messages go out again" in page
    assert "1 cannot go again" in page
    client.post(f"/outbox/events/{event.slug}/requeue")
    db.session.expire_all()
    assert [db.session.get(OutboxMessage, m.id).status for m in failed] == ["queued"] * 3
    assert db.session.get(OutboxMessage, gone.id).status == "failed"
    assert db.session.get(OutboxMessage, elsewhere.id).status == "failed"
    assert client.get("/outbox/events/no-such-event/requeue").status_code == 404


def test_the_page_speaks_the_readers_language(client, organiser) -> None:  # type: ignore[no-untyped-def]
    factories.outbox_message(status="failed", event_id=factories.event().id)
    db.session.commit()
    html = client.get("/outbox?lang=cs").get_data(as_text=True)
    assert "Odchozí pošta" in html

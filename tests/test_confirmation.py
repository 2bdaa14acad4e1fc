"""The one confirmation step of destructive actions (web.Confirmation, templates/_confirm.html)."""

from __future__ import annotations

from flask import Flask

from clusgo_events.web import Confirmation, confirmation_page


def _page(app: Flask, **overrides: object) -> str:
    fields = {
        "title": "Cancel the event “Brno Cluster Days”?",
        "consequences": ["12 participants will be told by e-mail.", "3 sessions are cancelled."],
        "action": "/events/brno/cancel",
        "button": "Cancel the event",
        "back": "/events/brno",
        **overrides,
    }
    with app.test_request_context("/events/brno/cancel"):
        return confirmation_page(Confirmation(**fields))  # type: ignore[arg-type]


def test_the_page_names_every_consequence_and_posts_to_the_action(app: Flask) -> None:
    html = _page(app, fields={"registration_id": "7"})
    assert "12 participants will be told by e-mail." in html
    assert "3 sessions are cancelled." in html
    assert 'method="post" action="/events/brno/cancel"' in html
    assert 'name="registration_id" value="7"' in html
    assert 'href="/events/brno"' in html
    assert "This cannot be undone." in html


def test_an_undoable_action_says_how_instead(app: Flask) -> None:
    html = _page(app, undo="You can reinstate the event until it starts.")
    assert "You can reinstate the event until it starts." in html
    assert "This cannot be undone." not in html

"""Every action the code records has a readable name on the audit trail page, in five
languages: an action written without one would show its code (``respondent.merge``) to the
organiser. The actions are found in the source (each ``audit.record("...")`` call), so a new
one fails here until it is named."""

from __future__ import annotations

import ast
from pathlib import Path

from flask import Flask
from flask_babel import force_locale

from clusgo_events.audit import labels

SOURCE = Path(__file__).resolve().parent.parent / "clusgo_events"


def _recorded_actions() -> set[str]:
    """The literal first argument of every ``<something>.record(...)`` call in the package."""
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            if getattr(node.func, "attr", None) != "record":
                continue
            first = node.args[0]
            options = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
            found |= {
                o.value for o in options if isinstance(o, ast.Constant) and isinstance(o.value, str)
            }
    return found


def test_the_source_records_actions_at_all() -> None:
    actions = _recorded_actions()
    assert {"respondent.merge", "seat.move", "registration.create"} <= actions


def test_every_recorded_action_has_a_label() -> None:
    missing = sorted(a for a in _recorded_actions() if a not in labels.ACTIONS)
    assert missing == []


def test_labels_are_translated(app: Flask) -> None:
    with app.test_request_context():
        english = {action: labels.action_label(action) for action in labels.ACTIONS}
        for language in ("cs", "hu", "sk", "pl"):
            with force_locale(language):
                same = [a for a in labels.ACTIONS if labels.action_label(a) == english[a]]
            assert same == [], language

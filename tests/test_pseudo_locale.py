"""Every string a page shows is marked for translation: pseudo-localisation.

A test-only language, ``en_150``, gets a catalogue in which every msgid ``X`` of the extracted
template reads ``⟦X⟧``. Every page of the app is rendered in it, for every role that may see
it. What remains of a page's text (and of its ``title``/``placeholder``/``aria-label``/``alt``
attributes and button values) once the ``⟦…⟧`` parts, the test world's own data (names,
titles, e-mail addresses: everything stored in the database) and Babel's dates are taken away
is interface text nobody marked: the test names it, with the page.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import String, Text, select

from clusgo_events import create_app
from clusgo_events.extensions import db
from tests.conftest import PASSWORD, _config, empty_all_tables
from tests.test_security import (
    ACCESS,
    ANONYMOUS,
    ENDPOINT_URL_VALUES,
    ROLES,
    World,
    build_url,
    build_world,
    methods_of,
    request,
    rules,
)

ROOT = Path(__file__).resolve().parent.parent
PSEUDO = "en_GB"  # a real Babel locale that fits the 5-character language column
OPEN, CLOSE = "⟦", "⟧"
#: words that are the same in every language: the product, the languages' own names
ALLOWED = {"ClusGo", "Events", "čeština", "magyar", "slovenčina", "polski", "English"}
ALLOWED |= {"CSV", "XLSX", "PDF", "QR", "iCal", "ics", "BOM", "UTF", "MB", PSEUDO}
#: endpoints that answer a file, not a page (the mail preview's frame is a mail in the language
#: it previews, checked with the mails below)
NOT_PAGES = {"static", "bootstrap.static", "participants.preview_html", "attendance.report"}
#: pages that show a mail as a recipient of a chosen language reads it (the mails themselves
#: are checked below): their own words are checked in cs, hu, sk and pl
MAIL_PREVIEWS = {"participants.preview"}
CHECKED_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}


def _i18n_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="session")
def pseudo_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalogue for ``en_150`` that wraps every extracted msgid in ``⟦…⟧``."""
    folder = tmp_path_factory.mktemp("pseudo")
    with _i18n_script().extract(folder / "messages.pot").open("rb") as f:
        template = read_po(f)
    catalog = Catalog(locale=PSEUDO)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            catalog.add(message.id, tuple(OPEN + form + CLOSE for form in message.id))
        else:
            catalog.add(message.id, OPEN + message.id + CLOSE)
    target = folder / PSEUDO / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    return folder


@pytest.fixture()
def pseudo_app(database_url: str, tmp_path: Path, pseudo_translations: Path) -> Iterator[Flask]:
    """The app with the pseudo language among its languages."""
    config = _config()
    app = create_app(
        {
            **config,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_TMP": str(tmp_path),
            "LANGUAGES": [*config["LANGUAGES"], PSEUDO],
            "BABEL_TRANSLATION_DIRECTORIES": ";".join(
                [config["BABEL_TRANSLATION_DIRECTORIES"], str(pseudo_translations)]
            ),
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()


class _Text(HTMLParser):
    """The text a person reads on a page: text nodes and the attributes shown to them."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "code", "textarea"}:
            self._skip += 1
        values = dict(attrs)
        for name in CHECKED_ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name] or "")
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "code", "textarea"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _world_data() -> list[str]:
    """Every string stored in the database: the test world's data, not interface text."""
    found: set[str] = set()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            found.update(v for v in row if isinstance(v, str) and v.strip())
    for table in db.metadata.sorted_tables:  # texts in other languages (JSON columns)
        for column in table.columns:
            if column.name == "texts":
                for (value,) in db.session.execute(select(column)):
                    for texts in (value or {}).values():
                        found.update(t for t in (texts or {}).values() if isinstance(t, str))
    return sorted(found, key=len, reverse=True)


def _date_words() -> set[str]:
    """Babel's month and day names and day periods in the pseudo language (dates are data)."""
    locale = Locale.parse(PSEUDO)
    words: set[str] = set()
    for width in ("wide", "abbreviated"):
        words.update(locale.months["format"][width].values())
        words.update(locale.days["format"][width].values())
    words.update(locale.day_periods["format"]["abbreviated"].values())
    words.update({"CET", "CEST", "UTC", "GMT", "am", "pm", "AM", "PM"})
    for name in locale.territories.values():  # country names come from Babel too
        words.update(re.findall(r"[^\W\d_][\w'’-]*", name))
    return words


def unmarked(html: str, data: list[str], date_words: set[str]) -> list[str]:
    """The bits of ``html``'s text that were neither translated, data, dates nor allowed."""
    parser = _Text()
    parser.feed(html)
    text = "\n".join(parser.parts)
    previous = None
    while previous != text:  # innermost first: a marked message may hold another
        previous = text
        text = re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
    text = re.sub(r"\S*@\S+|https?://\S+|\b[\w.-]+\.(?:ics|csv|xlsx|pdf)\b", " ", text)
    text = re.sub(r"\b[A-Z][A-Za-z]+/[\w/+-]+", " ", text)  # zone names
    for value in data:  # whole words only: "en" is data, "event" is not
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
    found = []
    for line in text.splitlines():
        words = [
            w
            for w in re.findall(r"[^\W\d_][\w'’-]*", line)
            if w not in ALLOWED and w not in date_words and len(w) > 1
        ]
        if words:
            found.append(" ".join(words))
    return found


def _pages(app: Flask, world: World) -> Iterator[tuple[str, str]]:
    """``(who, url)`` for every GET page, as every role that may see it."""
    for rule in rules(app):
        if rule.endpoint in NOT_PAGES | MAIL_PREVIEWS or "GET" not in methods_of(rule):
            continue
        allowed = ACCESS[rule.endpoint].allowed
        if rule.endpoint in ENDPOINT_URL_VALUES:
            continue  # downloads
        for who in (ANONYMOUS, *ROLES):
            if who in allowed:
                yield who, build_url(rule, world)
    token = world.invitation_token
    yield ANONYMOUS, f"/invitations/{token}"
    yield ANONYMOUS, f"/events/{world.event.slug}/register?invitation={token}"
    yield ANONYMOUS, "/nowhere"


def _with_lang(url: str, lang: str) -> str:
    return url + ("&" if "?" in url else "?") + "lang=" + lang


def test_every_page_marks_every_string(pseudo_app: Flask) -> None:
    """Rendered in the pseudo language, no page shows a word that is not ``⟦…⟧``-wrapped."""
    world = build_world()
    clients = {who: pseudo_app.test_client() for who in (ANONYMOUS, *ROLES)}
    for who in ROLES:  # logged in in the pseudo language: the "Welcome" flash speaks it
        email = world.users[who].email
        login = request(clients[who], "POST", _with_lang("/auth/login", PSEUDO), email=email,
                        password=PASSWORD)  # fmt: skip
        assert login.status_code == 302
    data = _world_data()
    date_words = _date_words()
    problems: dict[str, list[str]] = {}
    seen = 0
    for who, url in _pages(pseudo_app, world):
        response = request(clients[who], "GET", _with_lang(url, PSEUDO))
        assert response.status_code < 500, url
        if response.status_code in (301, 302, 303) or "text/html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        if "<html" not in html:
            continue  # not a page (a plain-text answer)
        seen += 1
        assert f'<html lang="{PSEUDO}">' in html, url
        found = unmarked(html, data, date_words)
        if found:
            problems[f"{who} {url}"] = sorted(set(found))
    assert seen > 20
    assert problems == {}, "\n".join(f"{page}: {words}" for page, words in problems.items())


def test_the_detector_finds_an_unmarked_string(pseudo_app: Flask) -> None:
    """The check is real: a plain English word outside ``⟦…⟧`` is reported, data is not."""
    html = "<p>⟦Registered⟧ Alice Example</p><p>Hosted by</p><button title='Close'>⟦x⟧</button>"
    assert unmarked(html, ["Alice Example"], _date_words()) == ["Hosted by", "Close"]


#: calls whose first argument a person reads: it must be a marked (translated) message
READ_BY_PEOPLE = {"ServiceError", "ValidationErrors", "RowError", "flash", "_say", "Confirmation"}


def _literal_text(node: ast.expr) -> bool:
    """A plain or f-string literal with letters in it (not a marked message, not a name)."""
    if isinstance(node, ast.JoinedStr):
        return True
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(re.search(r"[^\W\d_]{2}", node.value))
    )


def unmarked_in_code(source: str) -> list[tuple[int, str]]:
    """``(line, text)`` of each refusal, flash or form label written as a plain literal."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        is_field = name.endswith("Field") and name[:1].isupper()
        if (name in READ_BY_PEOPLE or is_field) and _literal_text(node.args[0]):
            found.append((node.lineno, ast.unparse(node.args[0])))
        for keyword in node.keywords:
            if (
                is_field
                and keyword.arg in {"label", "description"}
                and _literal_text(keyword.value)
            ):
                found.append((node.lineno, ast.unparse(keyword.value)))
    return found


def test_services_and_forms_mark_what_people_read() -> None:
    """Every ServiceError, flash and form label/description is a marked message."""
    problems = {}
    for path in sorted((ROOT / "clusgo_events").rglob("*.py")):
        found = unmarked_in_code(path.read_text(encoding="utf-8"))
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}


def test_the_code_check_finds_a_plain_refusal() -> None:
    source = (
        "raise ServiceError('Registration is closed.', 'x')\n"
        "raise ServiceError(_l('Fine.'), 'x')\n"
        "name = StringField('Title')\n"
        "flash(f'Hello {x}')\n"
    )
    assert [line for line, _ in unmarked_in_code(source)] == [1, 3, 4]


def test_every_mail_marks_every_string(pseudo_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The mails the test world sends (a cancellation, a password reset, a sign-up link, and
    whatever else building the world queued), rendered in the pseudo language, hold no
    unmarked interface text."""
    import flask_babel

    from clusgo_events.models import OutboxMessage
    from clusgo_events.services import accounts, mailer
    from clusgo_events.services.registration.changes import cancel_registration

    monkeypatch.setattr(mailer, "force_locale", lambda _language: flask_babel.force_locale(PSEUDO))
    with pseudo_app.test_request_context("/"):
        world = build_world()
        accounts.request_password_reset(world.users["trainer"].email)
        accounts.request_signup("newcomer@example.org", "en", None)
        cancel_registration(world.other_registration)
        db.session.commit()
        data = _world_data()
        # the app's own mails (the walk's world also writes a failed message row by hand)
        messages = [
            m
            for m in db.session.scalars(select(OutboxMessage))
            if not m.idempotency_key.startswith("walk:")
        ]
        assert len({m.kind for m in messages}) >= 3
        assert all(OPEN in m.subject and OPEN in m.body_text for m in messages)  # pseudo-rendered
        problems = {}
        for message in messages:
            found = unmarked(f"<p>{message.subject}</p>", data, _date_words())
            found += unmarked((message.body_html or "").replace("<!doctype html>", ""), data,
                              _date_words())  # fmt: skip
            text = "<pre>" + (message.body_text or "").replace("<", " ") + "</pre>"
            found += unmarked(text.replace("<pre>", "<p>").replace("</pre>", "</p>"), data,
                              _date_words())  # fmt: skip
            if found:
                problems[message.kind] = sorted(set(found))
    assert problems == {}


def _english_interface(language: str) -> set[str]:
    """The English msgids whose translation into ``language`` reads differently."""
    from babel.messages.pofile import read_po as read

    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read(f)
    found = set()
    for message in catalogue:
        if isinstance(message.id, str) and message.id and "%" not in message.id:
            if message.string and message.string != message.id and len(message.id) > 3:
                found.add(message.id)
    return found


@pytest.mark.parametrize("language", ["cs", "hu", "sk", "pl"])
def test_every_page_in_every_language_has_no_english(pseudo_app: Flask, language: str) -> None:
    """Every page, as every role, in each language: no text node is an English message."""
    world = build_world()
    english = _english_interface(language)
    clients = {who: pseudo_app.test_client() for who in (ANONYMOUS, *ROLES)}
    for who in ROLES:
        login = request(clients[who], "POST", _with_lang("/auth/login", language),
                        email=world.users[who].email, password=PASSWORD)  # fmt: skip
        assert login.status_code == 302
    data = set(_world_data())  # a user called "Trainer" is data, not interface text
    found: dict[str, set[str]] = {}
    for who, url in _pages(pseudo_app, world):
        response = request(clients[who], "GET", _with_lang(url, language))
        assert response.status_code < 500, url
        if response.status_code in (301, 302, 303) or "text/html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        if "<html" not in html:
            continue  # a plain-text answer
        assert f'<html lang="{language}">' in html, url
        parser = _Text()
        parser.feed(html)
        leaked = {part.strip() for part in parser.parts if part.strip() in english} - data
        if leaked:
            found[f"{who} {url}"] = leaked
    assert found == {}

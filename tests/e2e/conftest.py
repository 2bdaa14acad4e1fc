"""Browser fixtures: the real app on a loopback port, a real SMTP catcher, Debian's chromium.

Reuse them in every journey::

    def test_journey(live_server, browser_page, screenshots, smtp_catcher):
        page = browser_page()  # desktop; browser_page(phone=True) is 390x844
        login(page, live_server, user.email)
        screenshots.take(page, "events")  # test-artifacts/screenshots/journey/01-events.png

``live_server.url`` is the base URL; the app serves the same database as the ``app`` fixture
(data made in the test is committed and visible to the server), with CSRF on and its mail
going to ``smtp_catcher``. Every page a journey opens is checked for console errors (a
Content-Security-Policy violation is one).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from werkzeug.serving import make_server

from clusgo_events import create_app
from clusgo_events.extensions import db
from tests.conftest import PASSWORD, _config

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
E2E_DIR = Path(__file__).parent
SCREENSHOT_ROOT = Path(__file__).parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.hookimpl(tryfirst=True)  # before ``-m "not slow"`` deselects by the marks added here
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every browser test is ``slow`` (a live server and chromium). Without chromium, deselect
    them and say so (CI installs it: there it fails)."""
    e2e = [item for item in items if E2E_DIR in Path(str(item.path)).parents]
    for item in e2e:
        item.add_marker(pytest.mark.slow)
    if not e2e or CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"{CHROMIUM} is missing on CI: run scripts/ci_system_packages.sh")
    items[:] = [item for item in items if item not in e2e]
    config.hook.pytest_deselected(items=e2e)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    line = (
        f"e2e: {CHROMIUM} not found - {len(e2e)} browser tests deselected "
        "(apt-get install chromium chromium-driver to run them)"
    )
    if reporter is not None:
        reporter.write_line(line, yellow=True, bold=True)
    else:
        print(line)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailCatcher:
    """aiosmtpd handler keeping every received message; ``wait_for`` polls for them."""

    def __init__(self) -> None:
        self.port = 0
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        data = envelope.content
        raw = data if isinstance(data, bytes) else data.encode()
        message = message_from_bytes(raw, policy=policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """At least ``count`` messages, or an assertion error after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} e-mails, got {len(self.messages)}")

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]


@pytest.fixture()
def smtp_catcher() -> Iterator[MailCatcher]:
    """A real SMTP server on loopback; ``smtp_catcher.port``, ``.messages``, ``.wait_for(n)``."""
    handler = MailCatcher()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    try:
        yield handler
    finally:
        controller.stop()


class LiveServer:
    """The app served by werkzeug in a thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app.config["BASE_URL"] = self.url
        self._server = make_server("127.0.0.1", self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)
        with self.app.app_context():
            db.engine.dispose()

    def __call__(self, path: str) -> str:
        """The absolute URL of ``path``."""
        return self.url + path


@pytest.fixture()
def live_server(app: Flask, database_url: str, smtp_catcher: MailCatcher) -> Iterator[LiveServer]:
    """The real app (CSRF on, same database as ``app``, mail to ``smtp_catcher``) on loopback."""
    served = create_app(
        {
            **_config(),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": True,
            "TESTING": False,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_catcher.port,
            "MAIL_SUPPRESS_SEND": False,
        }
    )
    server = LiveServer(served)
    # mail queued by services in the test (the ``app`` context) links to the served app too
    app.config["BASE_URL"] = server.url
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def browser_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """``browser_page(phone=False)`` -> a new page in its own context (own cookies).

    Console errors and page errors (a CSP violation is one) fail the test at the end.
    """
    contexts: list[Any] = []
    problems: list[str] = []
    # a journey that opens a page it expects to fail adds its absolute URL:
    # browser_page.expected_failures.add(url)
    expected_failures: set[str] = set()

    def open_page(phone: bool = False) -> Any:
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=2 if phone else 1,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                problems.append(f"console {msg.type}: {msg.text}")
                # a failed load is reported below with its URL
                if msg.type == "error" and not msg.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on(
            "response",
            lambda resp: (
                problems.append(f"HTTP {resp.status}: {resp.url}")
                if resp.status >= 400 and resp.url not in expected_failures
                else None
            ),
        )
        return page

    open_page.expected_failures = expected_failures  # type: ignore[attr-defined]
    yield open_page
    for context in contexts:
        context.close()
    assert not problems, "browser reported errors:\n" + "\n".join(problems)


class Screenshots:
    """Saves ``NN-name.png`` under ``test-artifacts/screenshots/<journey>/``."""

    def __init__(self, journey: str) -> None:
        self.folder = SCREENSHOT_ROOT / journey
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.files: list[Path] = []

    def take(self, page: Any, name: str, full_page: bool = True) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
        page.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 0
        self.files.append(path)
        return path


@pytest.fixture()
def screenshots(request: pytest.FixtureRequest) -> Screenshots:
    """Screenshots of one journey, named after the test (``test_`` dropped)."""
    name = request.node.originalname or request.node.name
    return Screenshots(name.removeprefix("test_").replace("_", "-"))


def login(page: Any, server: LiveServer, email: str, password: str = PASSWORD) -> None:
    """Log in through the real form."""
    page.goto(server("/auth/login"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form [type=submit]")
    page.wait_for_load_state()
    assert "/auth/login" not in page.url, f"log-in as {email} failed"


def flask_command(server: LiveServer, *args: str) -> str:
    """Run ``flask --app wsgi ARGS`` against the served app (``"mail", "deliver"``, say);
    returns its output and fails on a non-zero exit."""
    # in the served app's own context: with the test's context pushed, Flask's CLI would run
    # the command in the test's app (whose mail goes to the default MAIL_PORT, not the catcher)
    with server.app.app_context():
        result = server.app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)
    assert result.exit_code == 0, f"flask {' '.join(args)} -> {result.exit_code}\n{result.output}"
    return result.output


def mail_links(message: EmailMessage, server: LiveServer | None = None) -> list[str]:
    """The links in a received e-mail's text part (only those to ``server`` when given)."""
    part = message.get_body(preferencelist=("plain", "html"))
    text = part.get_content() if part is not None else ""
    links = re.findall(r"https?://[^\s<>\"')]+", text)
    if server is not None:
        links = [link for link in links if link.startswith(server.url + "/")]
    return links


DOWNLOADS = Path(__file__).parents[2] / "test-artifacts" / "downloads"


def download(page: Any, selector: str, folder: Path = DOWNLOADS) -> Path:
    """Click ``selector``, wait for the file the browser downloads, keep it under ``folder``."""
    with page.expect_download() as info:
        page.click(selector)
    got = info.value
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / got.suggested_filename
    got.save_as(str(target))
    return target


def has_horizontal_scroll(page: Any) -> bool:
    """True when the page is wider than the viewport (a phone would scroll sideways)."""
    return bool(
        page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    )

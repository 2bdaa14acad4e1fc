"""No public secrets: the app's key and the demo accounts' password are the machine's own."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from flask import Flask

from clusgo_events import create_app
from clusgo_events.extensions import db
from clusgo_events.security import SecretKeyMissing
from clusgo_events.services.users import authenticate, create_user
from config import ensure_secret_file, read_secret_file
from tests.process_helpers import run_python

ROOT = Path(__file__).resolve().parent.parent
#: the values earlier versions published in config.py and the README
PUBLISHED = ("dev-only-change-me", "clusgo-demo-2017")


def _settings(app: Flask, **changes: object) -> dict:
    return {**app.config, "TESTING": False, "DEBUG": False, **changes}


def _dispose(built: Flask) -> None:
    with built.app_context():
        db.engine.dispose()


def test_no_key_outside_development_refuses_with_one_line(app: Flask, tmp_path: Path) -> None:
    missing = tmp_path / "secret_key"
    with pytest.raises(SecretKeyMissing) as refused:
        create_app(
            _settings(app, SECRET_KEY=None, SECRET_KEY_FILE=str(missing), APP_ENV="production")
        )
    message = str(refused.value)
    assert message.startswith("SECRET_KEY is not set: ")
    assert "\n" not in message and str(missing) in message
    assert not missing.exists()


def test_development_generates_a_key_once_and_keeps_it(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "instance" / "secret_key"
    first = create_app(
        _settings(app, SECRET_KEY=None, SECRET_KEY_FILE=str(path), APP_ENV="development")
    )
    key = first.config["SECRET_KEY"]
    assert len(key) >= 40 and key not in PUBLISHED
    assert read_secret_file(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    _dispose(first)
    # FLASK_DEBUG counts as development too; the kept key is read back, not made again
    second = create_app(_settings(app, SECRET_KEY=None, SECRET_KEY_FILE=str(path), DEBUG=True))
    assert second.config["SECRET_KEY"] == key
    _dispose(second)
    # and outside development the kept file is the app's own key as well
    third = create_app(
        _settings(app, SECRET_KEY=None, SECRET_KEY_FILE=str(path), APP_ENV="production")
    )
    assert third.config["SECRET_KEY"] == key
    _dispose(third)


def test_an_explicit_key_wins(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    ensure_secret_file(path)
    built = create_app(_settings(app, SECRET_KEY="from-the-environment", SECRET_KEY_FILE=str(path)))
    assert built.config["SECRET_KEY"] == "from-the-environment"
    _dispose(built)


def test_ensure_secret_file_makes_random_keys(tmp_path: Path) -> None:
    one, two = ensure_secret_file(tmp_path / "a"), ensure_secret_file(tmp_path / "b")
    assert one != two
    assert ensure_secret_file(tmp_path / "a") == one


def test_nothing_publishes_a_secret() -> None:
    for name in ("config.py", "README.md", "Makefile", "clusgo_events/services/demo.py"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert "dev-only-change-me" not in text, name
    for name in ("config.py", "README.md", "Makefile"):
        assert "clusgo-demo-2017" not in (ROOT / name).read_text(encoding="utf-8"), name


@pytest.mark.slow
def test_wsgi_without_a_key_exits_with_one_line(tmp_path: Path) -> None:
    """What gunicorn and ``flask --app wsgi`` see on a server with no key: one line, and the
    exit status gunicorn's master takes for a failed boot (so it stops, not respawns)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "APP_ENV")}
    env.update(SECRET_KEY_FILE=str(tmp_path / "secret_key"), FLASK_DEBUG="0")
    env["DATABASE_URL"] = "sqlite:///" + str(tmp_path / "db.sqlite3")
    done = run_python("import wsgi", env)
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("SECRET_KEY is not set: "), done.stderr
    # with the key the Makefile's run target generates, the same start works
    make_key = "import config; config.ensure_secret_file(config.Config.SECRET_KEY_FILE)"
    assert run_python(make_key, env).returncode == 0
    started = run_python("import wsgi; print(len(wsgi.app.config['SECRET_KEY']))", env)
    assert started.returncode == 0, started.stderr
    assert int(started.stdout) >= 40


def test_makefile_run_makes_the_key_before_any_flask_command() -> None:
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nrun: ", 1)[1]
    lines = [line.strip() for line in recipe.split("\n\n", 1)[0].splitlines()[1:]]
    first_flask = next(i for i, line in enumerate(lines) if line.startswith("$(FLASK)"))
    make_key = next(i for i, line in enumerate(lines) if "ensure_secret_file" in line)
    assert make_key < first_flask


# --- the demo's password --------------------------------------------------------------------


def _demo_password_app(app: Flask, tmp_path: Path) -> Path:
    path = tmp_path / "demo_password"
    app.config.update(DEMO_PASSWORD=None, DEMO_PASSWORD_FILE=str(path))
    return path


def test_demo_password_is_generated_once_and_printed(runner, app: Flask, tmp_path: Path) -> None:
    path = _demo_password_app(app, tmp_path)
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    password = read_secret_file(path)
    assert password and password not in PUBLISHED and len(password) >= 16
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "admin@clusgo.example" in first.output and password in first.output
    assert authenticate("admin@clusgo.example", password) is not None
    assert authenticate("admin@clusgo.example", "clusgo-demo-2017") is None
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert read_secret_file(path) == password
    assert second.output == first.output


def test_demo_replaces_the_published_password(runner, app: Flask, tmp_path: Path) -> None:
    """A demo loaded by an earlier version kept the README's password: no longer."""
    path = _demo_password_app(app, tmp_path)
    create_user("admin@clusgo.example", "admin", "clusgo-demo-2017", name="Ada Admin")
    create_user("organiser@clusgo.example", "organiser", "changed-by-olga", name="Olga")
    db.session.commit()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    password = read_secret_file(path)
    assert authenticate("admin@clusgo.example", "clusgo-demo-2017") is None
    assert authenticate("admin@clusgo.example", password or "") is not None
    # a password somebody chose is theirs: the demo leaves it
    assert authenticate("organiser@clusgo.example", "changed-by-olga") is not None

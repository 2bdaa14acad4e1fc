# ClusGo Events — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
SMTP_PORT ?= 8025

.PHONY: run test test-fast test-later venv lint bench clean vendor i18n

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

## vendor: browser libraries from the npm registry (package.json + package-lock.json) into
## static/vendor/. The copied files are committed, so run/test need no npm; re-run this rule
## after changing package.json or package-lock.json (e.g. to update jsQR).
vendor: static/vendor/jsQR.js

static/vendor/jsQR.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	mkdir -p static/vendor
	cp node_modules/jsqr/dist/jsQR.js $@
	cp node_modules/jsqr/LICENSE static/vendor/jsQR.LICENSE

## run: install, make this machine's secret key once (instance/secret_key, git-ignored), migrate,
## load the demo (its password is generated once into instance/demo_password and printed),
## start the SMTP catcher and the mail delivery loop, serve
run: venv
	mkdir -p instance
	$(BIN)/python -c 'import config; config.ensure_secret_file(config.Config.SECRET_KEY_FILE)'
	$(FLASK) db upgrade
	$(FLASK) demo
	$(BIN)/python scripts/mail_catcher.py --port $(SMTP_PORT) --folder instance/mail & \
	  catcher=$$!; \
	  MAIL_SERVER=127.0.0.1 MAIL_PORT=$(SMTP_PORT) $(FLASK) mail deliver --watch & \
	  deliverer=$$!; \
	  trap 'kill $$catcher $$deliverer 2>/dev/null' EXIT INT TERM; \
	  BASE_URL=$${BASE_URL:-http://$(HOST):$(PORT)} \
	  MAIL_SERVER=127.0.0.1 MAIL_PORT=$(SMTP_PORT) $(FLASK) run --host $(HOST) --port $(PORT)

## test: the whole suite (TEST_DATABASE_URL=postgresql+psycopg://... runs it on PostgreSQL)
test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test-fast: the edit-test loop: everything but the tests marked slow (subprocesses, servers)
test-fast: venv
	$(BIN)/python -m pytest -m "not slow" -q $(PYTEST_ARGS)

## test-later: the fast subset as if it ran on another day (NOW=2035-07-01T12:00Z by default):
## every date in the tests is relative, so the suite passes whenever it runs
test-later: venv
	$(BIN)/python -m pytest -m "not slow" -q --now $${NOW:-2035-07-01T12:00Z} $(PYTEST_ARGS)

## i18n: extract the marked messages, add new ones to every catalogue, compile them
i18n: venv
	$(BIN)/python scripts/i18n.py update
	$(BIN)/python scripts/i18n.py compile
	$(BIN)/python scripts/i18n.py check

lint: venv
	$(BIN)/ruff check clusgo_events tests scripts config.py wsgi.py

bench: venv
	$(BIN)/python scripts/bench_all.py

clean:
	rm -rf $(VENV) .pytest_cache

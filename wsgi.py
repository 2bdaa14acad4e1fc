"""The WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

import gc

from clusgo_events import create_app
from clusgo_events.security import SecretKeyMissing

try:
    app = create_app()
except SecretKeyMissing as exc:
    # one line naming the variable, not a traceback: the operator has a setting to make
    raise SystemExit(str(exc)) from None
# Everything built so far (modules, mappers, compiled templates' machinery) lives as long as
# the worker: move it out of the collector's reach, so that a full collection scans only
# request garbage instead of pausing a worker for ~100 ms (a p99 spike under load).
gc.freeze()

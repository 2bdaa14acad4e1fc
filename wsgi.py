"""The WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

import gc
import sys

from clusgo_events import create_app
from clusgo_events.security import SecretKeyMissing

#: the exit status gunicorn's master reads as "worker failed to boot": it stops instead of
#: starting the worker again and again
BOOT_ERROR = 3

try:
    app = create_app()
except SecretKeyMissing as exc:
    # one line naming the variable, not a traceback: the operator has a setting to make
    print(exc, file=sys.stderr)
    raise SystemExit(BOOT_ERROR) from None
# Everything built so far (modules, mappers, compiled templates' machinery) lives as long as
# the worker: move it out of the collector's reach, so that a full collection scans only
# request garbage instead of pausing a worker for ~100 ms (a p99 spike under load).
gc.freeze()

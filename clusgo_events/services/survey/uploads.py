"""The organisers' import in two steps: a preview (a dry run) that keeps the uploaded file,
then the confirmed import of the kept file.

Kept files live in ``survey-uploads/`` under the INSTANCE_TMP setting (default: the app's
instance folder) for at most a day; their ids are unguessable.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Mapping
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from .. import ServiceError
from .importer import ImportResult, import_rows, import_survey
from .readers import read_survey_file

_UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{20,64}")
UPLOAD_MAX_AGE = 24 * 3600


def preview_upload(
    data: bytes, mapping: Mapping[str, str], filename: str
) -> tuple[ImportResult, str]:
    """What importing ``data`` would do (nothing is written), and the id under which the file
    is kept for :func:`import_upload`; SurveyFileError (nothing kept) if it cannot be read."""
    result = import_rows(read_survey_file(data, mapping, filename), dry_run=True)
    return result, store_upload(upload_folder(), data, mapping, filename)


def import_upload(upload_id: str) -> ImportResult:
    """Import the file kept under ``upload_id`` (the import writes its audit entry) and forget
    it; ServiceError when the id is unknown or expired."""
    folder = upload_folder()
    data, mapping, filename = load_upload(folder, upload_id)
    result = import_survey(data, mapping=mapping, filename=filename)
    discard_upload(folder, upload_id)
    return result


def upload_folder() -> Path:
    """Where uploads wait between preview and confirmation."""
    base = current_app.config.get("INSTANCE_TMP") or current_app.instance_path
    return Path(base) / "survey-uploads"


def store_upload(folder: Path, data: bytes, mapping: Mapping[str, str], filename: str = "") -> str:
    """Keep an uploaded file (and its column mapping) between preview and confirm."""
    folder.mkdir(parents=True, exist_ok=True)
    _remove_old_uploads(folder)
    upload_id = secrets.token_urlsafe(24)
    meta = {"mapping": dict(mapping), "filename": filename}
    (folder / f"{upload_id}.json").write_text(json.dumps(meta), encoding="utf-8")
    (folder / f"{upload_id}.data").write_bytes(data)
    return upload_id


def load_upload(folder: Path, upload_id: str) -> tuple[bytes, dict[str, str], str]:
    """The file, mapping and file name kept by :func:`store_upload`; ServiceError when the
    id is unknown or expired."""
    stale = ServiceError(
        _l(
            "This upload is unknown or has expired (or was already imported). Upload the file"
            " again."
        )
    )
    if not _UPLOAD_ID.fullmatch(upload_id or ""):
        raise stale
    data_path = folder / f"{upload_id}.data"
    try:
        if time.time() - data_path.stat().st_mtime > UPLOAD_MAX_AGE:
            raise stale
        data = data_path.read_bytes()
        meta = json.loads((folder / f"{upload_id}.json").read_text(encoding="utf-8"))
        mapping = {str(k): str(v) for k, v in meta["mapping"].items()}
        filename = str(meta.get("filename") or "")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise stale from exc
    return data, mapping, filename


def discard_upload(folder: Path, upload_id: str) -> None:
    """Forget a kept upload (after its import)."""
    if _UPLOAD_ID.fullmatch(upload_id or ""):
        for suffix in (".data", ".json"):
            (folder / f"{upload_id}{suffix}").unlink(missing_ok=True)


def _remove_old_uploads(folder: Path) -> None:
    limit = time.time() - UPLOAD_MAX_AGE
    for path in folder.glob("*.data"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                path.with_suffix(".json").unlink(missing_ok=True)
        except OSError:
            continue

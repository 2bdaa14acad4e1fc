"""Survey import: read a CSV or XLSX file of responses and upsert respondents by e-mail.

One service serves the ``survey import`` command and the organisers' upload page. Reading
(:func:`read_survey_file`) touches no database and raises :class:`SurveyFileError` for a file
that cannot be read at all, so such a file writes nothing. :func:`import_rows` then checks
every row, and (unless ``dry_run``) creates or updates respondents and their organisations
with a constant number of queries per few hundred rows. It flushes; the caller commits.

The package, one concern a module:

- ``columns``: the canonical fields, header synonyms, matching a file's headers to fields;
- ``normalise``: a cell's text -> a value (countries, yes/no, languages, dates, e-mails ...);
- ``readers``: a file's bytes -> a :class:`SurveyTable` (content sniffing, CSV decoding);
- ``xlsx``: the first sheet of a workbook, streamed and bounded;
- ``rows``: one row checked, or the reason it is rejected;
- ``importer``: the upsert, and its audit entry;
- ``uploads``: the page's two steps, a preview that keeps the file and its confirmed import.
"""

from __future__ import annotations

from .columns import CANONICAL, HEADER_SYNONYMS, YES_NO_FIELDS, match_columns
from .importer import ImportResult, import_rows, import_survey
from .normalise import (
    LANGUAGES,
    normalise_country,
    normalise_datetime,
    normalise_email,
    normalise_language,
    normalise_website,
    normalise_yes_no,
)
from .readers import SurveyFileError, SurveyTable, read_survey_file
from .uploads import (
    UPLOAD_MAX_AGE,
    discard_upload,
    import_upload,
    load_upload,
    preview_upload,
    store_upload,
    upload_folder,
)

__all__ = [
    "CANONICAL",
    "HEADER_SYNONYMS",
    "LANGUAGES",
    "UPLOAD_MAX_AGE",
    "YES_NO_FIELDS",
    "ImportResult",
    "SurveyFileError",
    "SurveyTable",
    "discard_upload",
    "import_rows",
    "import_survey",
    "import_upload",
    "load_upload",
    "match_columns",
    "normalise_country",
    "normalise_datetime",
    "normalise_email",
    "normalise_language",
    "normalise_website",
    "normalise_yes_no",
    "preview_upload",
    "read_survey_file",
    "store_upload",
    "upload_folder",
]

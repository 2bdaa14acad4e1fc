"""Logos an organiser uploads for an event's sign-in sheets and certificates.

An upload is checked by its content, not its name: Pillow must read it as PNG or JPEG, it is
at most :data:`MAX_BYTES` long and :data:`MAX_SIDE` pixels a side (a decompression bomb is
refused before it is decoded), and an event holds at most :data:`MAX_LOGOS`. What is stored
is the image re-encoded as PNG and scaled down to :data:`STORED_BOX` (a sheet prints logos
1.5 cm high): small rows, quick PDFs, and no metadata or trailing bytes of the upload kept.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select

from ...extensions import db
from ...models import Event, LogoKind, ReportLogo, User
from ...models.base import max_length, utcnow
from .. import ServiceError, audit

MAX_BYTES = 1024 * 1024
MAX_SIDE = 4000
MAX_LOGOS = 8
STORED_BOX = (1200, 400)
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


@dataclass(frozen=True)
class Checked:
    """An upload that passed: re-encoded as PNG, with its stored size in pixels."""

    data: bytes
    width: int
    height: int


def check_image(data: bytes) -> Checked:
    """``data`` as a PNG or JPEG of bounded size, or a :class:`ServiceError` saying why not."""
    if not data:
        raise ServiceError(_l("Choose an image file."), "image")
    if len(data) > MAX_BYTES:
        raise ServiceError(_l("The image is larger than %(n)s kB.", n=MAX_BYTES // 1024), "image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
                if kind not in FORMATS:
                    raise ServiceError(_l("Upload a PNG or JPEG image."), "image")
                if max(width, height) > MAX_SIDE:
                    raise ServiceError(
                        _l("The image is larger than %(n)s pixels a side.", n=MAX_SIDE),
                        "image",
                    )
                image.verify()
            with Image.open(io.BytesIO(data)) as image:  # verify() leaves it unusable
                image.load()
                image.thumbnail(STORED_BOX)
                keep = "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
                stored = image.convert(keep)
                out = io.BytesIO()
                stored.save(out, format="PNG", optimize=True)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise ServiceError(_l("Upload a PNG or JPEG image."), "image") from None
    return Checked(out.getvalue(), stored.width, stored.height)


def logos_of(event: Event) -> list[ReportLogo]:
    """The event's logos: the event's own first, then the partners', in upload order."""
    order = (ReportLogo.kind != LogoKind.EVENT, ReportLogo.id)
    return list(
        db.session.scalars(
            select(ReportLogo)
            .where(ReportLogo.event_id == event.id, ReportLogo.removed_at.is_(None))
            .order_by(*order)
        )
    )


def add_logo(event: Event, kind: str, filename: str, data: bytes, by: User | None) -> ReportLogo:
    """Store a checked logo for the event's sheets and certificates."""
    if kind not in set(LogoKind):
        raise ServiceError(_l("Choose whose logo it is."), "kind")
    checked = check_image(data)
    count = db.session.scalar(
        select(func.count())
        .select_from(ReportLogo)
        .where(ReportLogo.event_id == event.id, ReportLogo.removed_at.is_(None))
    )
    if (count or 0) >= MAX_LOGOS:
        raise ServiceError(_l("An event has at most %(n)s logos.", n=MAX_LOGOS), "image")
    logo = ReportLogo(
        event_id=event.id,
        kind=kind,
        filename=(filename or "")[: max_length(ReportLogo.filename)],
        mimetype="image/png",
        data=checked.data,
        width=checked.width,
        height=checked.height,
    )
    db.session.add(logo)
    db.session.flush()
    audit.record(
        "event.logo_add",
        logo,
        {"kind": kind, "filename": logo.filename, "bytes": len(data)},
        actor=by,
        event=event,
    )
    return logo


def remove_logo(event: Event, logo: ReportLogo, by: User | None) -> bool:
    """Remove one of the event's logos (files made already keep theirs); its image is
    dropped. False when it was removed already (a second click changes nothing)."""
    if logo.removed_at is not None:
        return False
    audit.record(
        "event.logo_remove",
        logo,
        {"kind": logo.kind, "filename": logo.filename},
        actor=by,
        event=event,
    )
    logo.removed_at = utcnow()
    logo.data = b""
    db.session.flush()
    return True


def logo_of(event: Event, logo_id: int) -> ReportLogo | None:
    """The event's logo ``logo_id``; None for another event's or none."""
    logo = db.session.get(ReportLogo, logo_id)
    return logo if logo is not None and logo.event_id == event.id else None

"""Survey respondents, and the folded search key kept beside each."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, event
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .organisation import Organisation


class Respondent(db.Model):
    """One response to the survey of internationalisation needs and opportunities."""

    __tablename__ = "respondent"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(
        String(254), unique=True, info={"personal": True}
    )  # lower-cased
    contact_name: Mapped[str] = mapped_column(String(200), default="", info={"personal": True})
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    organisation_name: Mapped[str] = mapped_column(
        String(300), default="", info={"personal": False}
    )
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    city: Mapped[str] = mapped_column(String(120), default="", info={"personal": False})
    sector: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(300), default="", info={"personal": False})
    language: Mapped[str | None] = mapped_column(String(5))
    interested_in_event: Mapped[bool] = mapped_column(Boolean, default=False)
    interested_in_training: Mapped[bool] = mapped_column(Boolean, default=False)
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    raw_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info={"personal": True})
    # when the person withdrew consent (an unsubscribe, say): a later survey import then
    # never switches it back on; only the person can give it again
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # when the privacy erasure or the retention purge blanked its personal data
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # True for a person an organiser invited by hand (not from the survey): the origin shown
    added_by_hand: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # e-mail, contact name and organisation, folded (see search_key_for): what the organisers'
    # search compares. No index: a search matches anywhere inside (LIKE '%...%'), which no
    # B-tree index serves, and one scan of this column is what both databases do.
    search_key: Mapped[str] = mapped_column(Text, default="", info={"personal": True})

    organisation: Mapped[Organisation | None] = relationship()

    def __repr__(self) -> str:
        return f"<Respondent {self.email}>"


# Letters that keep no base letter under Unicode decomposition, after case folding.
_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "đ": "d", "ø": "o", "ħ": "h", "ı": "i", "ŧ": "t", "æ": "ae", "œ": "oe", "þ": "th"}
)


def fold(text: str) -> str:
    """``text`` without case or diacritics, for matching: "Łódź" -> "lodz", "ĎURIŠOVÁ" ->
    "durisova", "Straße" -> "strasse". The one folding rule (the survey's header and country
    matching builds on it too); changing it needs a migration that recomputes
    ``Respondent.search_key`` (as migration 0040 computed it)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_UNDECOMPOSED)


def search_key_for(email: str | None, contact_name: str | None, organisation: str | None) -> str:
    """What a respondent's search compares: its e-mail, contact name and organisation name,
    folded, one a line (so that no search matches across two of them)."""
    return "\n".join(fold(part or "") for part in (email, contact_name, organisation))


@event.listens_for(Respondent, "before_insert")
@event.listens_for(Respondent, "before_update")
def _keep_search_key(_mapper: Mapper[Any], _connection: Any, respondent: Respondent) -> None:
    """Every ORM write of a respondent refreshes its key; bulk writes (the survey import)
    compute it themselves, as ORM bulk statements call no such hook."""
    respondent.search_key = search_key_for(
        respondent.email, respondent.contact_name, respondent.organisation_name
    )

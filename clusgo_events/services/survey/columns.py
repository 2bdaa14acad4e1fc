"""The survey file's columns: the canonical fields, their header synonyms, and matching a
file's headers to them (synonyms, or the organiser's own mapping)."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from .. import ServiceError
from .normalise import match_key

CANONICAL = (
    "email",
    "contact_name",
    "organisation",
    "country",
    "city",
    "sector",
    "website",
    "language",
    "interested_in_event",
    "interested_in_training",
    "consent",
    "submitted_at",
)
YES_NO_FIELDS = ("interested_in_event", "interested_in_training", "consent")

#: how a row's rejection names a field ("interested in event: not a yes/no answer: 'maybe'")
FIELD_LABELS = {
    "email": _l("e-mail"),
    "contact_name": _l("contact name"),
    "organisation": _l("organisation"),
    "country": _l("country"),
    "city": _l("city"),
    "sector": _l("sector"),
    "website": _l("website"),
    "language": _l("language"),
    "interested_in_event": _l("interested in event"),
    "interested_in_training": _l("interested in training"),
    "consent": _l("consent"),
    "submitted_at": _l("submitted at"),
}


# Header synonyms, written as the normalised key (see _key): lower-case ASCII letters and digits.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": (
        "email",
        "emailaddress",
        "mail",
        "contactemail",
        "emailcontact",
        "contactemailaddress",
        "emailadresa",
        "emailcim",
        "adresemail",
        "adresemailowy",
    ),
    "contact_name": (
        "contactname",
        "name",
        "fullname",
        "contact",
        "contactperson",
        "respondent",
        "respondentname",
        "jmeno",
        "nev",
        "meno",
        "imieinazwisko",
    ),
    "organisation": (
        "organisation",
        "organization",
        "organisationname",
        "organizationname",
        "org",
        "cluster",
        "clustername",
        "clusterorganisation",
        "clusterorganization",
        "company",
        "organizace",
        "szervezet",
        "organizacia",
        "organizacja",
    ),
    "country": ("country", "countrycode", "stat", "orszag", "krajina", "kraj", "zeme"),
    "city": ("city", "town", "mesto", "varos", "miasto"),
    "sector": ("sector", "industry", "field", "sektor", "obor", "agazat", "branza"),
    "website": ("website", "web", "webpage", "url", "homepage", "www", "site", "webovastranka"),
    "language": (
        "language",
        "preferredlanguage",
        "lang",
        "locale",
        "jazyk",
        "nyelv",
        "jezyk",
    ),
    "interested_in_event": (
        "interestedinevent",
        "eventinterest",
        "interestinevent",
        "interestedintheevent",
        "event",
    ),
    "interested_in_training": (
        "interestedintraining",
        "traininginterest",
        "interestintraining",
        "interestedintrainings",
        "training",
    ),
    "consent": (
        "consent",
        "consenttocontact",
        "consenttobecontacted",
        "contactconsent",
        "gdprconsent",
        "gdpr",
        "souhlas",
        "hozzajarulas",
        "suhlas",
        "zgoda",
    ),
    "submitted_at": (
        "submittedat",
        "submitted",
        "submissiondate",
        "submittedon",
        "timestamp",
        "date",
        "datum",
        "datetime",
        "completedat",
    ),
}
HEADER_SYNONYMS: dict[str, str] = {
    synonym: canonical for canonical, synonyms in _SYNONYMS.items() for synonym in synonyms
}


def match_columns(headers: list[str], mapping: Mapping[str, str] | None = None) -> dict[int, str]:
    """Header index -> canonical name; ``mapping`` ({canonical: header}) wins over synonyms."""
    columns: dict[int, str] = {}
    taken: set[str] = set()
    by_key: dict[str, int] = {}
    for i, header in enumerate(headers):
        by_key.setdefault(match_key(header), i)
    for canonical, header in (mapping or {}).items():
        if not header or not header.strip():
            continue
        if canonical not in CANONICAL:
            raise ServiceError(
                _l("Unknown field %(name)s.", name=repr(canonical)), f"map_{canonical}"
            )
        index = headers.index(header) if header in headers else by_key.get(match_key(header))
        if index is None:
            raise ServiceError(
                _l("The file has no column %(name)s.", name=repr(header.strip())),
                f"map_{canonical}",
            )
        if index in columns:
            raise ServiceError(
                _l(
                    "Column %(name)s is already used for %(field)s.",
                    name=repr(header.strip()),
                    field=FIELD_LABELS[columns[index]],
                ),
                f"map_{canonical}",
            )
        columns[index] = canonical
        taken.add(canonical)
    for i, header in enumerate(headers):
        canonical = HEADER_SYNONYMS.get(match_key(header))
        if i not in columns and canonical and canonical not in taken:
            columns[i] = canonical
            taken.add(canonical)
    return columns

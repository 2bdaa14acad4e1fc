"""Addresses as SMTP needs them: the domain in IDNA (punycode), a non-ASCII local part only
with SMTPUTF8 (RFC 6531).

``jan@żółw.pl`` is sent as ``jan@xn--w-uga1v8h.pl`` in the envelope and in the To header, so
every server takes it. A local part such as ``jiří@example.cz`` has no ASCII form: it goes
only to a server that offers SMTPUTF8, else the message fails for good with a clear error.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from functools import lru_cache

import idna

from .errors import PermanentFailure

#: characters that may never appear in an address we send (they would start another
#: address, header or command)
_FORBIDDEN = set(' <>,;"()\\')


@dataclass(frozen=True)
class Mailbox:
    """One address ready for SMTP: ``address`` is what the envelope and the header carry."""

    address: str
    needs_smtputf8: bool = False


@lru_cache(maxsize=1024)
def _domain(domain: str) -> str:
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise PermanentFailure(f"the domain {domain!r} is not a valid domain name: {exc}") from exc


def mailbox(address: str) -> Mailbox:
    """``address`` for SMTP, or :class:`PermanentFailure` when it cannot be sent."""
    address = (address or "").strip()
    if (
        not address
        or address.count("@") != 1
        or any(c in _FORBIDDEN or ord(c) < 33 or ord(c) == 127 for c in address)
        or not all(c.isprintable() for c in address)
    ):
        raise PermanentFailure(f"not a deliverable address: {address!r}")
    local, domain = address.split("@")
    if not local or not domain:
        raise PermanentFailure(f"not a deliverable address: {address!r}")
    return Mailbox(f"{local}@{_domain(domain)}", needs_smtputf8=not local.isascii())


@lru_cache(maxsize=8)
def sender_of(configured: str) -> tuple[str, Mailbox]:
    """The display name and mailbox of ``MAIL_DEFAULT_SENDER`` (read once per value)."""
    name, address = parseaddr(configured)
    return " ".join(name.split()), mailbox(address)

"""Keyed pseudonyms per consumer domain (HMAC-SHA256).

Each consumer domain (policy, the client council, research) gets pseudonyms under a key of its
own, derived from one pseudonymisation key with HKDF: the same person has the same pseudonym
within a domain, so a domain's tables join; across domains the pseudonyms differ, so analysts
of two domains cannot join their data without the key holder, and nobody can turn a pseudonym
back into a person without the key (HMAC is one-way and keyed).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DOMAIN = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
PSEUDONYM_BYTES = 16
"""128 bits: no collisions in any realistic population, short enough to read."""


@dataclass(frozen=True)
class Pseudonymiser:
    """Pseudonyms of one consumer domain. Make it with `for_domain`; the key stays inside."""

    domain: str
    _key: bytes

    @classmethod
    def for_domain(cls, key: bytes, domain: str) -> Pseudonymiser:
        """The pseudonymiser of `domain` under the pseudonymisation `key` (32 bytes)."""
        if len(key) != 32:
            raise ValueError("the pseudonymisation key must be 32 bytes")
        if not DOMAIN.match(domain):
            raise ValueError("a domain is a short name of lower-case letters, digits and dashes")
        derived = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=b"datameent pseudonym domain " + domain.encode(),
        ).derive(key)
        return cls(domain, derived)

    def pseudonym(self, kind: str, identifier: str) -> str:
        """The pseudonym of `identifier` (a person, a case manager...) of this `kind`.

        Examples:
            >>> p = Pseudonymiser.for_domain(bytes(32), "beleid")
            >>> p.pseudonym("person", "42") == p.pseudonym("person", "42")
            True
            >>> p.pseudonym("person", "42") == p.pseudonym("staff", "42")
            False
        """
        message = f"{kind}\x00{identifier}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[: PSEUDONYM_BYTES * 2]

    def __repr__(self) -> str:  # never show the key
        return f"Pseudonymiser(domain={self.domain!r})"

"""Envelope encryption of personal data, and the keyed blind index for BSNs.

Each person has their own AES-256-GCM data key. That key is stored only wrapped (encrypted) by
a key derived from the master key, which lives in settings, never in the database. Destroying a
person's wrapped data key makes every value and the BSN of that person unreadable for good: this
is how erasure works (crypto-shredding), including in backups made before the erasure, as soon
as those backups age out of use.

Every ciphertext is bound to where it belongs through the associated data (person, key and
version id), so that a value copied onto another person or attribute fails to decrypt.

The master key can be rotated (`services/keys.py`): each wrapped key records which master key
wrapped it (its `version`, a fingerprint of that key), a key ring holds the current master key
and, while a rotation runs, the previous one, and a rotation wraps every data key again under
the current one. The keys behind identifiers that are stored or logged (the BSN's blind index,
the log's subject pseudonyms, lookups) must not change with it: they were derived from the
first master key, and from the first rotation on the database keeps them, wrapped under the
current master key (`Identifiers`).
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_FORMAT = b"\x01"
_NONCE_BYTES = 12


class DecryptionFailed(Exception):
    """A ciphertext did not verify: wrong key, wrong place, or tampered with."""


class UnknownMasterKey(Exception):
    """The database's keys are wrapped under a master key this key ring does not hold."""


def _derive(master_key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master_key)


def _seal(aead: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return _FORMAT + nonce + aead.encrypt(nonce, plaintext, aad)


def _open(aead: AESGCM, blob: bytes, aad: bytes) -> bytes:
    if blob[:1] != _FORMAT:
        raise DecryptionFailed("unknown ciphertext format")
    nonce, body = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    try:
        return aead.decrypt(nonce, body, aad)
    except InvalidTag as error:
        raise DecryptionFailed("ciphertext does not verify") from error


class DataKey:
    """One person's data key, unwrapped for the length of a unit of work."""

    def __init__(self, person_id: UUID, key: bytes) -> None:
        self.person_id = person_id
        self._aead = AESGCM(key)
        self._prefix = f"{person_id}|"

    def _aad(self, context: str) -> bytes:
        return (self._prefix + context).encode()

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        return _seal(self._aead, plaintext, self._aad(context))

    def decrypt(self, blob: bytes, context: str) -> bytes:
        return _open(self._aead, blob, self._aad(context))


PSEUDONYMS = 100_000
"""Persons whose log pseudonym a key ring keeps in memory (some 30 MB at most)."""


LEGACY = 1
"""The version of keys wrapped before rotation existed: by the first master key, whichever
that is (tried with each key the ring holds)."""


class _Wrapper:
    """Wraps keys under one master key; `version` names that master key in the database."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the master key must be 32 bytes")
        self.aead = AESGCM(_derive(master_key, b"datameent/v1/wrap-data-key"))
        fingerprint = _derive(master_key, b"datameent/v1/master-key-version")
        # 31 bits, so that it fits every database's integer; 0 and 1 are not fingerprints.
        self.version = max(int.from_bytes(fingerprint[:4], "big") & 0x7FFFFFFF, LEGACY + 1)


@dataclass(frozen=True, repr=False)
class Identifiers:
    """The keys behind what is stored or logged to find things by: the BSN's blind index, the
    keyed lookups (usernames of failed logins, DigiD Machtigen representatives), the log's
    subject pseudonyms. They stay the same when the master key is rotated; were they derived
    from the current master key, a rotation would lose every person's BSN and every resident's
    processing log."""

    index: bytes
    lookup: bytes
    subject: bytes

    NAMES = ("bsn-blind-index", "lookup-key", "log-subject")

    @classmethod
    def derived(cls, master_key: bytes) -> Identifiers:
        return cls(
            _derive(master_key, b"datameent/v1/bsn-blind-index"),
            _derive(master_key, b"datameent/v1/lookup-key"),
            _derive(master_key, b"datameent/v1/log-subject"),
        )

    def by_name(self) -> dict[str, bytes]:
        return dict(zip(self.NAMES, (self.index, self.lookup, self.subject), strict=True))


@dataclass(frozen=True)
class StoredKey:
    """A key kept in the database, wrapped under the master key of `version`."""

    name: str
    version: int
    wrapped: bytes


class KeyRing:
    """Derives the working keys from the master key and wraps the per-person data keys.

    `previous_key` is the master key being retired, held only while a rotation runs: keys still
    wrapped under it open, new ones are wrapped under the current key. Until the database keeps
    the identifier keys (`opened`), they are derived from the first master key: the previous
    one while rotating for the first time, else the current one."""

    def __init__(
        self,
        master_key: bytes,
        previous_key: bytes | None = None,
        identifiers: Identifiers | None = None,
    ) -> None:
        self._current = _Wrapper(master_key)
        self._previous = _Wrapper(previous_key) if previous_key is not None else None
        if previous_key == master_key:
            raise ValueError("the previous master key is the current one")
        self._master_key, self._previous_key = master_key, previous_key
        self.identifiers = identifiers or Identifiers.derived(previous_key or master_key)
        self._pseudonyms: dict[UUID, str] = {}

    @property
    def version(self) -> int:
        """The current master key's version: what every key wrapped now is stored with."""
        return self._current.version

    @property
    def previous_version(self) -> int | None:
        return self._previous.version if self._previous is not None else None

    def opened(self, stored: Iterable[StoredKey]) -> KeyRing:
        """This key ring with the identifier keys the database keeps (none: this one).
        `UnknownMasterKey` if they are wrapped under a master key the ring does not hold."""
        found = {key.name: key for key in stored}
        if not found:
            return self
        if set(found) != set(Identifiers.NAMES):
            raise UnknownMasterKey("the database keeps an incomplete set of identifier keys")
        index, lookup, subject = (
            self._open_wrapped(found[name].wrapped, found[name].version, name.encode())
            for name in Identifiers.NAMES
        )
        return KeyRing(self._master_key, self._previous_key, Identifiers(index, lookup, subject))

    def stored_identifiers(self) -> list[StoredKey]:
        """The identifier keys wrapped under the current master key, for the database."""
        return [
            StoredKey(name, self.version, _seal(self._current.aead, key, name.encode()))
            for name, key in self.identifiers.by_name().items()
        ]

    def new_data_key(self, person_id: UUID) -> tuple[DataKey, bytes]:
        """A fresh data key for a new person, and its wrapped form for storage (under the
        current master key: `version`)."""
        key = AESGCM.generate_key(bit_length=256)
        return DataKey(person_id, key), _seal(self._current.aead, key, person_id.bytes)

    def unwrap(self, person_id: UUID, wrapped: bytes, version: int = LEGACY) -> DataKey:
        return DataKey(person_id, self._open_wrapped(wrapped, version, person_id.bytes))

    def rewrap(self, person_id: UUID, wrapped: bytes, version: int) -> bytes:
        """`wrapped` (under the master key of `version`) wrapped under the current key."""
        key = self._open_wrapped(wrapped, version, person_id.bytes)
        return _seal(self._current.aead, key, person_id.bytes)

    def holds(self, version: int) -> bool:
        """Whether keys of `version` open with this ring (LEGACY: perhaps)."""
        return version == LEGACY or version in (self.version, self.previous_version)

    def _open_wrapped(self, wrapped: bytes, version: int, aad: bytes) -> bytes:
        wrappers = [w for w in (self._current, self._previous) if w is not None]
        if version != LEGACY:
            wrappers = [w for w in wrappers if w.version == version]
            if not wrappers:
                raise UnknownMasterKey("wrapped under a master key this key ring does not hold")
        for wrapper in wrappers[:-1]:
            try:
                return _open(wrapper.aead, wrapped, aad)
            except DecryptionFailed:
                continue
        return _open(wrappers[-1].aead, wrapped, aad)

    def bsn_index(self, bsn: str) -> str:
        """A keyed blind index: finds a person by BSN without storing the BSN readably."""
        return hmac.digest(self.identifiers.index, bsn.encode(), "sha256").hex()

    def lookup_key(self, text: str) -> str:
        """A keyed hash for looking things up that should not be stored in the clear
        (usernames and network addresses of failed logins)."""
        return hmac.digest(self.identifiers.lookup, text.encode(), "sha256").hex()

    def subject_pseudonym(self, person_id: UUID) -> str:
        """The person's pseudonym in the processing log: stable, keyed, not the BSN, and not
        the person's id, so a copy of the log cannot be joined to the vault without the key.

        Remembered (up to `PSEUDONYMS` persons): every logged processing names one, and on the
        path of a read OpenSSL's HMAC took some 15 µs (3 µs on its own: its lookups of the
        algorithm miss the processor's caches there)."""
        found = self._pseudonyms.get(person_id)
        if found is None:
            if len(self._pseudonyms) >= PSEUDONYMS:
                self._pseudonyms.clear()
            found = hmac.digest(self.identifiers.subject, person_id.bytes, "sha256").hex()
            self._pseudonyms[person_id] = found
        return found

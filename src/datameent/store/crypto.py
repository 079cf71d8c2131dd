"""Envelope encryption of personal data, and the keyed blind index for BSNs.

Each person has their own AES-256-GCM data key. That key is stored only wrapped (encrypted) by
a key derived from the master key, which lives in settings, never in the database. Destroying a
person's wrapped data key makes every value and the BSN of that person unreadable for good: this
is how erasure works (crypto-shredding), including in backups made before the erasure, as soon
as those backups age out of use.

Every ciphertext is bound to where it belongs through the associated data (person, key and
version id), so that a value copied onto another person or attribute fails to decrypt.
"""

from __future__ import annotations

import hmac
import os
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_FORMAT = b"\x01"
_NONCE_BYTES = 12


class DecryptionFailed(Exception):
    """A ciphertext did not verify: wrong key, wrong place, or tampered with."""


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


class KeyRing:
    """Derives the working keys from the master key and wraps the per-person data keys."""

    VERSION = 1
    """Stored with each wrapped key, so the master key can be rotated later."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the master key must be 32 bytes")
        self._wrapper = AESGCM(_derive(master_key, b"datameent/v1/wrap-data-key"))
        self._index_key = _derive(master_key, b"datameent/v1/bsn-blind-index")
        self._lookup_key = _derive(master_key, b"datameent/v1/lookup-key")
        self._subject_key = _derive(master_key, b"datameent/v1/log-subject")
        self._pseudonyms: dict[UUID, str] = {}

    def new_data_key(self, person_id: UUID) -> tuple[DataKey, bytes]:
        """A fresh data key for a new person, and its wrapped form for storage."""
        key = AESGCM.generate_key(bit_length=256)
        return DataKey(person_id, key), _seal(self._wrapper, key, person_id.bytes)

    def unwrap(self, person_id: UUID, wrapped: bytes) -> DataKey:
        return DataKey(person_id, _open(self._wrapper, wrapped, person_id.bytes))

    def bsn_index(self, bsn: str) -> str:
        """A keyed blind index: finds a person by BSN without storing the BSN readably."""
        return hmac.digest(self._index_key, bsn.encode(), "sha256").hex()

    def lookup_key(self, text: str) -> str:
        """A keyed hash for looking things up that should not be stored in the clear
        (usernames and network addresses of failed logins)."""
        return hmac.digest(self._lookup_key, text.encode(), "sha256").hex()

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
            found = hmac.digest(self._subject_key, person_id.bytes, "sha256").hex()
            self._pseudonyms[person_id] = found
        return found

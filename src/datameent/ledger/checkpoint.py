"""Signed checkpoints: (origin, tree size, root hash) in the C2SP signed-note format.

A checkpoint is the log's public promise "these are my first N records, and this is their root".
Anyone holding the published verifier key can check it, and then check inclusion and
consistency proofs against it. The format follows C2SP tlog-checkpoint and signed-note, with an
Ed25519 signature, so that existing transparency-log tooling can read it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

_ED25519 = b"\x01"
_DASH = "\u2014 "


class InvalidNote(Exception):
    """A note that is malformed, or not signed by the expected key."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        lines = body.split("\n")
        try:
            origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
        except (IndexError, ValueError, binascii.Error) as error:
            raise InvalidNote("not a checkpoint") from error
        if not origin or size < 0 or len(root) != 32 or lines[1] != str(size):
            raise InvalidNote("not a checkpoint")
        return cls(origin, size, root)


def _key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + _ED25519 + public_key).digest()[:4]


class NoteKey:
    """An Ed25519 signing key with its name, as signed notes use it."""

    def __init__(self, name: str, seed: bytes) -> None:
        if not name or any(c in name for c in " +\n"):
            raise ValueError("a key name has no spaces, plus signs or newlines")
        self.name = name
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = _key_id(name, self.public_key)

    def verifier(self) -> str:
        """The public verifier key: ``name+keyid+base64(0x01 || public key)``."""
        encoded = base64.b64encode(_ED25519 + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def sign(self, text: str) -> str:
        signature = self._private.sign(text.encode())
        encoded = base64.b64encode(self.key_id + signature).decode()
        return f"{text}\n{_DASH}{self.name} {encoded}\n"


def sign_checkpoint(checkpoint: Checkpoint, key: NoteKey) -> str:
    return key.sign(checkpoint.body())


def cosign(note: str, key: NoteKey) -> str:
    """`note` with `key`'s signature added (a signed note may carry several): how a checkpoint
    signed before the log's signing key changed is signed by the new key too, at the same size.
    Unchanged if `key` signed it already."""
    text, separator, _ = note.rpartition("\n\n")
    if not separator:
        raise InvalidNote("no signature block")
    try:
        open_note(note, key.verifier())
        return note
    except InvalidNote:
        pass
    signed = key.sign(text + "\n")
    return note + signed[len(text) + 2 :]


def open_note_by_any(note: str, verifiers: Iterable[str]) -> Checkpoint:
    """The checkpoint in `note`, signed by one of `verifiers` (the log's key and the keys it
    had before); `InvalidNote` if by none."""
    for verifier in verifiers:
        try:
            return open_note(note, verifier)
        except InvalidNote:
            continue
    raise InvalidNote("not signed by any of these keys")


def is_verifier_key(text: str) -> bool:
    try:
        _parse_verifier(text)
    except InvalidNote:
        return False
    return True


def open_note(note: str, verifier: str) -> Checkpoint:
    """The checkpoint in `note`, after checking its signature by the `verifier` key."""
    name, key_id, public_key = _parse_verifier(verifier)
    text, separator, signatures = note.rpartition("\n\n")
    if not separator:
        raise InvalidNote("no signature block")
    text += "\n"
    for line in signatures.rstrip("\n").split("\n"):
        if not line.startswith(_DASH):
            raise InvalidNote("malformed signature line")
        signer, _, encoded = line[len(_DASH) :].rpartition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error as error:
            raise InvalidNote("malformed signature") from error
        if signer == name and raw[:4] == key_id:
            try:
                Ed25519PublicKey.from_public_bytes(public_key).verify(raw[4:], text.encode())
            except InvalidSignature as error:
                raise InvalidNote("the signature does not verify") from error
            return Checkpoint.parse(text)
    raise InvalidNote("not signed by this key")


def _parse_verifier(verifier: str) -> tuple[str, bytes, bytes]:
    try:
        name, key_id, encoded = verifier.split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
        identifier = bytes.fromhex(key_id)
    except (ValueError, binascii.Error) as error:
        raise InvalidNote("malformed verifier key") from error
    if raw[:1] != _ED25519 or len(raw) != 33 or identifier != _key_id(name, raw[1:]):
        raise InvalidNote("malformed verifier key")
    return name, identifier, raw[1:]

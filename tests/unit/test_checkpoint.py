import base64

import pytest

from datameent.ledger import Checkpoint, NoteKey, open_note, sign_checkpoint
from datameent.ledger.checkpoint import InvalidNote

KEY = NoteKey("meenthaven.datameent", bytes(range(32)))
CHECKPOINT = Checkpoint("meenthaven.datameent/log", 1234, bytes(range(32)))


def test_a_checkpoint_note_has_the_c2sp_shape_and_opens_with_the_verifier() -> None:
    note = sign_checkpoint(CHECKPOINT, KEY)
    body, signature = note.split("\n\n")
    assert body.split("\n") == [
        "meenthaven.datameent/log",
        "1234",
        base64.b64encode(bytes(range(32))).decode(),
    ]
    assert signature.startswith("\u2014 meenthaven.datameent ") and signature.endswith("\n")
    raw = base64.b64decode(signature.split(" ")[2])
    assert raw[:4] == KEY.key_id and len(raw) == 68
    assert open_note(note, KEY.verifier()) == CHECKPOINT


def test_a_changed_note_or_another_key_is_refused() -> None:
    note = sign_checkpoint(CHECKPOINT, KEY)
    with pytest.raises(InvalidNote):
        open_note(note.replace("\n1234\n", "\n1235\n"), KEY.verifier())
    other = NoteKey("meenthaven.datameent", bytes(range(1, 33)))
    with pytest.raises(InvalidNote):
        open_note(note, other.verifier())
    with pytest.raises(InvalidNote):
        open_note("no signature at all", KEY.verifier())
    with pytest.raises(InvalidNote):
        open_note(note, "not+a+key")


def test_the_verifier_key_names_its_key() -> None:
    name, key_id, encoded = KEY.verifier().split("+", 2)
    assert name == "meenthaven.datameent" and bytes.fromhex(key_id) == KEY.key_id
    assert base64.b64decode(encoded) == b"\x01" + KEY.public_key

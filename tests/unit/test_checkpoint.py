import base64

import pytest

from datameent.ledger import Checkpoint, NoteKey, open_note, sign_checkpoint
from datameent.ledger.checkpoint import InvalidNote, cosign, is_verifier_key, open_note_by_any

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


def test_a_note_signed_again_by_a_new_key_opens_with_either_and_nothing_else_changes() -> None:
    old, new = NoteKey("example.org/log", bytes(32)), NoteKey("example.org/log", bytes(range(32)))
    note = sign_checkpoint(Checkpoint("example.org/log", 7, bytes(range(32))), old)
    both = cosign(note, new)
    assert both.startswith(note) and both.count("\n\u2014 ") == 2
    assert open_note(both, old.verifier()) == open_note(both, new.verifier())
    assert open_note(both, new.verifier()).size == 7
    assert cosign(both, new) == both and cosign(both, old) == both
    # Another key's signature on a changed text does not open.
    forged = both.replace("\n7\n", "\n8\n", 1)
    for key in (old, new):
        with pytest.raises(InvalidNote):
            open_note(forged, key.verifier())
    with pytest.raises(InvalidNote):
        cosign("no signature block", new)


def test_a_note_opens_with_any_of_the_keys_the_log_has_had() -> None:
    keys = [NoteKey("example.org/log", bytes([n]) * 32) for n in range(3)]
    note = sign_checkpoint(Checkpoint("example.org/log", 3, bytes(32)), keys[1])
    assert open_note_by_any(note, [k.verifier() for k in keys]).size == 3
    with pytest.raises(InvalidNote):
        open_note_by_any(note, [keys[0].verifier(), keys[2].verifier()])
    with pytest.raises(InvalidNote):
        open_note_by_any(note, [])
    assert is_verifier_key(keys[0].verifier())
    assert not is_verifier_key("example.org/log+00000000+AAAA")
    assert not is_verifier_key(keys[0].verifier()[:-4])

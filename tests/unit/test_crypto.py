import hashlib
import hmac
import os
from uuid import uuid4

import pytest

from datameent.store import crypto
from datameent.store.crypto import DecryptionFailed, KeyRing


def test_a_value_decrypts_only_in_its_own_place() -> None:
    keys = KeyRing(os.urandom(32))
    person = uuid4()
    key, wrapped = keys.new_data_key(person)
    blob = key.encrypt(b'"Fatima"', "attribute|given_name|1")
    assert keys.unwrap(person, wrapped).decrypt(blob, "attribute|given_name|1") == b'"Fatima"'
    with pytest.raises(DecryptionFailed):
        key.decrypt(blob, "attribute|family_name|1")
    other, _ = keys.new_data_key(uuid4())
    with pytest.raises(DecryptionFailed):
        other.decrypt(blob, "attribute|given_name|1")


def test_a_wrapped_key_opens_only_for_its_person_and_master_key() -> None:
    keys = KeyRing(os.urandom(32))
    person = uuid4()
    _, wrapped = keys.new_data_key(person)
    with pytest.raises(DecryptionFailed):
        keys.unwrap(uuid4(), wrapped)
    with pytest.raises(DecryptionFailed):
        KeyRing(os.urandom(32)).unwrap(person, wrapped)


def test_ciphertexts_do_not_repeat_and_do_not_show_the_plaintext() -> None:
    key, _ = KeyRing(os.urandom(32)).new_data_key(uuid4())
    a, b = key.encrypt(b"111222333", "bsn"), key.encrypt(b"111222333", "bsn")
    assert a != b and b"111222333" not in a


def test_the_blind_index_is_stable_and_keyed() -> None:
    master = os.urandom(32)
    assert KeyRing(master).bsn_index("111222333") == KeyRing(master).bsn_index("111222333")
    assert KeyRing(master).bsn_index("111222333") != KeyRing(os.urandom(32)).bsn_index("111222333")
    assert "111222333" not in KeyRing(master).bsn_index("111222333")


def test_the_master_key_must_be_32_bytes() -> None:
    with pytest.raises(ValueError):
        KeyRing(b"short")


def test_the_log_pseudonym_is_keyed_and_stays_the_same_past_the_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(crypto, "PSEUDONYMS", 3)
    master = os.urandom(32)
    ring, other = KeyRing(master), KeyRing(os.urandom(32))
    people = [uuid4() for _ in range(8)]
    first = [ring.subject_pseudonym(p) for p in people]
    # Remembered or not (three fit), the same person gets the same pseudonym...
    assert [ring.subject_pseudonym(p) for p in reversed(people)] == first[::-1]
    assert [KeyRing(master).subject_pseudonym(p) for p in people] == first
    # ...each person their own, an HMAC under the key derived for the log...
    assert len(set(first)) == len(people)
    assert first[0] == hmac.digest(ring._subject_key, people[0].bytes, hashlib.sha256).hex()
    assert len(ring._pseudonyms) <= 3
    # ...and another key gives others.
    assert not set(first) & {other.subject_pseudonym(p) for p in people}

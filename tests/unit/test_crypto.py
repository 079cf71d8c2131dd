import hashlib
import hmac
import os
from uuid import uuid4

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from datameent.store import crypto
from datameent.store.crypto import LEGACY, DecryptionFailed, KeyRing, UnknownMasterKey


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
    assert first[0] == hmac.digest(ring.identifiers.subject, people[0].bytes, hashlib.sha256).hex()
    assert len(ring._pseudonyms) <= 3
    # ...and another key gives others.
    assert not set(first) & {other.subject_pseudonym(p) for p in people}


def _hkdf(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


def test_the_identifier_keys_are_derived_as_before_rotation_existed() -> None:
    # Databases made before rotation hold blind indexes and log pseudonyms under these keys.
    master, person = os.urandom(32), uuid4()
    keys = KeyRing(master)
    index_key = _hkdf(master, b"datameent/v1/bsn-blind-index")
    subject_key = _hkdf(master, b"datameent/v1/log-subject")
    assert keys.bsn_index("111222333") == hmac.digest(index_key, b"111222333", "sha256").hex()
    assert keys.subject_pseudonym(person) == hmac.digest(subject_key, person.bytes, "sha256").hex()


def test_each_master_key_has_its_own_version_and_wraps_under_it() -> None:
    first, second = os.urandom(32), os.urandom(32)
    assert KeyRing(first).version == KeyRing(first).version != KeyRing(second).version
    assert KeyRing(first).version > LEGACY and KeyRing(first).version < 2**31
    person = uuid4()
    key, wrapped = KeyRing(first).new_data_key(person)
    blob = key.encrypt(b"x", "c")
    # Under its own version, or as a key from before rotation existed (tried with each key).
    for ring in (KeyRing(first), KeyRing(second, first), KeyRing(first, second)):
        assert ring.unwrap(person, wrapped, KeyRing(first).version).decrypt(blob, "c") == b"x"
        assert ring.unwrap(person, wrapped, LEGACY).decrypt(blob, "c") == b"x"
    with pytest.raises(UnknownMasterKey):
        KeyRing(second).unwrap(person, wrapped, KeyRing(first).version)
    with pytest.raises(DecryptionFailed):
        KeyRing(second).unwrap(person, wrapped, LEGACY)
    with pytest.raises(DecryptionFailed):  # the version names the key; the bytes must agree
        KeyRing(second, first).unwrap(person, wrapped, KeyRing(second).version)


def test_a_rewrapped_key_opens_with_the_new_master_key_alone() -> None:
    old, new, person = os.urandom(32), os.urandom(32), uuid4()
    key, wrapped = KeyRing(old).new_data_key(person)
    blob = key.encrypt(b"Fatima", "attribute|given_name|1")
    rotating = KeyRing(new, old)
    again = rotating.rewrap(person, wrapped, KeyRing(old).version)
    assert again != wrapped
    opened = KeyRing(new).unwrap(person, again, rotating.version)
    assert opened.decrypt(blob, "attribute|given_name|1") == b"Fatima"
    with pytest.raises(UnknownMasterKey):
        KeyRing(old).unwrap(person, again, rotating.version)
    with pytest.raises(DecryptionFailed):
        KeyRing(old).unwrap(person, again, LEGACY)


def test_the_identifier_keys_outlive_the_master_key_they_came_from() -> None:
    old, new, newer = os.urandom(32), os.urandom(32), os.urandom(32)
    person = uuid4()
    before = KeyRing(old)
    # Rotating for the first time: derived from the previous (first) key, then kept under the
    # new one.
    rotating = KeyRing(new, old)
    assert rotating.bsn_index("111222333") == before.bsn_index("111222333")
    stored = rotating.stored_identifiers()
    assert {k.version for k in stored} == {rotating.version}
    assert all(old not in k.wrapped and before.identifiers.index not in k.wrapped for k in stored)
    after = KeyRing(new).opened(stored)
    assert after.bsn_index("111222333") == before.bsn_index("111222333")
    assert after.subject_pseudonym(person) == before.subject_pseudonym(person)
    assert after.lookup_key("klantmanager1") == before.lookup_key("klantmanager1")
    # A second rotation keeps them again; the first key is no longer needed for them.
    again = KeyRing(newer, new).opened(stored).stored_identifiers()
    assert KeyRing(newer).opened(again).bsn_index("111222333") == before.bsn_index("111222333")
    # Without the key they are kept under, or with a set that is not whole: refused.
    with pytest.raises(UnknownMasterKey):
        KeyRing(old).opened(stored)
    with pytest.raises(UnknownMasterKey):
        KeyRing(new).opened(stored[:2])
    assert KeyRing(new).opened([]).bsn_index("111222333") == KeyRing(new).bsn_index("111222333")


def test_the_previous_master_key_must_be_another_one() -> None:
    master = os.urandom(32)
    with pytest.raises(ValueError):
        KeyRing(master, master)
    with pytest.raises(ValueError):
        KeyRing(master, b"short")

import os
from uuid import uuid4

import pytest

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

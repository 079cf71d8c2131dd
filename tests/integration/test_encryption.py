"""Encryption at rest: nothing readable in the database, and erasure by destroying the key."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from datameent.domain.policy import AccessRequest, Action
from datameent.errors import DataErased
from datameent.services import vault
from datameent.store.tables import attribute_values, persons
from datameent.store.uow import Store
from tests.support import user


def test_no_bsn_or_name_is_readable_in_the_database(seeded: Store, seeded_url: str) -> None:
    resident = user(seeded, "inwoner1")
    assert resident.person_id is not None
    view = vault.read_vault(seeded, resident, resident.person_id)
    secrets = [view.bsn.encode()] + [
        str(v.value).encode() for v in view.current if v.key in ("family_name", "street", "phone")
    ]
    with seeded.engine.connect() as connection:
        raw = b"".join(
            bytes(row.bsn_ciphertext) + row.bsn_index.encode()
            for row in connection.execute(select(persons))
        ) + b"".join(bytes(row.ciphertext) for row in connection.execute(select(attribute_values)))
    for secret in secrets:
        assert secret not in raw
    if seeded_url.startswith("sqlite"):
        on_disk = Path(seeded_url.removeprefix("sqlite:///")).read_bytes()
        for secret in secrets:
            assert secret not in on_disk


def test_destroying_the_data_key_makes_every_value_unreadable(seeded: Store) -> None:
    resident = user(seeded, "inwoner2")
    assert resident.person_id is not None
    assert vault.read_vault(seeded, resident, resident.person_id).current
    officer = user(seeded, "privacy1")
    with seeded.unit_of_work() as uow:
        erasure = uow.authorize(AccessRequest(officer, Action.ERASE_PERSON, resident.person_id))
        uow.persons.destroy_data_key(erasure, resident.person_id, datetime.now(UTC))
        uow.commit()
    with pytest.raises(DataErased):
        vault.read_vault(seeded, resident, resident.person_id)
    with seeded.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(resident, Action.READ_VAULT, resident.person_id))
        with pytest.raises(DataErased):
            uow.persons.bsn(permit, resident.person_id)
        uow.commit()  # the attempt is logged, even though nothing could be read
    with seeded.engine.connect() as connection:
        ciphertexts = connection.execute(
            select(attribute_values.c.ciphertext).where(
                attribute_values.c.person_id == resident.person_id
            )
        ).all()
    assert ciphertexts, "the values are still there, only unreadable"


def test_a_value_moved_onto_another_person_does_not_decrypt(seeded: Store) -> None:
    first, second = user(seeded, "inwoner3"), user(seeded, "inwoner4")
    assert first.person_id and second.person_id
    with seeded.engine.begin() as connection:
        stolen = connection.execute(
            select(attribute_values.c.ciphertext).where(
                attribute_values.c.person_id == first.person_id,
                attribute_values.c.key == "family_name",
            )
        ).scalar_one()
        connection.execute(
            update(attribute_values)
            .where(
                attribute_values.c.person_id == second.person_id,
                attribute_values.c.key == "family_name",
            )
            .values(ciphertext=stolen)
        )
    from datameent.store.crypto import DecryptionFailed

    with pytest.raises(DecryptionFailed):
        vault.read_vault(seeded, second, second.person_id)

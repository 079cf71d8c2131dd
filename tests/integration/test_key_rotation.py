"""Rotating the master key, on SQLite and PostgreSQL: afterwards the new key alone opens every
person's data, finds them by BSN and shows their processing log; the old key opens nothing;
a rotation that stops halfway goes on; without the right keys nothing changes."""

from __future__ import annotations

import json
import os

import pytest
from alembic import command
from sqlalchemy import func, select, update

from datameent.domain.policy import AccessRequest, Action
from datameent.errors import KeysNotHeld
from datameent.ledger import NoteKey
from datameent.services import keys, ledger, vault
from datameent.store.crypto import LEGACY, KeyRing
from datameent.store.engine import make_engine
from datameent.store.migrate import alembic_config
from datameent.store.tables import identifier_keys, key_rotations, log_records, persons
from datameent.store.uow import Store
from tests.support import LOG_KEY, LOG_ORIGIN, MASTER_KEY, SEED_PERSONS, user

NEW = os.urandom(32)


def store_with(url: str, master: bytes, previous: bytes | None = None) -> Store:
    return Store(make_engine(url), KeyRing(master, previous))


def table(store: Store, which: object) -> list[dict[str, object]]:
    with store.engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(which))]  # type: ignore[call-overload]


def log_size(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(log_records)) or 0)


def test_after_a_rotation_the_new_master_key_alone_opens_everything(seeded_url: str) -> None:
    before = store_with(seeded_url, MASTER_KEY)
    resident = user(before, "inwoner1")
    assert resident.person_id
    seen = vault.read_vault(before, resident, resident.person_id)
    log_before = ledger.processing_log_of(before, resident, resident.person_id)
    # Some persons as a database from before rotation existed holds them.
    with before.engine.begin() as connection:
        first_ten = select(persons.c.id).order_by(persons.c.id).limit(10).scalar_subquery()
        connection.execute(
            update(persons).where(persons.c.id.in_(first_ten)).values(key_version=LEGACY)
        )
    size = log_size(before)
    before.dispose()

    rotating = store_with(seeded_url, NEW, MASTER_KEY)
    status = keys.key_status(rotating)
    assert status.left == SEED_PERSONS and LEGACY in status.wrapped
    progress: list[tuple[int, int]] = []
    report = keys.rotate_master_key(
        rotating, batch=50, progress=lambda n, total: progress.append((n, total))
    )
    assert report.rewrapped == SEED_PERSONS and report.version == KeyRing(NEW).version
    assert progress == [(50, SEED_PERSONS), (100, SEED_PERSONS), (SEED_PERSONS, SEED_PERSONS)]
    done = keys.key_status(rotating)
    assert done.left == 0 and done.wrapped == {report.version: SEED_PERSONS}
    assert done.identifiers_kept
    (rotation,) = done.rotations
    assert rotation.finished_at is not None and rotation.rewrapped == SEED_PERSONS
    rotating.dispose()

    after = store_with(seeded_url, NEW)
    again = vault.read_vault(after, resident, resident.person_id)
    assert [(v.key, v.value) for v in again.current] == [(v.key, v.value) for v in seen.current]
    assert again.bsn == seen.bsn
    with after.unit_of_work(write=False) as uow:
        assert uow.persons.id_by_bsn(seen.bsn) == resident.person_id  # type: ignore[arg-type]
    # The resident's processing log still holds every earlier line (same pseudonym).
    log_after = ledger.processing_log_of(after, resident, resident.person_id)
    assert {line.index for line in log_before} < {line.index for line in log_after}
    # Each step of the rotation is a line of the log, by the key service, about no one.
    rotations = table(after, log_records)[size:]
    rotations = [r for r in rotations if r["operation"] == "keys.rotate"]
    assert len(rotations) == 2 + len(progress) and all(r["subject"] is None for r in rotations)
    counted = [json.loads(str(r["payload"])).get("attributes", {}) for r in rotations]
    assert sum(c.get("datameent.rewrapped", 0) for c in counted) == SEED_PERSONS
    assert ledger.verify_log(after, NoteKey(LOG_ORIGIN, LOG_KEY).verifier()).ok
    after.dispose()

    old = store_with(seeded_url, MASTER_KEY)
    with pytest.raises(KeysNotHeld):
        keys.key_status(old)
    with pytest.raises(KeysNotHeld):
        vault.read_vault(old, resident, resident.person_id)
    old.dispose()


def test_without_the_previous_key_a_rotation_changes_nothing(seeded_url: str) -> None:
    wrong = store_with(seeded_url, NEW)
    persons_before, size = table(wrong, persons), log_size(wrong)
    with pytest.raises(KeysNotHeld):
        keys.rotate_master_key(wrong)
    assert table(wrong, persons) == persons_before and log_size(wrong) == size
    assert not table(wrong, identifier_keys) and not table(wrong, key_rotations)
    wrong.dispose()
    # Nor with the two keys swapped: the data keys open (under the current key), but the
    # identifier keys would be derived from the other one, and nobody found by BSN again.
    swapped = store_with(seeded_url, MASTER_KEY, NEW)
    with pytest.raises(KeysNotHeld) as caught:
        keys.rotate_master_key(swapped)
    assert caught.value.detail is not None and "swapped" in caught.value.detail.en
    assert table(swapped, persons) == persons_before and log_size(swapped) == size
    assert not table(swapped, identifier_keys) and not table(swapped, key_rotations)
    swapped.dispose()
    # Nor with a previous key that is not the one the data keys are under.
    other = store_with(seeded_url, NEW, os.urandom(32))
    with pytest.raises(KeysNotHeld):
        keys.rotate_master_key(other)
    assert table(other, persons) == persons_before and not table(other, identifier_keys)
    other.dispose()


class Stop(Exception):
    pass


def test_a_rotation_that_stops_halfway_goes_on_and_reads_work_meanwhile(
    seeded_url: str,
) -> None:
    rotating = store_with(seeded_url, NEW, MASTER_KEY)

    def stop(done: int, total: int) -> None:
        raise Stop()

    with pytest.raises(Stop):
        keys.rotate_master_key(rotating, batch=40, progress=stop)
    assert keys.key_status(rotating).left == SEED_PERSONS - 40
    # Meanwhile a server with both keys reads persons on either side.
    for n in range(1, SEED_PERSONS + 1, 13):
        resident = user(rotating, f"inwoner{n}")
        assert resident.person_id
        assert vault.read_vault(rotating, resident, resident.person_id).current
    report = keys.rotate_master_key(rotating, batch=40)
    assert report.rewrapped == SEED_PERSONS - 40
    status = keys.key_status(rotating)
    assert status.left == 0
    assert [(r.finished_at is None, r.rewrapped) for r in status.rotations] == [
        (True, 40),
        (False, SEED_PERSONS - 40),
    ]
    rotating.dispose()
    # A second rotation, to a third key: the identifier keys follow, the first key is not
    # needed any more.
    newer = os.urandom(32)
    third = store_with(seeded_url, newer, NEW)
    keys.rotate_master_key(third)
    third.dispose()
    last = store_with(seeded_url, newer)
    resident = user(last, "inwoner2")
    assert resident.person_id
    view = vault.read_vault(last, resident, resident.person_id)
    with last.unit_of_work(write=False) as uow:
        assert uow.persons.id_by_bsn(view.bsn) == resident.person_id  # type: ignore[arg-type]
    last.dispose()


def test_a_key_erased_or_wrapped_again_meanwhile_is_left_as_it_is(seeded_url: str) -> None:
    store = store_with(seeded_url, NEW, MASTER_KEY)
    account = keys.key_account(store)
    with store.unit_of_work() as uow:
        (first, second) = uow.keys.wrapped_other_than(store.keys.version, 2)
    with store.engine.begin() as connection:  # erased meanwhile (crypto-shredding)
        connection.execute(
            update(persons).where(persons.c.id == first.person_id).values(data_key=None)
        )
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(account, Action.ROTATE_KEYS))
        wrapped = store.keys.rewrap(first.person_id, first.wrapped, first.version)
        assert not uow.keys.replace(permit, first, wrapped, store.keys.version)
        again = store.keys.rewrap(second.person_id, second.wrapped, second.version)
        assert uow.keys.replace(permit, second, again, store.keys.version)
        assert not uow.keys.replace(permit, second, again, store.keys.version)
        uow.commit()
    found = {r["id"]: r for r in table(store, persons)}
    assert found[first.person_id]["data_key"] is None
    assert found[second.person_id]["data_key"] == again
    store.dispose()


def test_a_key_under_the_old_master_key_behind_the_rotation_is_wrapped_again_too(
    seeded_url: str,
) -> None:
    # A server still on the old master key can register a person while the rotation runs,
    # and the new person's id may sort before where the rotation has got to. Here the first
    # person's key is put back as it was, after the rotation's first batch passed it.
    before = store_with(seeded_url, MASTER_KEY)
    with before.engine.connect() as connection:
        first = connection.execute(
            select(persons.c.id, persons.c.data_key, persons.c.key_version)
            .order_by(persons.c.id)
            .limit(1)
        ).one()
    before.dispose()
    rotating = store_with(seeded_url, NEW, MASTER_KEY)

    def put_back(done: int, total: int) -> None:
        if done == 40:
            with rotating.engine.begin() as connection:
                connection.execute(
                    update(persons)
                    .where(persons.c.id == first.id)
                    .values(data_key=first.data_key, key_version=first.key_version)
                )

    report = keys.rotate_master_key(rotating, batch=40, progress=put_back)
    assert report.rewrapped == SEED_PERSONS + 1
    assert keys.key_status(rotating).left == 0
    rotating.dispose()


def test_the_schema_is_not_taken_below_the_identifier_keys_after_a_rotation(
    seeded_url: str,
) -> None:
    rotating = store_with(seeded_url, NEW, MASTER_KEY)
    keys.rotate_master_key(rotating)
    with pytest.raises(RuntimeError, match="rotated"):
        with rotating.engine.connect() as connection, connection.begin():
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0014")
    assert len(table(rotating, identifier_keys)) == 3
    rotating.dispose()

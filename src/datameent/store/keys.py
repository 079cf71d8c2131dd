"""What the database keeps of the key hierarchy (`store/crypto.py`): the identifier keys,
wrapped, once the master key has been rotated; which master key wraps each person's data key;
and the rotations. Keys, never values: what changes them needs a permit for `keys.rotate`, and
each unit of work that does is one record in the processing log (without a data subject)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, inspect, select, update
from sqlalchemy.engine import Connection, Engine

from datameent.domain.policy import Action, Permit
from datameent.store.crypto import StoredKey
from datameent.store.processing_log import ProcessingLog
from datameent.store.tables import identifier_keys, key_rotations, log_records, persons


def stored_identifiers(engine: Engine) -> list[StoredKey]:
    """The identifier keys the database keeps; none before a rotation (or before the
    database has the table: then it cannot have been rotated either)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(identifier_keys.name):
            return []
        return KeyRepository(connection).identifiers()


@dataclass(frozen=True)
class WrappedKey:
    person_id: UUID
    wrapped: bytes
    version: int


@dataclass(frozen=True)
class Rotation:
    key_version: int
    started_at: datetime
    finished_at: datetime | None
    rewrapped: int


_ROTATE = frozenset({Action.ROTATE_KEYS})


class KeyRepository:
    def __init__(self, connection: Connection, log: ProcessingLog | None = None) -> None:
        self._db = connection
        self._log = log

    def identifiers(self) -> list[StoredKey]:
        rows = self._db.execute(select(identifier_keys).order_by(identifier_keys.c.name))
        return [StoredKey(r.name, r.key_version, r.wrapped) for r in rows]

    def _check(self, permit: Permit) -> None:
        assert self._log is not None, "changing keys needs a unit of work"
        self._log.check(permit, _ROTATE, None)

    def keep_identifiers(self, permit: Permit, keys: list[StoredKey], at: datetime) -> None:
        self._check(permit)
        self._db.execute(delete(identifier_keys))
        self._db.execute(
            identifier_keys.insert(),
            [
                {"name": k.name, "key_version": k.version, "wrapped": k.wrapped, "stored_at": at}
                for k in keys
            ],
        )

    def versions(self) -> dict[int, int]:
        """How many data keys each master key wraps (erased persons have none)."""
        query = (
            select(persons.c.key_version, func.count().label("n"))
            .where(persons.c.data_key.is_not(None))
            .group_by(persons.c.key_version)
        )
        return {row.key_version: row.n for row in self._db.execute(query)}

    def sample(self, version: int) -> WrappedKey | None:
        """One data key wrapped under the master key of `version`, to try."""
        query = (
            select(persons.c.id, persons.c.data_key, persons.c.key_version)
            .where(persons.c.key_version == version, persons.c.data_key.is_not(None))
            .limit(1)
        )
        row = self._db.execute(query).first()
        return WrappedKey(*row) if row is not None else None

    def newest_persons(self, limit: int) -> list[UUID]:
        query = select(persons.c.id).order_by(persons.c.created_at.desc()).limit(limit)
        return list(self._db.scalars(query))

    def logs_subjects(self) -> bool:
        """Whether any line of the processing log names a data subject (by pseudonym)."""
        query = select(log_records.c.seq).where(log_records.c.subject.is_not(None)).limit(1)
        return self._db.execute(query).first() is not None

    def logs_any_of(self, pseudonyms: list[str]) -> bool:
        query = select(log_records.c.seq).where(log_records.c.subject.in_(pseudonyms)).limit(1)
        return self._db.execute(query).first() is not None

    def wrapped_other_than(
        self, version: int, limit: int, after: UUID | None = None
    ) -> list[WrappedKey]:
        """Up to `limit` data keys not (yet) wrapped under the master key of `version`, in the
        order of their persons' ids, after `after`'s: a rotation goes on from where its last
        batch ended instead of passing every key it already wrapped again, batch after batch
        (which made a rotation's time grow with the square of the number of persons)."""
        query = (
            select(persons.c.id, persons.c.data_key, persons.c.key_version)
            .where(persons.c.key_version != version, persons.c.data_key.is_not(None))
            .order_by(persons.c.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(persons.c.id > after)
        return [WrappedKey(*row) for row in self._db.execute(query).all()]

    def replace(self, permit: Permit, old: WrappedKey, wrapped: bytes, version: int) -> bool:
        """Store `wrapped` in place of `old`, unless the key changed since it was read (it was
        erased, or wrapped again by another rotation): then False and nothing changes."""
        self._check(permit)
        result = self._db.execute(
            update(persons)
            .where(persons.c.id == old.person_id, persons.c.data_key == old.wrapped)
            .values(data_key=wrapped, key_version=version)
        )
        return result.rowcount == 1

    def start_rotation(self, permit: Permit, version: int, at: datetime) -> int:
        self._check(permit)
        result = self._db.execute(
            key_rotations.insert().values(key_version=version, started_at=at, rewrapped=0)
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def count_rewrapped(self, permit: Permit, rotation: int, count: int) -> None:
        self._check(permit)
        assert self._log is not None
        self._log.detail(permit, "rewrapped", count)
        self._db.execute(
            update(key_rotations)
            .where(key_rotations.c.id == rotation)
            .values(rewrapped=key_rotations.c.rewrapped + count)
        )

    def finish_rotation(self, permit: Permit, rotation: int, at: datetime) -> None:
        self._check(permit)
        self._db.execute(
            update(key_rotations).where(key_rotations.c.id == rotation).values(finished_at=at)
        )

    def rotations(self) -> list[Rotation]:
        rows = self._db.execute(select(key_rotations).order_by(key_rotations.c.id)).all()
        return [Rotation(r.key_version, r.started_at, r.finished_at, r.rewrapped) for r in rows]

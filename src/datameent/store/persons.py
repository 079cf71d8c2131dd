"""Persons: identity, the encrypted BSN and the wrapped data key."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from datameent.domain.persons import Person
from datameent.domain.policy import Action, Permit
from datameent.errors import AccessDenied, Conflict, DataErased
from datameent.store import driver
from datameent.store.crypto import DataKey, KeyRing
from datameent.store.processing_log import LIST_ACTIONS, ProcessingLog
from datameent.store.tables import persons

_REGISTER = frozenset({Action.REGISTER_PERSON})
_READ = frozenset({Action.READ_VAULT})
_ERASE = frozenset({Action.ERASE_PERSON})
_INTAKE_LOCK = 0x696E74616B65  # "intake": the advisory lock intakes take turns under
_LISTS = LIST_ACTIONS | {
    Action.SUPERVISE,
    Action.VIEW_DEADLINES,
    Action.HANDLE_RIGHTS,
    Action.VIEW_COMPLAINTS,
}
"""Permits to list persons, by client number: a caseload, a team's cases, the log's
supervision, the objections' deadlines, the rights requests and the complaints to handle."""
_ANY = frozenset(Action)
# On the driver: every read of a vault starts here (store/driver.py).
_PERSON = driver.Select(select(persons).where(persons.c.id == bindparam("id")))


class PersonRepository:
    def __init__(self, connection: Connection, keys: KeyRing, log: ProcessingLog) -> None:
        self._db = connection
        self._keys = keys
        self._log = log
        self._rows: dict[UUID, Any] = {}
        """Rows by id, None for an id with no person: the driver's named tuples (`_row`) or
        SQLAlchemy's rows (`preload`), so they are read by attribute only."""
        self._data_keys: dict[UUID, DataKey] = {}

    def add(self, permit: Permit, person: Person, bsn: str) -> DataKey:
        """Store a new person with their BSN; returns their fresh data key."""
        self._log.check(permit, _REGISTER, None)
        self._log.touch(permit, person.id, {"bsn"})
        index = self._keys.bsn_index(bsn)
        if self._db.scalar(select(persons.c.id).where(persons.c.bsn_index == index)):
            raise Conflict()
        key, wrapped = self._keys.new_data_key(person.id)
        self._db.execute(
            persons.insert().values(
                id=person.id,
                client_number=person.client_number,
                bsn_index=index,
                bsn_ciphertext=key.encrypt(bsn.encode(), "bsn"),
                data_key=wrapped,
                key_version=self._keys.version,
                created_at=person.created_at,
            )
        )
        return key

    def _row(self, person_id: UUID) -> Any:
        """The person's row (None if there is no such person), read once per unit of work."""
        if person_id not in self._rows:
            found = _PERSON.rows(self._db, {"id": person_id})
            self._rows[person_id] = found[0] if found else None
        return self._rows[person_id]

    def preload(self, person_ids: list[UUID]) -> None:
        """Read many persons' rows in one query, for lists."""
        missing = [i for i in person_ids if i not in self._rows]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            found = {
                r.id: r for r in self._db.execute(select(persons).where(persons.c.id.in_(chunk)))
            }
            for person_id in chunk:
                self._rows[person_id] = found.get(person_id)

    def get(self, person_id: UUID) -> Person | None:
        row = self._row(person_id)
        if row is None:
            return None
        return Person(row.id, row.client_number, row.created_at, row.erased_at)

    def client_number(self, permit: Permit, person_id: UUID) -> str:
        """How a staff message names a person: their client number, or "?" for a person who
        does not exist. See `client_numbers`."""
        return self.client_numbers(permit, [person_id]).get(person_id, "?")

    def client_numbers(self, permit: Permit, person_ids: list[UUID]) -> dict[UUID, str]:
        """Client numbers, as staff messages and lists name persons, in one query. A pseudonym,
        but the person's: each is noted in the record of `permit`, the processing the message
        or list belongs to. A permit to list persons (`_LISTS`) covers anyone; any other only
        the person it was issued for."""
        if permit.action in _LISTS:
            self._log.check(permit, _LISTS, None)
        else:
            self._log.check(permit, _ANY, permit.subject)
            if any(person_id != permit.subject for person_id in person_ids):
                raise AccessDenied(("the permit does not cover this person",), hide_existence=True)
        rows = self._db.execute(
            select(persons.c.id, persons.c.client_number).where(persons.c.id.in_(person_ids))
        )
        numbers = {row.id: row.client_number for row in rows}
        for person_id in numbers:
            self._log.touch(permit, person_id, {"client_number"})
        return numbers

    def id_by_bsn(self, bsn: str) -> UUID | None:
        index = self._keys.bsn_index(bsn)
        found: UUID | None = self._db.scalar(
            select(persons.c.id).where(persons.c.bsn_index == index)
        )
        return found

    def all_ids(self) -> list[UUID]:
        return [row.id for row in self._db.execute(select(persons.c.id))]

    def id_by_client_number(self, client_number: str) -> UUID | None:
        found: UUID | None = self._db.scalar(
            select(persons.c.id).where(persons.c.client_number == client_number)
        )
        return found

    def next_client_number(self) -> str:
        """The next client number ("count + 1"). Intakes take turns from here to their commit
        (on PostgreSQL under a transaction's advisory lock; on SQLite a writing transaction
        holds the database's write lock already), so that intakes at the same moment at
        several desks count on from each other, and what they read next (is this BSN known?)
        includes the intake before."""
        if self._db.dialect.name == "postgresql":
            self._db.execute(select(func.pg_advisory_xact_lock(_INTAKE_LOCK)))
        count = self._db.scalar(select(func.count()).select_from(persons)) or 0
        return f"K{count + 1:07d}"

    def data_key(self, person_id: UUID) -> DataKey:
        """The person's unwrapped data key; `DataErased` once it has been destroyed."""
        if person_id in self._data_keys:
            return self._data_keys[person_id]
        row = self._row(person_id)
        wrapped = row.data_key if row is not None else None
        if wrapped is None:
            raise DataErased()
        key = self._data_keys[person_id] = self._keys.unwrap(person_id, wrapped, row.key_version)
        return key

    def bsn(self, permit: Permit, person_id: UUID) -> str:
        self._log.check(permit, _READ, person_id)
        if permit.scope is not None and "bsn" not in permit.scope:
            raise AccessDenied(("the permit's scope does not include the BSN",))
        self._log.touch(permit, person_id, {"bsn"})
        row = self._row(person_id)
        blob = row.bsn_ciphertext if row is not None else None
        if blob is None:
            raise DataErased()
        return self.data_key(person_id).decrypt(blob, "bsn").decode()

    def destroy_data_key(self, permit: Permit, person_id: UUID, at: datetime) -> None:
        """Crypto-shred: without the data key, nobody can read this person's values again."""
        self._log.check(permit, _ERASE, person_id)
        self._log.touch(permit, person_id, {"data_key"})
        self._rows.pop(person_id, None)
        self._data_keys.pop(person_id, None)
        self._db.execute(
            update(persons)
            .where(persons.c.id == person_id)
            .values(data_key=None, bsn_ciphertext=None, erased_at=at)
        )

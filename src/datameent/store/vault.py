"""The vault's attribute values: encrypted per person, versioned, never overwritten."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID, uuid4

import orjson
from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from datameent.domain.attributes import JsonValue
from datameent.domain.policy import Action, Permit
from datameent.domain.vault import AttributeValue, Provenance, Source
from datameent.errors import DataErased
from datameent.store import driver
from datameent.store.crypto import DataKey
from datameent.store.persons import PersonRepository
from datameent.store.processing_log import LIST_ACTIONS, ProcessingLog
from datameent.store.tables import attribute_values as av

_NAME_KEYS = ("given_name", "name_prefix", "family_name")
_VALUE_COLUMNS = (
    av.c.id,
    av.c.key,
    av.c.ciphertext,
    av.c.source,
    av.c.recorded_by,
    av.c.recorded_at,
    av.c.valid_from,
    av.c.valid_to,
    av.c.verified,
    av.c.instrument_version,
    av.c.is_current,
)
# Built once, run on the driver: this is the hottest read in datameent.
_VERSIONS = (
    select(*_VALUE_COLUMNS)
    .where(av.c.person_id == bindparam("person_id"))
    .order_by(av.c.recorded_at.desc())
)
_SCOPED = av.c.key.in_(bindparam("keys", expanding=True))
_ALL_VERSIONS = driver.Select(_VERSIONS)
_CURRENT_VERSIONS = driver.Select(_VERSIONS.where(av.c.is_current))
_ALL_VERSIONS_SCOPED = driver.Select(_VERSIONS.where(_SCOPED))
_CURRENT_VERSIONS_SCOPED = driver.Select(_VERSIONS.where(av.c.is_current, _SCOPED))
_READ = frozenset({Action.READ_VAULT, Action.EXPORT_STATISTICS})
_RECORD = frozenset({Action.RECORD_ATTRIBUTE})
_KNOW_KEYS = frozenset({Action.ANSWER_REQUEST, Action.SHARE, Action.READ_VAULT, Action.VIEW_CASES})


def _context(key: str, value_id: UUID) -> str:
    return f"attribute|{key}|{value_id}"


class VaultRepository:
    def __init__(
        self, connection: Connection, persons: PersonRepository, log: ProcessingLog
    ) -> None:
        self._db = connection
        self._persons = persons
        self._log = log

    def values(
        self,
        permit: Permit,
        person_id: UUID,
        *,
        history: bool,
        only: frozenset[str] | None = None,
    ) -> list[AttributeValue]:
        """The person's current values, or every version when `history` is set; only the keys
        the permit's scope opens, and of those only the keys in `only` when given (a use that
        needs a few attributes reads, and logs, just those)."""
        self._log.check(permit, _READ, person_id)
        key = self._persons.data_key(person_id)
        scope = permit.scope
        if only is not None:
            scope = only if scope is None else scope & only
        params: dict[str, object] = {"person_id": person_id}
        if scope is None:
            query = _ALL_VERSIONS if history else _CURRENT_VERSIONS
        else:
            # Rows outside the permit's scope are not even fetched, let alone decrypted.
            query = _ALL_VERSIONS_SCOPED if history else _CURRENT_VERSIONS_SCOPED
            params["keys"] = sorted(scope)
        values = [_to_value(row, key) for row in query.rows(self._db, params)]
        self._log.touch(permit, person_id, {v.key for v in values})
        return values

    def current_keys(self, permit: Permit, person_id: UUID) -> set[str]:
        """Which attributes the person has a current value for (no value is read)."""
        self._log.check(permit, _KNOW_KEYS, person_id)
        rows = self._db.execute(
            select(av.c.key).where(av.c.person_id == person_id, av.c.is_current)
        )
        return {row.key for row in rows}

    def keys_of_versions(self, person_id: UUID, value_ids: Iterable[UUID]) -> dict[UUID, str]:
        """Which attribute each of these value versions of the person is (no value is read)."""
        ids = list(value_ids)
        if not ids:
            return {}
        rows = self._db.execute(
            select(av.c.id, av.c.key).where(av.c.person_id == person_id, av.c.id.in_(ids))
        )
        return {row.id: row.key for row in rows}

    def record(
        self, permit: Permit, person_id: UUID, items: Sequence[tuple[str, JsonValue, Provenance]]
    ) -> list[AttributeValue]:
        """Add new versions; each becomes the current one for its key (the last wins)."""
        self._log.check(permit, _RECORD, person_id)
        key = self._persons.data_key(person_id)
        keys = {k for k, _, _ in items}
        self._log.touch(permit, person_id, keys)
        rows = self._db.execute(
            select(av.c.key, av.c.id).where(
                av.c.person_id == person_id, av.c.is_current, av.c.key.in_(keys)
            )
        )
        previous: dict[str, UUID] = {row.key: row.id for row in rows}
        if previous:
            self._db.execute(
                update(av).where(av.c.id.in_(list(previous.values()))).values(is_current=False)
            )
        created, new_rows = self._new_rows(person_id, key, items, previous)
        self._db.execute(av.insert(), new_rows)
        return created

    def _new_rows(
        self,
        person_id: UUID,
        key: DataKey,
        items: Sequence[tuple[str, JsonValue, Provenance]],
        previous: dict[str, UUID],
    ) -> tuple[list[AttributeValue], list[dict[str, object]]]:
        last_index = {k: i for i, (k, _, _) in enumerate(items)}
        created, rows = [], []
        for i, (attr, value, prov) in enumerate(items):
            value_id = uuid4()
            current = last_index[attr] == i
            created.append(AttributeValue(value_id, person_id, attr, value, prov, current))
            rows.append(
                {
                    "id": value_id,
                    "person_id": person_id,
                    "key": attr,
                    "ciphertext": key.encrypt(json.dumps(value).encode(), _context(attr, value_id)),
                    "source": prov.source.value,
                    "recorded_by": prov.recorded_by,
                    "recorded_at": prov.recorded_at,
                    "valid_from": prov.valid_from,
                    "valid_to": prov.valid_to,
                    "verified": prov.verified,
                    "instrument_version": prov.instrument_version,
                    "is_current": current,
                    "supersedes": previous.get(attr),
                }
            )
            previous[attr] = value_id
        return created, rows

    def names(self, permit: Permit, person_ids: Iterable[UUID]) -> dict[UUID, dict[str, str]]:
        """Only the name parts of several persons: what a caseload list shows."""
        self._log.check(permit, LIST_ACTIONS, None)
        ids = list(person_ids)
        self._persons.preload(ids)
        rows = self._db.execute(
            select(av.c.person_id, *_VALUE_COLUMNS).where(
                av.c.person_id.in_(ids), av.c.is_current, av.c.key.in_(_NAME_KEYS)
            )
        ).all()
        names: dict[UUID, dict[str, str]] = {}
        for person_id, *columns in rows:
            try:
                key = self._persons.data_key(person_id)
            except DataErased:
                continue
            value = _to_value(tuple(columns), key)
            names.setdefault(person_id, {})[value.key] = str(value.value)
            self._log.touch(permit, person_id, {value.key})
        return names


def _to_value(row: Sequence[Any], key: DataKey) -> AttributeValue:
    """A row of `_VALUE_COLUMNS`, decrypted. Positional on purpose: it runs for every value."""
    (
        value_id,
        attr,
        ciphertext,
        source,
        recorded_by,
        recorded_at,
        valid_from,
        valid_to,
        verified,
        instrument_version,
        current,
    ) = row
    plaintext = key.decrypt(ciphertext, _context(attr, value_id))
    provenance = Provenance(
        Source(source),
        recorded_by,
        recorded_at,
        valid_from,
        valid_to,
        verified,
        instrument_version,
    )
    return AttributeValue(value_id, key.person_id, attr, _loads(plaintext), provenance, current)


_LONG_NUMBER = re.compile(rb"\d{19}")


def _loads(plaintext: bytes) -> JsonValue:
    """A stored value (written by `json.dumps`), as `json.loads` reads it. orjson takes a
    tenth of the time, but refuses what JSON itself does not allow (NaN, which `json` writes
    and reads) and turns integers beyond 64 bits into floats: those go to `json` (a property
    test compares the two)."""
    if not _LONG_NUMBER.search(plaintext):
        try:
            value: JsonValue = orjson.loads(plaintext)
            return value
        except orjson.JSONDecodeError:
            pass
    found: JsonValue = json.loads(plaintext)
    return found

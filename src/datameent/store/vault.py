"""The vault's attribute values: encrypted per person, versioned, never overwritten."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from uuid import UUID, uuid4

from sqlalchemy import Row, select, update
from sqlalchemy.engine import Connection

from datameent.domain.attributes import JsonValue
from datameent.domain.policy import Action, Permit
from datameent.domain.vault import AttributeValue, Provenance, Source
from datameent.errors import AccessDenied, DataErased
from datameent.store.crypto import DataKey
from datameent.store.persons import PersonRepository, require
from datameent.store.tables import attribute_values as av

_NAME_KEYS = ("given_name", "name_prefix", "family_name")
_LIST_ACTIONS = (Action.LIST_OWN_CASELOAD, Action.VIEW_TEAM_CASES)


def _context(key: str, value_id: UUID) -> str:
    return f"attribute|{key}|{value_id}"


class VaultRepository:
    def __init__(self, connection: Connection, persons: PersonRepository) -> None:
        self._db = connection
        self._persons = persons

    def values(self, permit: Permit, person_id: UUID, *, history: bool) -> list[AttributeValue]:
        """The person's current values, or every version when `history` is set."""
        require(permit, Action.READ_VAULT, person_id)
        key = self._persons.data_key(person_id)
        query = select(av).where(av.c.person_id == person_id)
        if not history:
            query = query.where(av.c.is_current)
        rows = self._db.execute(query.order_by(av.c.recorded_at.desc()))
        return [_to_value(row, key) for row in rows]

    def record(
        self, permit: Permit, person_id: UUID, items: Sequence[tuple[str, JsonValue, Provenance]]
    ) -> list[AttributeValue]:
        """Add new versions; each becomes the current one for its key (the last wins)."""
        require(permit, Action.RECORD_ATTRIBUTE, person_id)
        key = self._persons.data_key(person_id)
        keys = {k for k, _, _ in items}
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
        if permit.action not in _LIST_ACTIONS:
            raise AccessDenied(("the permit does not cover listing names",))
        ids = list(person_ids)
        rows = self._db.execute(
            select(av).where(av.c.person_id.in_(ids), av.c.is_current, av.c.key.in_(_NAME_KEYS))
        ).all()
        by_person: dict[UUID, list[Row[tuple[object, ...]]]] = {}
        for row in rows:
            by_person.setdefault(row.person_id, []).append(row)
        names: dict[UUID, dict[str, str]] = {}
        for person_id, person_rows in by_person.items():
            try:
                key = self._persons.data_key(person_id)
            except DataErased:
                continue
            names[person_id] = {
                v.key: str(v.value) for v in (_to_value(r, key) for r in person_rows)
            }
        return names


def _to_value(row: Row[tuple[object, ...]], key: DataKey) -> AttributeValue:
    m = row._mapping
    plaintext = key.decrypt(m["ciphertext"], _context(m["key"], m["id"]))
    provenance = Provenance(
        source=Source(m["source"]),
        recorded_by=m["recorded_by"],
        recorded_at=m["recorded_at"],
        valid_from=m["valid_from"],
        valid_to=m["valid_to"],
        verified=m["verified"],
        instrument_version=m["instrument_version"],
    )
    return AttributeValue(
        m["id"], m["person_id"], m["key"], json.loads(plaintext), provenance, m["is_current"]
    )

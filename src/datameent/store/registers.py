"""The algorithm register: versioned public documents, no personal data."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from datameent.domain.registers import AlgorithmEntry, AlgorithmStatus
from datameent.store.tables import algorithm_register as ar


def _entry(document: str, version: int) -> AlgorithmEntry:
    values = json.loads(document)
    values["status"] = AlgorithmStatus(values["status"])
    values["version"] = version
    return AlgorithmEntry(**values)


class RegisterRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def publish(self, entry: AlgorithmEntry, by: UUID | None, at: datetime) -> AlgorithmEntry:
        """Store `entry` as the next version of its code."""
        latest = self._db.scalar(select(func.max(ar.c.version)).where(ar.c.code == entry.code))
        version = (latest or 0) + 1
        document = {k: v for k, v in entry.__dict__.items() if k != "version"}
        self._db.execute(
            ar.insert().values(
                code=entry.code,
                version=version,
                document=json.dumps(document, ensure_ascii=False, sort_keys=True),
                published_at=at,
                published_by=by,
            )
        )
        return AlgorithmEntry(**{**entry.__dict__, "version": version})

    def algorithms(self, *, all_versions: bool = False) -> list[tuple[AlgorithmEntry, datetime]]:
        rows = self._db.execute(select(ar).order_by(ar.c.code, ar.c.version)).all()
        found = [(_entry(r.document, r.version), r.published_at) for r in rows]
        if all_versions:
            return found
        latest: dict[str, tuple[AlgorithmEntry, datetime]] = {}
        for entry, at in found:
            latest[entry.code] = (entry, at)
        return list(latest.values())

    def exists(self, code: str) -> bool:
        return self._db.scalar(select(ar.c.code).where(ar.c.code == code).limit(1)) is not None

"""The public registers, kept as versioned documents: no personal data.

The register of processing activities is read on every access (each log record names the
current version of its activity), so `ActivityRegister` keeps it in memory: versions never
change once published, and which version is current is read again at most every few seconds,
and at once in the process that published.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection, Engine

from datameent.domain.processing import SEED, ProcessingActivity
from datameent.domain.registers import ACTIVITY_TEXTS, AlgorithmEntry, AlgorithmStatus
from datameent.domain.text import Text
from datameent.store.tables import algorithm_register as ar
from datameent.store.tables import processing_register as pr


def _next_version(connection: Connection, table: Table, code: str) -> int:
    latest = connection.scalar(select(func.max(table.c.version)).where(table.c.code == code))
    return (latest or 0) + 1


def _dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True)


def _entry(document: str, version: int) -> AlgorithmEntry:
    values = json.loads(document)
    values["status"] = AlgorithmStatus(values["status"])
    values["version"] = version
    return AlgorithmEntry(**values)


def _activity_document(activity: ProcessingActivity) -> dict[str, Any]:
    document: dict[str, Any] = {
        "legal_basis": activity.legal_basis,
        "categories": list(activity.categories),
    }
    for name in ACTIVITY_TEXTS:
        document[name] = list(getattr(activity, name))
    return document


def _activity(code: str, version: int, document: str) -> ProcessingActivity:
    values = json.loads(document)
    texts = {name: Text(*values[name]) for name in ACTIVITY_TEXTS}
    return ProcessingActivity(
        code,
        version,
        legal_basis=values["legal_basis"],
        categories=tuple(values["categories"]),
        **texts,
    )


class RegisterRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def publish(self, entry: AlgorithmEntry, by: UUID | None, at: datetime) -> AlgorithmEntry:
        """Store `entry` as the next version of its code."""
        version = _next_version(self._db, ar, entry.code)
        document = {k: v for k, v in entry.__dict__.items() if k != "version"}
        self._db.execute(
            ar.insert().values(
                code=entry.code,
                version=version,
                document=_dumps(document),
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

    def publish_activity(
        self, activity: ProcessingActivity, by: UUID | None, at: datetime
    ) -> ProcessingActivity:
        """Store `activity` as the next version of its code: new log records are made under it,
        earlier ones keep pointing at the version they were made under."""
        version = _next_version(self._db, pr, activity.code)
        self._db.execute(
            pr.insert().values(
                code=activity.code,
                version=version,
                document=_dumps(_activity_document(activity)),
                published_at=at,
                published_by=by,
            )
        )
        return dataclasses.replace(activity, version=version)

    def activities(self) -> list[tuple[ProcessingActivity, datetime]]:
        """Every version of every activity, oldest first per code."""
        rows = self._db.execute(select(pr).order_by(pr.c.code, pr.c.version)).all()
        return [(_activity(r.code, r.version, r.document), r.published_at) for r in rows]


def seed_activities(connection: Connection, at: datetime) -> int:
    """Write the first version of every activity in `domain.processing.SEED` that the database
    does not hold yet (a new release may bring new activities); never touches an activity the
    privacy officer has kept since. Returns how many were written."""
    repository = RegisterRepository(connection)
    missing = missing_activities(connection)
    for activity in missing:
        repository.publish_activity(activity, None, at)
    return len(missing)


def missing_activities(connection: Connection) -> list[ProcessingActivity]:
    """The activities of `domain.processing.SEED` the database does not hold yet."""
    held = set(connection.scalars(select(pr.c.code).distinct()))
    return [a for a in SEED if a.code not in held]


class UnknownActivity(RuntimeError):
    """The code asked for an activity the register does not hold: the database was not made
    with `datameent db upgrade` (which writes the register's first version)."""


class ActivityRegister:
    """The register of processing activities in memory, for one store (thread-safe)."""

    REFRESH_SECONDS = 5.0
    """How stale the *current* versions may be in a process that did not publish the change."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._by_uri: dict[str, ProcessingActivity] = {}
        self._published: dict[str, datetime] = {}
        self._current: dict[str, ProcessingActivity] = {}
        self._loaded_at = -float("inf")

    def _load(self, connection: Connection | None = None) -> None:
        if connection is None:
            with self._engine.connect() as own:
                found = RegisterRepository(own).activities()
        else:
            found = RegisterRepository(connection).activities()
        with self._lock:
            for activity, at in found:
                self._by_uri[activity.uri] = activity
                self._published[activity.uri] = at
                self._current[activity.code] = activity
            self._loaded_at = time.monotonic()

    def _fresh(self, connection: Connection | None = None) -> None:
        if time.monotonic() - self._loaded_at > self.REFRESH_SECONDS:
            self._load(connection)

    def current_uri(self, connection: Connection, code: str) -> str:
        """The URI of the current version of `code`, for a log record made now."""
        self._fresh(connection)
        activity = self._current.get(code)
        if activity is None:
            self._load(connection)
            activity = self._current.get(code)
        if activity is None:
            raise UnknownActivity(code)
        return activity.uri

    def current(self) -> list[ProcessingActivity]:
        """The current version of every activity, by code."""
        self._fresh()
        return [self._current[code] for code in sorted(self._current)]

    def versions(self) -> list[tuple[ProcessingActivity, datetime]]:
        """Every version of every activity, with when it was published."""
        self._load()
        return [(a, self._published[a.uri]) for a in self._by_uri.values()]

    def by_uri(self, uri: str) -> ProcessingActivity | None:
        """The version a log record or decision names (versions never change)."""
        found = self._by_uri.get(uri)
        if found is None:
            self._fresh()
            found = self._by_uri.get(uri)
        return found

    def invalidate(self) -> None:
        """Read the current versions again before their next use (after publishing)."""
        self._loaded_at = -float("inf")

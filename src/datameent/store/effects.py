"""The registry of trained effect models (every version, its file's hash and its model card),
and residents' objections to suggestions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Row

from datameent.store.tables import effect_models as em
from datameent.store.tables import effect_objections as eo


@dataclass(frozen=True)
class RegisteredModel:
    version: str
    trained_at: datetime
    trained_by: UUID | None
    file: str
    sha256: str
    reliable: bool
    card: dict[str, Any]
    active: bool


def _model(row: Row[Any]) -> RegisteredModel:
    return RegisteredModel(
        row.version,
        row.trained_at,
        row.trained_by,
        row.file,
        row.sha256,
        row.reliable,
        json.loads(row.card),
        row.active,
    )


class EffectModelRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, model: RegisteredModel) -> None:
        """Register a trained version (a version trained again on the same data and settings
        replaces its earlier registration, keeping whether it is active)."""
        self._db.execute(em.delete().where(em.c.version == model.version))
        self._db.execute(
            em.insert().values(
                version=model.version,
                trained_at=model.trained_at,
                trained_by=model.trained_by,
                file=model.file,
                sha256=model.sha256,
                reliable=model.reliable,
                card=json.dumps(model.card, ensure_ascii=False, sort_keys=True),
                active=model.active,
            )
        )

    def get(self, version: str) -> RegisteredModel | None:
        row = self._db.execute(select(em).where(em.c.version == version)).first()
        return _model(row) if row else None

    def active(self) -> RegisteredModel | None:
        row = self._db.execute(select(em).where(em.c.active.is_(True))).first()
        return _model(row) if row else None

    def all(self) -> list[RegisteredModel]:
        rows = self._db.execute(select(em).order_by(em.c.trained_at.desc())).all()
        return [_model(r) for r in rows]

    def add_evaluation(self, version: str, evaluation: dict[str, Any]) -> None:
        """Keep an evaluation of `version` (against a synthetic town's truth) with its card."""
        found = self.get(version)
        if found is None:
            return
        card = {**found.card, "evaluations": [*found.card.get("evaluations", []), evaluation]}
        document = json.dumps(card, ensure_ascii=False, sort_keys=True)
        self._db.execute(update(em).where(em.c.version == version).values(card=document))

    def activate(self, version: str) -> None:
        """Make `version` the one in use (and no other)."""
        self._db.execute(update(em).where(em.c.active.is_(True)).values(active=False))
        self._db.execute(update(em).where(em.c.version == version).values(active=True))

    def objected(self, person_id: UUID) -> datetime | None:
        """Since when the person objects to suggestions (GDPR art. 21), if they do."""
        return self._db.scalar(select(eo.c.objected_at).where(eo.c.person_id == person_id))

    def set_objection(self, person_id: UUID, at: datetime | None) -> None:
        """Record an objection from `at`, or withdraw it (`at` None)."""
        self._db.execute(eo.delete().where(eo.c.person_id == person_id))
        if at is not None:
            self._db.execute(eo.insert().values(person_id=person_id, objected_at=at))

"""Rights requests and erasure confirmations. What the resident wrote is encrypted with their
key: after an erasure the request's status stays, its text is gone with everything else."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from datameent.domain.policy import Action, Permit
from datameent.domain.rights import (
    ErasureConfirmation,
    LineQuestion,
    RightKind,
    RightsRequest,
    RightStatus,
)
from datameent.errors import DataErased
from datameent.store.persons import PersonRepository
from datameent.store.processing_log import ProcessingLog
from datameent.store.tables import erasure_confirmations as ec
from datameent.store.tables import rights_requests as rr

_FILE = frozenset({Action.EXERCISE_RIGHTS})
_READ = frozenset(
    {Action.EXERCISE_RIGHTS, Action.EXPORT, Action.HANDLE_CORRECTION, Action.HANDLE_RIGHTS}
)
_DECIDE = frozenset({Action.HANDLE_CORRECTION, Action.HANDLE_RIGHTS})


class RightsRepository:
    def __init__(
        self, connection: Connection, persons: PersonRepository, log: ProcessingLog
    ) -> None:
        self._db = connection
        self._persons = persons
        self._log = log

    def add(self, permit: Permit, request: RightsRequest) -> None:
        self._log.check(permit, _FILE, request.person_id)
        self._log.touch(permit, request.person_id, {f"rights.{request.kind}"})
        key = self._persons.data_key(request.person_id)
        context = f"rights|{request.id}"
        assert request.explanation is not None
        self._db.execute(
            rr.insert().values(
                id=request.id,
                person_id=request.person_id,
                kind=request.kind.value,
                subject=request.subject,
                value_id=request.value_id,
                explanation=key.encrypt(request.explanation.encode(), context + "|explanation"),
                proposed=key.encrypt(request.proposed.encode(), context + "|proposed")
                if request.proposed
                else None,
                filed_at=request.filed_at,
                status=request.status.value,
            )
        )

    def facts(self, request_id: UUID) -> tuple[UUID, RightKind, RightStatus] | None:
        row = self._db.execute(
            select(rr.c.person_id, rr.c.kind, rr.c.status).where(rr.c.id == request_id)
        ).first()
        return (row.person_id, RightKind(row.kind), RightStatus(row.status)) if row else None

    def has_open(self, person_id: UUID, kinds: Collection[RightKind]) -> bool:
        """Whether the person has an open request of one of these kinds (nothing is read)."""
        found = self._db.scalar(
            select(rr.c.id)
            .where(
                rr.c.person_id == person_id,
                rr.c.kind.in_([k.value for k in kinds]),
                rr.c.status == RightStatus.OPEN.value,
            )
            .limit(1)
        )
        return found is not None

    def count_open(self, kinds: Collection[RightKind]) -> tuple[int, datetime | None]:
        """How many requests of these kinds are open, and when the oldest was filed: figures
        for the privacy officer's overview, nothing about anyone in particular."""
        row = self._db.execute(
            select(func.count(), func.min(rr.c.filed_at)).where(
                rr.c.kind.in_([k.value for k in kinds]), rr.c.status == RightStatus.OPEN.value
            )
        ).one()
        return int(row[0]), row[1]

    def questions_about_log(self, permit: Permit, person_id: UUID) -> dict[int, LineQuestion]:
        """The person's questions about lines of their log, by line (the newest question
        about a line, if they asked more than once), for whoever may read that log. Only that
        and when they asked is read, never what they wrote."""
        self._log.check(permit, frozenset({Action.READ_PROCESSING_LOG}), person_id)
        rows = self._db.execute(
            select(rr.c.id, rr.c.subject, rr.c.status, rr.c.filed_at)
            .where(rr.c.person_id == person_id, rr.c.kind == RightKind.ACCESS_QUESTION.value)
            .order_by(rr.c.filed_at)
        ).all()
        if rows:
            self._log.touch(permit, person_id, {f"rights.{RightKind.ACCESS_QUESTION}"})
        return {
            int(row.subject): LineQuestion(row.id, RightStatus(row.status), row.filed_at)
            for row in rows
        }

    def of_person(self, permit: Permit, person_id: UUID) -> list[RightsRequest]:
        self._log.check(permit, _READ, person_id)
        rows = self._db.execute(
            select(rr).where(rr.c.person_id == person_id).order_by(rr.c.filed_at.desc())
        ).all()
        return self._load(permit, rows)

    def get(self, permit: Permit, request_id: UUID) -> RightsRequest | None:
        row = self._db.execute(select(rr).where(rr.c.id == request_id)).first()
        if row is None:
            return None
        self._log.check(permit, _READ, row.person_id)
        return self._load(permit, [row])[0]

    def open_requests(self, permit: Permit, kinds: Sequence[RightKind]) -> list[RightsRequest]:
        self._log.check(permit, frozenset({Action.HANDLE_RIGHTS}), None)
        rows = self._db.execute(
            select(rr)
            .where(rr.c.status == RightStatus.OPEN.value, rr.c.kind.in_([k.value for k in kinds]))
            .order_by(rr.c.filed_at)
        ).all()
        return self._load(permit, rows)

    def open_of(
        self, permit: Permit, person_id: UUID, kinds: Collection[RightKind]
    ) -> list[RightsRequest]:
        return [
            r
            for r in self.of_person(permit, person_id)
            if r.kind in kinds and r.status is RightStatus.OPEN
        ]

    def _load(self, permit: Permit, rows: Sequence[Any]) -> list[RightsRequest]:
        found = []
        for row in rows:
            self._log.touch(permit, row.person_id, {f"rights.{row.kind}"})
            context = f"rights|{row.id}"
            try:
                key = self._persons.data_key(row.person_id)
                explanation: str | None = key.decrypt(
                    row.explanation, context + "|explanation"
                ).decode()
                proposed = (
                    key.decrypt(row.proposed, context + "|proposed").decode()
                    if row.proposed
                    else None
                )
            except DataErased:
                explanation = proposed = None
            found.append(
                RightsRequest(
                    row.id,
                    row.person_id,
                    RightKind(row.kind),
                    row.subject,
                    row.value_id,
                    explanation,
                    proposed,
                    row.filed_at,
                    RightStatus(row.status),
                    row.decided_by,
                    row.decided_at,
                    row.decision_note,
                )
            )
        return found

    def decide(
        self,
        permit: Permit,
        request_id: UUID,
        person_id: UUID,
        status: RightStatus,
        note: str,
        at: datetime,
    ) -> None:
        self._log.check(permit, _DECIDE, person_id)
        self._log.touch(permit, person_id, {"rights.decision"})
        self._db.execute(
            update(rr)
            .where(rr.c.id == request_id, rr.c.status == RightStatus.OPEN.value)
            .values(
                status=status.value, decided_by=permit.actor_id, decided_at=at, decision_note=note
            )
        )

    def ask_confirmations(self, items: list[ErasureConfirmation]) -> None:
        if items:
            self._db.execute(
                ec.insert(),
                [
                    {
                        "request_id": c.request_id,
                        "recipient_id": c.recipient_id,
                        "grant_id": c.grant_id,
                        "asked_at": c.asked_at,
                        "confirmed_at": None,
                    }
                    for c in items
                ],
            )

    def confirmations(self, request_ids: Sequence[UUID]) -> list[ErasureConfirmation]:
        if not request_ids:
            return []
        rows = self._db.execute(select(ec).where(ec.c.request_id.in_(list(request_ids))))
        return [
            ErasureConfirmation(
                r.request_id, r.recipient_id, r.grant_id, r.asked_at, r.confirmed_at
            )
            for r in rows
        ]

    def pending_confirmations_for(self, recipient: UUID) -> list[ErasureConfirmation]:
        rows = self._db.execute(
            select(ec).where(ec.c.recipient_id == recipient, ec.c.confirmed_at.is_(None))
        )
        return [
            ErasureConfirmation(
                r.request_id, r.recipient_id, r.grant_id, r.asked_at, r.confirmed_at
            )
            for r in rows
        ]

    def confirm(self, request_id: UUID, recipient: UUID, at: datetime) -> bool:
        done = self._db.execute(
            update(ec)
            .where(
                ec.c.request_id == request_id,
                ec.c.recipient_id == recipient,
                ec.c.confirmed_at.is_(None),
            )
            .values(confirmed_at=at)
        )
        return bool(done.rowcount)

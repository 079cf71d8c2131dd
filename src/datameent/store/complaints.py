"""Complaints (Awb chapter 9). What the resident wrote, the hearing, the reason for a
postponement and the findings are encrypted with the resident's key: after an erasure the
complaint's course (dates, status, judgement) stays, its texts are gone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from datameent.domain.complaints import Complaint, ComplaintStatus, Hearing, Judgement
from datameent.domain.policy import Action, Permit
from datameent.errors import DataErased
from datameent.store.persons import PersonRepository
from datameent.store.processing_log import ProcessingLog
from datameent.store.tables import complaints as ct

_FILE = frozenset({Action.FILE_COMPLAINT})
_READ = frozenset({Action.FILE_COMPLAINT, Action.READ_COMPLAINT, Action.HANDLE_COMPLAINT})
_HANDLE = frozenset({Action.HANDLE_COMPLAINT})
_OPEN = (ComplaintStatus.RECEIVED.value, ComplaintStatus.IN_HANDLING.value)
_TEXTS = ("conduct", "hearing_note", "postponement_reason", "findings")


class ComplaintFacts(NamedTuple):
    """What the policy needs to judge an access to a complaint; nothing the resident wrote."""

    person_id: UUID
    about: UUID | None
    handler: UUID | None
    status: ComplaintStatus
    filed_at: datetime
    postponed: bool


class Waiting(NamedTuple):
    """An open complaint as the list of complaints shows it: no text."""

    id: UUID
    person_id: UUID
    about: UUID | None
    handler: UUID | None
    status: ComplaintStatus
    filed_at: datetime
    postponed: bool


class ComplaintRepository:
    def __init__(
        self, connection: Connection, persons: PersonRepository, log: ProcessingLog
    ) -> None:
        self._db = connection
        self._persons = persons
        self._log = log

    def add(self, permit: Permit, complaint: Complaint) -> None:
        self._log.check(permit, _FILE, complaint.person_id)
        self._log.touch(permit, complaint.person_id, {"complaint"})
        assert complaint.conduct is not None
        self._db.execute(
            ct.insert().values(
                id=complaint.id,
                person_id=complaint.person_id,
                conduct=self._seal(complaint.person_id, complaint.id, "conduct", complaint.conduct),
                occurred_on=complaint.occurred_on,
                about_id=complaint.about,
                log_index=complaint.log_index,
                filed_at=complaint.filed_at,
                status=complaint.status.value,
                postponed=False,
            )
        )

    def facts(self, complaint_id: UUID) -> ComplaintFacts | None:
        c = ct.c
        row = self._db.execute(
            select(c.person_id, c.about_id, c.handler_id, c.status, c.filed_at, c.postponed).where(
                c.id == complaint_id
            )
        ).first()
        if row is None:
            return None
        person, about, handler, status, filed_at, postponed = row
        return ComplaintFacts(person, about, handler, ComplaintStatus(status), filed_at, postponed)

    def get(self, permit: Permit, complaint_id: UUID) -> Complaint | None:
        row = self._db.execute(select(ct).where(ct.c.id == complaint_id)).first()
        if row is None:
            return None
        self._log.check(permit, _READ, row.person_id)
        return self._load(permit, [row])[0]

    def of_person(self, permit: Permit, person_id: UUID) -> list[Complaint]:
        self._log.check(permit, _READ, person_id)
        rows = self._db.execute(
            select(ct).where(ct.c.person_id == person_id).order_by(ct.c.filed_at.desc())
        ).all()
        return self._load(permit, rows)

    def waiting(self) -> list[Waiting]:
        """Every open complaint, oldest first, without its texts: for the list of complaints
        (whoever shows it logs each person listed)."""
        rows = self._db.execute(
            select(
                ct.c.id,
                ct.c.person_id,
                ct.c.about_id,
                ct.c.handler_id,
                ct.c.status,
                ct.c.filed_at,
                ct.c.postponed,
            )
            .where(ct.c.status.in_(_OPEN))
            .order_by(ct.c.filed_at)
        ).all()
        return [
            Waiting(r.id, r.person_id, r.about_id, r.handler_id, ComplaintStatus(r.status), *r[5:])
            for r in rows
        ]

    def take(self, permit: Permit, complaint_id: UUID, person_id: UUID) -> None:
        """The handler takes a received complaint (Awb 9:7: one who was not involved)."""
        self._change(
            permit,
            complaint_id,
            person_id,
            {"status": ComplaintStatus.IN_HANDLING.value, "handler_id": permit.actor_id},
            only=(ComplaintStatus.RECEIVED.value,),
        )

    def hear(
        self, permit: Permit, complaint_id: UUID, person_id: UUID, hearing: Hearing, note: str
    ) -> None:
        values = {
            "hearing": hearing.value,
            "hearing_note": self._seal(person_id, complaint_id, "hearing_note", note),
        }
        self._change(permit, complaint_id, person_id, values)

    def postpone(self, permit: Permit, complaint_id: UUID, person_id: UUID, reason: str) -> None:
        values = {
            "postponed": True,
            "postponement_reason": self._seal(
                person_id, complaint_id, "postponement_reason", reason
            ),
        }
        self._change(permit, complaint_id, person_id, values)

    def decide(
        self,
        permit: Permit,
        complaint_id: UUID,
        person_id: UUID,
        judgement: Judgement,
        findings: str,
        at: datetime,
    ) -> None:
        values = {
            "status": ComplaintStatus.DECIDED.value,
            "judgement": judgement.value,
            "findings": self._seal(person_id, complaint_id, "findings", findings),
            "decided_at": at,
        }
        self._change(permit, complaint_id, person_id, values)

    def settle(self, permit: Permit, complaint_id: UUID, person_id: UUID, at: datetime) -> None:
        """Awb 9:5: the resident says the complaint was put right; it ends without judgement."""
        self._log.check(permit, _FILE, person_id)
        self._log.touch(permit, person_id, {"complaint"})
        self._db.execute(
            update(ct)
            .where(ct.c.id == complaint_id, ct.c.status.in_(_OPEN))
            .values(status=ComplaintStatus.SETTLED.value, decided_at=at)
        )

    def _change(
        self,
        permit: Permit,
        complaint_id: UUID,
        person_id: UUID,
        values: dict[str, Any],
        only: Sequence[str] = (ComplaintStatus.IN_HANDLING.value,),
    ) -> None:
        """Change a complaint its handler holds (or, for `take`, one nobody holds yet)."""
        self._log.check(permit, _HANDLE, person_id)
        self._log.touch(permit, person_id, {"complaint"})
        self._db.execute(
            update(ct)
            .where(ct.c.id == complaint_id, ct.c.person_id == person_id, ct.c.status.in_(only))
            .values(**values)
        )

    def _seal(self, person_id: UUID, complaint_id: UUID, column: str, text: str) -> bytes:
        key = self._persons.data_key(person_id)
        return key.encrypt(text.encode(), f"complaint|{complaint_id}|{column}")

    def _load(self, permit: Permit, rows: Sequence[Any]) -> list[Complaint]:
        found = []
        for row in rows:
            self._log.touch(permit, row.person_id, {"complaint"})
            texts: dict[str, str | None] = dict.fromkeys(_TEXTS)
            try:
                key = self._persons.data_key(row.person_id)
                for column in _TEXTS:
                    sealed = getattr(row, column)
                    if sealed is not None:
                        context = f"complaint|{row.id}|{column}"
                        texts[column] = key.decrypt(sealed, context).decode()
            except DataErased:
                texts = dict.fromkeys(_TEXTS)
            found.append(
                Complaint(
                    row.id,
                    row.person_id,
                    texts["conduct"],
                    row.occurred_on,
                    row.about_id,
                    row.log_index,
                    row.filed_at,
                    ComplaintStatus(row.status),
                    row.handler_id,
                    Hearing(row.hearing) if row.hearing else None,
                    texts["hearing_note"],
                    row.postponed,
                    texts["postponement_reason"],
                    Judgement(row.judgement) if row.judgement else None,
                    texts["findings"],
                    row.decided_at,
                )
            )
        return found

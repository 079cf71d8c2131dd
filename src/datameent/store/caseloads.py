"""Case assignments: which case manager serves which resident, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Row, and_, bindparam, or_, select, update
from sqlalchemy.engine import Connection

from datameent.domain.caseload import Assignment
from datameent.store.tables import case_assignments as ca
from datameent.store.tables import persons, users


class CaseloadRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, assignment: Assignment) -> None:
        self._db.execute(
            ca.insert().values(
                id=assignment.id,
                case_manager_id=assignment.case_manager_id,
                person_id=assignment.person_id,
                starts_at=assignment.starts_at,
                ends_at=assignment.ends_at,
                assigned_by=assignment.assigned_by,
            )
        )

    def add_many(self, assignments: list[Assignment]) -> None:
        if assignments:
            self._db.execute(
                ca.insert(),
                [
                    {
                        "id": a.id,
                        "case_manager_id": a.case_manager_id,
                        "person_id": a.person_id,
                        "starts_at": a.starts_at,
                        "ends_at": a.ends_at,
                        "assigned_by": a.assigned_by,
                    }
                    for a in assignments
                ],
            )

    def end(self, assignment_id: UUID, at: datetime) -> None:
        self._db.execute(update(ca).where(ca.c.id == assignment_id).values(ends_at=at))

    def is_active(self, case_manager_id: UUID, person_id: UUID, now: datetime) -> bool:
        params = {"actor_id": case_manager_id, "person_id": person_id, "at": now}
        return self._db.scalar(_IS_ACTIVE, params) is not None

    def active_for(self, case_manager_id: UUID, now: datetime) -> list[Assignment]:
        rows = self._db.execute(
            select(ca).where(ca.c.case_manager_id == case_manager_id, *_active(now))
        )
        return [_to_assignment(row) for row in rows]

    def open_for_person(self, person_id: UUID) -> Assignment | None:
        row = self._db.execute(
            select(ca).where(ca.c.person_id == person_id, ca.c.ends_at.is_(None))
        ).first()
        return _to_assignment(row) if row else None

    def open_in_team(self, team: str) -> list[Assignment]:
        rows = self._db.execute(
            select(ca)
            .join(users, users.c.id == ca.c.case_manager_id)
            .where(users.c.team == team, ca.c.ends_at.is_(None))
        )
        return [_to_assignment(row) for row in rows]

    def unassigned_persons(self) -> list[UUID]:
        """Persons without an open case assignment (new applicants waiting, for example)."""
        open_ids = select(ca.c.person_id).where(ca.c.ends_at.is_(None))
        rows = self._db.execute(
            select(persons.c.id).where(persons.c.id.not_in(open_ids), persons.c.erased_at.is_(None))
        )
        return [row.id for row in rows]


def _active(now: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """An assignment in force at `now` (a moment, or a bind parameter)."""
    return (ca.c.starts_at <= now, or_(ca.c.ends_at.is_(None), ca.c.ends_at > now))


ACTIVE_ASSIGNMENT = and_(
    ca.c.case_manager_id == bindparam("actor_id"),
    ca.c.person_id == bindparam("person_id"),
    *_active(bindparam("at")),
)
"""The person is in the case manager's active caseload (parameters `actor_id`, `person_id`
and `at`): the policy's caseload fact, here and in `SharingRepository.read_facts`."""
_IS_ACTIVE = select(ca.c.id).where(ACTIVE_ASSIGNMENT).limit(1)


def _to_assignment(row: Row[tuple[object, ...]]) -> Assignment:
    m = row._mapping
    return Assignment(
        m["id"],
        m["case_manager_id"],
        m["person_id"],
        m["starts_at"],
        m["ends_at"],
        m["assigned_by"],
    )

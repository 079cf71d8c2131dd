"""Caseloads: which case manager serves which resident, and for which period.

Access follows the client, not the employee: when a team lead hands a case over, the previous
case manager's assignment ends and theirs begins, so that reading rights move with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class Assignment:
    id: UUID
    case_manager_id: UUID
    person_id: UUID
    starts_at: datetime
    ends_at: datetime | None
    assigned_by: UUID | None

    def active_at(self, moment: datetime) -> bool:
        return self.starts_at <= moment and (self.ends_at is None or moment < self.ends_at)

"""Privacy budgets: how much epsilon each consumer domain may spend, and what it spent on."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from datameent.store.tables import privacy_budgets as pb
from datameent.store.tables import privacy_releases as pr


class BudgetRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def _ensure(self, domain: str, total: float) -> None:
        found = self._db.execute(select(pb.c.domain).where(pb.c.domain == domain)).first()
        if found is None:
            self._db.execute(pb.insert().values(domain=domain, total=total, spent=0.0))

    def remaining(self, domain: str, total: float) -> float:
        """What `domain` can still spend (`total` is its budget the first time it is asked)."""
        self._ensure(domain, total)
        row = self._db.execute(select(pb.c.total, pb.c.spent).where(pb.c.domain == domain)).one()
        return float(row.total - row.spent)

    def spend(
        self,
        domain: str,
        total: float,
        epsilon: float,
        user_id: UUID | None,
        at: datetime,
        description: str,
    ) -> float | None:
        """Spend `epsilon` if the budget allows it, in one statement that cannot overspend under
        concurrency; returns what remains, or None (nothing spent) when it does not allow it."""
        self._ensure(domain, total)
        done = self._db.execute(
            update(pb)
            .where(pb.c.domain == domain, pb.c.total - pb.c.spent >= epsilon - 1e-9)
            .values(spent=pb.c.spent + epsilon)
        )
        if done.rowcount != 1:
            return None
        self._db.execute(
            pr.insert().values(
                id=uuid4(),
                domain=domain,
                user_id=user_id,
                released_at=at,
                epsilon=epsilon,
                description=description[:500],
            )
        )
        return self.remaining(domain, total)

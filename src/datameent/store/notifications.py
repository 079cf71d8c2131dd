"""The inbox's messages. They hold codes and ids only (see `domain.notifications`)."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from datameent.domain.notifications import Kind, Notification
from datameent.store.tables import notifications as nt


class NotificationRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, items: list[Notification], at: datetime) -> None:
        if items:
            self._db.execute(
                nt.insert(),
                [
                    {
                        "id": n.id,
                        "user_id": n.user_id,
                        "kind": n.kind.value,
                        "params": json.dumps(n.params, sort_keys=True),
                        "link": n.link,
                        "created_at": at,
                        "read_at": None,
                    }
                    for n in items
                ],
            )

    def for_user(self, user_id: UUID, limit: int = 50) -> list[Notification]:
        rows = self._db.execute(
            select(nt).where(nt.c.user_id == user_id).order_by(nt.c.created_at.desc()).limit(limit)
        )
        return [
            Notification(
                r.id, r.user_id, Kind(r.kind), json.loads(r.params), r.link, r.created_at, r.read_at
            )
            for r in rows
        ]

    def unread_count(self, user_id: UUID) -> int:
        count = self._db.scalar(
            select(func.count())
            .select_from(nt)
            .where(nt.c.user_id == user_id, nt.c.read_at.is_(None))
        )
        return int(count or 0)

    def mark_read(self, user_id: UUID, at: datetime) -> None:
        self._db.execute(
            update(nt).where(nt.c.user_id == user_id, nt.c.read_at.is_(None)).values(read_at=at)
        )

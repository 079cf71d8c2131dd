"""The inbox: stored notifications, and reminders of requests whose due date is near."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from datameent.domain.accounts import User
from datameent.domain.notifications import Notification
from datameent.domain.sharing import DUE_SOON_DAYS, past_due
from datameent.services import clock
from datameent.services.clock import utcnow
from datameent.store.uow import Store


@dataclass(frozen=True)
class Reminder:
    request_id: UUID
    purpose_code: str
    due_date: date
    overdue: bool
    """The date has passed (the resident can still answer)."""


@dataclass(frozen=True)
class Inbox:
    notifications: list[Notification]
    reminders: list[Reminder]
    """A resident's open requests due within a few days or overdue: computed, never stale."""

    @property
    def unread(self) -> int:
        return sum(1 for n in self.notifications if n.read_at is None) + len(self.reminders)


def inbox(store: Store, user: User) -> Inbox:
    """The user's own messages. They hold codes and ids, never personal values, so reading
    them is not a processing of someone's data and is not logged."""
    today = clock.today()
    with store.unit_of_work(write=False) as uow:
        notes = uow.notifications.for_user(user.id)
        due = (
            uow.sharing.open_requests_due(user.person_id, today, DUE_SOON_DAYS)
            if user.person_id
            else []
        )
    reminders = [Reminder(i, purpose, day, past_due(day, today)) for i, purpose, day in due]
    return Inbox(notes, reminders)


def unread_count(store: Store, user: User) -> int:
    with store.unit_of_work(write=False) as uow:
        return uow.notifications.unread_count(user.id)


def mark_read(store: Store, user: User) -> None:
    with store.unit_of_work() as uow:
        uow.notifications.mark_read(user.id, utcnow())
        uow.commit()

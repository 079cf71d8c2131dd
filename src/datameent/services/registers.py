"""The public registers: read by anyone, kept by the privacy officer and administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from datameent.domain import registers
from datameent.domain.accounts import User
from datameent.domain.policy import AccessRequest, Action, allows
from datameent.domain.registers import AlgorithmEntry, check_algorithm
from datameent.errors import AccessDenied
from datameent.services.clock import utcnow
from datameent.store.uow import Store


def processing_register(*, all_versions: bool = False) -> list[dict[str, Any]]:
    """The register of processing activities (GDPR art. 30), as published."""
    return registers.processing_register(all_versions)


def algorithm_register(
    store: Store, *, all_versions: bool = False
) -> list[tuple[AlgorithmEntry, datetime]]:
    """The algorithm register: the newest version of each entry, or every version."""
    with store.unit_of_work(write=False) as uow:
        return uow.registers.algorithms(all_versions=all_versions)


def may_publish(actor: User | None) -> bool:
    """Whether to offer `actor` the forms to publish (the publication itself asks the policy
    again, and logs)."""
    return actor is not None and allows(actor, Action.MANAGE_REGISTERS)


def ensure_may_publish(actor: User) -> None:
    """Refuse the publication form to anyone who may not publish."""
    if not may_publish(actor):
        raise AccessDenied(("only the privacy officer and administrators keep the registers",))


def publish_algorithm(store: Store, actor: User, values: dict[str, str]) -> AlgorithmEntry:
    """Publish a new algorithm entry, or a new version of one. Only the privacy officer and
    administrators; every attempt is logged."""
    with store.unit_of_work() as uow:
        uow.authorize(AccessRequest(actor, Action.MANAGE_REGISTERS))
        entry = check_algorithm(values)
        published = uow.registers.publish(entry, actor.id, utcnow())
        uow.commit()
    return published


def seed_algorithms(store: Store) -> None:
    """The demo's register: the entries `domain.registers.SEED` describes, as version 1."""
    with store.unit_of_work() as uow:
        for values in registers.SEED:
            uow.registers.publish(check_algorithm(values), None, utcnow())
        uow.commit()

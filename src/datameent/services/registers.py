"""The public registers: read by anyone, kept by the privacy officer and administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from datameent.domain import registers
from datameent.domain.accounts import User
from datameent.domain.policy import AccessRequest, Action, allows
from datameent.domain.processing import ProcessingActivity
from datameent.domain.registers import AlgorithmEntry, check_activity, check_algorithm
from datameent.errors import AccessDenied
from datameent.services.clock import utcnow
from datameent.store.uow import Store


def processing_register(store: Store, *, all_versions: bool = False) -> list[dict[str, Any]]:
    """The register of processing activities (GDPR art. 30), as published: the current version
    of each activity, or every version (log records name the version they were made under)."""
    if all_versions:
        chosen = [a for a, _ in store.activities.versions()]
    else:
        chosen = store.activities.current()
    return [registers.activity_document(a) for a in chosen]


def activity(store: Store, uri: str) -> ProcessingActivity | None:
    """The activity version a log record or a decision names."""
    return store.activities.by_uri(uri)


def activity_names(store: Store) -> dict[str, ProcessingActivity]:
    """The current version of each activity, by code: for naming an activity on a page."""
    return {a.code: a for a in store.activities.current()}


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
        entry = check_algorithm(values, activity_names(store))
        published = uow.registers.publish(entry, actor.id, utcnow())
        uow.commit()
    return published


def publish_activity(store: Store, actor: User, values: dict[str, Any]) -> ProcessingActivity:
    """Publish a new processing activity, or a new version of one (GDPR art. 30). Only the
    privacy officer and administrators; every attempt is logged. Log records made from now on
    name the new version; earlier records keep naming theirs."""
    with store.unit_of_work() as uow:
        uow.authorize(AccessRequest(actor, Action.MANAGE_REGISTERS))
        activity = check_activity(values)
        published = uow.registers.publish_activity(activity, actor.id, utcnow())
        uow.commit()
    store.activities.invalidate()
    return published


def seed_algorithms(store: Store) -> None:
    """The demo's register: the entries `domain.registers.SEED` describes, as version 1."""
    with store.unit_of_work() as uow:
        for values in registers.SEED:
            uow.registers.publish(check_algorithm(values, activity_names(store)), None, utcnow())
        uow.commit()

"""What the privacy officer needs to look at: refused attempts, access outside the usual rules,
unusual volumes per employee, changes to employees' accounts (who was given which roles), and
whether the log still verifies."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from datameent.domain.accounts import AccountChange, ChangeKind, User, is_administered
from datameent.domain.policy import AccessRequest, Action, Permit
from datameent.domain.rights import RightKind, answer_by
from datameent.services.clock import days_back, utcnow
from datameent.services.ledger import VerifyReport, verify_log
from datameent.store.keys import Rotation
from datameent.store.ledger import StoredCheckpoint
from datameent.store.uow import Store, UnitOfWork

USUAL_RULES = ("own-record", "active-caseload", "register-feed")
"""The rules under which reading and recording vault data is everyday work."""
UNUSUAL_FACTOR = 3
UNUSUAL_MINIMUM = 20


@dataclass(frozen=True)
class Attempt:
    index: int
    when: datetime
    operation: str
    who: User | None
    reasons: list[str]
    client_number: str | None


@dataclass(frozen=True)
class Volume:
    who: User | None
    reads: int
    typical: float
    unusual: bool


@dataclass(frozen=True)
class AccountEvent:
    """A change to an employee's account: whose, what, and by whom (None: the command line)."""

    account: User
    change: AccountChange
    by: User | None


@dataclass(frozen=True)
class Attention:
    since: datetime
    denied: list[Attempt]
    outside_rules: list[Attempt]
    volumes: list[Volume]
    account_changes: list[AccountEvent]
    log_size: int
    checkpoint: StoredCheckpoint | None
    rotations: list[Rotation] = field(default_factory=list)
    """Every rotation of the master key, oldest first: one that did not finish needs the
    operator; none at all may be against the municipality's key policy."""
    log_questions: int = 0
    """Residents' questions about a line of their log that wait for an answer (at any age)."""
    oldest_log_question: datetime | None = None
    oldest_log_question_late: bool = False
    """The oldest of them is past its month."""

    @property
    def oldest_log_question_due(self) -> datetime | None:
        return answer_by(self.oldest_log_question) if self.oldest_log_question else None


def attention(store: Store, actor: User, days: int = 7) -> Attention:
    now = utcnow()
    since = days_back(days, now)
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.SUPERVISE))
        denied = uow.ledger.denied_since(since)
        outside = uow.ledger.allowed_by_rules(["vault.read", "vault.record"], USUAL_RULES, since)
        counts = uow.ledger.volumes_since("vault.read", since)
        changes = uow.accounts.changes_since(since)
        users = uow.accounts.many(
            [r.user_id for r in [*denied, *outside] if r.user_id]
            + list(counts)
            + [i for account, c in changes for i in (account, c.by) if i is not None]
        )
        numbers = _client_numbers(store, uow, permit, {r.subject for r in [*denied, *outside]})
        size, checkpoint = uow.ledger.size(), uow.ledger.latest_checkpoint()
        rotations = uow.keys.rotations()
        questions, oldest = uow.rights.count_open([RightKind.ACCESS_QUESTION])
        uow.commit()
    return Attention(
        since=since,
        denied=[_attempt(r, users, numbers, json.loads(r.audit or "{}")) for r in denied],
        outside_rules=[_attempt(r, users, numbers, {"reasons": [r.rule]}) for r in outside],
        volumes=_volumes(counts, users),
        account_changes=_account_events(changes, users),
        log_size=size,
        checkpoint=checkpoint,
        rotations=rotations,
        log_questions=questions,
        oldest_log_question=oldest,
        oldest_log_question_late=oldest is not None and answer_by(oldest) < now,
    )


def _attempt(
    row: object, users: dict[UUID, User], numbers: dict[str, str], audit: dict[str, object]
) -> Attempt:
    reasons = audit.get("reasons", [])
    return Attempt(
        index=row.seq,  # type: ignore[attr-defined]
        when=row.started_at,  # type: ignore[attr-defined]
        operation=row.operation,  # type: ignore[attr-defined]
        who=users.get(row.user_id) if row.user_id else None,  # type: ignore[attr-defined]
        reasons=[str(r) for r in reasons] if isinstance(reasons, list) else [],
        client_number=numbers.get(row.subject or ""),  # type: ignore[attr-defined]
    )


def _client_numbers(
    store: Store, uow: UnitOfWork, permit: Permit, pseudonyms: set[str | None]
) -> dict[str, str]:
    """Which client the pseudonyms in these records belong to. The log holds only pseudonyms;
    the officer, investigating, needs the client number. O(persons) keyed hashes."""
    wanted = {p for p in pseudonyms if p}
    if not wanted:
        return {}
    found = {
        pseudonym: person_id
        for person_id in uow.persons.all_ids()
        if (pseudonym := store.keys.subject_pseudonym(person_id)) in wanted
    }
    numbers = uow.persons.client_numbers(permit, list(found.values()))
    return {p: numbers[i] for p, i in found.items() if i in numbers}


_OWN_DOING = (ChangeKind.PASSWORD, ChangeKind.LINKED)


def _account_events(
    changes: list[tuple[UUID, AccountChange]], users: dict[UUID, User]
) -> list[AccountEvent]:
    """Changes to employees' accounts, but not someone changing their own password or linking
    their account at their first login through the identity provider: who got which roles, who
    was stopped or let back in, whose password someone else set or link someone undid."""
    return [
        AccountEvent(users[account], change, users.get(change.by) if change.by else None)
        for account, change in changes
        if account in users
        and is_administered(users[account])
        and not (change.kind in _OWN_DOING and change.by == account)
    ]


def _volumes(counts: dict[UUID, int], users: dict[UUID, User]) -> list[Volume]:
    """Reads per employee, flagged when far above what is typical for their role."""
    by_role: dict[str, list[int]] = {}
    for user_id, count in counts.items():
        role = ",".join(sorted(users[user_id].roles)) if user_id in users else ""
        by_role.setdefault(role, []).append(count)
    volumes = []
    for user_id, count in counts.items():
        role = ",".join(sorted(users[user_id].roles)) if user_id in users else ""
        typical = statistics.median(by_role[role])
        unusual = count >= UNUSUAL_MINIMUM and count > UNUSUAL_FACTOR * typical
        volumes.append(Volume(users.get(user_id), count, typical, unusual))
    return sorted(volumes, key=lambda v: v.reads, reverse=True)


def verify_log_now(
    store: Store, actor: User, verifier: str, earlier: Sequence[str] = ()
) -> VerifyReport:
    """The privacy officer recomputes the whole log (`ledger.verify_log`) on demand."""
    with store.unit_of_work() as uow:
        uow.authorize(AccessRequest(actor, Action.SUPERVISE))
        uow.commit()
    return verify_log(store, verifier, earlier=earlier)

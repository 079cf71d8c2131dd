"""The processing log inside a unit of work: permits are only issued through it.

`UnitOfWork.authorize` asks the policy and opens a log entry here; repositories that return or
change personal data accept only permits issued here, in this transaction, and tell the log
which persons and attribute keys they touched (keys, never values). At commit the entries
become records in the Merkle log, in the same transaction as the processing: a processing
without its record cannot be committed, and so cannot be served.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy.engine import Connection

from datameent.domain import purposes
from datameent.domain.policy import Action, Decision, Permit
from datameent.domain.processing_log import Entry, Outcome
from datameent.errors import AccessDenied
from datameent.ledger import leaf_hash
from datameent.services.clock import utcnow
from datameent.store.crypto import KeyRing
from datameent.store.ledger import Batch, LedgerRepository
from datameent.store.tables import audit_records, log_records
from datameent.tracing import current_trace, new_span_id

LIST_ACTIONS = frozenset({Action.LIST_OWN_CASELOAD, Action.VIEW_TEAM_CASES})
"""Actions on many persons at once: each person listed gets a record of their own."""
REFUSALS_LOGGED = frozenset(
    {
        Action.OPEN_CASE,
        Action.REQUEST_DATA,
        Action.APPROVE_REQUEST,
        Action.ANSWER_REQUEST,
        Action.SHARE,
        Action.REVOKE_GRANT,
        Action.BREAK_GLASS,
        Action.WRITE_STORY,
        Action.SHARE_STORY,
        Action.EXERCISE_RIGHTS,
        Action.EXPORT,
        Action.HANDLE_CORRECTION,
        Action.HANDLE_RIGHTS,
        Action.RECORD_DECISION,
        Action.CONTEST,
        Action.REVIEW_OBJECTION,
        Action.RELEASE_REVIEW,
        Action.MANAGE_REGISTERS,
        Action.FILE_COMPLAINT,
        Action.HANDLE_COMPLAINT,
    }
)
"""Actions whose attempts are logged as denied when refused for what they asked, after the
policy allowed them: the purpose-bound sharing and rights actions (issue: bad input is
"logged as denied")."""


def canonical(document: dict[str, Any]) -> bytes:
    """RFC 8785 (JCS) canonical JSON: the bytes that are hashed into the log.

    For the documents the log holds (strings, integers, booleans, null, lists and objects with
    ASCII keys, never floats) sorted keys, no whitespace and minimal escaping, as orjson writes
    them, *are* the JCS form; `tests/unit/test_canonical.py` checks it against the `rfc8785`
    package, which is ten times slower than `json.dumps` here and fifty times slower than
    orjson, and would cap the log's append rate.
    """
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)


@dataclass
class _Issued:
    permit: Permit
    template: Entry
    entries: dict[UUID | None, Entry]


class ProcessingLog:
    def __init__(self, connection: Connection, keys: KeyRing, ledger: LedgerRepository) -> None:
        self._db = connection
        self._keys = keys
        self._ledger = ledger
        self._issued: dict[int, _Issued] = {}

    @property
    def pending(self) -> bool:
        return bool(self._issued)

    def open(self, decision: Decision, activity_uri: str) -> Entry:
        """A log entry for a decision, stamped with the current trace and a new span."""
        request, trace = decision.request, current_trace()
        return Entry(
            trace_id=trace.trace_id,
            span_id=new_span_id(),
            parent_span_id=trace.parent_span_id,
            operation=request.action.value,
            activity_uri=activity_uri,
            subject=request.subject,
            actor=request.actor,
            rule=decision.rule,
            reasons=decision.reasons,
            outcome=Outcome.ALLOWED if decision.allowed else Outcome.DENIED,
            started_at=utcnow(),
            purpose=_purpose_ref(request.purpose),
            grants=decision.grants,
        )

    def issue(self, decision: Decision, entry: Entry) -> Permit:
        """The permit of an allowing decision, registered with its entry."""
        permit = decision.permit()
        listed = decision.request.action in LIST_ACTIONS
        entries: dict[UUID | None, Entry] = {} if listed else {entry.subject: entry}
        self._issued[id(permit)] = _Issued(permit, entry, entries)
        return permit

    def check(self, permit: Permit, actions: frozenset[Action], subject: UUID | None) -> None:
        """Refuse a permit that was not issued here, or that does not cover this access."""
        issued = self._issued.get(id(permit))
        if issued is None or issued.permit is not permit or permit.action not in actions:
            reason = "the permit was not issued through the processing log for this action"
            raise AccessDenied((reason,), hide_existence=True)
        if permit.action not in LIST_ACTIONS and permit.subject not in (None, subject):
            raise AccessDenied(("the permit does not cover this person",), hide_existence=True)

    def touch(self, permit: Permit, subject: UUID | None, keys: set[str]) -> None:
        """Note that `permit` was used on `subject`'s `keys`."""
        issued = self._issued[id(permit)]
        entry = issued.entries.get(subject)
        if entry is None and None in issued.entries and permit.action not in LIST_ACTIONS:
            # A permit to create a person gets its subject once the person exists.
            entry = issued.entries.pop(None)
            entry.subject = subject
            issued.entries[subject] = entry
        if entry is None:
            entry = dataclasses.replace(
                issued.template, subject=subject, span_id=new_span_id(), keys=set()
            )
            issued.entries[subject] = entry
        entry.keys.update(keys)

    def detail(self, permit: Permit, name: str, value: int) -> None:
        """State a number in the record of `permit` (``datameent.<name>``): how many, up to
        where. Only for permits without a person: the record says nothing about anyone."""
        issued = self._issued[id(permit)]
        assert permit.subject is None, "details belong to records without a data subject"
        issued.template.details[name] = value

    def erase(self, permit: Permit, start: int, end: int) -> int:
        """Erase the content of records ``[start, end)`` for retention: the record's payload
        and pseudonym, the audit record's payload and employee. Their digests stay, and with
        them the tree and every proof; `ledger verify` accepts an erased record only below the
        boundary this unit of work's own record states (``datameent.erased_below``, `end`).
        Returns how many records were erased. Erasing in index order keeps the erased part of
        the log one prefix."""
        self.check(permit, _ERASE, None)
        self.detail(permit, "erased_below", end)
        erased = self._db.execute(
            log_records.update()
            .where(log_records.c.seq >= start, log_records.c.seq < end)
            .where(log_records.c.payload.is_not(None))
            .values(payload=None, subject=None)
        ).rowcount
        self._db.execute(
            audit_records.update()
            .where(audit_records.c.seq >= start, audit_records.c.seq < end)
            .values(payload=None, user_id=None)
        )
        return int(erased)

    def take(self) -> list[Entry]:
        """Every entry of this unit of work, to be written by whoever commits it."""
        entries = [e for issued in self._issued.values() for e in issued.entries.values()]
        self._issued.clear()
        return entries

    def refused(self, reason: str) -> list[Entry]:
        """The pending entries of refusal-logged actions, turned into denials, and forgotten."""
        denied = []
        for issued in self._issued.values():
            if issued.permit.action not in REFUSALS_LOGGED:
                continue
            for entry in issued.entries.values() or [issued.template]:
                denied.append(
                    dataclasses.replace(
                        entry,
                        outcome=Outcome.DENIED,
                        reasons=(f"refused: {reason}",),
                        keys=set(),
                        grants=(),
                    )
                )
        self._issued.clear()
        return denied

    def discard(self) -> None:
        self._issued.clear()

    def write(self, entries: list[Entry]) -> list[int]:
        """Append `entries` as records to the Merkle log, in this transaction."""
        if not entries:
            return []

        def records(now: datetime) -> Batch:
            batch = Batch([], [], [])
            for entry in entries:
                entry.ended_at = now
                audit = canonical(entry.audit())
                subject = self._keys.subject_pseudonym(entry.subject) if entry.subject else None
                payload = canonical(entry.record(subject, hashlib.sha256(audit).hexdigest()))
                digest = hashlib.sha256(payload).digest()
                batch.leaves.append(leaf_hash(digest))
                batch.records.append(_log_row(entry, subject, payload, digest))
                batch.audits.append(
                    {"user_id": entry.actor.id, "rule": entry.rule, "payload": audit.decode()}
                )
            return batch

        first = self._ledger.append(records)
        return list(range(first, first + len(entries)))


_ERASE = frozenset({Action.ERASE_EXPIRED_LOG})


def _purpose_ref(code: str | None) -> str | None:
    purpose = purposes.CURRENT.get(code) if code else None
    return purpose.ref if purpose else code


def _log_row(entry: Entry, subject: str | None, payload: bytes, digest: bytes) -> dict[str, object]:
    return {
        "trace_id": entry.trace_id,
        "span_id": entry.span_id,
        "operation": entry.operation,
        "outcome": entry.outcome.value,
        "started_at": entry.started_at,
        "ended_at": entry.ended_at,
        "activity_uri": entry.activity_uri,
        "subject": subject,
        "payload": payload.decode(),
        "digest": digest,
    }

"""The processing log as people and auditors use it: checkpoints, proofs, verification, and
the entries about one person."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from datameent.domain.accounts import User
from datameent.domain.policy import AccessRequest, Action
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem
from datameent.ledger import (
    EMPTY_ROOT,
    Checkpoint,
    InvalidProof,
    NoteKey,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    open_note,
    verify_inclusion,
)
from datameent.ledger.checkpoint import InvalidNote
from datameent.services.clock import utcnow
from datameent.store.ledger import StoredCheckpoint, root_from_frontier
from datameent.store.uow import Store

OUT_OF_RANGE = Text(
    "Dit nummer of deze grootte bestaat niet in het logboek.",
    "This index or size does not exist in the log.",
)


def _out_of_range(field: str) -> InvalidInput:
    return InvalidInput(Problem(field, OUT_OF_RANGE))


def make_checkpoint(store: Store, key: NoteKey, origin: str) -> StoredCheckpoint | None:
    """Sign the current tree head, unless the latest checkpoint already covers it."""
    with store.unit_of_work() as uow:
        size, frontier = uow.ledger.lock_head()
        latest = uow.ledger.latest_checkpoint()
        if latest is not None and latest.size >= size:
            return None
        root = root_from_frontier(frontier)
        note = key.sign(Checkpoint(origin, size, root).body())
        now = utcnow()
        uow.ledger.add_checkpoint(size, root, note, now)
        uow.commit()
    return StoredCheckpoint(size, root, note, now)


def latest_checkpoint(store: Store) -> StoredCheckpoint | None:
    with store.unit_of_work(write=False) as uow:
        return uow.ledger.latest_checkpoint()


@dataclass(frozen=True)
class InclusionProof:
    index: int
    tree_size: int
    leaf_hash: bytes
    hashes: list[bytes]


def prove_inclusion(store: Store, index: int, tree_size: int) -> InclusionProof:
    """RFC 9162 inclusion proof of leaf `index` in the tree of size `tree_size`."""
    with store.unit_of_work(write=False) as uow:
        if not 0 < tree_size <= uow.ledger.size():
            raise _out_of_range("treeSize")
        if not 0 <= index < tree_size:
            raise _out_of_range("index")
        uow.ledger.prefetch_for(lambda source: inclusion_proof(source, index, tree_size))
        uow.ledger.prefetch([(0, index)])
        hashes = inclusion_proof(uow.ledger, index, tree_size)
        leaf = uow.ledger.subtree(index, index + 1)
    return InclusionProof(index, tree_size, leaf, hashes)


def prove_consistency(store: Store, first: int, second: int) -> list[bytes]:
    """RFC 9162 consistency proof between the trees of sizes `first` and `second`."""
    with store.unit_of_work(write=False) as uow:
        if not 0 <= second <= uow.ledger.size():
            raise _out_of_range("second")
        if not 0 <= first <= second:
            raise _out_of_range("first")
        uow.ledger.prefetch_for(lambda source: consistency_proof(source, first, second))
        return consistency_proof(uow.ledger, first, second)


@dataclass(frozen=True)
class LogLine:
    """One entry of the processing log as the person concerned sees it."""

    index: int
    started_at: datetime
    operation: str
    outcome: str
    activity_uri: str
    actor_name: str | None
    actor_roles: list[str]
    actor_team: str | None
    attribute_keys: list[str]
    trace_id: str
    record: str | None
    """The record exactly as hashed into the log (None once erased for retention), so that
    whoever sees the line can check it against a signed checkpoint themselves."""


def processing_log_of(store: Store, actor: User, person_id: UUID) -> list[LogLine]:
    """The entries about a person, newest first: for that person and the privacy officer.
    Looking at them is itself a processing, and is logged too."""
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.READ_PROCESSING_LOG, person_id))
        rows = uow.ledger.records_about(store.keys.subject_pseudonym(person_id))
        users = uow.accounts.many(r.user_id for r in rows if r.user_id)
        uow.log.touch(permit, person_id, {"processing_log"})
        uow.commit()
    lines = []
    for row in rows:
        audit = json.loads(row.audit) if row.audit else {}
        user = users.get(row.user_id) if row.user_id else None
        lines.append(
            LogLine(
                index=row.seq,
                started_at=row.started_at,
                operation=row.operation,
                outcome=row.outcome,
                activity_uri=row.activity_uri,
                actor_name=user.display_name if user else None,
                actor_roles=audit.get("roles", []),
                actor_team=audit.get("team"),
                attribute_keys=audit.get("attribute_keys", []),
                trace_id=row.trace_id,
                record=row.payload,
            )
        )
    return lines


@dataclass(frozen=True)
class VerifyReport:
    size: int
    checkpoints: int
    first_bad_index: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_bad_index is None


def verify_log(store: Store, verifier: str) -> VerifyReport:
    """Recompute every leaf from the stored records and every root from the leaves, and check
    every checkpoint's signature and root. A changed, deleted, added or reordered record is
    found, and the first index where records and tree disagree is named."""
    with store.unit_of_work(write=False) as uow:
        size = uow.ledger.size()
        checkpoints = uow.ledger.checkpoints()
        head_root = uow.ledger.head_root()
        wanted = {c.size for c in checkpoints} | {size}
        scan = _scan(uow.ledger.records_and_leaves(), size, wanted)
    if isinstance(scan, VerifyReport):
        return VerifyReport(size, len(checkpoints), scan.first_bad_index, scan.problem)
    if scan.get(size) != head_root:
        return VerifyReport(size, len(checkpoints), max(0, size - 1), "the tree head differs")
    for checkpoint in checkpoints:
        try:
            signed = open_note(checkpoint.note, verifier)
        except InvalidNote:
            return VerifyReport(size, len(checkpoints), checkpoint.size, "bad checkpoint signature")
        if signed.size != checkpoint.size or signed.root != scan.get(checkpoint.size):
            index = max(0, checkpoint.size - 1)
            return VerifyReport(size, len(checkpoints), index, "a checkpoint differs from the log")
    return VerifyReport(size, len(checkpoints))


def _scan(
    rows: Iterable[tuple[int | None, bytes | None, str | None, int | None, bytes | None]],
    size: int,
    wanted: set[int],
) -> dict[int, bytes] | VerifyReport:
    """One pass over (seq, digest, payload, leaf index, leaf hash), in index order: check each
    record against its leaf, and fold the leaves into the roots at the `wanted` sizes. Written
    for speed (it runs once per record of the whole log): hashing is inlined."""
    sha256 = hashlib.sha256
    roots: dict[int, bytes] = {0: EMPTY_ROOT}
    frontier: list[bytes] = []
    heights: list[int] = []
    expected = 0
    for seq, digest, payload, index, leaf in rows:
        if seq != expected or index != expected or digest is None or leaf is None:
            return VerifyReport(size, 0, expected, _row_problem(expected, seq, index))
        if payload is not None and sha256(payload.encode()).digest() != digest:
            return VerifyReport(size, 0, expected, "a record was changed")
        if sha256(b"\x00" + digest).digest() != leaf:
            return VerifyReport(size, 0, expected, "a record does not match its leaf")
        node, height = leaf, 0
        while heights and heights[-1] == height:
            node = sha256(b"\x01" + frontier.pop() + node).digest()
            heights.pop()
            height += 1
        frontier.append(node)
        heights.append(height)
        expected += 1
        if expected in wanted:
            roots[expected] = root_from_frontier(frontier)
    if expected != size:
        return VerifyReport(size, 0, expected, "records or leaves are missing at the end")
    return roots


def _row_problem(expected: int, seq: int | None, index: int | None) -> str:
    if seq is None or seq > expected:
        return "a record is missing"
    if index is None or index > expected:
        return "a leaf is missing"
    return "a record or leaf was added or is out of order"


@dataclass(frozen=True)
class LineCheck:
    """The outcome of checking one log line against the signed checkpoint, for people."""

    ok: bool
    index: int
    tree_size: int | None
    key_name: str | None
    key_id: str | None
    reason: str | None


def check_line(
    store: Store, actor: User, person_id: UUID, index: int, key: NoteKey, origin: str
) -> LineCheck:
    """Check one line of a person's log: its record hashes to the leaf at `index`, the leaf is
    in the tree, and the tree's root is the one signed in the latest checkpoint (signed now
    if the log has grown since)."""
    line = next((x for x in processing_log_of(store, actor, person_id) if x.index == index), None)
    if line is None:
        raise _out_of_range("index")
    make_checkpoint(store, key, origin)
    latest = latest_checkpoint(store)
    verifier = key.verifier()
    if line.record is None:
        return LineCheck(False, index, None, None, None, "erased")
    if latest is None or latest.size <= index:
        return LineCheck(False, index, None, None, None, "not yet signed")
    name, key_id, _ = verifier.split("+", 2)
    try:
        signed = open_note(latest.note, verifier)
        proof = prove_inclusion(store, index, signed.size)
        digest = hashlib.sha256(line.record.encode()).digest()
        verify_inclusion(leaf_hash(digest), index, signed.size, proof.hashes, signed.root)
    except (InvalidNote, InvalidProof):
        return LineCheck(False, index, latest.size, name, key_id, "does not verify")
    return LineCheck(True, index, signed.size, name, key_id, None)

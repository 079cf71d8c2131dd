"""The processing log as people and auditors use it: checkpoints, proofs, verification, and
the entries about one person."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from datameent.domain.accounts import Role, User
from datameent.domain.policy import AccessRequest, Action, allows
from datameent.domain.rights import LineQuestion
from datameent.domain.text import Text
from datameent.errors import InvalidInput, NotFound, Problem
from datameent.ledger import (
    Checkpoint,
    InvalidProof,
    NoteKey,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    open_note,
    verify_inclusion,
)
from datameent.ledger.checkpoint import InvalidNote, cosign, open_note_by_any
from datameent.ledger.hashing import root_from_frontier
from datameent.ledger.scan import Fault, Part, combine
from datameent.services.accounts import system_account
from datameent.services.clock import utcnow
from datameent.store.ledger import LedgerRepository, StoredCheckpoint
from datameent.store.ledger_scan import Source, collect, run_parts, source_of
from datameent.store.uow import Store

OUT_OF_RANGE = Text(
    "Dit nummer of deze grootte bestaat niet in het logboek.",
    "This index or size does not exist in the log.",
)


def _out_of_range(field: str) -> InvalidInput:
    return InvalidInput(Problem(field, OUT_OF_RANGE))


def make_checkpoint(store: Store, key: NoteKey, origin: str) -> StoredCheckpoint | None:
    """Sign the current tree head, unless the latest checkpoint already covers it. One that
    covers it but was signed by an earlier key (the signing key changed since) is signed by
    this key too, so that the newest checkpoint always opens with the published key."""
    with store.unit_of_work() as uow:
        size, frontier = uow.ledger.lock_head()
        latest = uow.ledger.latest_checkpoint()
        if latest is not None and latest.size >= size:
            note = cosign(latest.note, key)
            if note == latest.note:
                return None
            uow.ledger.sign_checkpoint_again(latest.size, note)
            uow.commit()
            return StoredCheckpoint(latest.size, latest.root, note, latest.created_at)
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
    fits = 0 <= index < tree_size
    needed = (
        LedgerRepository.needed_for(
            lambda source: inclusion_proof(source, index, tree_size), also=[(0, index)]
        )
        if fits
        else []
    )
    with store.unit_of_work(write=False, snapshot=False) as uow:
        if not 0 < tree_size <= uow.ledger.size_and_prefetch(needed):
            raise _out_of_range("treeSize")
        if not fits:
            raise _out_of_range("index")
        hashes = inclusion_proof(uow.ledger, index, tree_size)
        leaf = uow.ledger.subtree(index, index + 1)
    return InclusionProof(index, tree_size, leaf, hashes)


def prove_consistency(store: Store, first: int, second: int) -> list[bytes]:
    """RFC 9162 consistency proof between the trees of sizes `first` and `second`."""
    fits = 0 <= first <= second
    needed = (
        LedgerRepository.needed_for(lambda source: consistency_proof(source, first, second))
        if fits
        else []
    )
    with store.unit_of_work(write=False, snapshot=False) as uow:
        if not 0 <= second <= uow.ledger.size_and_prefetch(needed):
            raise _out_of_range("second")
        if not fits:
            raise _out_of_range("first")
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
    by_representative: bool = False
    """Done by someone the resident authorised with DigiD Machtigen, on their behalf."""
    question: LineQuestion | None = None
    """The resident's question to the privacy officer about this line, if they asked one."""

    @property
    def by_the_person(self) -> bool:
        """Done by the person concerned themselves (a resident acts only on their own data),
        not by an employee, a system or their representative."""
        return Role.RESIDENT.value in self.actor_roles and not self.by_representative


def processing_log_of(store: Store, actor: User, person_id: UUID) -> list[LogLine]:
    """The entries about a person, newest first: for that person and the privacy officer.
    Looking at them is itself a processing, and is logged too."""
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.READ_PROCESSING_LOG, person_id))
        rows = uow.ledger.records_about(store.keys.subject_pseudonym(person_id))
        users = uow.accounts.many(r.user_id for r in rows if r.user_id)
        uow.log.touch(permit, person_id, {"processing_log"})
        questions = uow.rights.questions_about_log(permit, person_id)
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
                by_representative="representative" in audit,
                question=questions.get(row.seq),
            )
        )
    return lines


def line_of(store: Store, actor: User, person_id: UUID, index: int) -> LogLine:
    """One line of a person's log, read (and logged) as `processing_log_of` reads them all;
    `InvalidInput` if the person's log has no line at `index`."""
    line = next((x for x in processing_log_of(store, actor, person_id) if x.index == index), None)
    if line is None:
        raise _out_of_range("index")
    return line


def may_read_any_log(actor: User) -> bool:
    """Whether to offer `actor` the lookup of anyone's log (the privacy officer)."""
    return allows(actor, Action.SUPERVISE)


def person_of_client(store: Store, actor: User, client_number: str) -> UUID:
    """The person with this client number, for the privacy officer, who may read anyone's log
    (the read itself is decided and logged in `processing_log_of`); `NotFound` for anyone else,
    as for a number nobody has, so that nobody else can probe client numbers."""
    if not may_read_any_log(actor):
        raise NotFound()
    with store.unit_of_work(write=False) as uow:
        person_id = uow.persons.id_by_client_number(client_number)
    if person_id is None:
        raise NotFound()
    return person_id


def processing_log_of_client(store: Store, actor: User, client_number: str) -> list[LogLine]:
    """`processing_log_of` the person with this client number (the privacy officer's way in:
    a resident who asks at the desk knows their client number)."""
    return processing_log_of(store, actor, person_of_client(store, actor, client_number))


@dataclass(frozen=True)
class VerifyReport:
    size: int
    checkpoints: int
    first_bad_index: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_bad_index is None


PARALLEL_FROM = 200_000
"""Logs at least this long are verified in parallel parts, one per core (at most four)."""


def verify_log(
    store: Store, verifier: str, *, earlier: Sequence[str] = (), parts: int | None = None
) -> VerifyReport:
    """Recompute every leaf from the stored records and every root from the leaves, and check
    every checkpoint's signature and root. A changed, deleted, added or reordered record is
    found, and the first index where records and tree disagree is named. A checkpoint must be
    signed by `verifier` or by one of the `earlier` keys the log was signed with before.

    A record erased for retention passes only below the boundary that the log's latest
    erasure record states (`erase_expired`): content removed from a later record is found.

    A long log is read in `parts` index ranges side by side, this process scanning the first
    and worker processes the others, each over its own connection; the ranges' subtrees are
    joined into the same roots as one scan would give (`datameent.ledger.scan`)."""
    source = source_of(store.engine.url)
    with store.unit_of_work(write=False) as uow:
        size, head_root, last_record, last_leaf = uow.ledger.head_state()
        checkpoints = uow.ledger.checkpoints()
        wanted = {c.size for c in checkpoints} | {size}
        erased_below = uow.ledger.erased_below()
        count = parts or (min(os.cpu_count() or 1, 4) if size >= PARALLEL_FROM else 1)
        if source is None or size < count:
            count = 1
        bounds = [size * i // count for i in range(count + 1)]
        if count == 1:
            scanned: list[Part | Fault] = [uow.ledger.scan(0, size, wanted, erased_below)]
    if count > 1:
        assert source is not None
        scanned = _scan_in_parallel(store, source, bounds, wanted, erased_below)
    result = combine(scanned, wanted)
    if isinstance(result, Fault):
        return VerifyReport(size, len(checkpoints), result.index, result.problem)
    if max(last_record, last_leaf) >= size:
        return VerifyReport(
            size, len(checkpoints), size, "a record or leaf was added after the tree head"
        )
    if result.get(size) != head_root:
        return VerifyReport(size, len(checkpoints), max(0, size - 1), "the tree head differs")
    for checkpoint in checkpoints:
        try:
            signed = open_note_by_any(checkpoint.note, [verifier, *earlier])
        except InvalidNote:
            return VerifyReport(size, len(checkpoints), checkpoint.size, "bad checkpoint signature")
        if signed.size != checkpoint.size or signed.root != result.get(checkpoint.size):
            index = max(0, checkpoint.size - 1)
            return VerifyReport(size, len(checkpoints), index, "a checkpoint differs from the log")
    return VerifyReport(size, len(checkpoints))


def _scan_in_parallel(
    store: Store, source: Source, bounds: list[int], wanted: set[int], erased_below: int
) -> list[Part | Fault]:
    """The first range here, the others in worker processes started for it. A range whose
    worker failed (it could not start, or reach the database) is scanned here after all."""
    ranges = list(itertools.pairwise(bounds))
    workers = run_parts(source, ranges[1:], wanted, erased_below)
    try:
        with store.unit_of_work(write=False) as uow:
            scanned: list[Part | Fault | None] = [uow.ledger.scan(*ranges[0], wanted, erased_below)]
        scanned += [collect(worker) for worker in workers]
        for i, part in enumerate(scanned):
            if part is None:
                with store.unit_of_work(write=False) as uow:
                    scanned[i] = uow.ledger.scan(*ranges[i], wanted, erased_below)
        return [part for part in scanned if part is not None]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


@dataclass(frozen=True)
class LineCheck:
    """The outcome of checking one log line against the signed checkpoint, for people."""

    ok: bool
    index: int
    tree_size: int | None
    key_name: str | None
    key_id: str | None
    reason: str | None
    line: LogLine | None = None
    """The line checked, to show what it says next to the outcome."""


def check_line(
    store: Store, actor: User, person_id: UUID, index: int, key: NoteKey, origin: str
) -> LineCheck:
    """Check one line of a person's log: its record hashes to the leaf at `index`, the leaf is
    in the tree, and the tree's root is the one signed in the latest checkpoint (signed now
    if the log has grown since)."""
    line = line_of(store, actor, person_id, index)
    make_checkpoint(store, key, origin)
    latest = latest_checkpoint(store)
    verifier = key.verifier()
    if line.record is None:
        return LineCheck(False, index, None, None, None, "erased", line)
    if latest is None or latest.size <= index:
        return LineCheck(False, index, None, None, None, "not yet signed", line)
    name, key_id, _ = verifier.split("+", 2)
    try:
        signed = open_note(latest.note, verifier)
        proof = prove_inclusion(store, index, signed.size)
        digest = hashlib.sha256(line.record.encode()).digest()
        verify_inclusion(leaf_hash(digest), index, signed.size, proof.hashes, signed.root)
    except (InvalidNote, InvalidProof):
        return LineCheck(False, index, latest.size, name, key_id, "does not verify", line)
    return LineCheck(True, index, signed.size, name, key_id, None, line)


RETENTION_ACCOUNT = "bewaartermijnen"
ERASE_BATCH = 10_000
"""Records erased per transaction: each batch is one unit of work with its own log record,
short enough that appends (which share the log's tail, not its head) are not held up long."""


@dataclass(frozen=True)
class LogErasure:
    """What `erase_expired` did (or, in a dry run, would do): records below `erased_below`
    hold only their digests."""

    erased: int
    erased_below: int
    previously_below: int
    older_than: datetime
    dry_run: bool = False


def retention_account(store: Store) -> User:
    return system_account(store, RETENTION_ACCOUNT, "Bewaartermijnen")


def erase_expired(
    store: Store,
    actor: User,
    older_than: datetime,
    *,
    dry_run: bool = False,
    batch: int = ERASE_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> LogErasure:
    """Erase, for retention, the content of every record that ended before `older_than`:
    the record's payload and the person's pseudonym, and its audit record (who, which rule,
    which attributes). The digests stay, so the tree, every checkpoint and every proof stay
    valid and `ledger verify` still passes.

    The log is erased from its start in index order, in batches, each in a transaction of its
    own that logs itself under the supervision activity and states the new boundary
    (`datameent.erased_below`): everything below it is erased, nothing above it may be. A run
    that stops halfway leaves a consistent log; the next run goes on from the boundary.
    `progress(done, total)` is called after each batch. `dry_run`: count, change nothing."""
    with store.unit_of_work(write=False) as uow:
        start = uow.ledger.erased_below()
        end = max(start, uow.ledger.first_ended_at_or_after(older_than))
    if dry_run or start == end:
        return LogErasure(end - start, end, start, older_than, dry_run)
    erased = 0
    for low in range(start, end, batch):
        high = min(end, low + batch)
        with store.unit_of_work() as uow:
            permit = uow.authorize(AccessRequest(actor, Action.ERASE_EXPIRED_LOG))
            erased += uow.log.erase(permit, low, high)
            uow.commit()
        if progress is not None:
            progress(high - start, end - start)
    return LogErasure(erased, end, start, older_than)

"""The Merkle log in the database: gapless appends, stored subtree hashes, checkpoints.

Appending takes the single `ledger_head` row (its row lock on PostgreSQL; the write lock that
``BEGIN IMMEDIATE`` already holds on SQLite), so concurrent writers, also in other processes,
queue for it and sequence numbers are gapless: a transaction that rolls back never used its
numbers. The head keeps the hashes of the complete subtrees on the right edge (the "frontier"),
so an append hashes O(1) nodes on average and reads nothing else; every complete subtree hash
is stored, so a proof reads O(log n) of them.

On PostgreSQL a process remembers the head as it left it (`LogHead`) and appends in one
statement that changes the head only if it is still exactly that (its size and frontier, which
commit to every leaf) and writes nothing otherwise; only then does it read and lock the head
first. The frontier is worked out before the head is locked, and the lock is held for the
one statement and the commit, not for a round trip and the hashing as well.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import Row, Table, bindparam, func, select, update
from sqlalchemy.engine import Connection

from datameent.domain.policy import Action
from datameent.ledger import EMPTY_ROOT, SubtreeSource, node_hash
from datameent.ledger.hashing import extend, root_from_frontier, split
from datameent.ledger.scan import Fault, Part
from datameent.services.clock import utcnow
from datameent.store import driver
from datameent.store.bulk import bound_columns, insert_many
from datameent.store.ledger_scan import scan_on
from datameent.store.tables import (
    audit_records,
    ledger_checkpoints,
    ledger_nodes,
    log_records,
)

_HASH = 32
_ZEROS = bytes(_HASH)
_NODE = select(ledger_nodes.c.hash).where(
    ledger_nodes.c.level == bindparam("level"), ledger_nodes.c.idx == bindparam("idx")
)
_ENDED = driver.Select(select(log_records.c.ended_at).where(log_records.c.seq == bindparam("seq")))
ERASURE = Action.ERASE_EXPIRED_LOG.value
"""The operation of the records that erase older records for retention."""
CLOCK_MARGIN = timedelta(hours=1)
"""How far the clock may have stepped back between two records (`window_start`)."""


@dataclass(frozen=True)
class Batch:
    """Records to append, as `ProcessingLog` builds them at the moment they end: each one's
    leaf hash, its row of `log_records` and its audit record (both without their index)."""

    leaves: list[bytes]
    records: list[dict[str, Any]]
    audits: list[dict[str, Any]]


class LogHead:
    """The log's size and frontier as this process's last append left them (PostgreSQL), so
    that the next append need not read and lock the head first. Possibly not yet committed, or
    since overtaken by another process: an append from it only succeeds if the head is still
    exactly this (`LedgerRepository.append`). `lock` orders this process's appends; it is held
    until the append's statement has the head's row lock, and never by a thread that waits for
    its commit, so no two threads can wait for each other."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.known: tuple[int, list[bytes]] | None = None

    def forget(self) -> None:
        """The transaction that appended last did not commit: read the head again next time."""
        self.known = None


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root: bytes
    note: str
    created_at: datetime


def _frontier(blob: bytes) -> list[bytes]:
    return [blob[i : i + _HASH] for i in range(0, len(blob), _HASH)]


class _NodeRecorder:
    """A `SubtreeSource` that answers zeros and writes down the stored nodes it would read
    (a proof only places the hashes it is given, so zeros serve; nothing is hashed)."""

    def __init__(self, needed: list[tuple[int, int]]) -> None:
        self.needed = needed

    def subtree(self, start: int, end: int) -> bytes:
        width = end - start
        if width & (width - 1) == 0 and start % width == 0:
            level = width.bit_length() - 1
            self.needed.append((level, start >> level))
        else:
            k = split(width)
            self.subtree(start, start + k)
            self.subtree(start + k, end)
        return _ZEROS


class NodeCache:
    """Stored tree nodes, kept in memory for proofs. Safe to share across transactions and
    threads: a committed node never changes (the log only grows). Only read-only units of work
    fill it, so a node appended in a transaction that later rolls back can never enter it.
    Bounded: when full, the oldest half is dropped. `ledger verify` never reads from here."""

    def __init__(self, capacity: int = 500_000) -> None:
        self.capacity = capacity
        self.nodes: dict[tuple[int, int], bytes] = {}

    def add(self, key: tuple[int, int], value: bytes) -> None:
        if len(self.nodes) >= self.capacity:
            for old in list(self.nodes)[: self.capacity // 2]:
                self.nodes.pop(old, None)
        self.nodes[key] = value


class LedgerRepository:
    def __init__(
        self, connection: Connection, cache: NodeCache | None = None, head: LogHead | None = None
    ) -> None:
        self._db = connection
        self._head = head if connection.dialect.name == "postgresql" else None
        self._nodes = cache or NodeCache()
        self._cache = self._nodes.nodes
        self._windows: dict[datetime, int] = {}

    def lock_head(self) -> tuple[int, list[bytes]]:
        """The current size and frontier, locked until the transaction ends. Driver SQL, as
        the writes in `append`: the log's hot path."""
        lock = " FOR UPDATE" if self._db.dialect.name == "postgresql" else ""
        ((size, frontier),) = driver.execute(
            self._db, f"SELECT size, frontier FROM ledger_head WHERE id = 1{lock}"
        )
        return int(size), _frontier(bytes(frontier))

    def size(self) -> int:
        """The number of records. Driver SQL: every proof asks for it first, and SQLAlchemy's
        result set-up took a fifth of a proof's time."""
        ((size,),) = driver.execute(self._db, "SELECT size FROM ledger_head WHERE id = 1")
        return int(size)

    def append(self, build: Callable[[datetime], Batch]) -> int:
        """Append the records `build` makes, given the moment they end, after the log's last
        record; returns the first one's index. They end, and get their numbers, in the same
        order (under this process's `LogHead.lock`, or the head's lock), so the log can be
        searched by time (`first_ended_at_or_after`)."""
        if self._head is None:
            return self._append_locked(build)
        with self._head.lock:
            known = self._head.known
            if known is not None and self._write(*known, build(utcnow())):
                return known[0]
            return self._append_locked(build)

    def _append_locked(self, build: Callable[[datetime], Batch]) -> int:
        size, frontier = self.lock_head()
        if not self._write(size, frontier, build(utcnow())):
            raise RuntimeError("the log's head changed while it was locked")
        return size

    def _write(self, size: int, frontier: list[bytes], batch: Batch) -> bool:
        """Write `batch` after `size`, if the head is still `size` and `frontier`: the tree's new
        nodes, the head, the records. False, and nothing written, if the head has moved on."""
        nodes, after = extend(size, frontier, batch.leaves)
        seqs = list(range(size, size + len(batch.leaves)))
        records, audits = _numbered(batch.records, seqs), _numbered(batch.audits, seqs)
        if self._db.dialect.name == "postgresql":
            tree = [{"level": level, "idx": index, "hash": node} for level, index, node in nodes]
            ((written,),) = driver.execute(
                self._db,
                _GROW,
                {
                    "size": size + len(seqs),
                    "frontier": b"".join(after),
                    "was": size,
                    "was_frontier": b"".join(frontier),
                    "ledger_nodes": _as_json(self._db, ledger_nodes, tree),
                    "log_records": _as_json(self._db, log_records, records),
                    "audit_records": _as_json(self._db, audit_records, audits),
                },
            )
            if not written:
                return False
        else:
            mark = driver.placeholder(self._db.dialect)
            driver.executemany(
                self._db,
                f"INSERT INTO ledger_nodes (level, idx, hash) VALUES ({mark}, {mark}, {mark})",
                nodes,
            )
            driver.execute(
                self._db,
                f"UPDATE ledger_head SET size = {mark}, frontier = {mark} WHERE id = 1",
                (size + len(seqs), b"".join(after)),
            )
            insert_many(self._db, log_records, records)
            insert_many(self._db, audit_records, audits)
        if self._head is not None:
            self._head.known = (size + len(seqs), after)
        return True

    def forget_head(self) -> None:
        """This transaction ends without committing what it appended (`LogHead.forget`)."""
        if self._head is not None:
            self._head.forget()

    def root(self, size: int) -> bytes:
        return EMPTY_ROOT if size == 0 else self.subtree(0, size)

    def subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) from stored complete subtrees (a `SubtreeSource`)."""
        width = end - start
        if width & (width - 1) == 0 and start % width == 0:
            level = width.bit_length() - 1
            return self._node(level, start >> level)
        k = split(width)
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    @staticmethod
    def needed_for(
        proof: Callable[[SubtreeSource], object], also: Sequence[tuple[int, int]] = ()
    ) -> list[tuple[int, int]]:
        """Every stored node that `proof` will ask for (and the nodes `also` named): the proof
        is run once against a source that only notes which complete subtrees it needs."""
        needed: list[tuple[int, int]] = list(also)
        proof(_NodeRecorder(needed))
        return needed

    def size_and_prefetch(self, keys: Sequence[tuple[int, int]]) -> int:
        """The number of records, and the stored nodes `keys` not yet in memory, in one
        statement: a proof's only round trip. Nodes beyond the size do not exist, so a proof
        for a tree larger than the log finds fewer, and is refused on the size. Driver SQL:
        building the same in SQLAlchemy's expression language took most of a proof's time."""
        missing = [k for k in dict.fromkeys(keys) if k not in self._cache]
        if not missing:
            return self.size()
        # OR of pairs, not a row-value IN: SQLite answers the former from the primary key and
        # scans the whole table for the latter.
        mark = driver.placeholder(self._db.dialect)
        pairs = " OR ".join([f"(level = {mark} AND idx = {mark})"] * len(missing))
        size = -1
        for level, index, node in driver.execute(
            self._db,
            f"SELECT level, idx, hash FROM ledger_nodes WHERE {pairs} "
            "UNION ALL SELECT -1, size, NULL FROM ledger_head WHERE id = 1",
            tuple(value for key in missing for value in key),
        ):
            if level == -1:
                size = int(index)
            else:
                self._nodes.add((level, index), bytes(node))
        return size

    def _node(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self._cache:
            found = self._db.scalar(_NODE, {"level": level, "idx": index})
            if found is None:
                raise LookupError(f"no ledger node at level {level}, index {index}")
            self._nodes.add(key, bytes(found))
        return self._cache[key]

    def records_about(self, pseudonym: str) -> list[Row[Any]]:
        """The records about one person, newest first, with their audit payload."""
        lr, ar = log_records, audit_records
        return list(
            self._db.execute(
                select(
                    lr.c.seq,
                    lr.c.started_at,
                    lr.c.operation,
                    lr.c.outcome,
                    lr.c.activity_uri,
                    lr.c.trace_id,
                    lr.c.payload,
                    ar.c.user_id,
                    ar.c.payload.label("audit"),
                )
                .outerjoin(ar, ar.c.seq == lr.c.seq)
                .where(lr.c.subject == pseudonym)
                .order_by(lr.c.seq.desc())
            )
        )

    def is_about(self, seq: int, pseudonym: str) -> bool:
        """Whether record `seq` exists and is about the person with this pseudonym."""
        return self.author(seq, pseudonym)[0]

    def author(self, seq: int, pseudonym: str) -> tuple[bool, UUID | None]:
        """Whether record `seq` exists and is about the person with this pseudonym, and which
        account wrote it (None: nobody's, such as a connection to a register)."""
        lr, ar = log_records, audit_records
        row = self._db.execute(
            select(ar.c.user_id)
            .select_from(lr)
            .outerjoin(ar, ar.c.seq == lr.c.seq)
            .where(lr.c.seq == seq, lr.c.subject == pseudonym)
        ).first()
        return (row is not None, row.user_id if row is not None else None)

    def head_state(self) -> tuple[int, bytes, int, int]:
        """In one statement (one snapshot, also on PostgreSQL): the size, the head's root, and
        the highest record and leaf index stored, which must lie below the size."""
        row = self._db.exec_driver_sql(
            "SELECT size, frontier, (SELECT max(seq) FROM log_records), "
            "(SELECT max(idx) FROM ledger_nodes WHERE level = 0) FROM ledger_head WHERE id = 1"
        ).one()
        last = -1 if row[2] is None else int(row[2])
        leaf = -1 if row[3] is None else int(row[3])
        return int(row[0]), root_from_frontier(_frontier(bytes(row[1]))), last, leaf

    def scan(
        self, start: int, end: int, wanted: Iterable[int], erased_below: int = 0
    ) -> Part | Fault:
        """Check the records and leaves of ``[start, end)`` and fold them into subtrees (see
        `datameent.ledger.scan`); read through the driver, in batches, on this transaction."""
        driver = "sqlite" if self._db.dialect.name == "sqlite" else "postgresql"
        connection = self._db.connection.dbapi_connection
        return scan_on(connection, driver, start, end, wanted, erased_below)

    def erased_below(self) -> int:
        """The index below which records may be erased for retention, as the latest erasure
        record states it (0 if none). Read from that record's own payload, which verification
        checks against its digest; a row that only claims to be one (its operation column
        changed) states nothing, so an erased record above the true boundary is still found."""
        lr = log_records.c
        row = self._db.execute(
            select(lr.payload)
            .where(lr.subject.is_(None), lr.operation == ERASURE)
            .order_by(lr.seq.desc())
            .limit(1)
        ).first()
        if row is None or row.payload is None:
            return 0
        try:
            record = json.loads(row.payload)
            below = record["attributes"]["datameent.erased_below"]
        except (ValueError, KeyError, TypeError):
            return 0
        return below if record.get("name") == ERASURE and isinstance(below, int) else 0

    def first_ended_at_or_after(self, at: datetime) -> int:
        """The index of the first record that ended at `at` or later (the size if none): a
        binary search over the sequence, O(log n) primary-key reads. Records end, and get
        their number, under the head's lock (`ProcessingLog.write`), so their end times rise
        with the index as long as the clock does."""
        low, high = 0, self.size()
        while low < high:
            middle = (low + high) // 2
            ended = _ENDED.one(self._db, {"seq": middle}).ended_at
            if ended < at:
                low = middle + 1
            else:
                high = middle
        return low

    def window_start(self, since: datetime) -> int:
        """An index before which no record started at `since` or later (with `CLOCK_MARGIN`
        for a clock that was set back): where the privacy officer's queries of a recent period
        begin, instead of scanning the whole log. Searched once per period and transaction."""
        if since not in self._windows:
            self._windows[since] = self.first_ended_at_or_after(since - CLOCK_MARGIN)
        return self._windows[since]

    def denied_since(self, since: datetime, limit: int = 100) -> list[Row[Any]]:
        """Refused attempts, newest first, with who tried (from the audit record)."""
        lr, ar, start = log_records, audit_records, self.window_start(since)
        return list(
            self._db.execute(
                select(
                    lr.c.seq,
                    lr.c.started_at,
                    lr.c.operation,
                    lr.c.subject,
                    ar.c.user_id,
                    ar.c.payload.label("audit"),
                )
                .join(ar, ar.c.seq == lr.c.seq)
                .where(
                    lr.c.seq >= start,
                    ar.c.seq >= start,  # PostgreSQL does not carry it across the join
                    lr.c.outcome == "denied",
                    lr.c.started_at >= since,
                )
                .order_by(lr.c.seq.desc())
                .limit(limit)
            )
        )

    def allowed_by_rules(
        self, operations: Sequence[str], rules: Sequence[str], since: datetime
    ) -> list[Row[Any]]:
        """Allowed processings of `operations` under any rule other than `rules`."""
        lr, ar, start = log_records, audit_records, self.window_start(since)
        return list(
            self._db.execute(
                select(
                    lr.c.seq, lr.c.started_at, lr.c.operation, lr.c.subject, ar.c.user_id, ar.c.rule
                )
                .join(ar, ar.c.seq == lr.c.seq)
                .where(
                    lr.c.seq >= start,
                    ar.c.seq >= start,  # PostgreSQL does not carry it across the join
                    lr.c.outcome == "allowed",
                    lr.c.operation.in_(operations),
                    ar.c.rule.not_in(rules),
                    lr.c.started_at >= since,
                )
                .order_by(lr.c.seq.desc())
                .limit(200)
            )
        )

    def volumes_since(self, operation: str, since: datetime) -> dict[UUID, int]:
        """How many allowed `operation`s each user did since `since`."""
        lr, ar, start = log_records, audit_records, self.window_start(since)
        rows = self._db.execute(
            select(ar.c.user_id, func.count())
            .join(lr, lr.c.seq == ar.c.seq)
            .where(
                lr.c.seq >= start,
                ar.c.seq >= start,  # PostgreSQL does not carry it across the join
                lr.c.operation == operation,
                lr.c.outcome == "allowed",
                lr.c.started_at >= since,
                ar.c.user_id.is_not(None),
            )
            .group_by(ar.c.user_id)
        )
        return {row[0]: int(row[1]) for row in rows}

    def add_checkpoint(self, size: int, root: bytes, note: str, at: datetime) -> None:
        self._db.execute(
            ledger_checkpoints.insert().values(size=size, root=root, note=note, created_at=at)
        )

    def sign_checkpoint_again(self, size: int, note: str) -> None:
        """Store the checkpoint of `size` with another signature added (`ledger.cosign`); its
        size and root stay what they were."""
        self._db.execute(
            update(ledger_checkpoints).where(ledger_checkpoints.c.size == size).values(note=note)
        )

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        row = self._db.execute(
            select(ledger_checkpoints).order_by(ledger_checkpoints.c.size.desc()).limit(1)
        ).first()
        return (
            StoredCheckpoint(row.size, bytes(row.root), row.note, row.created_at) if row else None
        )

    def checkpoints(self) -> list[StoredCheckpoint]:
        rows = self._db.execute(select(ledger_checkpoints).order_by(ledger_checkpoints.c.size))
        return [StoredCheckpoint(r.size, bytes(r.root), r.note, r.created_at) for r in rows]


@functools.cache
def _names(table: Table) -> tuple[str, ...]:
    return tuple(str(column.name) for column in table.c)


def _insert_from_json(table: Table) -> str:
    """The INSERT of `table`'s rows from the JSON array in the parameter of the table's name,
    each value read by its column's own type (a string too long for its column is refused)."""
    names = ", ".join(_names(table))
    return (
        f"INSERT INTO {table.name} ({names}) SELECT {names} FROM head, "
        f"json_populate_recordset(NULL::{table.name}, %({table.name})s::json)"
    )


_GROW = f"""
WITH head AS (
    UPDATE ledger_head SET size = %(size)s, frontier = %(frontier)s
    WHERE id = 1 AND size = %(was)s AND frontier = %(was_frontier)s
    RETURNING id
), nodes AS (
    {_insert_from_json(ledger_nodes)}
), records AS (
    {_insert_from_json(log_records)}
), audits AS (
    {_insert_from_json(audit_records)}
)
SELECT count(*) FROM head
"""
"""One append on PostgreSQL, in one statement: the head moves from (`was`, `was_frontier`) to
(`size`, `frontier`) and the tree's nodes and the records are written, or, if the head is no
longer that, nothing is written and the count is 0. Waiting for another transaction's append,
the head's update sees what that one committed (read committed), so a head that moved on is
never overwritten. The audit records' reference to their records is checked at the end of the
statement, when both are written."""


def _as_json(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> str:
    """`rows` as one JSON array for `_GROW`: every column of `table` (a row without one fails
    here), each value bound as SQLAlchemy would bind it, bytes in PostgreSQL's hex form. Bound
    this way, a batch costs the driver one string; as one array per column it cost the driver
    more than the rest of the append (measured in docs/benchmarks.md)."""
    names = _names(table)
    columns = bound_columns(connection.dialect, table, [{n: row[n] for n in names} for row in rows])
    values = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    return orjson.dumps(values, default=_hex).decode()


def _hex(value: Any) -> str:
    """Bytes, bare or in the driver's wrapper that SQLAlchemy's binding puts them in, as
    PostgreSQL's ``bytea`` reads them from text."""
    value = getattr(value, "obj", value)
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    raise TypeError(f"{type(value).__name__} is not stored in the log as JSON")


def _numbered(rows: Sequence[dict[str, Any]], seqs: Sequence[int]) -> list[dict[str, Any]]:
    return [{**row, "seq": seq} for row, seq in zip(rows, seqs, strict=True)]

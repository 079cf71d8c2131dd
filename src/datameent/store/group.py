"""Group commit: several use cases in one transaction, each with its own savepoint.

Each logged read is a write transaction (its record is committed with it), and a transaction
has a fixed cost: taking SQLite's write lock, the log head, the tree's right edge, the commit
writing its pages. Calls that arrive together can share that cost without giving up the
processing log's promise: `Store.run_together` runs them one after the other in *one*
transaction, where each unit of work is a savepoint (an error, a denial or an uncommitted
change rolls back that unit of work alone); their log records are written at the end, in the
same transaction as all their processing, and nothing any of them returns may be served before
that transaction has committed. If the commit fails, every call in the group fails with it.
The group appends its records to the Merkle log only after every call has run, so no call can
see (or cache, `NodeCache`) a tree node that might still be rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from datameent.domain.processing_log import Entry
from datameent.errors import Conflict
from datameent.store import driver
from datameent.store.crypto import KeyRing
from datameent.store.engine import NOWAIT, WRITE
from datameent.store.ledger import LedgerRepository
from datameent.store.processing_log import ProcessingLog

T = TypeVar("T")


class GroupBroken(RuntimeError):
    """The group's transaction ended under it (the database rolled it back after an error):
    nothing of the group can be committed, so none of its calls succeeds."""


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What one call of a group came to: its value, or the error it raised or that the
    group's commit raised for it."""

    value: T | None = None
    error: Exception | None = None


class Group:
    """The shared transaction of one group; units of work join it through savepoints."""

    def __init__(self, engine: Engine, keys: KeyRing) -> None:
        self._engine = engine
        self._keys = keys
        self._connection: Connection | None = None
        self._entries: list[Entry] = []
        self._savepoints = 0
        self.broken = False

    def connection(self) -> Connection:
        """The group's connection, its transaction begun (with the write lock) on first use."""
        if self._connection is None:
            self.begin(wait=True)
        assert self._connection is not None
        return self._connection

    def begin(self, *, wait: bool) -> None:
        """Begin the group's transaction now. Without `wait`, raise `WriteLockBusy` at once if
        another connection holds SQLite's write lock."""
        connection = self._engine.connect().execution_options(**{WRITE: True, NOWAIT: not wait})
        try:
            connection.begin()
        except BaseException:
            connection.close()
            raise
        self._connection = connection

    def savepoint(self) -> str:
        self._savepoints += 1
        name = f"uow_{self._savepoints}"
        self._run(f"SAVEPOINT {name}")
        return name

    def roll_back_to(self, name: str) -> None:
        self._run(f"ROLLBACK TO SAVEPOINT {name}")

    def release(self, name: str) -> None:
        self._run(f"RELEASE SAVEPOINT {name}")

    def _run(self, sql: str) -> None:
        try:
            driver.execute(self.connection(), sql)
        except Exception:
            self.broken = True
            raise

    def add(self, entries: list[Entry]) -> None:
        """Log records to write when the group commits."""
        self._entries.extend(entries)

    def intact(self) -> bool:
        """False once the database has ended the transaction by itself (SQLite rolls back the
        whole transaction after some errors): what followed would run unprotected."""
        if self._connection is not None and not driver.in_transaction(self._connection):
            self.broken = True
        return not self.broken

    def commit(self) -> None:
        """Write every unit of work's log records, then commit them with their processing."""
        if not self.intact():
            raise GroupBroken("the group's transaction ended before its commit")
        if self._connection is None:
            return
        log = ProcessingLog(self._connection, self._keys, LedgerRepository(self._connection))
        try:
            log.write(self._entries)
            self._connection.commit()
        except IntegrityError as error:
            raise Conflict() from error

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if connection.in_transaction():
                connection.rollback()
        finally:
            connection.close()


def run_in(group: Group, calls: Sequence[Callable[[], T]]) -> list[Outcome[T]]:
    """Run `calls` in `group` one after the other, then commit the group (see the module)."""
    outcomes: list[Outcome[T]] = []
    for call in calls:
        try:
            outcomes.append(Outcome(value=call()))
        except Exception as error:
            outcomes.append(Outcome(error=error))
        if not group.intact():
            break
    try:
        group.commit()
    except Exception as error:
        # Nothing of the group was committed: no call may answer as if it had been.
        failed = [o if o.error is not None else Outcome[T](error=error) for o in outcomes]
        return failed + [Outcome[T](error=error)] * (len(calls) - len(outcomes))
    return outcomes

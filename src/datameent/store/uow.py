"""The unit of work: one transaction around one use case, with its processing log.

A service opens it with ``with store.unit_of_work() as uow:``, asks ``uow.authorize(...)`` for
a permit, works through the repositories and calls ``uow.commit()``. The commit first writes the
processing-log records of everything the permits touched, in the same transaction. Leaving the
block without committing rolls everything back, so an error halfway never leaves half a record
behind; leaving it *normally* with personal data touched but not committed is a programming
error and raises, so nothing read can be served without its log record.

Inside `Store.run_together` (group commit, `store/group.py`) a unit of work is a savepoint in
the group's transaction instead of a transaction of its own, with the same rules: what it did
not commit is rolled back when it ends, a denial keeps only its log record, and its records are
written when the group commits.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from datameent.domain.policy import AccessRequest, Decision, Permit, decide
from datameent.domain.processing import activity_for
from datameent.domain.processing_log import Entry
from datameent.errors import KEYS_NOT_HELD, AccessDenied, Conflict, DatameentError, KeysNotHeld
from datameent.store.accounts import AccountRepository
from datameent.store.budgets import BudgetRepository
from datameent.store.caseloads import CaseloadRepository
from datameent.store.complaints import ComplaintRepository
from datameent.store.crypto import KeyRing, UnknownMasterKey
from datameent.store.decisions import DecisionRepository
from datameent.store.dialogue import DialogueRepository
from datameent.store.effects import EffectModelRepository
from datameent.store.engine import WRITE, WriteGate
from datameent.store.group import Group, Outcome, run_in
from datameent.store.keys import KeyRepository, stored_identifiers
from datameent.store.ledger import LedgerRepository, LogHead, NodeCache
from datameent.store.notifications import NotificationRepository
from datameent.store.persons import PersonRepository
from datameent.store.processing_log import ProcessingLog
from datameent.store.registers import ActivityRegister, RegisterRepository
from datameent.store.rights import RightsRepository
from datameent.store.sharing import SharingRepository
from datameent.store.story import StoryRepository
from datameent.store.vault import VaultRepository

T = TypeVar("T")


_READ_ONLY = {"postgresql_readonly": True}
"""A unit of work that only reads begins ``READ ONLY`` on PostgreSQL (ignored by SQLite)."""
_EACH_STATEMENT = {"isolation_level": "AUTOCOMMIT"}
"""A unit of work that reads only what never changes once written (the log's tree nodes) and
needs no snapshot across its statements: no `BEGIN` and `COMMIT` around them, which were two of
a proof's round trips on PostgreSQL (a proof now makes one: `LedgerRepository.size_and_prefetch`).
Not on SQLite, whose transactions this engine begins itself (`store.engine`) and whose reads cost
no round trip."""


class UnloggedProcessing(RuntimeError):
    """Personal data was touched in a unit of work that ended without committing its log."""


class UnitOfWork:
    persons: PersonRepository
    vault: VaultRepository
    accounts: AccountRepository
    caseloads: CaseloadRepository
    ledger: LedgerRepository
    log: ProcessingLog
    sharing: SharingRepository
    story: StoryRepository
    rights: RightsRepository
    decisions: DecisionRepository
    complaints: ComplaintRepository
    registers: RegisterRepository
    budgets: BudgetRepository
    effect_models: EffectModelRepository
    dialogue: DialogueRepository
    notifications: NotificationRepository
    keys: KeyRepository

    def __init__(
        self,
        engine: Engine,
        keys: KeyRing,
        activities: ActivityRegister,
        *,
        write: bool,
        snapshot: bool = True,
        nodes: NodeCache | None = None,
        head: LogHead | None = None,
        group: Group | None = None,
    ) -> None:
        self._engine = engine
        self._keys = keys
        self._activities = activities
        self._write = write
        # Without a snapshot: only for reads, and only where a transaction costs round trips.
        self._each_statement = not (snapshot or write) and engine.dialect.name == "postgresql"
        self._nodes = nodes
        self._head = head
        self._group = group
        self._savepoint = ""
        self._connection: Connection | None = None

    def __enter__(self) -> UnitOfWork:
        if self._group is None:
            options = _EACH_STATEMENT if self._each_statement else {WRITE: self._write}
            connection = self._engine.connect().execution_options(
                **options, **({} if self._write else _READ_ONLY)
            )
            connection.begin()
        else:
            connection = self._group.connection()
            self._savepoint = self._group.savepoint()
        self._connection = connection
        self.ledger = LedgerRepository(
            connection, None if self._write else self._nodes, self._head if self._write else None
        )
        self.log = ProcessingLog(connection, self._keys, self.ledger)
        self.persons = PersonRepository(connection, self._keys, self.log)
        self.vault = VaultRepository(connection, self.persons, self.log)
        self.accounts = AccountRepository(connection)
        self.caseloads = CaseloadRepository(connection)
        self.sharing = SharingRepository(connection, self.persons, self.log)
        self.story = StoryRepository(connection, self.persons, self.log)
        self.rights = RightsRepository(connection, self.persons, self.log)
        self.decisions = DecisionRepository(connection, self.persons, self.log)
        self.complaints = ComplaintRepository(connection, self.persons, self.log)
        self.registers = RegisterRepository(connection)
        self.budgets = BudgetRepository(connection)
        self.effect_models = EffectModelRepository(connection)
        self.dialogue = DialogueRepository(connection)
        self.notifications = NotificationRepository(connection)
        self.keys = KeyRepository(connection, self.log)
        return self

    def authorize(self, request: AccessRequest) -> Permit:
        """Ask the policy. Allowed: a permit whose use is logged at commit. Denied: the denial
        is logged and committed on its own (nothing else of this unit of work is), then
        `AccessDenied` is raised."""
        if not self._write:
            raise RuntimeError("processing personal data needs a unit of work with write=True")
        decision = decide(request)
        entry = self.log.open(decision, self.activity_uri(activity_for(request.actor, decision)))
        if decision.allowed:
            return self.log.issue(decision, entry)
        raise self._commit_denial(decision, entry)

    def log_denied(self, request: AccessRequest, reason: str) -> AccessDenied:
        """A service found, after the policy allowed, that the attempt reaches something that
        is not the actor's (another person's request or grant): log that as a denial of
        `request`, like the policy's own, and return the error to raise."""
        decision = Decision(request, False, "default-deny", (reason,))
        activity = self.activity_uri(activity_for(request.actor, decision))
        return self._commit_denial(decision, self.log.open(decision, activity))

    def activity_uri(self, code: str) -> str:
        """The URI of the current version of processing activity `code`."""
        return self._activities.current_uri(self._require_connection(), code)

    def _commit_denial(self, decision: Decision, entry: Entry) -> AccessDenied:
        """Roll back whatever this unit of work did, commit the denial's record on its own
        (in a group: keep only the record, which the group commits)."""
        connection = self._require_connection()
        denied = AccessDenied(decision.reasons, hide_existence=decision.permit_hides_existence())
        if self._group is not None:
            self._group.roll_back_to(self._savepoint)
            self.log.discard()
            self._group.add([entry])
            return denied
        connection.rollback()
        self.log.discard()
        connection.begin()
        self._write_and_commit([entry])
        connection.begin()
        return denied

    def commit(self) -> None:
        self._require_connection()
        if self._group is not None:
            # Kept for the group's commit; what follows starts a savepoint of its own.
            self._group.add(self.log.take())
            self._group.release(self._savepoint)
            self._savepoint = self._group.savepoint()
            return
        try:
            self._write_and_commit(self.log.take())
        except IntegrityError as error:
            raise Conflict() from error

    def _write_and_commit(self, entries: list[Entry]) -> None:
        """Append `entries` to the log and commit. If that fails, nothing of it happened, also
        not the append this process may go on from (`LogHead`)."""
        try:
            self.log.write(entries)
            self._require_connection().commit()
        except BaseException:
            self.ledger.forget_head()
            raise

    def _read_only(self, connection: Connection) -> bool:
        """Whether the database itself refuses this transaction's writes (PostgreSQL)."""
        return not self._write and connection.dialect.name == "postgresql"

    def _require_connection(self) -> Connection:
        assert self._connection is not None, "use the unit of work in a with-block"
        return self._connection

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection = self._require_connection()
        unlogged = exc is None and self.log.pending
        try:
            # Roll back what was not committed (in a group: to this unit of work's savepoint).
            if self._group is not None:
                self._group.roll_back_to(self._savepoint)
                self._group.release(self._savepoint)
            elif connection.in_transaction():
                if exc is None and self._read_only(connection):
                    # Nothing to undo, and a commit keeps the driver's prepared statements,
                    # which psycopg drops at every rollback (one more round trip).
                    connection.commit()
                else:
                    connection.rollback()
            if isinstance(exc, DatameentError) and not isinstance(exc, AccessDenied):
                self._log_refusal(connection, exc)
        finally:
            self.log.discard()
            if self._group is None:
                connection.close()
            self._connection = None
        if unlogged:
            raise UnloggedProcessing("personal data was processed without committing its log")
        if isinstance(exc, IntegrityError):
            raise Conflict() from exc

    def _log_refusal(self, connection: Connection, error: DatameentError) -> None:
        """An attempt the policy allowed but that was refused for what it asked (an unknown
        attribute, someone else's request, a duty grant to revoke...) changed nothing; for the
        sharing and rights actions it is logged as denied, with the reason, on its own (in a
        group: with the group's records)."""
        refused = self.log.refused(type(error).__name__)
        if not refused:
            return
        if self._group is not None:
            self._group.add(refused)
            return
        connection.begin()
        self._write_and_commit(refused)


class Store:
    """The database and the keys: where units of work come from."""

    def __init__(self, engine: Engine, keys: KeyRing) -> None:
        self.engine = engine
        self._ring = keys
        self.nodes = NodeCache()
        self.log_head = LogHead()
        """Where this process's last append left the log (`LogHead`)."""
        self.activities = ActivityRegister(engine)
        """The register of processing activities, in memory."""
        self._local = threading.local()

    @functools.cached_property
    def keys(self) -> KeyRing:
        """The key ring, with the identifier keys the database keeps once its master key has
        been rotated (`KeyRing.opened`): read at the first use, so that no process can find
        persons or log under identifier keys other than the database's.
        `KeysNotHeld` if the settings do not hold the master key that wraps them."""
        try:
            return self._ring.opened(stored_identifiers(self.engine))
        except UnknownMasterKey as error:
            raise KeysNotHeld(KEYS_NOT_HELD) from error

    @functools.cached_property
    def write_gate(self) -> WriteGate | None:
        """The file lock that this database's server processes take turns by (`WriteGate`);
        None where there is none (PostgreSQL, an in-memory database)."""
        return WriteGate.beside(self.engine)

    @property
    def embedded(self) -> bool:
        """SQLite runs inside this process: its calls are short, local work, not network waits."""
        return self.engine.dialect.name == "sqlite"

    def unit_of_work(self, *, write: bool = True, snapshot: bool = True) -> UnitOfWork:
        """`snapshot=False` (read-only units of work only): each statement sees what is
        committed when it runs, as for reading the log's proofs, which only grow."""
        group: Group | None = getattr(self._local, "group", None)
        return UnitOfWork(
            self.engine,
            self.keys,
            self.activities,
            write=write,
            snapshot=snapshot,
            nodes=self.nodes,
            head=self.log_head,
            group=group,
        )

    def run_together(
        self, calls: Sequence[Callable[[], T]], *, wait: bool = True
    ) -> list[Outcome[T]]:
        """Run `calls` (use cases) one after the other in one transaction, and commit it once:
        group commit (`store/group.py`). Every unit of work they open on this thread joins it.
        A call's value may be served only once this returns it; if the commit fails, every
        call's outcome is that error. Without `wait`, the transaction begins first and, if
        another connection holds SQLite's write lock, `WriteLockBusy` is raised before any
        call has run."""
        if getattr(self._local, "group", None) is not None:
            raise RuntimeError("groups do not nest")
        group = Group(self.engine, self.keys)
        if not wait:
            group.begin(wait=False)
        self._local.group = group
        try:
            return run_in(group, calls)
        finally:
            self._local.group = None
            group.close()

    def dispose(self) -> None:
        gate = self.__dict__.pop("write_gate", None)  # only if it was ever opened
        if gate is not None:
            gate.close()
        self.engine.dispose()

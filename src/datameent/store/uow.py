"""The unit of work: one transaction around one use case.

A service opens it with ``with store.unit_of_work() as uow:``, works through its repositories
and calls ``uow.commit()``. Leaving the block without committing rolls everything back, so an
error halfway never leaves half a record behind.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from datameent.errors import Conflict
from datameent.store.accounts import AccountRepository
from datameent.store.caseloads import CaseloadRepository
from datameent.store.crypto import KeyRing
from datameent.store.engine import WRITE
from datameent.store.persons import PersonRepository
from datameent.store.vault import VaultRepository


class UnitOfWork:
    persons: PersonRepository
    vault: VaultRepository
    accounts: AccountRepository
    caseloads: CaseloadRepository

    def __init__(self, engine: Engine, keys: KeyRing, *, write: bool) -> None:
        self._engine = engine
        self._keys = keys
        self._write = write
        self._connection: Connection | None = None

    def __enter__(self) -> UnitOfWork:
        connection = self._engine.connect().execution_options(**{WRITE: self._write})
        connection.begin()
        self._connection = connection
        self.persons = PersonRepository(connection, self._keys)
        self.vault = VaultRepository(connection, self.persons)
        self.accounts = AccountRepository(connection)
        self.caseloads = CaseloadRepository(connection)
        return self

    def commit(self) -> None:
        assert self._connection is not None
        try:
            self._connection.commit()
        except IntegrityError as error:
            raise Conflict() from error

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        try:
            if self._connection.in_transaction():
                self._connection.rollback()
        finally:
            self._connection.close()
            self._connection = None
        if isinstance(exc, IntegrityError):
            raise Conflict() from exc


class Store:
    """The database and the keys: where units of work come from."""

    def __init__(self, engine: Engine, keys: KeyRing) -> None:
        self.engine = engine
        self.keys = keys

    @property
    def embedded(self) -> bool:
        """SQLite runs inside this process: its calls are short, local work, not network waits."""
        return self.engine.dialect.name == "sqlite"

    def unit_of_work(self, *, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.engine, self.keys, write=write)

    def dispose(self) -> None:
        self.engine.dispose()

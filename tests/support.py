"""Helpers shared by the test layers: keys, settings, databases built from migrated templates."""

from __future__ import annotations

import asyncio
import base64
import shutil
import threading
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, text

from datameent.domain.accounts import User
from datameent.services.clock import utcnow
from datameent.services.seed import seed_municipality
from datameent.settings import Environment, Settings
from datameent.store.crypto import KeyRing
from datameent.store.engine import make_engine
from datameent.store.migrate import upgrade
from datameent.store.tables import log_records
from datameent.store.uow import Store, UnitOfWork

MASTER_KEY = bytes(range(32))
SECRET_KEY = "a-test-secret-key-that-is-long-enough-for-the-checks"
LOG_KEY = bytes(range(64, 96))
LOG_ORIGIN = "datameent.local/verwerkingenlogboek"
SEED_PERSONS = 130
"""Enough for three case managers (60 clients each), so some clients are strangers to each."""
SEED = 7
T = TypeVar("T")


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings(
        environment=Environment.DEVELOPMENT,
        data_dir=data_dir,
        database_url=url,
        secret_key=SECRET_KEY,
        master_key=base64.b64encode(MASTER_KEY).decode(),
        log_signing_key=base64.b64encode(LOG_KEY).decode(),
    )


def store_for(url: str) -> Store:
    return Store(make_engine(url), KeyRing(MASTER_KEY))


def migrate_and_seed(url: str, *, seeded: bool) -> None:
    store = store_for(url)
    upgrade(store.engine)
    if seeded:
        seed_municipality(store, SEED_PERSONS, SEED, demo_password="demo")
    store.dispose()


class SqliteTemplates:
    """Migrated (and seeded) database files, made once and copied for every test."""

    def __init__(self, directory: Path) -> None:
        self.files = {}
        for seeded in (False, True):
            path = directory / f"template-{seeded}.sqlite3"
            migrate_and_seed(f"sqlite:///{path}", seeded=seeded)
            # Fold the write-ahead log into the file so that one copy holds everything.
            engine = create_engine(f"sqlite:///{path}")
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            self.files[seeded] = path

    @contextmanager
    def database(self, directory: Path, *, seeded: bool) -> Iterator[str]:
        target = directory / f"db-{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copy(self.files[seeded], target)
        yield f"sqlite:///{target}"


class PostgresTemplates:
    """Template databases on the throwaway server; each test gets `CREATE DATABASE ... TEMPLATE`.

    A copy takes the server some 0.3 s, so the next test's copy is made while this one runs
    (one in reserve per kind; the server does the work, next to the test's own process)."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self._admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        for seeded in (False, True):
            name = self._name(seeded)
            with self._admin.connect() as c:
                c.execute(text(f"DROP DATABASE IF EXISTS {name}"))
                c.execute(text(f"CREATE DATABASE {name}"))
            migrate_and_seed(self._url(name), seeded=seeded)
        self._copier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="template-copy")
        self._reserve: dict[bool, Future[str]] = {}

    @staticmethod
    def _name(seeded: bool) -> str:
        return "tpl_seeded" if seeded else "tpl_migrated"

    def _url(self, name: str) -> str:
        return self.server_url.rsplit("/", 1)[0] + "/" + name

    def _copy(self, seeded: bool) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as c:
            c.execute(text(f"CREATE DATABASE {name} TEMPLATE {self._name(seeded)}"))
        return name

    def _drop(self, name: str) -> None:
        with self._admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    @contextmanager
    def database(self, directory: Path, *, seeded: bool) -> Iterator[str]:
        reserved = self._reserve.pop(seeded, None)
        name = reserved.result() if reserved else self._copy(seeded)
        self._reserve[seeded] = self._copier.submit(self._copy, seeded)
        try:
            yield self._url(name)
        finally:
            self._drop(name)

    def dispose(self) -> None:
        for reserved in self._reserve.values():
            self._drop(reserved.result())
        self._copier.shutdown()
        self._admin.dispose()


def user(store: Store, username: str) -> User:
    with store.unit_of_work(write=False) as uow:
        found = uow.accounts.by_username(username)
    assert found is not None, username
    return found[0]


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` in a thread of its own: a browser test (Playwright's sync API) may have
    left an event loop running on the test's thread, where `asyncio.run` refuses to start."""
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(asyncio.run(coroutine))
        except BaseException as error:  # handed to the test's thread
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


def take_next_log_number(uow: UnitOfWork) -> None:
    """Insert a bare log record at the next sequence number, behind the log's back: the
    record this unit of work (or its group) appends next will collide with it."""
    uow._require_connection().execute(
        log_records.insert().values(
            seq=uow.ledger.size(),
            trace_id="0" * 32,
            span_id="0" * 16,
            operation="vault.read",
            outcome="allowed",
            started_at=utcnow(),
            ended_at=utcnow(),
            activity_uri="urn:test",
            digest=bytes(32),
        )
    )

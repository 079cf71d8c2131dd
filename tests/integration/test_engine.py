"""The engines: SQLite's write-ahead log is copied back by a thread of its own while serving,
the pools hand out the connection returned last, and on PostgreSQL a connection that idled is
checked before it goes out."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from datameent.services import vault
from datameent.store import driver
from datameent.store.engine import WalCheckpointer, make_engine
from datameent.store.uow import Store, UnitOfWork
from tests.support import user


def _records_in_the_database_file(path: str) -> int:
    """Records in the main database file alone: `immutable` makes SQLite ignore the WAL. (-1
    while a checkpoint is writing the file: read then, it can look torn.)"""
    with closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as connection:
        try:
            return int(connection.execute("SELECT count(*) FROM log_records").fetchone()[0])
        except sqlite3.DatabaseError:
            return -1


def test_the_checkpointer_copies_the_log_back_without_a_request_doing_it(seeded: Store) -> None:
    checkpointer = WalCheckpointer(seeded.engine, interval=0.05)
    if seeded.engine.dialect.name != "sqlite":
        checkpointer.start()  # nothing to do on PostgreSQL: no thread
        assert checkpointer._thread is None
        return
    path = seeded.engine.url.database
    assert path is not None
    resident = user(seeded, "inwoner1")
    with seeded.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _records_in_the_database_file(path)
    for _ in range(5):
        vault.read_vault(seeded, resident, resident.person_id)  # type: ignore[arg-type]
    # Far below the autocheckpoint threshold: the reads left their pages in the WAL only.
    assert _records_in_the_database_file(path) == before
    checkpointer.start()
    try:
        deadline = time.monotonic() + 10
        while _records_in_the_database_file(path) < before + 5 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        checkpointer.stop()
    assert _records_in_the_database_file(path) == before + 5
    assert checkpointer._thread is None


def test_the_pool_hands_out_the_connection_returned_last(seeded: Store) -> None:
    """On SQLite, the connection that wrote last still holds its page cache; the others drop
    theirs when they next begin (store/engine.py)."""
    with seeded.engine.connect() as first, seeded.engine.connect() as second:
        earlier = first.connection.dbapi_connection
        later = second.connection.dbapi_connection
        assert earlier is not later
    # `second` went back first, `first` last.
    with seeded.engine.connect() as again:
        assert again.connection.dbapi_connection is earlier
    with seeded.engine.connect() as one, seeded.engine.connect() as two:
        assert {one.connection.dbapi_connection, two.connection.dbapi_connection} == {
            earlier,
            later,
        }


POSTGRES = pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)]
)


@POSTGRES
def test_a_unit_of_work_that_only_reads_cannot_write(seeded: Store) -> None:
    with pytest.raises(DBAPIError), seeded.unit_of_work(write=False) as uow:
        driver.execute(uow._require_connection(), "UPDATE ledger_head SET size = size")


@POSTGRES
def test_reads_end_without_dropping_the_connections_prepared_statements(seeded: Store) -> None:
    # psycopg prepares a statement run often on one connection, and drops them all at every
    # rollback (one more round trip, and every statement planned again). The pool hands out
    # the connection returned last, so these reads all run on one connection.
    statement = "SELECT count(*) FROM ledger_head WHERE id = 1"
    for _ in range(8):
        with seeded.unit_of_work(write=False) as uow:
            assert driver.execute(uow._require_connection(), statement) == [(1,)]
    with seeded.unit_of_work(write=False) as uow:
        prepared = driver.execute(
            uow._require_connection(),
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = %s",
            (statement,),
        )
    assert prepared == [(1,)]


def _backend(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _terminate(url: str, backend: int) -> None:
    """End one server process as a restart or an idle timeout would; returns once it is gone."""
    other = make_engine(url)
    try:
        with other.begin() as connection:
            connection.exec_driver_sql(f"SELECT pg_terminate_backend({backend}, 10000)")
    finally:
        other.dispose()


@pytest.fixture
def engine_idling(database_url: str) -> Iterator[Callable[[float], Engine]]:
    """Engines on the test database that check a connection after it idled `window` seconds."""
    made: list[Engine] = []

    def make(window: float) -> Engine:
        made.append(make_engine(database_url, alive_window=window))
        return made[-1]

    yield make
    for engine in made:
        engine.dispose()


@POSTGRES
def test_a_connection_the_server_closed_while_it_idled_is_replaced_unnoticed(
    database_url: str, engine_idling: Callable[[float], Engine]
) -> None:
    engine = engine_idling(0.05)
    first = _backend(engine)
    _terminate(database_url, first)
    time.sleep(0.1)
    assert _backend(engine) != first  # no error: asked, found gone, replaced


@POSTGRES
def test_a_connection_given_back_a_moment_ago_goes_out_without_asking_the_server(
    engine_idling: Callable[[float], Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_idling(0.3)
    pings: list[object] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or ping(c))
    first = _backend(engine)  # a new connection: not asked
    for _ in range(5):
        assert _backend(engine) == first
    assert pings == []
    time.sleep(0.4)
    assert _backend(engine) == first
    assert len(pings) == 1


@POSTGRES
def test_when_the_server_closes_a_connection_just_used_one_statement_fails_then_all_is_new(
    database_url: str, engine_idling: Callable[[float], Engine]
) -> None:
    # The price of not asking every time (store/engine.py `_ping_when_idle`).
    engine = engine_idling(60)
    first = _backend(engine)
    _terminate(database_url, first)
    with pytest.raises(DBAPIError) as failed:
        _backend(engine)
    assert failed.value.connection_invalidated
    assert _backend(engine) != first


@POSTGRES
def test_a_read_without_a_snapshot_runs_each_statement_on_its_own(seeded: Store) -> None:
    # For the log's proofs: no BEGIN and COMMIT around their two statements (store/uow.py).
    def status(uow: UnitOfWork) -> TransactionStatus:
        driver.execute(uow._require_connection(), "SELECT size FROM ledger_head WHERE id = 1")
        dbapi = uow._require_connection().connection.dbapi_connection
        return dbapi.info.transaction_status  # type: ignore[union-attr, no-any-return]

    with seeded.unit_of_work(write=False, snapshot=False) as uow:
        assert status(uow) == TransactionStatus.IDLE
    # The same connection (the pool's last returned) is back to transactions, and one that
    # writes always has its transaction.
    with seeded.unit_of_work(write=False) as uow:
        assert status(uow) == TransactionStatus.INTRANS
    with seeded.unit_of_work(snapshot=False) as uow:
        assert status(uow) == TransactionStatus.INTRANS

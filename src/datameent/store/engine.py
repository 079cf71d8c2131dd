"""Database engines: the same code on SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, InvalidatePoolError

from datameent.store import driver

log = logging.getLogger("datameent.store")

WRITE = "datameent_write"
"""Execution option: this transaction will write, so on SQLite take the write lock up front."""
NOWAIT = "datameent_nowait"
"""Execution option, with `WRITE`: on SQLite, fail at once with `WriteLockBusy` when another
connection holds the write lock, instead of waiting for it."""
BUSY_TIMEOUT_MS = 30_000
_SQLITE_BUSY = 5
ALIVE_WINDOW = 0.5
"""Seconds: a pooled PostgreSQL connection given back less than this long ago is handed out
again without first asking the server whether it is still there (`_ping_when_idle`)."""
_RETURNED = "datameent_returned"


class WriteLockBusy(Exception):
    """Another connection holds SQLite's write lock (asked not to wait for it)."""


def database_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use psycopg 3 for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, pool_size: int = 40, alive_window: float = ALIVE_WINDOW) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, pool_size)
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=20,
        # The connection returned last goes out first: the rest idle, and the server may close
        # them (SQLAlchemy's advice); see also _sqlite_engine.
        pool_use_lifo=True,
        hide_parameters=True,
    )
    _ping_when_idle(engine, alive_window)
    return engine


def _ping_when_idle(engine: Engine, window: float) -> None:
    """Before handing out a pooled connection that has been idle for `window` seconds or more,
    ask the server whether it is still there; if it is gone (restarted, or the connection was
    closed), the pool opens a new one and drops the others it held from before, and the caller
    never notices. SQLAlchemy's `pool_pre_ping` asks every time, which on a busy server cost
    every unit of work a round trip (0.1 ms of a proof's 1.1 ms, measured in
    docs/benchmarks.md), to learn about a connection that was in use a few milliseconds ago.
    HikariCP, the JDBC pool, skips the check in the same way (`aliveBypassWindowMs`, 500 ms).
    The price: when the server goes away within `window` of a connection's last use, the
    statement that meets the closed connection fails (as one running at that moment would);
    SQLAlchemy then renews the pool, and what follows gets a new connection."""
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:
            record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED)
        if returned is not None and time.monotonic() - returned < window:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                # The pool replaces this connection and every other from before now.
                raise InvalidatePoolError() from error
            raise


def _sqlite_engine(url: str, pool_size: int) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=pool_size,
        max_overflow=20,
        # The connection returned last goes out first. SQLite keeps a page cache per connection
        # and drops all of it when another connection has written since: once the page routes'
        # threads have grown the pool, connections handed out in turn began each logged read
        # on a cold cache and read some 55 pages back from the file (in-process, with two
        # connections in turn: 55 page reads per logged read, with this 0.2).
        pool_use_lifo=True,
        # Parameters never appear in error messages or logs: they may hold personal data.
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "foreign_keys=ON",
            "synchronous=NORMAL",
            f"busy_timeout={BUSY_TIMEOUT_MS}",
            # Copy the write-ahead log back into the database every ~40 MB instead of every
            # 4 MB: fewer, larger checkpoints (a page written many times is copied once). The
            # processing log appends about a quarter faster (benchmarks/ledger.py); the commit
            # that does the checkpoint takes longer.
            "wal_autocheckpoint=10000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A writer takes the lock when it begins, so two writers queue instead of deadlocking
        # when both try to upgrade a read lock.
        options = connection.get_execution_options()
        immediate = options.get(WRITE, False)
        # On the driver: every unit of work begins here, and SQLAlchemy's execution of a
        # statement costs more than SQLite's BEGIN (store/driver.py).
        if not (immediate and options.get(NOWAIT, False)):
            driver.execute(connection, "BEGIN IMMEDIATE" if immediate else "BEGIN")
            return
        driver.execute(connection, "PRAGMA busy_timeout = 0")
        try:
            driver.execute(connection, "BEGIN IMMEDIATE")
        except DBAPIError as error:
            code = getattr(error.orig, "sqlite_errorcode", None)
            if code is not None and code & 0xFF == _SQLITE_BUSY:
                raise WriteLockBusy() from error
            raise
        finally:
            driver.execute(connection, f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    return engine


class WriteGate:
    """A file lock beside an SQLite database that the server processes' groups take before
    SQLite's write lock, so that they take turns without polling.

    SQLite does not tell a waiting writer when its lock comes free: its busy handler sleeps 1,
    2, 5 ... 100 ms between tries, and a server that does not wait on the event loop must try
    again on a timer. Either way the lock stood idle between two processes' groups (with two
    workers, about a quarter of the time; docs/benchmarks.md). A waiter blocked on an advisory
    file lock (``flock``) is woken by the kernel the moment the holder lets go, and a process
    that dies lets go with it. Other writers (the command line, page routes) do not take the
    gate; they meet SQLite's own lock as before."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    @classmethod
    def beside(cls, engine: Engine) -> WriteGate | None:
        """The gate of `engine`'s SQLite file; None for other databases, an in-memory one, or
        a directory where the gate's file cannot be made (then nobody waits on it)."""
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        try:
            return cls(Path(database).with_name(Path(database).name + "-gate"))
        except OSError as error:
            log.warning("no write gate beside the database: %s", type(error).__name__)
            return None

    def try_take(self) -> bool:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def take(self) -> None:
        """Wait for the gate (blocks: call it from a thread of its own)."""
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def give(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self._fd)


class WalCheckpointer:
    """Copies SQLite's write-ahead log back into the database from a thread of its own.

    Without it, the commit that crosses `wal_autocheckpoint` copies the log itself, on the
    request's path: every 800 or so logged reads one waited about 40 ms (docs/benchmarks.md),
    and with it every request queued behind it. Here a PASSIVE checkpoint runs every
    `interval` seconds on its own connection, without waiting for readers or writers; the
    driver lets go of the GIL while SQLite copies, so the event loop goes on serving. The
    log stays far below the threshold, and the autocheckpoint remains as the safety net (for
    the CLI, and should this thread fall behind). A server process starts one (`web.app`);
    several processes each running one is fine: SQLite lets one checkpoint at a time and the
    others skip their turn.
    """

    def __init__(self, engine: Engine, interval: float = 0.25) -> None:
        self._engine = engine
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._engine.dialect.name != "sqlite" or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="wal-checkpointer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None

    def _run(self) -> None:
        connection = self._engine.raw_connection()
        try:
            while not self._stop.wait(self._interval):
                try:
                    cursor = connection.cursor()
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    cursor.close()
                except Exception as error:  # keep going; the next turn may well succeed
                    log.warning("WAL checkpoint failed: %s", type(error).__name__)
        finally:
            connection.close()

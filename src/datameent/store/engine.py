"""Database engines: the same code on SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection

from datameent.store import driver

WRITE = "datameent_write"
"""Execution option: this transaction will write, so on SQLite take the write lock up front."""


def database_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use psycopg 3 for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, pool_size: int = 40) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, pool_size)
    return create_engine(
        url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True, hide_parameters=True
    )


def _sqlite_engine(url: str, pool_size: int) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=pool_size,
        max_overflow=20,
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
            "busy_timeout=30000",
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
        immediate = connection.get_execution_options().get(WRITE, False)
        # On the driver: every unit of work begins here, and SQLAlchemy's execution of a
        # statement costs more than SQLite's BEGIN (store/driver.py).
        driver.execute(connection, "BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine

"""Bulk inserts straight to the database driver, for the processing log's hot path.

SQLAlchemy's per-row parameter handling was the largest cost of appending to the log. Here each
column's bind processor (the same conversion SQLAlchemy would apply: UTC datetimes, UUIDs on
SQLite, ...) is looked up once per statement and applied column by column, once per distinct
value, and the rows go to the driver's ``executemany`` (`driver.executemany`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Dialect, Table
from sqlalchemy.engine import Connection

from datameent.store import driver


def insert_many(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    names = tuple(rows[0])
    statement, _ = _prepared(connection.dialect, table, names)
    columns = bound_columns(connection.dialect, table, rows)
    driver.executemany(connection, statement, list(zip(*columns, strict=True)))


def bound_columns(
    dialect: Dialect, table: Table, rows: Sequence[dict[str, Any]]
) -> list[list[Any]]:
    """The values of `rows` (all with the keys of the first) column by column, converted as
    SQLAlchemy would bind them."""
    names = tuple(rows[0])
    _, processors = _prepared(dialect, table, names)
    if len(rows) == 1:  # one record per request: the common case of the log's appends
        row = rows[0]
        return [
            [row[n] if p is None or row[n] is None else p(row[n])]
            for n, p in zip(names, processors, strict=True)
        ]
    columns: list[list[Any]] = []
    for name, process in zip(names, processors, strict=True):
        values = [row[name] for row in rows]
        if process is not None:
            # Rows of one batch often share a value (every record of a flush ends at the same
            # moment): convert each distinct value once.
            converted = {v: process(v) for v in set(values) if v is not None}
            values = [None if v is None else converted[v] for v in values]
        columns.append(values)
    return columns


@functools.lru_cache(maxsize=256)
def _prepared(
    dialect: Dialect, table: Table, names: tuple[str, ...]
) -> tuple[str, tuple[Callable[[Any], Any] | None, ...]]:
    """The INSERT statement and each column's bind processor, worked out once per shape."""
    processors = tuple(
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    marks = ", ".join([driver.placeholder(dialect)] * len(names))
    return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", processors

"""Bulk inserts straight to the database driver, for the processing log's hot path.

SQLAlchemy's per-row parameter handling was the largest cost of appending to the log. Here each
column's bind processor (the same conversion SQLAlchemy would apply: UTC datetimes, UUIDs on
SQLite, ...) is looked up once per statement and the rows go to the driver's ``executemany``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection


def insert_many(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = connection.dialect
    names = list(rows[0])
    processors: list[Callable[[Any], Any] | None] = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    columns = ", ".join(names)
    marks = ", ".join([mark] * len(names))
    values = [
        tuple(
            p(row[n]) if p is not None and row[n] is not None else row[n]
            for n, p in zip(names, processors, strict=True)
        )
        for row in rows
    ]
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", values)

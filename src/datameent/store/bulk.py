"""Bulk inserts straight to the database driver, for the processing log's hot path.

SQLAlchemy's per-row parameter handling was the largest cost of appending to the log. Here each
column's bind processor (the same conversion SQLAlchemy would apply: UTC datetimes, UUIDs on
SQLite, ...) is looked up once per statement and applied column by column, once per distinct
value, and the rows go to the driver's ``executemany``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection


def insert_many(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = connection.dialect
    names = list(rows[0])
    columns: list[list[Any]] = []
    for name in names:
        values = [row[name] for row in rows]
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            # Rows of one batch often share a value (every record of a flush ends at the same
            # moment): convert each distinct value once.
            converted = {v: process(v) for v in set(values) if v is not None}
            values = [None if v is None else converted[v] for v in values]
        columns.append(values)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))})",
        list(zip(*columns, strict=True)),
    )

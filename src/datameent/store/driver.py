"""Statements straight to the database driver, for the hot path of every logged read.

A logged vault read runs about a dozen statements. SQLAlchemy's execution of one (the compiled
cache, parameter and result processing, events, a result object) costs 15 to 35 µs on top of
what the driver itself needs for the small statements of the policy's facts and the processing
log (1 to 3 µs); measured in docs/benchmarks.md, that overhead was a large part of what a read
costs. So the read's statements (the caller's session, the policy's facts, the person, the
values and their recorders, the log's writes) go to the driver's cursor of the unit of work's
own connection, inside its transaction, with the conversions SQLAlchemy would apply: a `Select`
is compiled once per dialect and converts its parameters and columns with the column types' own
bind and result processors (on SQLite, for UUIDs and UTC datetimes, with equivalents that cost
less). Driver errors are raised as SQLAlchemy's (an IntegrityError stays one), without their
parameters.
"""

from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, SafeUUID

import sqlalchemy
from sqlalchemy import Dialect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, StatementError

from datameent.store.types import UTCDateTime


def placeholder(dialect: Dialect) -> str:
    """The driver's positional parameter mark: ``?`` for sqlite3, ``%s`` for psycopg."""
    return "?" if dialect.paramstyle == "qmark" else "%s"


def execute(
    connection: Connection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[Any]:
    """Run `sql` on `connection`'s driver cursor, in its transaction; returns the rows.
    Parameters by position (`placeholder`), or by name (``%(name)s``, psycopg only)."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []
    except connection.dialect.loaded_dbapi.Error as error:
        raise _error(connection, sql, error) from error
    finally:
        cursor.close()


def executemany(connection: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, rows)
    except connection.dialect.loaded_dbapi.Error as error:
        raise _error(connection, sql, error) from error
    finally:
        cursor.close()


def _error(connection: Connection, sql: str, error: Exception) -> StatementError:
    """The driver's error as SQLAlchemy would raise it, without the parameters."""
    dialect = connection.dialect
    return DBAPIError.instance(
        sql, None, error, dialect.loaded_dbapi.Error, hide_parameters=True, dialect=dialect
    )


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None
    """Parameter names in order for a positional driver; None: the driver takes a mapping."""
    binds: dict[str, Callable[[Any], Any]]
    fixed: dict[str, Any]
    """Values bound when the statement was built (a literal in a condition)."""
    expanding: frozenset[str]
    """Parameters that take a list (``IN``); each element is converted on its own."""
    results: tuple[tuple[int, Callable[[Any], Any]], ...]
    """The columns that need converting, by position, with their conversion."""
    row: Callable[..., Any]


class Select:
    """A SELECT built with SQLAlchemy, run on the driver: the same SQL and the same
    conversions, without the per-execution work. Rows come back as named tuples with the
    statement's column names. An expanding parameter (``IN`` a list) gets one mark per element;
    an empty list is left to SQLAlchemy, which knows how each database says "in nothing"."""

    def __init__(self, statement: sqlalchemy.Select[*tuple[Any, ...]]) -> None:
        self._statement = statement

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[Any]:
        compiled = self._compiled(connection.dialect)
        row, results = compiled.row, compiled.results
        if compiled.expanding and not all(params[name] for name in compiled.expanding):
            return [row(*r) for r in connection.execute(self._statement, dict(params))]
        sql, arguments = self._arguments(connection.dialect, compiled, params)
        found = []
        for r in execute(connection, sql, arguments):
            values = list(r)
            for i, process in results:
                value = values[i]
                if value is not None:
                    values[i] = process(value)
            found.append(row(*values))
        return found

    def one(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        (found,) = self.rows(connection, params)
        return found

    def _arguments(
        self, dialect: Dialect, compiled: _Compiled, params: Mapping[str, Any]
    ) -> tuple[str, Any]:
        given = {**compiled.fixed, **params}
        converted: dict[str, Any] = {}
        for name, process in compiled.binds.items():
            value = given[name]
            if name in compiled.expanding:
                converted[name] = [None if v is None else process(v) for v in value]
            else:
                converted[name] = None if value is None else process(value)
        if not compiled.expanding:
            if compiled.names is None:
                return compiled.sql, converted
            return compiled.sql, tuple(converted[n] for n in compiled.names)
        lengths = tuple((name, len(converted[name])) for name in sorted(compiled.expanding))
        sql = self._expanded(dialect, lengths)
        if compiled.names is None:
            for name in compiled.expanding:
                converted.update((f"{name}_{i}", v) for i, v in enumerate(converted.pop(name)))
            return sql, converted
        positional: list[Any] = []
        for name in compiled.names:
            if name in compiled.expanding:
                positional.extend(converted[name])
            else:
                positional.append(converted[name])
        return sql, tuple(positional)

    @functools.lru_cache(maxsize=256)  # noqa: B019 (module-level statements; lists up to a few dozen)
    def _expanded(self, dialect: Dialect, lengths: tuple[tuple[str, int], ...]) -> str:
        """The SQL with each expanding parameter's token replaced by one mark per element."""
        sql = self._compiled(dialect).sql
        positional = dialect.paramstyle == "qmark"
        for name, length in lengths:
            marks = ["?" if positional else f"%({name}_{i})s" for i in range(length)]
            sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join(marks))
        return sql

    @functools.cache  # noqa: B019 (a handful of module-level statements, one entry per dialect)
    def _compiled(self, dialect: Dialect) -> _Compiled:
        compiled = self._statement.compile(dialect=dialect)
        if dialect.paramstyle not in ("qmark", "pyformat"):
            raise ValueError(f"driver.Select does not know the paramstyle {dialect.paramstyle}")
        identity = lambda value: value  # noqa: E731
        binds = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect) or identity
            for name, bind in compiled.binds.items()
        }
        fixed = {
            name: bind.effective_value
            for name, bind in compiled.binds.items()
            if not bind.required and bind.callable is None
        }
        expanding = frozenset(name for name, bind in compiled.binds.items() if bind.expanding)
        columns = self._statement.selected_columns
        processors = [_result_processor(column.type, dialect) for column in columns]
        results = tuple((i, p) for i, p in enumerate(processors) if p is not None)
        names = tuple(compiled.positiontup) if compiled.positional else None  # type: ignore[arg-type]
        return _Compiled(
            compiled.string,
            names,
            binds,
            fixed,
            expanding,
            results,
            namedtuple("Row", list(columns.keys()), rename=True),
        )


def _result_processor(type_: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column type's own conversion of a value read, or on SQLite an equivalent one that
    costs less for the types every vault read converts a hundred times (a test compares
    them): UUIDs stored as 32 hex digits, and UTC datetimes stored as ISO text."""
    if dialect.name == "sqlite":
        if isinstance(type_, sqlalchemy.Uuid) and type_.as_uuid:
            return _uuid_from_hex
        if isinstance(type_, UTCDateTime):
            return _utc_from_text
    processor: Callable[[Any], Any] | None = type_.dialect_impl(dialect).result_processor(
        dialect, None
    )
    return processor


def _uuid_from_hex(value: str) -> UUID:
    if len(value) != 32:
        return UUID(value)
    uuid = object.__new__(UUID)
    object.__setattr__(uuid, "int", int(value, 16))
    object.__setattr__(uuid, "is_safe", SafeUUID.unknown)
    return uuid


def _utc_from_text(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def in_transaction(connection: Connection) -> bool:
    """Whether the driver's connection is inside a transaction, as the database sees it (not
    as SQLAlchemy believes: a database may end a transaction by itself after an error)."""
    raw: Any = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite":
        return bool(raw.in_transaction)
    from psycopg import pq

    return bool(raw.info.transaction_status != pq.TransactionStatus.IDLE)

"""Reading the log's records and leaves for verification, in index ranges, through the driver.

`ledger verify` reads every record of the log. For a large log it reads ranges side by side in
worker processes: ``python -m datameent.store.ledger_scan``, handed its range and where the
database is on stdin (never on the command line, where a password would show in the process
list) and answering its `Part` or `Fault` as JSON on stdout. A worker imports only this module,
the pure scan and the database driver (not SQLAlchemy, nor the caller's main module as
`multiprocessing` would), so it starts in a fraction of a second. The SQL is the same for
SQLite and PostgreSQL; only the placeholder differs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from datameent.ledger.scan import Fault, Part, scan

RECORDS = "SELECT seq, digest, payload FROM log_records WHERE seq >= {0} AND seq < {0} ORDER BY seq"
LEAVES = (
    "SELECT idx, hash FROM ledger_nodes WHERE level = 0 AND idx >= {0} AND idx < {0} ORDER BY idx"
)
BATCH = 20_000


@dataclass(frozen=True)
class Source:
    """Where a worker process finds the log: the driver and what to connect with."""

    driver: str  # "sqlite" or "postgresql"
    target: str  # a file path, or a libpq connection URI


def source_of(url: Any) -> Source | None:
    """The `Source` for an SQLAlchemy URL, or None where another process cannot open the
    same database (SQLite in memory)."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database
        return None if not database or database == ":memory:" else Source("sqlite", database)
    if backend == "postgresql":
        plain = url.set(drivername="postgresql")
        return Source("postgresql", plain.render_as_string(hide_password=False))
    return None


def stream(cursor: Any, batch: int = BATCH) -> Iterator[Any]:
    while chunk := cursor.fetchmany(batch):
        yield from chunk


def scan_part(
    source: Source, start: int, end: int, wanted: Iterable[int], erased_below: int = 0
) -> Part | Fault:
    """Scan ``[start, end)`` over a connection of its own (run in a worker process)."""
    if source.driver == "sqlite":
        import sqlite3

        connection: Any = sqlite3.connect(source.target)
    else:
        import psycopg

        connection = psycopg.connect(source.target)
    try:
        return scan_on(connection, source.driver, start, end, wanted, erased_below)
    finally:
        connection.close()


def scan_on(
    connection: Any, driver: str, start: int, end: int, wanted: Iterable[int], erased_below: int = 0
) -> Part | Fault:
    """Scan ``[start, end)`` over a driver connection (sqlite3 or psycopg)."""
    if driver == "sqlite":
        records, leaves, mark = connection.cursor(), connection.cursor(), "?"
    else:
        # Named cursors are read on the server in batches, not loaded whole; they need the
        # transaction psycopg opens.
        records, leaves = connection.cursor("log_records"), connection.cursor("log_leaves")
        mark = "%s"
    try:
        records.execute(RECORDS.format(mark), (start, end))
        leaves.execute(LEAVES.format(mark), (start, end))
        return scan(stream(records), stream(leaves), start, end, wanted, erased_below)
    finally:
        records.close()
        leaves.close()


def run_parts(
    source: Source, ranges: Sequence[tuple[int, int]], wanted: Iterable[int], erased_below: int = 0
) -> list[Any]:
    """Start one worker process per range; returns their running handles (see `collect`)."""
    workers = []
    for start, end in ranges:
        worker = subprocess.Popen(
            [sys.executable, "-m", "datameent.store.ledger_scan"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        request = {
            "driver": source.driver,
            "target": source.target,
            "start": start,
            "end": end,
            "wanted": sorted(wanted),
            "erased_below": erased_below,
        }
        assert worker.stdin is not None
        worker.stdin.write(json.dumps(request).encode())
        worker.stdin.close()
        workers.append(worker)
    return workers


def collect(worker: Any) -> Part | Fault | None:
    """Wait for a worker started by `run_parts` and read its answer; None if it failed (the
    caller scans that range itself)."""
    output = worker.stdout.read()
    worker.stdout.close()
    if worker.wait() != 0:
        return None
    return _decode(json.loads(output))


def _encode(result: Part | Fault) -> dict[str, Any]:
    if isinstance(result, Fault):
        return {"fault": [result.index, result.problem]}

    def subtrees(stack: list[tuple[int, int, bytes]]) -> list[list[Any]]:
        return [[level, index, node.hex()] for level, index, node in stack]

    return {
        "start": result.start,
        "end": result.end,
        "subtrees": subtrees(result.subtrees),
        "at": {str(size): subtrees(stack) for size, stack in result.at.items()},
    }


def _decode(answer: dict[str, Any]) -> Part | Fault:
    if "fault" in answer:
        index, problem = answer["fault"]
        return Fault(int(index), str(problem))

    def subtrees(items: list[list[Any]]) -> list[tuple[int, int, bytes]]:
        return [(int(level), int(index), bytes.fromhex(node)) for level, index, node in items]

    return Part(
        int(answer["start"]),
        int(answer["end"]),
        subtrees(answer["subtrees"]),
        {int(size): subtrees(stack) for size, stack in answer["at"].items()},
    )


def main() -> None:
    try:
        request = json.loads(sys.stdin.buffer.read())
        source = Source(request["driver"], request["target"])
        result = scan_part(
            source, request["start"], request["end"], request["wanted"], request["erased_below"]
        )
    except Exception as error:  # noqa: BLE001 - one line, no traceback; the caller takes over
        sys.stderr.write(f"verification worker: {type(error).__name__}\n")
        raise SystemExit(1) from None
    sys.stdout.write(json.dumps(_encode(result)))


if __name__ == "__main__":
    main()

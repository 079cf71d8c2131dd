"""Benchmark: rotating the master key over many persons.

    .venv/bin/python -m benchmarks.key_rotation [--persons 20000] [--rounds 3]
        [--database-url postgresql+psycopg://...]   # an empty database; default SQLite

Fills a database with `persons` persons (their rows only: a BSN ciphertext, a blind index and a
data key wrapped under the first master key) and then, in turns, per round:

- the baseline: the same batches of 500 as the rotation, each in its own transaction, reading
  the rows and writing each person's data key back unchanged: the database's share of the work;
- the rotation as `datameent keys rotate` runs it (`services.keys.rotate_master_key`): the
  wrapped keys opened and sealed again (AES-256-GCM), each written only if it did not change
  meanwhile, and each batch a line of the processing log. The rounds rotate back and forth
  between two keys, so every round wraps every key again.

Prints persons per second for both and their ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from sqlalchemy import select, update

from datameent.services.keys import ROTATE_BATCH, rotate_master_key
from datameent.store.crypto import KeyRing
from datameent.store.engine import make_engine
from datameent.store.migrate import upgrade
from datameent.store.tables import persons
from datameent.store.uow import Store

FIRST, SECOND = bytes(range(32)), bytes(range(32, 64))


def fill(url: str, count: int) -> None:
    store = Store(make_engine(url), KeyRing(FIRST))
    upgrade(store.engine)
    keys, now = store.keys, datetime.now(UTC)
    with store.engine.begin() as connection:
        for start in range(0, count, 5000):
            rows = []
            for n in range(start, min(count, start + 5000)):
                person = uuid4()
                key, wrapped = keys.new_data_key(person)
                bsn = f"{n:09d}"
                rows.append(
                    {
                        "id": person,
                        "client_number": f"K{n + 1:07d}",
                        "bsn_index": keys.bsn_index(bsn),
                        "bsn_ciphertext": key.encrypt(bsn.encode(), "bsn"),
                        "data_key": wrapped,
                        "key_version": keys.version,
                        "created_at": now,
                    }
                )
            connection.execute(persons.insert(), rows)
    store.dispose()


def baseline(store: Store) -> None:
    """The rotation's statements without its keys: every row read in batches and written back."""
    after = None
    while True:
        with store.engine.begin() as connection:
            query = select(persons.c.id, persons.c.data_key).order_by(persons.c.id)
            if after is not None:
                query = query.where(persons.c.id > after)
            rows = connection.execute(query.limit(ROTATE_BATCH)).all()
            for person_id, wrapped in rows:
                connection.execute(
                    update(persons)
                    .where(persons.c.id == person_id, persons.c.data_key == wrapped)
                    .values(data_key=wrapped)
                )
        if len(rows) < ROTATE_BATCH:
            return
        after = rows[-1][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{Path(directory) / 'keys.sqlite3'}"
        fill(url, args.persons)
        print(
            f"{args.persons:,} persons on {url.split(':')[0]}; machine: {platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}"
        )
        current, previous = SECOND, FIRST
        ratios = []
        for round_ in range(1, args.rounds + 1):
            plain = Store(make_engine(url), KeyRing(previous))
            started = time.perf_counter()
            baseline(plain)
            base = time.perf_counter() - started
            plain.dispose()
            rotating = Store(make_engine(url), KeyRing(current, previous))
            started = time.perf_counter()
            report = rotate_master_key(rotating)
            took = time.perf_counter() - started
            rotating.dispose()
            assert report.rewrapped == args.persons
            ratios.append(base / took)
            print(
                f"round {round_}: baseline {args.persons / base:,.0f} persons/s, rotation "
                f"{args.persons / took:,.0f} persons/s ({took:.2f} s), ratio {base / took:.2f}"
            )
            current, previous = previous, current
        print(f"median ratio {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()

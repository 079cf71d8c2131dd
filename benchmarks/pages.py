"""Benchmark: a case manager's client file page over real HTTP.

    .venv/bin/python -m benchmarks.pages [--seconds 5] [--workers 1]
        [--database-url postgresql://.../an-empty-database] [--calls-at-once N]

The page a case manager opens most: `GET /clienten/{id}` with a session cookie, rotating over
the whole caseload. It runs five logged service calls (the case file, the vault for the chosen
purpose with history, the shared story, the decisions, the questions about data) and renders
some 25 kB of HTML. Measured with wrk at 1, 8 and 32 connections, next to the bare framework
serving the same page body from the same server stack (`serve.py: baseline_app`): the ceiling
that the server alone allows on this machine. Needs Debian's `wrk`. On SQLite unless
`--database-url` names an empty database (the benchmark builds the town in it);
`--calls-at-once` sets `DATAMEENT_CALLS_AT_ONCE` (PostgreSQL).
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import timedelta
from pathlib import Path

import httpx

from benchmarks.vault_read import (
    CONCURRENCY,
    MASTER,
    add_server_options,
    announce,
    prepare,
    rotating,
    run_wrk,
    server_settings,
    start,
)
from datameent.services import accounts
from datameent.services.caseloads import my_caseload
from datameent.store.crypto import KeyRing
from datameent.store.engine import make_engine
from datameent.store.uow import Store


def session(env: dict[str, str]) -> tuple[str, list[str]]:
    """A web session of `klantmanager1`, and the paths of their clients' files."""
    store = Store(make_engine(env["DATAMEENT_DATABASE_URL"]), KeyRing(MASTER))
    try:
        with store.unit_of_work(write=False) as uow:
            by_name = uow.accounts.by_username("klantmanager1")
        assert by_name is not None
        user = by_name[0]
        token = accounts.open_session(store, user, accounts.WEB, timedelta(hours=5))
        return token, [f"/clienten/{case.person_id}" for case in my_caseload(store, user)]
    finally:
        store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    add_server_options(parser)
    args = parser.parse_args()
    announce(args)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        env = {**prepare(directory, args.database_url), **server_settings(args)}
        token, paths = session(env)
        cookie = f"dm_session={token}; dm_csrf=benchmark"
        product, base = start("datameent", env, args.workers)
        try:
            page = httpx.get(f"{base}{paths[0]}", headers={"Cookie": cookie})
            if page.status_code != 200:
                raise RuntimeError(f"the client file answered {page.status_code}")
            bare, bare_base = start(
                "baseline",
                {**env, "BENCH_BODY": page.text, "BENCH_MEDIA": "text/html; charset=utf-8"},
                args.workers,
            )
            try:
                print("\n| clients | pages/s | p50 ms | p99 ms | bare framework pages/s | ratio |")
                print("|---:|---:|---:|---:|---:|---:|")
                for c in CONCURRENCY:
                    ours = run_wrk(
                        base, rotating(paths, "Cookie", cookie), c, args.seconds, directory
                    )
                    ceiling = run_wrk(
                        bare_base, rotating(paths, "Cookie", ""), c, args.seconds, directory
                    )
                    print(
                        f"| {c} | {ours['rps']:,.0f} | {ours['p50_ms']:.2f} | "
                        f"{ours['p99_ms']:.2f} | {ceiling['rps']:,.0f} | "
                        f"{ours['rps'] / ceiling['rps']:.2f} |"
                    )
            finally:
                bare.terminate()
                bare.wait()
        finally:
            product.terminate()
            product.wait()
        print(f"\n({len(paths)} clients in the caseload, {len(page.content):,} bytes per page)")


if __name__ == "__main__":
    main()

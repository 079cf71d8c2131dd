"""Benchmark: the vault read API over real HTTP on SQLite, and the demo's start-up time.

    .venv/bin/python -m benchmarks.vault_read [--seconds 10] [--workers 1] [--rounds 3]
        [--database-url postgresql://.../an-empty-database] [--calls-at-once N]

Measures `GET /api/v1/persons/{id}/attributes` by a case manager (rotating over their whole
caseload) with wrk at 1, 8 and 32 concurrent connections, next to two baselines measured in the
same run: the same read without access policy and processing log (`serve.py: unlogged_app`,
taking turns with the product's read, `--rounds` times per load), and the same response body
served by a bare FastAPI route on the same server (no token lookup, policy, database or
decryption). Then the time from `datameent demo` to a served login page (`--no-demo` skips it).
Needs Debian's `wrk`. With `--database-url` the reads are served from that database (which
must be empty: the benchmark creates the schema and the town) instead of a new SQLite file.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from datameent.services.seed import seed_municipality
from datameent.store.crypto import KeyRing
from datameent.store.engine import make_engine
from datameent.store.ledger import LedgerRepository
from datameent.store.migrate import upgrade
from datameent.store.uow import Store

MASTER = bytes(range(32))
CONCURRENCY = (1, 8, 32)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, timeout: float = 60, ok: tuple[int, ...] = (200,)) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if httpx.get(url, timeout=2).status_code in ok:
                return time.monotonic() - started
        except httpx.TransportError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer")


def prepare(directory: Path, url: str | None = None) -> dict[str, str]:
    url = url or f"sqlite:///{directory / 'datameent.sqlite3'}"
    store = Store(make_engine(url), KeyRing(MASTER))
    upgrade(store.engine)
    seed_municipality(store, 200, 42, demo_password="demo")
    store.dispose()
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DATAMEENT_")},
        "DATAMEENT_ENVIRONMENT": "production",
        "DATAMEENT_DATABASE_URL": url,
        "DATAMEENT_DATA_DIR": str(directory),
        "DATAMEENT_SECRET_KEY": "benchmark-secret-key-long-enough-0123456789",
        "DATAMEENT_MASTER_KEY": base64.b64encode(MASTER).decode(),
        "DATAMEENT_LOG_SIGNING_KEY": base64.b64encode(bytes(32)).decode(),
        "DATAMEENT_TOKEN_MINUTES": "600",
    }


def log_size(env: dict[str, str]) -> int:
    """Records in the processing log of the benchmark's database."""
    engine = make_engine(env["DATAMEENT_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return LedgerRepository(connection).size()
    finally:
        engine.dispose()


def start(
    mode: str, env: dict[str, str], workers: int, ready: str | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.serve", mode, str(port), str(workers)], env=env
    )
    base = f"http://127.0.0.1:{port}"
    path = ready or ("/openapi.json" if mode == "baseline" else "/inloggen")
    wait_for(f"{base}{path}", ok=(200, 401, 422))
    return process, base


def wrk(
    base: str, paths: list[str], token: str, connections: int, seconds: int, directory: Path
) -> dict[str, float]:
    """wrk over `paths` in turn, with a bearer token."""
    script = rotating(paths, "Authorization", f"Bearer {token}")
    return run_wrk(base, script, connections, seconds, directory)


def rotating(paths: list[str], header: str, value: str) -> str:
    """A wrk script that GETs `paths` in turn, each request with one header."""
    return (
        "local paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        f'  return wrk.format("GET", paths[i], {{["{header}"] = "{value}"}})\n'
        "end\n"
    )


def run_wrk(
    base: str, script: str, connections: int, seconds: int, directory: Path
) -> dict[str, float]:
    """wrk with a Lua `script` that makes each request: requests per second, p50 and p99."""
    path = directory / "requests.lua"
    path.write_text(script)
    threads = min(connections, 2)
    output = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
         "-s", str(path), base],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if "Non-2xx" in output:
        raise RuntimeError(f"some requests failed:\n{output}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": _latency(output, "50%"),
        "p99_ms": _latency(output, "99%"),
    }


def _latency(output: str, percentile: str) -> float:
    match = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)\b", output)
    assert match, output
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
    return float(match.group(1)) * scale


def measure_reads(
    directory: Path,
    seconds: int,
    workers: int,
    rounds: int,
    url: str | None = None,
    settings: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The product's read, the same read without policy and log, and the bare framework, all
    three served at once; at each concurrency the first two take turns `rounds` times (which
    goes first alternates), so that the machine's drift falls on both alike, and their ratio
    is taken per round."""
    env = {**prepare(directory, url), **(settings or {})}
    servers = []
    try:
        product, base = start("datameent", env, workers)
        servers.append(product)
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "klantmanager1", "password": "demo"}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        caseload = httpx.get(f"{base}/api/v1/me", headers=headers).json()["caseload"]
        # Policy v2: a case manager's read names its purpose and returns what was granted.
        paths = [f"/api/v1/persons/{p}/attributes?purpose=re-integratie" for p in caseload]
        body = httpx.get(f"{base}{paths[0]}", headers=headers).content
        unlogged, unlogged_base = start("unlogged", env, workers, ready=paths[0])
        servers.append(unlogged)
        before = log_size(env)
        if httpx.get(f"{unlogged_base}{paths[0]}", headers=headers).content != body:
            raise RuntimeError("the read without policy and log answers something else")
        if log_size(env) != before:
            raise RuntimeError("the read without policy and log was served by the product's")
        bare, bare_base = start("baseline", {**env, "BENCH_BODY": body.decode()}, workers)
        servers.append(bare)
        rows = []
        for c in CONCURRENCY:
            ours, theirs = [], []
            for turn in range(rounds):
                order = [(base, ours), (unlogged_base, theirs)]
                for server, results in order if turn % 2 == 0 else reversed(order):
                    results.append(wrk(server, paths, token, c, seconds, directory))
            framework = wrk(bare_base, paths, "none", c, seconds, directory)
            ratios = [a["rps"] / b["rps"] for a, b in zip(ours, theirs, strict=True)]
            rows.append(
                {
                    "clients": c,
                    "rps": statistics.median(r["rps"] for r in ours),
                    "p50_ms": statistics.median(r["p50_ms"] for r in ours),
                    "p99_ms": statistics.median(r["p99_ms"] for r in ours),
                    "baseline_rps": framework["rps"],
                    "ratio": statistics.median(r["rps"] for r in ours) / framework["rps"],
                    "unlogged_rps": statistics.median(r["rps"] for r in theirs),
                    "unlogged_p99_ms": statistics.median(r["p99_ms"] for r in theirs),
                    "logged_ratio": statistics.median(ratios),
                    "ratios": ratios,
                    "caseload": len(paths),
                    "body_bytes": len(body),
                }
            )
        return rows
    finally:
        for process in servers:
            process.terminate()
            process.wait()


def measure_demo_start(directory: Path, runs: int = 3) -> list[float]:
    times = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAMEENT_")}
    for run in range(runs):
        port = free_port()
        started = time.monotonic()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "datameent",
                "demo",
                "--port",
                str(port),
                "--data-dir",
                str(directory / f"demo{run}"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/inloggen")
            times.append(time.monotonic() - started)
        finally:
            process.terminate()
            process.wait()
    return times


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """The options of the server under test, shared by the HTTP benchmarks."""
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--database-url", help="serve from this empty database (default: a new SQLite file)"
    )
    parser.add_argument(
        "--calls-at-once",
        type=int,
        help="DATAMEENT_CALLS_AT_ONCE for the servers (PostgreSQL; default: the setting's)",
    )


def server_settings(args: argparse.Namespace) -> dict[str, str]:
    """The settings `add_server_options` asked for, as the servers' environment."""
    if args.calls_at_once is None:
        return {}
    return {"DATAMEENT_CALLS_AT_ONCE": str(args.calls_at_once)}


def announce(args: argparse.Namespace) -> None:
    """Stop if wrk is missing; print the machine and the server under test."""
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.processor() or '?'}; "
        f"Python {platform.python_version()}; server workers: {args.workers}; "
        f"database: {'PostgreSQL' if args.database_url else 'SQLite'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--rounds", type=int, default=3, help="turns of the logged and unlogged read per load"
    )
    parser.add_argument("--no-demo", action="store_true", help="skip the demo's start-up time")
    add_server_options(parser)
    args = parser.parse_args()
    announce(args)
    with tempfile.TemporaryDirectory() as tmp:
        rows = measure_reads(
            Path(tmp),
            args.seconds,
            args.workers,
            args.rounds,
            args.database_url,
            server_settings(args),
        )
        print(
            "\n| clients | reads/s | p50 ms | p99 ms | bare framework reads/s | ratio "
            "| no policy, no log reads/s | its p99 ms | ratio (median) | ratio per round |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in rows:
            print(
                f"| {r['clients']:.0f} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | "
                f"{r['p99_ms']:.2f} | {r['baseline_rps']:,.0f} | {r['ratio']:.2f} | "
                f"{r['unlogged_rps']:,.0f} | {r['unlogged_p99_ms']:.2f} | "
                f"{r['logged_ratio']:.2f} | "
                f"{', '.join(f'{x:.2f}' for x in r['ratios'])} |"
            )
        print(
            f"\n(caseload of {rows[0]['caseload']:.0f} persons, "
            f"{rows[0]['body_bytes']:.0f} bytes per response)"
        )
        if args.no_demo:
            return
        demo = measure_demo_start(Path(tmp))
        print(
            f"\n`datameent demo` (200 persons) to a served login page: "
            f"median {statistics.median(demo):.2f} s over {len(demo)} runs "
            f"({', '.join(f'{t:.2f}' for t in demo)})"
        )


if __name__ == "__main__":
    main()

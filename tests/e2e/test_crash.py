"""Kill the server with SIGKILL in the middle of a burst of reads and writes: after the crash
the log verifies, every served response has its record, and the numbers have no gaps."""

from __future__ import annotations

import base64
import os
import secrets
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import httpx

from tests.e2e.conftest import free_port
from tests.e2e.test_cli import DATAMEENT, environment, run
from tests.support import LOG_KEY, MASTER_KEY, SECRET_KEY, migrate_and_seed


def burst(
    base: str, tokens: list[tuple[str, str]], served: list[str], stop: threading.Event, worker: int
) -> None:
    with httpx.Client(base_url=base, timeout=5) as client:
        n = 0
        while not stop.is_set():
            token, person = tokens[(worker + n) % len(tokens)]
            trace = secrets.token_hex(16)
            headers = {
                "Authorization": f"Bearer {token}",
                "traceparent": f"00-{trace}-{secrets.token_hex(8)}-01",
            }
            try:
                if n % 3 == 0:
                    body = {"key": "hours_available", "value": n % 40, "source": "self_declared"}
                    response = client.post(
                        f"/api/v1/persons/{person}/attributes", json=body, headers=headers
                    )
                else:
                    response = client.get(f"/api/v1/persons/{person}/attributes", headers=headers)
            except httpx.TransportError:
                return
            if response.is_success:
                served.append(trace)
            n += 1


def test_sigkill_mid_burst_loses_no_served_record_and_leaves_no_gap(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'datameent.sqlite3'}"
    migrate_and_seed(database_url, seeded=True)  # residents inwoner1.. with password "demo"
    env = environment(
        tmp_path,
        DATAMEENT_SECRET_KEY=SECRET_KEY,
        DATAMEENT_MASTER_KEY=base64.b64encode(MASTER_KEY).decode(),
        DATAMEENT_LOG_SIGNING_KEY=base64.b64encode(LOG_KEY).decode(),
    )
    port = free_port()
    server = subprocess.Popen(
        DATAMEENT + ["serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        tokens = []
        for n in range(1, 7):
            token = httpx.post(
                f"{base}/api/v1/auth/token",
                data={"username": f"inwoner{n}", "password": "demo"},
            ).json()["access_token"]
            person = httpx.get(
                f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
            ).json()["personId"]
            tokens.append((token, person))
        served: list[str] = []
        stop = threading.Event()
        workers = [
            threading.Thread(target=burst, args=(base, tokens, served, stop, w)) for w in range(8)
        ]
        for w in workers:
            w.start()
        time.sleep(2.0)
        os.killpg(server.pid, signal.SIGKILL)
        stop.set()
        for w in workers:
            w.join(timeout=10)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    assert len(served) > 50, "the burst should have been served for a while"
    verified = run(["ledger", "verify"], env)
    assert verified.returncode == 0, verified.stderr
    with sqlite3.connect(tmp_path / "datameent.sqlite3") as database:
        logged = {row[0] for row in database.execute("SELECT trace_id FROM log_records")}
        seqs = [row[0] for row in database.execute("SELECT seq FROM log_records ORDER BY seq")]
    missing = [trace for trace in served if trace not in logged]
    assert missing == [], f"{len(missing)} served responses have no log record"
    assert seqs == list(range(len(seqs)))

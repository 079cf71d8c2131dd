"""Over real HTTP: reads that arrive together share one transaction and each is served and
logged as its own, and a write lock held by another process does not stop the server."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from datameent.store.tables import log_records
from tests.e2e.conftest import LiveServer, bearer
from tests.e2e.test_pages import csrf_token


def log_size(live: LiveServer) -> int:
    with live.store.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(log_records)) or 0)


def read_ends(live: LiveServer, after: int) -> list[object]:
    """When each vault read logged from index `after` on ended: one commit, one moment."""
    with live.store.engine.connect() as connection:
        return list(
            connection.scalars(
                select(log_records.c.ended_at).where(
                    log_records.c.seq >= after, log_records.c.operation == "vault.read"
                )
            )
        )


def test_reads_that_arrive_together_are_each_served_and_logged(
    live: LiveServer, http: httpx.Client, backend: str
) -> None:
    headers = bearer(http, "klantmanager1")
    caseload = http.get("/api/v1/me", headers=headers).json()["caseload"]
    paths = [f"/api/v1/persons/{p}/attributes?purpose=re-integratie" for p in caseload[:8]]
    alone = {path: http.get(path, headers=headers).json() for path in paths}
    before = log_size(live)

    def burst(path: str) -> list[httpx.Response]:
        # Threads, not asyncio: a browser test may have left an event loop on this thread.
        with httpx.Client(base_url=live.url, headers=headers, timeout=30) as client:
            start.wait()
            return [client.get(path) for _ in range(5)]

    start = threading.Barrier(len(paths))
    with ThreadPoolExecutor(len(paths)) as pool:
        responses = [r for rs in pool.map(burst, paths) for r in rs]
    assert [r.status_code for r in responses] == [200] * 40
    for response in responses:
        assert response.json() == alone[response.url.raw_path.decode()], "each gets its own"
    ends = read_ends(live, before)
    assert len(ends) == 40, "one record per read"
    if backend == "sqlite":  # where the API's calls share transactions (web/group_commit.py)
        assert len(set(ends)) < 40, "reads that came together were committed together"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_server_keeps_answering_while_another_process_holds_the_write_lock(
    live: LiveServer, http: httpx.Client
) -> None:
    headers = bearer(http, "klantmanager1")
    person = http.get("/api/v1/me", headers=headers).json()["caseload"][0]
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        # As `datameent ledger erase-expired` or a second server worker would.
        connection = live.store.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            locked.set()
            release.wait(10)
            cursor.execute("ROLLBACK")
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(10)
        with httpx.Client(base_url=live.url, headers=headers, timeout=30) as reader:
            read = threading.Thread(
                target=lambda: results.append(
                    reader.get(f"/api/v1/persons/{person}/attributes?purpose=re-integratie")
                )
            )
            results: list[httpx.Response] = []
            read.start()
            time.sleep(0.3)
            assert results == [], "the read waits for the lock"
            started = time.monotonic()
            assert http.get("/api/v1/openapi.json").status_code == 200
            assert time.monotonic() - started < 1.0, "other requests are answered meanwhile"
            release.set()
            read.join(10)
        assert [r.status_code for r in results] == [200]
    finally:
        release.set()
        holder.join(10)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_pages_that_arrive_together_share_a_transaction(
    live: LiveServer, http: httpx.Client
) -> None:
    # Page handlers run like the API's calls (web/routing.py), not in the threadpool.
    token = csrf_token(http.get("/inloggen").text)
    http.post(
        "/inloggen",
        data={"username": "klantmanager1", "password": "demo", "csrf_token": token, "next": "/"},
    )
    caseload = http.get("/api/v1/me", headers=bearer(http, "klantmanager1")).json()["caseload"]
    before = log_size(live)

    def open_files(person: str) -> list[int]:
        with httpx.Client(base_url=live.url, cookies=http.cookies, timeout=30) as client:
            start.wait()
            return [client.get(f"/clienten/{person}").status_code for _ in range(3)]

    start = threading.Barrier(6)
    with ThreadPoolExecutor(6) as pool:
        statuses = [s for ss in pool.map(open_files, caseload[:6]) for s in ss]
    assert statuses == [200] * 18
    ends = read_ends(live, before)
    assert len(ends) == 18, "each file's read is logged once"
    assert len(set(ends)) < 18, "files opened together were committed together"

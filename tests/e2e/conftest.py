"""A real server on a real port, serving a seeded database, for HTTP tests."""

from __future__ import annotations

import gc
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from datameent.web.app import create_app
from tests.support import settings_for, store_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, url: str, data_dir: Path, **settings: Any) -> None:
        """`settings`: any besides the tests' own (`tests.support.settings_for`)."""
        # The server's start collects garbage in full once and exempts what is there from later
        # scans (`create_app`'s lifespan): in production, the server process's own objects. Here
        # the process also holds what every earlier test left, more with each test, and the
        # collection took up to 0.35 s per test. Frozen first, they are left out, as they would
        # be from a server of its own; the server's stop unfreezes them again.
        gc.freeze()
        self.store = store_for(url)
        self.data_dir = data_dir
        app = create_app(settings_for(url, data_dir).model_copy(update=settings), store=self.store)
        port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.store.dispose()


@pytest.fixture
def live(seeded_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(seeded_url, tmp_path)
    yield server
    server.stop()


@pytest.fixture
def http(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        yield client


def bearer(http: httpx.Client, username: str, password: str = "demo") -> dict[str, str]:
    response = http.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}

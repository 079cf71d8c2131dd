"""On PostgreSQL a server process runs at most a set number of service calls at once
(`web.deps.run`); the others wait their turn, and each keeps its request's context."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

from datameent.store.crypto import KeyRing
from datameent.store.engine import make_engine
from datameent.store.uow import Store
from datameent.web import deps
from datameent.web.deps import limit_calls, run, run_read
from tests.support import run_async

REQUEST = contextvars.ContextVar[str]("request")


class Counter:
    """Counts the calls running at the same moment (each sleeps a little, in its thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.most = 0

    def call(self, answer: int) -> tuple[int, str]:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(0.02)
        with self._lock:
            self.now -= 1
        return answer, REQUEST.get()


def postgres_store() -> Store:
    # A PostgreSQL store that is never connected to: only its kind matters to `run`.
    return Store(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"), KeyRing(bytes(32)))


async def many(store: Store, counter: Counter, calls: int) -> list[tuple[int, str]]:
    async def one(n: int) -> tuple[int, str]:
        REQUEST.set(f"request {n}")
        runner = run if n % 2 else run_read
        return await runner(store, counter.call, n)

    return await asyncio.gather(*(asyncio.create_task(one(n)) for n in range(calls)))


def test_no_more_calls_run_at_once_than_the_setting_allows() -> None:
    store, counter = postgres_store(), Counter()
    limit_calls(store, 3)
    answers = run_async(many(store, counter, 12))
    assert counter.most == 3
    assert answers == [(n, f"request {n}") for n in range(12)]


def test_without_a_setting_the_default_holds() -> None:
    store, counter = postgres_store(), Counter()
    answers = run_async(many(store, counter, deps.CALLS_AT_ONCE + 4))
    assert counter.most == deps.CALLS_AT_ONCE
    assert len(answers) == deps.CALLS_AT_ONCE + 4


def test_each_event_loop_gets_its_own_turns() -> None:
    # A limiter made on one loop (a test client's) is not used on the next.
    store = postgres_store()
    limit_calls(store, 2)
    for _ in range(2):
        counter = Counter()
        run_async(many(store, counter, 5))
        assert counter.most == 2

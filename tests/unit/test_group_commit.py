"""The event loop's group commit queue (`web/group_commit.py`), against a fake store: which calls
run together, that a busy write lock is waited for without blocking the loop, and that each
caller gets its own outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, cast

import pytest

from datameent.store.engine import WriteLockBusy
from datameent.store.group import Outcome
from datameent.store.uow import Store
from datameent.web import group_commit
from datameent.web.group_commit import run_grouped
from tests.support import run_async


class FakeStore:
    """Runs each group at once and remembers its size; says the write lock is held by someone
    else while `busy`."""

    write_gate = None

    def __init__(self) -> None:
        self.groups: list[int] = []
        self.busy = False
        self.attempts = 0

    def run_together(self, calls: Sequence[Callable[[], Any]], *, wait: bool) -> list[Outcome[Any]]:
        assert not wait, "the event loop must never wait for the write lock"
        self.attempts += 1
        if self.busy:
            raise WriteLockBusy()
        self.groups.append(len(calls))
        outcomes: list[Outcome[Any]] = []
        for call in calls:
            try:
                outcomes.append(Outcome(value=call()))
            except Exception as error:
                outcomes.append(Outcome(error=error))
        return outcomes


def grouped(store: FakeStore, call: Callable[[], Any]) -> Any:
    return run_grouped(cast(Store, store), call)


def test_calls_that_arrive_together_run_as_one_group() -> None:
    store = FakeStore()

    async def main() -> list[int]:
        return await asyncio.gather(*(grouped(store, lambda n=n: n) for n in range(10)))

    assert run_async(main()) == list(range(10))
    assert store.groups == [10]


def test_a_lone_call_runs_after_a_few_turns_of_the_loop() -> None:
    store = FakeStore()

    async def main() -> int:
        first = await grouped(store, lambda: 1)
        return int(await grouped(store, lambda: first + 1))

    assert run_async(main()) == 2
    assert store.groups == [1, 1]


def test_each_caller_gets_its_own_error() -> None:
    store = FakeStore()

    def fail() -> None:
        raise ValueError("this call only")

    async def main() -> list[Any]:
        return await asyncio.gather(
            grouped(store, lambda: "a"), grouped(store, fail), return_exceptions=True
        )

    first, second = run_async(main())
    assert first == "a" and isinstance(second, ValueError)


def test_a_busy_write_lock_is_tried_again_while_the_loop_serves_others() -> None:
    store = FakeStore()
    store.busy = True
    ticks: list[int] = []

    async def main() -> list[Any]:
        first = asyncio.ensure_future(grouped(store, lambda: "first"))
        while store.attempts < 3:  # the loop keeps turning while the group waits for the lock
            ticks.append(store.attempts)
            await asyncio.sleep(0)
        late = asyncio.ensure_future(grouped(store, lambda: "joined while waiting"))
        await asyncio.sleep(0)
        store.busy = False
        return await asyncio.gather(first, late)

    assert run_async(main()) == ["first", "joined while waiting"]
    assert len(ticks) > 3, "other work went on between the attempts"
    assert store.groups == [2]


def test_more_calls_than_a_group_takes_follow_in_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(group_commit, "MAX_GROUP", 4)
    store = FakeStore()

    async def main() -> list[int]:
        return await asyncio.gather(*(grouped(store, lambda n=n: n) for n in range(10)))

    assert run_async(main()) == list(range(10))
    assert store.groups == [4, 4, 2]


def test_a_groups_callers_go_on_before_the_next_group_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(group_commit, "MAX_GROUP", 2)
    store = FakeStore()
    events: list[str] = []

    async def one(n: int) -> None:
        await grouped(store, lambda: events.append(f"run {n}"))
        events.append(f"answer {n}")

    async def main() -> None:
        await asyncio.gather(*(one(n) for n in range(4)))

    run_async(main())
    assert events == [
        "run 0", "run 1", "answer 0", "answer 1", "run 2", "run 3", "answer 2", "answer 3"
    ]  # fmt: skip

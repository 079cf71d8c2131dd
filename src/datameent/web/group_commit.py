"""Group commit on the event loop: the service calls that arrive together run together.

On embedded SQLite the API's service calls run on the event loop (`deps.run`). A call does not
run the moment it arrives: it waits `TURNS` turns of the loop, in which the requests that came
in meanwhile reach their own calls, and then every call waiting runs in one transaction
(`Store.run_together`), up to `MAX_GROUP` at a time. Under load that is many at once, and the
fixed cost of a logged transaction (the write lock, the log's head, the commit) is shared; a
lone call waits only those few turns. Each call keeps its request's context (its trace), and
its caller hears of the result only after the group's transaction has committed.

When another process (a second server worker, the command line) holds SQLite's write lock, the
group does not wait for it on the event loop, which would stop every other request of this
process: it tries again `RETRY_SECONDS` later, and the calls arriving meanwhile join it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import weakref
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from datameent.store.engine import WriteLockBusy
from datameent.store.uow import Store

P = ParamSpec("P")
T = TypeVar("T")

TURNS = 2
"""Turns of the event loop a group waits before it runs. A request read from the network in
one turn reaches its service call in the next; measured with 8 and 32 clients
(docs/benchmarks.md), two turns let nearly every request in flight join the group (zero
turns: groups of about a third of them)."""
MAX_GROUP = 64
"""The most calls one transaction takes; more wait for the next, which follows at once."""
RETRY_SECONDS = 0.001


class _Queue:
    """The calls waiting on one event loop for one store."""

    def __init__(self, store: Store, loop: asyncio.AbstractEventLoop) -> None:
        self._store = store
        self._loop = loop
        self._waiting: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []

    def submit(self, call: Callable[[], T]) -> asyncio.Future[T]:
        future: asyncio.Future[T] = self._loop.create_future()
        if not self._waiting:
            self._loop.call_soon(self._wait, TURNS)
        self._waiting.append((call, future))
        return future

    def _wait(self, turns: int) -> None:
        if turns:
            self._loop.call_soon(self._wait, turns - 1)
        else:
            self._run()

    def _run(self) -> None:
        group = self._waiting[:MAX_GROUP]
        try:
            outcomes = self._store.run_together([call for call, _ in group], wait=False)
        except WriteLockBusy:
            self._loop.call_later(RETRY_SECONDS, self._run)
            return
        except BaseException as error:
            self._waiting = self._waiting[len(group) :]
            self._go_on()
            for _, future in group:
                if not future.done():
                    future.set_exception(error)
            if isinstance(error, Exception):
                return  # each caller raises it
            raise
        self._waiting = self._waiting[len(group) :]
        self._go_on()
        for (_, future), outcome in zip(group, outcomes, strict=True):
            if future.cancelled():
                continue
            if outcome.error is not None:
                future.set_exception(outcome.error)
            else:
                future.set_result(outcome.value)

    def _go_on(self) -> None:
        """More than one group's worth waited: the next group runs at once."""
        if self._waiting:
            self._loop.call_soon(self._run)


_queues: weakref.WeakKeyDictionary[
    Store, weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue]
] = weakref.WeakKeyDictionary()


async def run_grouped(
    store: Store, service: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run `service(*args, **kwargs)` with the calls that reach this loop together."""
    loop = asyncio.get_running_loop()
    per_loop = _queues.setdefault(store, weakref.WeakKeyDictionary())
    queue = per_loop.get(loop)
    if queue is None:
        queue = per_loop[loop] = _Queue(store, loop)
    context = contextvars.copy_context()
    return await queue.submit(functools.partial(context.run, service, *args, **kwargs))

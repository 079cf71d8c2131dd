"""Group commit on the event loop: the service calls that arrive together run together.

On embedded SQLite the API's service calls run on the event loop (`deps.run`). A call does not
run the moment it arrives: it waits `TURNS` turns of the loop, in which the requests that came
in meanwhile reach their own calls, and then every call waiting runs in one transaction
(`Store.run_together`), up to `MAX_GROUP` at a time. Under load that is many at once, and the
fixed cost of a logged transaction (the write lock, the log's head, the commit) is shared; a
lone call waits only those few turns. Each call keeps its request's context (its trace), and
its caller hears of the result only after the group's transaction has committed.

Several server processes on one SQLite file take turns through the database's write gate
(`store.engine.WriteGate`, a file lock): a group that finds it taken waits for it in a thread of
its own, so the event loop goes on serving and the calls arriving meanwhile join the group, and
the kernel wakes it the moment the other process lets go. A writer that does not take the gate
(the command line, a page) may still hold SQLite's lock; then the group tries again
`RETRY_SECONDS` later. Nothing here ever waits for a lock on the event loop, which would stop
every other request of the process.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from datameent.store.engine import WriteGate, WriteLockBusy
from datameent.store.uow import Store
from datameent.web.loops import PerLoop

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
log = logging.getLogger("datameent.web")


class _GateWaiter:
    """Waits for a write gate in a thread of its own, then calls back on the event loop."""

    def __init__(
        self, gate: WriteGate, loop: asyncio.AbstractEventLoop, taken: Callable[[], None]
    ) -> None:
        self._gate = gate
        self._loop = loop
        self._taken = taken
        self._requests: queue.SimpleQueue[None] = queue.SimpleQueue()
        self.waiting = False
        threading.Thread(target=self._serve, name="write-gate", daemon=True).start()

    def wait(self) -> None:
        if not self.waiting:
            self.waiting = True
            self._requests.put(None)

    def _serve(self) -> None:
        while True:
            self._requests.get()
            try:
                self._gate.take()
            except OSError as error:  # the gate's file is gone: go on without it, slower
                log.warning("write gate failed: %s", type(error).__name__)
            self._loop.call_soon_threadsafe(self._done)

    def _done(self) -> None:
        self.waiting = False
        self._taken()


class _Queue:
    """The calls waiting on one event loop for one store."""

    def __init__(self, store: Store, loop: asyncio.AbstractEventLoop) -> None:
        self._store = store
        self._loop = loop
        self._waiting: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        self._gate = store.write_gate
        self._gate_held = False
        self._gate_waiter: _GateWaiter | None = None

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
        if not self._take_gate():
            return  # the gate's waiter runs the group when it has the gate
        group = self._waiting[:MAX_GROUP]
        try:
            outcomes = self._store.run_together([call for call, _ in group], wait=False)
        except WriteLockBusy:
            self._give_gate()
            self._loop.call_later(RETRY_SECONDS, self._run)
            return
        except BaseException as error:
            self._give_gate()
            self._waiting = self._waiting[len(group) :]
            for _, future in group:
                if not future.done():
                    future.set_exception(error)
            self._go_on()
            if isinstance(error, Exception):
                return  # each caller raises it
            raise
        self._give_gate()
        self._waiting = self._waiting[len(group) :]
        for (_, future), outcome in zip(group, outcomes, strict=True):
            if future.cancelled():
                continue
            if outcome.error is not None:
                future.set_exception(outcome.error)
            else:
                future.set_result(outcome.value)
        self._go_on()  # after the answers: their requests go on before the next group runs

    def _take_gate(self) -> bool:
        """Whether this process may run its group now; if not, wait for the gate off the loop."""
        if self._gate is None or self._gate_held:
            return True
        if self._gate_waiter is not None and self._gate_waiter.waiting:
            return False
        if self._gate.try_take():
            self._gate_held = True
            return True
        if self._gate_waiter is None:
            self._gate_waiter = _GateWaiter(self._gate, self._loop, self._gate_taken)
        self._gate_waiter.wait()
        return False

    def _gate_taken(self) -> None:
        self._gate_held = True
        if self._waiting:
            self._run()
        else:
            self._give_gate()

    def _give_gate(self) -> None:
        if self._gate is not None and self._gate_held:
            self._gate_held = False
            self._gate.give()

    def _go_on(self) -> None:
        """More than one group's worth waited: the next group runs at once."""
        if self._waiting:
            self._loop.call_soon(self._run)


_queues = PerLoop(_Queue)


async def run_grouped(
    store: Store, service: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run `service(*args, **kwargs)` with the calls that reach this loop together."""
    context = contextvars.copy_context()
    return await _queues.get(store).submit(functools.partial(context.run, service, *args, **kwargs))

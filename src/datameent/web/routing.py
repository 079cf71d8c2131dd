"""Page routes whose work is short run like the API's service calls, not in the threadpool.

FastAPI runs a synchronous route in its threadpool. On embedded SQLite that is the slow way:
threads that each let go of the GIL around every SQLite step contend for it, and a thread that
finds SQLite's write lock taken sleeps in SQLite's busy handler (1, 2, 5 ... 100 ms between
tries) while its page waits. A case manager's client file (five logged service calls and a
template) served 118 pages/s at 8 clients with a 99th percentile of 1.3 s that way
(docs/benchmarks.md). `OnTheLoop` runs such a route's handler through `deps.run`: on SQLite on
the event loop, in the same transaction as the calls that arrive with it (group commit),
answered only once that has committed; on PostgreSQL in a thread, taking one of the process's
turns (`DATAMEENT_CALLS_AT_ONCE`) like the API's calls.

For routers whose handlers are short: not for the password check (argon2id takes a fifth of a
second on purpose), the statistics, the effect model or the database game.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute

from datameent.store.uow import Store
from datameent.web.deps import run


class OnTheLoop(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _through_run(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _through_run(handler: Callable[..., Any]) -> Callable[..., Any]:
    """`handler` as a coroutine with the same parameters, run by `deps.run` with the store it
    is given (a handler without one runs in the threadpool, as FastAPI would run it)."""

    @functools.wraps(handler)
    async def on_the_loop(**kwargs: Any) -> Any:
        store = next((v for v in kwargs.values() if isinstance(v, Store)), None)
        if store is None:
            return await run_in_threadpool(handler, **kwargs)
        return await run(store, functools.partial(handler, **kwargs))

    return on_the_loop

"""State that belongs to one store on one event loop.

A server process has one event loop, but the tests (and `TestClient`) start several, one after
the other, on the same store: a queue or a limiter made on one loop must not be used on the
next. `PerLoop` makes the value on first use in a loop and forgets it with the loop or the
store.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from datameent.store.uow import Store

V = TypeVar("V")


class PerLoop(Generic[V]):
    def __init__(self, make: Callable[[Store, asyncio.AbstractEventLoop], V]) -> None:
        self._make = make
        self._values: weakref.WeakKeyDictionary[
            Store, weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, V]
        ] = weakref.WeakKeyDictionary()

    def get(self, store: Store) -> V:
        """The value for `store` on the running loop."""
        loop = asyncio.get_running_loop()
        per_loop = self._values.get(store)
        if per_loop is None:
            per_loop = self._values[store] = weakref.WeakKeyDictionary()
        value = per_loop.get(loop)
        if value is None:
            value = per_loop[loop] = self._make(store, loop)
        return value

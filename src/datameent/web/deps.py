"""FastAPI dependencies, as `Annotated` aliases: the store, settings and the current user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, ParamSpec, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer

from datameent.domain.accounts import User
from datameent.errors import NotAuthenticated
from datameent.services import accounts
from datameent.settings import Settings
from datameent.store.uow import Store
from datameent.web.group_commit import run_grouped

SESSION_COOKIE = "dm_session"
P = ParamSpec("P")
T = TypeVar("T")


async def run(store: Store, service: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a (synchronous) service from an async API route.

    On embedded SQLite a service call is about a millisecond of local, CPU-bound work: running
    it on the event loop costs less than the two thread hops and the GIL contention of the
    threadpool (measured in docs/benchmarks.md), and the calls that arrive together share one
    transaction (`group_commit`). On PostgreSQL the call waits on the network, so it goes to
    the threadpool and the event loop stays free.
    """
    if store.embedded:
        return await run_grouped(store, service, *args, **kwargs)
    return await run_in_threadpool(service, *args, **kwargs)


async def run_read(store: Store, service: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a service that only reads and logs nothing (the caller's session) at once: it has
    no transaction to share, so on SQLite it does not wait for the next group."""
    if store.embedded:
        return service(*args, **kwargs)
    return await run_in_threadpool(service, *args, **kwargs)


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def api_user(store: StoreDep, token: Annotated[str | None, Depends(_bearer)]) -> User:
    """The API caller, from a bearer token. The API never accepts the session cookie, so it
    needs no CSRF protection."""
    user = (
        await run_read(store, accounts.user_for_token, store, token, accounts.API)
        if token
        else None
    )
    if user is None:
        raise NotAuthenticated()
    return user


async def optional_page_user(request: Request, store: StoreDep) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    user = (
        await run_read(store, accounts.user_for_token, store, token, accounts.WEB)
        if token
        else None
    )
    request.state.user = user
    return user


def page_user(user: Annotated[User | None, Depends(optional_page_user)]) -> User:
    if user is None:
        raise NotAuthenticated()
    return user


ApiUser = Annotated[User, Depends(api_user)]
PageUser = Annotated[User, Depends(page_user)]
OptionalPageUser = Annotated[User | None, Depends(optional_page_user)]

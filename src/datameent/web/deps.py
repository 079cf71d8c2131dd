"""FastAPI dependencies, as `Annotated` aliases: the store, settings and the current user;
and the pages' session cookie, read here and set here (`start_page_session`)."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, ParamSpec, TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from fastapi.security import OAuth2PasswordBearer

from datameent.domain.accounts import User
from datameent.errors import NotAuthenticated, PasswordChangeRequired
from datameent.services import accounts
from datameent.settings import Settings
from datameent.store.uow import Store
from datameent.web.addresses import is_local_host
from datameent.web.group_commit import run_grouped
from datameent.web.loops import PerLoop

SESSION_COOKIE = "dm_session"
P = ParamSpec("P")
T = TypeVar("T")


CALLS_AT_ONCE: int = Settings.model_fields["calls_at_once"].default
"""On PostgreSQL, how many service calls one server process runs at once unless its settings
say otherwise (`DATAMEENT_CALLS_AT_ONCE`, `limit_calls`)."""
_calls_at_once: weakref.WeakKeyDictionary[Store, int] = weakref.WeakKeyDictionary()
_limiters = PerLoop(lambda store, _: CapacityLimiter(_calls_at_once.get(store, CALLS_AT_ONCE)))


def limit_calls(store: Store, calls: int) -> None:
    """Run at most `calls` of this process's service calls on `store` at once (PostgreSQL).
    Before serving: a loop that has made its limiter keeps it."""
    _calls_at_once[store] = calls


async def run(store: Store, service: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a (synchronous) service from an async API route.

    On embedded SQLite a service call is about a millisecond of local, CPU-bound work: running
    it on the event loop costs less than the two thread hops and the GIL contention of the
    threadpool (measured in docs/benchmarks.md), and the calls that arrive together share one
    transaction (`group_commit`). On PostgreSQL the call waits on the network, so it goes to
    a thread and the event loop stays free; at most `CALLS_AT_ONCE` (the setting) run at once,
    the others wait their turn on the loop. With dozens of threads at once they took turns at
    the GIL, and a call holding the processing log's row lock waited for it while the calls
    queued behind that lock waited too (p99 0.86 s against 0.24–0.29 s at 32 clients).
    """
    if store.embedded:
        return await run_grouped(store, service, *args, **kwargs)
    return await _in_thread(store, service, *args, **kwargs)


async def run_read(store: Store, service: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a service that only reads and logs nothing (the caller's session) at once: it has
    no transaction to share, so on SQLite it does not wait for the next group."""
    if store.embedded:
        return service(*args, **kwargs)
    return await _in_thread(store, service, *args, **kwargs)


async def _in_thread(store: Store, service: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    call = functools.partial(service, *args, **kwargs)
    return await to_thread.run_sync(call, limiter=_limiters.get(store))


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
    if user.must_change_password:
        raise PasswordChangeRequired()
    return user


async def optional_page_user(request: Request, store: StoreDep) -> User | None:
    """The user of the session cookie's live session, if any. A request keeps the session
    alive (`DATAMEENT_SESSION_IDLE_MINUTES`); the page learns how long it has
    (`request.state.session_seconds`), and whether a cookie came whose session has ended
    (`request.state.session_ended`)."""
    token = request.cookies.get(SESSION_COOKIE)
    idle = idle_limit(request.app.state.settings)
    found = await run_read(store, accounts.page_session, store, token, idle) if token else None
    if found is not None and found.keep_alive:
        await run(store, accounts.keep_session_alive, store, token or "", idle)
    request.state.user = user = found.user if found else None
    request.state.session_ended = bool(token) and found is None
    if found is not None and found.ends_in is not None:
        request.state.session_seconds = int(
            (idle if found.keep_alive else found.ends_in).total_seconds()
        )
    return user


def idle_limit(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.session_idle_minutes)


def start_page_session(
    request: Request, store: Store, settings: Settings, user: User, next: str
) -> RedirectResponse:
    """Log `user` in to the pages, by whichever way they came in (password, DigiD, the
    municipality's sign-on): a new web session, its cookie, and on to `next` (already made
    safe by the caller). The cookie is out of reach of scripts, not sent along from other
    sites' pages, and only over HTTPS except on this machine."""
    token = accounts.open_session(
        store, user, accounts.WEB, timedelta(hours=settings.session_hours), idle_limit(settings)
    )
    response = RedirectResponse(next, 303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=not is_local_host(request),
        max_age=settings.session_hours * 3600,
    )
    return response


PASSWORD_PAGE = "/wachtwoord"


def page_user(request: Request, user: Annotated[User | None, Depends(optional_page_user)]) -> User:
    """The user of the page, from the session cookie. Someone whose password was given by an
    administrator is sent to choose their own first (every page but that one)."""
    if user is None:
        raise NotAuthenticated()
    if user.must_change_password and request.url.path != PASSWORD_PAGE:
        raise PasswordChangeRequired()
    return user


ApiUser = Annotated[User, Depends(api_user)]
PageUser = Annotated[User, Depends(page_user)]
OptionalPageUser = Annotated[User | None, Depends(optional_page_user)]

"""The web application: `create_app(settings)` wires the store, pages, API and error pages."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from datameent.errors import Conflict
from datameent.ledger import NoteKey
from datameent.services.ledger import make_checkpoint
from datameent.services.sign_on import Digid, Provider
from datameent.settings import Settings
from datameent.store.engine import WalCheckpointer
from datameent.store.uow import Store
from datameent.web import api, pages, problems
from datameent.web.deps import limit_calls, run
from datameent.web.i18n import load_translations
from datameent.web.middleware import WebMiddleware
from datameent.web.pages import sign_on as sign_on_pages
from datameent.web.templating import STATIC, make_environment

CHECKPOINT_INTERVAL = 1.0
log = logging.getLogger("datameent.web")


async def checkpointer(store: Store, key: NoteKey, origin: str) -> None:
    """Sign a checkpoint every second while the log grows. Several server processes may race
    for the same size; the loser's insert is refused, which is fine."""
    while True:
        await asyncio.sleep(CHECKPOINT_INTERVAL)
        try:
            await run(store, make_checkpoint, store, key, origin)
        except Conflict:
            pass
        except Exception as error:  # keep signing; the server log says what broke
            log.error("checkpoint failed: %s", type(error).__name__)


class _App(FastAPI):
    """FastAPI, with errors kept inside once they have been answered (`_AnsweredErrorsStay`)."""

    def build_middleware_stack(self) -> ASGIApp:
        return _AnsweredErrorsStay(super().build_middleware_stack())


class _AnsweredErrorsStay:
    """The outermost layer: an unexpected error goes no further than the app.

    Starlette answers it (`problems.on_unexpected` logs its class and frames, never its
    message) and then raises it again so that the server may log it, and the server's log
    prints the message, which can carry personal data (PostgreSQL's errors quote the failing
    row). Errors of the server's start and stop (the lifespan) still reach the server."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except Exception:
            return  # answered and logged (web/problems.py)


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """Build the application. The settings must be complete (`Settings.validated`)."""
    settings = settings.validated()
    owned = store is None
    app_store = store or settings.open_store()
    limit_calls(app_store, settings.calls_at_once)

    note_key = NoteKey(settings.log_origin, settings.log_signing_seed())
    provider_config = settings.sign_on()
    sign_on = Provider(provider_config) if provider_config else None
    digid_config = settings.digid()
    digid = Digid(digid_config) if digid_config else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        """While serving, what existed at the start (modules, classes, the app: some 200,000
        objects) is exempt from the garbage collector's scans. Python's collector otherwise
        walks all of them whenever enough new objects have survived, which stopped the event
        loop for tens of milliseconds: at 32 clients that was the 99th percentile of every
        route, even one returning a fixed body (66 ms against 10 ms; docs/benchmarks.md).
        Garbage made later is collected as before; at shutdown they are scanned again."""
        checkpoints = asyncio.create_task(checkpointer(app_store, note_key, settings.log_origin))
        wal = WalCheckpointer(app_store.engine)
        wal.start()
        gc.collect()
        gc.freeze()
        yield
        gc.unfreeze()
        checkpoints.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await checkpoints
        wal.stop()
        if sign_on is not None:
            sign_on.close()
        if digid is not None:
            digid.close()
        if owned:
            app_store.dispose()

    app = _App(
        title="datameent",
        summary="A data commons for the social domain: the resident holds the keys.",
        version="0.1.0",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.note_key = note_key
    app.state.store = app_store
    app.state.sign_on = sign_on
    app.state.digid = digid
    app.state.jinja = make_environment()
    app.state.translations = load_translations()
    problems.install(app)
    app.add_middleware(WebMiddleware)
    # Compressed for phones on slow connections (htmx: 52 kB, 17 kB compressed). Only these
    # files: a page compressed with a CSRF token beside text from the request would give the
    # token away, a byte at a time (BREACH).
    app.mount("/static", GZipMiddleware(StaticFiles(directory=STATIC)), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(sign_on_pages.backchannel)
    return app

"""The web application: `create_app(settings)` wires the store, pages, API and error pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from datameent.settings import Settings
from datameent.store.crypto import KeyRing
from datameent.store.engine import make_engine
from datameent.store.uow import Store
from datameent.web import api, pages, problems
from datameent.web.i18n import load_translations
from datameent.web.middleware import WebMiddleware
from datameent.web.templating import STATIC, make_environment


def create_store(settings: Settings) -> Store:
    return Store(make_engine(settings.sqlalchemy_url), KeyRing(settings.master_key_bytes()))


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """Build the application. The settings must be complete (`Settings.validated`)."""
    settings = settings.validated()
    owned = store is None
    app_store = store or create_store(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            app_store.dispose()

    app = FastAPI(
        title="datameent",
        summary="A data commons for the social domain: the resident holds the keys.",
        version="0.1.0",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = app_store
    app.state.jinja = make_environment()
    app.state.translations = load_translations()
    problems.install(app)
    app.add_middleware(WebMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    return app

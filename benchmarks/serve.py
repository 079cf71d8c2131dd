"""Serve the app (or the bare-framework baseline) for a benchmark, in its own process.

    python -m benchmarks.serve datameent|baseline PORT WORKERS

The database and keys come from the environment (DATAMEENT_*), as with `datameent serve`.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated
from uuid import UUID

import uvicorn
from fastapi import FastAPI, Header, Query
from fastapi.responses import Response
from fastapi.routing import APIRoute

from datameent.domain import purposes
from datameent.domain.accounts import User
from datameent.domain.vault import AttributeValue
from datameent.settings import Settings
from datameent.store.accounts import AccountRepository
from datameent.store.persons import _PERSON
from datameent.store.uow import Store
from datameent.store.vault import _CURRENT_VERSIONS_SCOPED, _to_value
from datameent.web.api import persons as persons_api
from datameent.web.api.persons import _ATTRIBUTES, _attribute
from datameent.web.app import create_app
from datameent.web.deps import ApiUser, StoreDep, run
from datameent.web.i18n import accept_language_locale


def baseline_app() -> FastAPI:
    """The same response body, served by the same stack with no auth, policy, store or crypto:
    the ceiling that the framework and server alone allow on this machine."""
    app = FastAPI()
    media = os.environ.get("BENCH_MEDIA")
    if media:  # a page (benchmarks/pages.py): the body as it is, at any of the page's paths
        page = os.environ["BENCH_BODY"].encode()

        @app.get("/clienten/{person_id}")
        def show(person_id: str) -> Response:
            return Response(page, media_type=media)

        return app
    body = json.dumps(json.loads(os.environ["BENCH_BODY"])).encode()

    @app.get("/api/v1/persons/{person_id}/attributes")
    def read(person_id: str) -> Response:
        return Response(body, media_type="application/json")

    return app


def unlogged_app() -> FastAPI:
    """The same vault read without the access policy and without the processing log: what
    they cost, measured. Served by the product's own app (same middleware, routes and
    lifespan) through a route in the product route's place, with its signature (the same
    token dependency, store, query parameters and headers) and the same response building;
    only the service call differs: it reads the person's row and key, the values of the
    purpose's attributes and their recorders, as the product does, without asking anyone and
    without writing a record. Kept here in benchmarks/ only; the product has no switch to turn
    logging off."""
    # The same attributes the product returns for the purpose; the person's row and the values
    # by the product's own queries.
    granted = sorted(purposes.version("re-integratie", 1).required)

    def read_unlogged(
        store: Store, person_id: UUID
    ) -> tuple[list[AttributeValue], dict[UUID, User]]:
        # One connection, one read transaction, as the product's one unit of work, and ended as
        # the product ends its reads on PostgreSQL: read-only and committed, which keeps
        # psycopg's prepared statements (a rollback drops them).
        with (
            store.engine.connect().execution_options(postgresql_readonly=True) as connection,
            connection.begin(),
        ):
            (person,) = _PERSON.rows(connection, {"id": person_id})
            key = store.keys.unwrap(person_id, person.data_key, person.key_version)
            rows = _CURRENT_VERSIONS_SCOPED.rows(
                connection, {"person_id": person_id, "keys": granted}
            )
            values = [_to_value(row, key) for row in rows]
            recorders = AccountRepository(connection).many(
                v.provenance.recorded_by for v in values if v.provenance.recorded_by
            )
        return values, recorders

    async def read(
        person_id: UUID,
        user: ApiUser,
        store: StoreDep,
        history: bool = False,
        purpose: Annotated[str | None, Query(max_length=64)] = None,
        accept_language: Annotated[str | None, Header()] = None,
    ) -> Response:
        values, recorders = await run(store, read_unlogged, store, person_id)
        locale = accept_language_locale(accept_language)
        items = [_attribute(v, recorders, locale) for v in values]
        return Response(_ATTRIBUTES.dump_json(items, by_alias=True), media_type="application/json")

    # In the product's place: the product's route is swapped for this one in the persons
    # router, at the same index, before the app is built, so that a request takes the same
    # way through the routing. (FastAPI resolves included routers at each request; at the
    # front of the app, as it was before, the read came out 3 to 4 % cheaper, in the baseline's
    # favour.) This process serves nothing else, so changing the module's router is contained.
    routes = persons_api.router.routes
    (index,) = [
        i
        for i, route in enumerate(routes)
        if isinstance(route, APIRoute) and route.endpoint is persons_api.read_attributes
    ]
    path = routes[index].path  # type: ignore[attr-defined]
    persons_api.router.add_api_route(path, read, methods=["GET"])
    routes[index] = routes.pop()
    return create_app(Settings().with_local_keys())


def main() -> None:
    mode, port, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    factory = {
        "datameent": "datameent.web.asgi:app_from_environment",
        "baseline": "benchmarks.serve:baseline_app",
        "unlogged": "benchmarks.serve:unlogged_app",
    }[mode]
    uvicorn.run(
        factory,
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()

"""Serve the app (or the bare-framework baseline) for a benchmark, in its own process.

    python -m benchmarks.serve datameent|baseline PORT WORKERS

The database and keys come from the environment (DATAMEENT_*), as with `datameent serve`.
"""

from __future__ import annotations

import json
import os
import sys
from uuid import UUID

import uvicorn
from fastapi import FastAPI, Header
from fastapi.responses import Response


def baseline_app() -> FastAPI:
    """The same response body, served by the same stack with no auth, policy, store or crypto:
    the ceiling that the framework and server alone allow on this machine."""
    app = FastAPI()
    body = json.dumps(json.loads(os.environ["BENCH_BODY"])).encode()

    @app.get("/api/v1/persons/{person_id}/attributes")
    def read(person_id: str) -> Response:
        return Response(body, media_type="application/json")

    return app


def unlogged_app() -> FastAPI:
    """The same vault read with the same token check, store and decryption, but without the
    access policy and without the processing log: what logging costs, measured. Served by the
    product's own app (same middleware, routes and lifespan), this read ahead of the product's
    read route, so that only policy and log differ. Kept here in benchmarks/
    only; the product has no switch to turn logging off."""
    from fastapi.routing import APIRoute
    from pydantic import TypeAdapter
    from sqlalchemy import select

    from datameent.domain import purposes
    from datameent.services import accounts
    from datameent.settings import Settings
    from datameent.store.tables import attribute_values as av
    from datameent.store.tables import persons
    from datameent.store.vault import _VALUE_COLUMNS, _to_value
    from datameent.web.api.persons import _attribute
    from datameent.web.api.schemas import AttributeOut
    from datameent.web.app import create_app

    GRANTED = purposes.version("re-integratie", 1).required  # noqa: N806
    app = create_app(Settings().with_local_keys())
    store = app.state.store
    items = TypeAdapter(list[AttributeOut])
    path = "/api/v1/persons/{person_id}/attributes"

    async def read(person_id: UUID, authorization: str = Header("")) -> Response:
        # Served like the product's API on SQLite: on the event loop, no thread hops.
        user = accounts.user_for_token(store, authorization.removeprefix("Bearer "), "api")
        if user is None:
            return Response(status_code=401)
        with store.engine.connect() as connection:
            wrapped = connection.scalar(select(persons.c.data_key).where(persons.c.id == person_id))
            key = store.keys.unwrap(person_id, wrapped)
            rows = connection.execute(
                select(*_VALUE_COLUMNS).where(av.c.person_id == person_id, av.c.is_current)
            )
            # The same attributes the product returns for the purpose, without asking anyone.
            values = [_to_value(row, key) for row in rows if row.key in GRANTED]
            recorders = {}
            with store.unit_of_work(write=False) as uow:
                recorders = uow.accounts.many(
                    v.provenance.recorded_by for v in values if v.provenance.recorded_by
                )
        body = items.dump_json([_attribute(v, recorders, "nl") for v in values], by_alias=True)
        return Response(body, media_type="application/json")

    # Matched before the product's routes: a few regular expressions fewer than the product's
    # read, which leans the comparison, slightly, against the product.
    app.router.routes.insert(0, APIRoute(path, read, methods=["GET"]))
    return app


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

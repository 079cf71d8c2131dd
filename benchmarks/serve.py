"""Serve the app (or the bare-framework baseline) for a benchmark, in its own process.

    python -m benchmarks.serve datameent|baseline PORT WORKERS

The database and keys come from the environment (DATAMEENT_*), as with `datameent serve`.
"""

from __future__ import annotations

import json
import os
import sys

import uvicorn
from fastapi import FastAPI
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


def main() -> None:
    mode, port, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    factory = (
        "datameent.web.asgi:app_from_environment"
        if mode == "datameent"
        else "benchmarks.serve:baseline_app"
    )
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

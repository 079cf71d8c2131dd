"""The ASGI entry point for `datameent serve` with several worker processes.

Each worker builds its app from the environment, which the CLI has filled in beforehand.
"""

from __future__ import annotations

from fastapi import FastAPI

from datameent.settings import Settings
from datameent.web.app import create_app


def app_from_environment() -> FastAPI:
    return create_app(Settings().with_local_keys())

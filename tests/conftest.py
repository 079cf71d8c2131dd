"""Fixtures for every test layer: real SQLite and a real PostgreSQL, from migrated templates."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from datameent.store.uow import Store
from tests import pgserver
from tests.support import PostgresTemplates, SqliteTemplates, store_for

# The suite shares a 2-core machine with real servers and browsers: a property test's first
# draws can be slow for reasons that have nothing to do with it. Time is not what these tests
# check (benchmarks do), so no deadline and no slowness health check; every example still runs.
settings.register_profile("datameent", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("datameent")


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="session")
def postgres_templates() -> Iterator[PostgresTemplates]:
    if os.environ.get("DATAMEENT_TEST_SKIP_POSTGRES") == "1":
        pytest.skip("DATAMEENT_TEST_SKIP_POSTGRES=1: PostgreSQL tests skipped on request")
    try:
        server = pgserver.start()
    except (pgserver.PostgresUnavailable, subprocess.CalledProcessError) as error:
        pytest.fail(f"PostgreSQL is needed for these tests and could not start: {error}")
    templates = PostgresTemplates(server.url)
    yield templates
    templates.dispose()
    server.stop()


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _templates(request: pytest.FixtureRequest, backend: str) -> SqliteTemplates | PostgresTemplates:
    name = "sqlite_templates" if backend == "sqlite" else "postgres_templates"
    templates: SqliteTemplates | PostgresTemplates = request.getfixturevalue(name)
    return templates


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database on each backend."""
    with _templates(request, backend).database(tmp_path, seeded=False) as url:
        yield url


@pytest.fixture
def seeded_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database holding a small synthetic municipality (password `demo`)."""
    with _templates(request, backend).database(tmp_path, seeded=True) as url:
        yield url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    s = store_for(database_url)
    yield s
    s.dispose()


@pytest.fixture
def seeded(seeded_url: str) -> Iterator[Store]:
    s = store_for(seeded_url)
    yield s
    s.dispose()

"""Apply the Alembic revisions: the only way the schema is made or changed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from datameent.services.clock import utcnow
from datameent.store.registers import missing_activities, seed_activities

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the revisions up to `revision`; at the head, also write the first version of any
    processing activity the register does not hold yet (`store.registers.seed_activities`)."""
    config = alembic_config()
    with engine.connect() as connection, _sqlite_foreign_keys_off(connection):
        with connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            if revision == "head":
                seed_activities(connection, utcnow())
            _check_foreign_keys(connection)


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """On SQLite, run the revisions with foreign keys off: SQLite changes a column's type only
    by rebuilding the table, and asks for them off to rebuild one that others refer to. They
    are checked, all of them, before the revisions commit (`_check_foreign_keys`)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    # Outside a transaction (the pragma does nothing inside one), before SQLAlchemy begins.
    dbapi.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        dbapi.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return  # PostgreSQL checks them as the revisions run.
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if violations:
        tables = sorted({row[0] for row in violations})
        raise RuntimeError(f"the revisions would leave foreign keys broken in {tables}")


def is_up_to_date(engine: Engine) -> bool:
    """At the head revision, with every processing activity this release logs under (a new
    release may bring one: `upgrade` writes it)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        if MigrationContext.configure(connection).get_current_revision() != head:
            return False
        return not missing_activities(connection)

"""The schema comes from the Alembic revisions, and they agree with the code's tables."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from datameent.store.migrate import is_up_to_date
from datameent.store.tables import metadata
from datameent.store.uow import Store


def test_migrations_build_exactly_the_tables_in_code(store: Store) -> None:
    assert is_up_to_date(store.engine)
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_the_vault_keeps_one_current_version_per_key(store: Store) -> None:
    indexes = {i["name"]: i for i in inspect(store.engine).get_indexes("attribute_values")}
    assert indexes["uq_attribute_values_current"]["unique"]


def test_sqlite_runs_with_wal_and_foreign_keys(store: Store) -> None:
    if store.engine.dialect.name != "sqlite":
        return
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

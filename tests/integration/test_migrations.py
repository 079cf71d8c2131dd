"""The schema comes from the Alembic revisions, and they agree with the code's tables."""

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from datameent.ledger import NoteKey
from datameent.services import ledger, vault
from datameent.services.seed import seed_municipality
from datameent.store.migrate import alembic_config, is_up_to_date, upgrade
from datameent.store.tables import metadata, processing_register
from datameent.store.uow import Store
from tests.support import LOG_KEY, LOG_ORIGIN, store_for, user


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


def downgrade(store: Store, revision: str) -> None:
    """Alembic's downgrade to `revision`, with SQLite's foreign keys off while it rebuilds
    tables (as `upgrade` runs), checked before it commits."""
    with store.engine.connect() as connection:
        dbapi = connection.connection.dbapi_connection
        assert dbapi is not None
        dbapi.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config = alembic_config()
                config.attributes["connection"] = connection
                command.downgrade(config, revision)
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        finally:
            dbapi.execute("PRAGMA foreign_keys=ON")


def test_the_log_tables_are_rebuilt_on_sqlite_with_every_record_kept(tmp_path: Path) -> None:
    """Revision 0012 rebuilds three tables of a log that already holds records (foreign keys
    off while it runs, all checked before it commits): nothing is lost, the log still
    verifies to the same root, and the tables have the fewer b-trees it promises. The log is
    written by today's code and taken back to 0011 first (0012's own downgrade, which rebuilds
    the tables the other way), so that the test does not need yesterday's code."""
    store = store_for(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(store.engine)
    seed_municipality(store, 12, 3, demo_password="demo")
    for n in range(1, 4):
        resident = user(store, f"inwoner{n}")
        vault.read_vault(store, resident, resident.person_id)  # type: ignore[arg-type]
    key = NoteKey(LOG_ORIGIN, LOG_KEY)
    ledger.make_checkpoint(store, key, LOG_ORIGIN)
    before = ledger.verify_log(store, key.verifier())
    assert before.ok and before.size >= 3
    downgrade(store, "0011")
    with store.engine.connect() as connection:
        old = dict(connection.exec_driver_sql("SELECT name, sql FROM sqlite_master").all())
    assert "seq BIGINT NOT NULL" in old["log_records"]
    assert "WITHOUT ROWID" not in old["ledger_nodes"]

    upgrade(store.engine)

    assert is_up_to_date(store.engine)
    assert ledger.verify_log(store, key.verifier()) == before
    with store.engine.connect() as connection:
        tables = dict(connection.exec_driver_sql("SELECT name, sql FROM sqlite_master").all())
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        indexes = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
            "('log_records', 'audit_records', 'ledger_nodes')"
        ).all()
    assert "seq INTEGER NOT NULL" in tables["log_records"]
    assert "seq INTEGER NOT NULL" in tables["audit_records"]
    assert tables["ledger_nodes"].rstrip().endswith("WITHOUT ROWID")
    # One b-tree each, and the index that the resident's own log is read by.
    assert indexes == [("ix_log_records_subject_seq",)]
    store.dispose()


def test_a_release_with_a_new_processing_activity_needs_an_upgrade(store: Store) -> None:
    """A database at the head revision but without an activity this release logs under (as
    one made before the release that brought it) is not up to date until `upgrade` writes it:
    `datameent serve` says so, instead of failing at the first access logged under it."""
    with store.engine.begin() as connection:
        connection.execute(
            processing_register.delete().where(processing_register.c.code == "inloggen-inwoners")
        )
    assert not is_up_to_date(store.engine)
    upgrade(store.engine)
    assert is_up_to_date(store.engine)

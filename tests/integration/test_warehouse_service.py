"""The pseudonymised export to the statistics warehouse, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from sqlalchemy import func, select

from datameent.errors import AccessDenied, InvalidInput
from datameent.services import vault, warehouse
from datameent.store.tables import log_records, persons
from datameent.store.uow import Store
from tests.support import user

KEY = bytes(range(1, 33))


def _count_log(store: Store, activity: str) -> int:
    with store.engine.connect() as connection:
        return int(
            connection.scalar(
                select(func.count())
                .select_from(log_records)
                .where(log_records.c.activity_uri.like(f"%:{activity}:%"))
            )
            or 0
        )


def test_the_export_holds_no_identifiers_and_logs_every_person(
    seeded: Store, tmp_path: Path
) -> None:
    resident = user(seeded, "inwoner5")
    assert resident.person_id
    own = {v.key: v.value for v in vault.read_vault(seeded, resident, resident.person_id).current}
    with seeded.engine.connect() as connection:
        total = int(connection.scalar(select(func.count()).select_from(persons)) or 0)
    service = warehouse.service_account(seeded)
    assert warehouse.service_account(seeded).id == service.id, "made once"
    done = warehouse.export(seeded, service, "beleid", KEY, tmp_path / "beleid")
    assert done.persons == total and done.assessments >= total and done.erased == 0
    assert _count_log(seeded, "beleidsstatistiek") == total, "one record per person exported"

    table = pl.read_parquet(tmp_path / "beleid" / "persons.parquet")
    assert table.height == total and table["person"].n_unique() == total
    forbidden = {"given_name", "family_name", "street", "house_number", "phone", "bsn"}
    assert not forbidden & set(table.columns) and "birth_date" not in table.columns
    raw = b"".join(p.read_bytes() for p in (tmp_path / "beleid").glob("*.parquet"))
    for key in ("family_name", "street", "phone"):
        assert str(own[key]).encode() not in raw, key
    assert set(table["pc4"].drop_nulls().str.len_chars().unique().to_list()) == {4}
    with duckdb.connect(str(tmp_path / "beleid" / "warehouse.duckdb"), read_only=True) as db:
        assert db.execute("SELECT count(*) FROM persons").fetchone() == (total,)
    manifest = json.loads((tmp_path / "beleid" / "manifest.json").read_text())
    assert manifest["domain"] == "beleid" and "bsn" in manifest["direct_identifiers_removed"]

    # Another domain: the same people under other pseudonyms, so the two cannot be joined.
    warehouse.export(seeded, service, "clientenraad", KEY, tmp_path / "raad")
    council = pl.read_parquet(tmp_path / "raad" / "persons.parquet")
    assert council.height == total
    assert not set(council["person"]) & set(table["person"])
    scorers = pl.read_parquet(tmp_path / "raad" / "zrm.parquet")["scorer"].drop_nulls()
    assert not set(scorers) & set(pl.read_parquet(tmp_path / "beleid" / "zrm.parquet")["scorer"])


def test_only_the_pseudonymisation_service_exports_and_refusals_change_nothing(
    seeded: Store, tmp_path: Path
) -> None:
    before = _count_log(seeded, "beleidsstatistiek")
    with pytest.raises(AccessDenied):
        warehouse.export(seeded, user(seeded, "privacy1"), "beleid", KEY, tmp_path / "x")
    with pytest.raises(AccessDenied):
        warehouse.export(seeded, user(seeded, "analist1"), "beleid", KEY, tmp_path / "y")
    assert _count_log(seeded, "beleidsstatistiek") == before + 2, "each refusal is logged"
    with pytest.raises(InvalidInput):
        warehouse.export(seeded, warehouse.service_account(seeded), "geheim", KEY, tmp_path / "z")
    assert not [d for d in ("x", "y", "z") if (tmp_path / d).exists()], "nothing was written"


def test_an_erased_person_is_skipped(seeded: Store, tmp_path: Path) -> None:
    resident = user(seeded, "inwoner6")
    with seeded.engine.begin() as connection:  # what erasure does: the data key is destroyed
        connection.execute(
            persons.update().where(persons.c.id == resident.person_id).values(data_key=None)
        )
    done = warehouse.export(
        seeded, warehouse.service_account(seeded), "onderzoek", KEY, tmp_path / "o"
    )
    assert done.erased == 1
    table = pl.read_parquet(tmp_path / "o" / "persons.parquet")
    assert table.height == done.persons

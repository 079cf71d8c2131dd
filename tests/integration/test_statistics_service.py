"""Statistics from an exported warehouse, on SQLite and PostgreSQL as the operational store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from datameent.analytics.disclosure import TOTAL
from datameent.domain.statistics import PUBLIC_CATEGORIES, check_request
from datameent.errors import AccessDenied
from datameent.services import statistics, warehouse
from datameent.store.tables import persons
from datameent.store.uow import Store
from tests.support import user

KEY = bytes(range(2, 34))


def _total(figures: statistics.Figures) -> int:
    cells = figures.table.cells
    return int(cells.filter(cells["household_type"] == TOTAL)["count"].item())


def test_a_new_export_is_counted_not_an_old_answer(seeded: Store, tmp_path: Path) -> None:
    service = warehouse.service_account(seeded)
    warehouse.export(seeded, service, "beleid", KEY, tmp_path / "beleid")
    analyst = user(seeded, "analist1")
    request = check_request("clients", ["household_type"])
    with seeded.engine.connect() as connection:
        total = int(connection.scalar(select(func.count()).select_from(persons)) or 0)
    assert _total(statistics.make_table(tmp_path, analyst, request)) == total
    gone = user(seeded, "inwoner4")
    with seeded.engine.begin() as connection:  # erased: no longer in the next export
        connection.execute(
            persons.update().where(persons.c.id == gone.person_id).values(data_key=None)
        )
    warehouse.export(seeded, service, "beleid", KEY, tmp_path / "beleid")
    assert _total(statistics.make_table(tmp_path, analyst, request)) == total - 1
    with pytest.raises(AccessDenied):
        statistics.make_table(tmp_path, user(seeded, "klantmanager1"), request)
    with pytest.raises(statistics.NoWarehouse):  # the council's warehouse was never exported
        statistics.make_table(tmp_path, user(seeded, "clientenraad1"), request)


def test_exit_to_work_by_instrument_is_counted_from_what_case_managers_recorded(
    seeded: Store, tmp_path: Path
) -> None:
    import polars as pl

    warehouse.export(seeded, warehouse.service_account(seeded), "beleid", KEY, tmp_path / "beleid")
    exported = pl.read_parquet(tmp_path / "beleid" / "persons.parquet")
    assert exported["reintegration_instrument"].null_count() == 0
    assert set(exported["reintegration_instrument"]) <= set(
        PUBLIC_CATEGORIES["reintegration_instrument"]
    )
    request = check_request("exit_to_work", ["reintegration_instrument"])
    figures = statistics.make_table(tmp_path, user(seeded, "analist1"), request)
    cells = figures.table.cells
    total = cells.filter(cells["reintegration_instrument"] == TOTAL)
    assert total["mean"].item() == pytest.approx(exported["exit_to_work"].cast(pl.Float64).mean())
    published = cells.filter(cells["status"] == "safe")
    assert published["mean"].is_between(0, 1).all()

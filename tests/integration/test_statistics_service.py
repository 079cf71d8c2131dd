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


def test_clients_per_1000_inhabitants_need_the_population_and_stay_protected(
    seeded: Store, tmp_path: Path
) -> None:
    import polars as pl

    from datameent.analytics.synth import population, population_counts
    from datameent.errors import InvalidInput

    out = tmp_path / "beleid"
    warehouse.export(seeded, warehouse.service_account(seeded), "beleid", KEY, out)
    analyst = user(seeded, "analist1")
    request = check_request("clients_per_1000", ["age_band"])
    with pytest.raises(statistics.NoPopulation):
        statistics.make_table(tmp_path, analyst, request)

    counts = population_counts(population(3000, 5).persons)
    broken = counts.with_columns(pl.lit(-1, dtype=pl.Int64).alias("people"))
    before = (out / "warehouse.duckdb").read_bytes()
    with pytest.raises(InvalidInput) as refused:
        warehouse.load_population(out, broken)
    assert {p.field for p in refused.value.problems} == {"people"}
    (problem,) = refused.value.problems
    assert problem.message.nl.startswith("De waarde is te klein (bijvoorbeeld onder 0). Rijen: ")
    assert (out / "warehouse.duckdb").read_bytes() == before, "nothing loaded half"

    assert warehouse.load_population(out, counts) == counts.height
    cells = statistics.make_table(tmp_path, analyst, request).table.cells
    exported = pl.read_parquet(out / "persons.parquet")
    adults = counts.filter(pl.col("age_band") != "0-17")["people"].sum()
    total = cells.filter(cells["age_band"] == TOTAL).row(0, named=True)
    assert total["rate"] == pytest.approx(exported.height * 1000 / adults)
    assert (
        cells.filter(pl.col("count").is_null())["rate"].null_count()
        == cells.filter(pl.col("count").is_null()).height
    ), "no rate where the count is hidden"
    assert "0-17" not in cells["age_band"].to_list(), "per inhabitant aged 18 and over"

    by_sex = statistics.make_table(
        tmp_path, analyst, check_request("clients_per_1000", ["sex"], {"household_type": "single"})
    ).table.cells
    singles = exported.filter(pl.col("household_type") == "single").height
    single_adults = counts.filter(
        (pl.col("age_band") != "0-17") & (pl.col("household_type") == "single")
    )["people"].sum()
    overall = by_sex.filter(by_sex["sex"] == TOTAL).row(0, named=True)
    if singles >= 10:  # a total of fewer than 10 clients is hidden, and so is its rate
        assert overall["rate"] == pytest.approx(singles * 1000 / single_adults)
    else:
        assert overall["count"] is None and overall["rate"] is None

    warehouse.export(seeded, warehouse.service_account(seeded), "beleid", KEY, out)
    again = statistics.make_table(tmp_path, analyst, request).table.cells
    assert again.filter(again["age_band"] == TOTAL)["rate"].item() == total["rate"], (
        "a new export keeps the population"
    )


def test_stacking_of_provisions_is_counted_per_client(seeded: Store, tmp_path: Path) -> None:
    import polars as pl

    from datameent.domain.warehouse import provisions

    out = tmp_path / "beleid"
    warehouse.export(seeded, warehouse.service_account(seeded), "beleid", KEY, out)
    exported = pl.read_parquet(out / "persons.parquet")
    expected = [provisions(row) for row in exported.rows(named=True)]
    assert exported["provisions"].to_list() == expected
    assert set(expected) <= {1, 2, 3}, "every seeded client has a benefit"

    analyst = user(seeded, "analist1")
    by = statistics.make_table(tmp_path, analyst, check_request("clients", ["provisions"]))
    cells = by.table.cells
    shown = cells.filter((cells["provisions"] != TOTAL) & cells["count"].is_not_null())
    for row in shown.rows(named=True):
        assert row["count"] == expected.count(int(row["provisions"]))
    mean = statistics.make_table(tmp_path, analyst, check_request("provisions", []))
    assert mean.table.cells["mean"].item() == pytest.approx(sum(expected) / len(expected))
    noisy = statistics.noisy_table(
        seeded, tmp_path, analyst, check_request("clients", ["provisions"]), 1.0
    )
    assert set(noisy.cells["provisions"]) == {"0", "1", "2", "3", "Onbekend", TOTAL}

"""The statistics code at national scale: the same query on Spark (local mode) as on DuckDB,
and the same protected table from it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from datameent.analytics.disclosure import (
    Rules,
    aggregate_duckdb,
    aggregate_spark,
    aggregate_sql,
    protect_cells,
)
from datameent.analytics.synth import population


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Path:
    town = population(30_000, seed=8)
    path = tmp_path_factory.mktemp("warehouse") / "clients.parquet"
    town.clients.join(town.persons.select("person_id", "neighbourhood", "household_type"),
                      on="person_id").write_parquet(path)  # fmt: skip
    return path


@pytest.fixture(scope="module")
def spark(clients: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from datameent.analytics.linkage.spark import spark_api

    session = spark_api(str(tmp_path_factory.mktemp("spark")), threads=2, partitions=4).spark
    session.read.parquet(str(clients)).createOrReplaceTempView("clients")
    return session


def _sorted(cells: pl.DataFrame, breakdowns: list[str]) -> pl.DataFrame:
    return cells.sort(breakdowns).select(sorted(cells.columns))


@pytest.mark.parametrize(
    ("breakdowns", "measure", "suppresses"),
    [
        (["neighbourhood", "household_type"], None, True),
        (["neighbourhood", "instrument"], "monthly_benefit", True),
        (["household_type"], "net_monthly_income", False),
    ],
)
def test_spark_counts_the_same_cells_and_publishes_the_same_table(
    clients: Path, spark: object, breakdowns: list[str], measure: str | None, suppresses: bool
) -> None:
    rules = Rules()
    with duckdb.connect() as connection:
        connection.execute(f"CREATE VIEW clients AS SELECT * FROM read_parquet('{clients}')")
        on_duckdb = aggregate_duckdb(connection, "clients", breakdowns, measure, rules)
    on_spark = aggregate_spark(spark, "clients", breakdowns, measure, rules)
    assert on_duckdb.height >= 5
    largest = "largest" in on_duckdb.columns
    sort_largest = [pl.col("largest").list.sort()] if largest else []
    assert_frame_equal(
        _sorted(on_duckdb, breakdowns).with_columns(sort_largest),
        _sorted(on_spark, breakdowns).with_columns(sort_largest),
        check_exact=False,
        check_dtypes=False,
    )  # sums differ only in the order of floating-point additions
    published_duckdb = protect_cells(on_duckdb, breakdowns, measure=measure, rules=rules)
    published_spark = protect_cells(on_spark, breakdowns, measure=measure, rules=rules)
    assert_frame_equal(
        _sorted(published_duckdb.cells, breakdowns),
        _sorted(published_spark.cells, breakdowns),
        check_exact=False,
    )
    assert published_duckdb.suppressed == published_spark.suppressed
    assert (published_spark.suppressed > 0) == suppresses


def test_one_query_two_dialects() -> None:
    duck = aggregate_sql("persons", ["pc4"], "savings", Rules())
    spark = aggregate_sql("persons", ["pc4"], "savings", Rules(), "spark")
    assert 'FROM "persons" GROUP BY "pc4"' in duck
    assert "FROM `persons` GROUP BY `pc4`" in spark
    assert "max(abs(" in duck and "sort_array(collect_list(abs(" in spark


def test_unknown_tables_and_columns_are_refused_on_spark(spark: object) -> None:
    with pytest.raises(KeyError):
        aggregate_spark(spark, "clients", ["no_such_column"], None, Rules())
    with pytest.raises(KeyError):
        aggregate_spark(spark, "no_such_table", ["neighbourhood"], None, Rules())

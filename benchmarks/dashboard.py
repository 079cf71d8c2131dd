"""Benchmark: the statistics page over a 1,000,000-person warehouse, next to a baseline.

    .venv/bin/python -m benchmarks.dashboard [--persons 1000000] [--requests 100]

Builds a warehouse in the form `datameent warehouse export` writes (pseudonyms, birth year and
age band, PC4, household, benefit, income, work, two ZRM domains) from a synthetic town of
1,000,000 residents (everyone, with the clients' benefit data), serves datameent with
`DATAMEENT_WAREHOUSE_DIR` pointing at it, logs in as the demo analyst and times, one request at
a time, the statistics page as it opens (a table by age band and three key-figure tables: four
disclosure-controlled tables) and a heavier own table (average debt by PC4 and age band). The
warehouse carries the population counts of the same town, so the key figures include the rate
per 1,000 inhabitants (five tables). The baseline is the same server's `/health`. Target
(issue): the page in <= 300 ms at p95.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import httpx
import polars as pl

from benchmarks.vault_read import prepare, start
from datameent.analytics.synth import population, population_counts
from datameent.domain.warehouse import age_band


def warehouse(persons: int, directory: Path) -> None:
    town = population(persons, seed=7)
    latest = town.zrm.sort("assessed_on").group_by("person_id").last()
    bands = pl.col("age").replace_strict(
        {a: age_band(a) for a in range(130)}, return_dtype=pl.String
    )
    table = (
        town.persons.join(town.clients, on="person_id", how="left", suffix="_client")
        .join(
            latest.select("person_id", "zrm_werk_opleiding", "zrm_financien"),
            on="person_id",
            how="left",
        )  # fmt: skip
        .select(
            pl.col("person_id").cast(pl.String).str.zfill(32).alias("person"),
            pl.col("birth_date").dt.year().alias("birth_year"),
            bands.alias("age_band"),
            "sex",
            pl.col("postcode").str.slice(0, 4).alias("pc4"),
            "household_type",
            "household_size",
            "children_count",
            "education_level",
            "housing",
            "benefit_type",
            pl.col("benefit_start").dt.year().alias("benefit_start_year"),
            (2026 - pl.col("benefit_start").dt.year()).alias("benefit_years"),
            pl.col("monthly_benefit").round(0).cast(pl.Int64),
            pl.col("debts").round(0).cast(pl.Int64),
            pl.col("net_monthly_income").round(0).cast(pl.Int64),
            "debt_counselling",
            "dutch_language_level",
            "work_experience_years",
            "zrm_werk_opleiding",
            "zrm_financien",
            (
                pl.col("benefit_type").is_not_null().cast(pl.Int64)
                + pl.col("debt_counselling").fill_null(False).cast(pl.Int64)
                + (pl.col("instrument").fill_null("none") != "none").cast(pl.Int64)
            ).alias("provisions"),
        )
    )
    target = directory / "beleid"
    target.mkdir(parents=True)
    table.write_parquet(target / "persons.parquet")
    population_counts(town.persons).write_parquet(target / "population.parquet")
    with duckdb.connect(str(target / "warehouse.duckdb")) as db:
        for name in ("persons", "population"):
            db.execute(
                f"CREATE TABLE {name} AS SELECT * FROM read_parquet(?)",
                [str(target / f"{name}.parquet")],
            )


def distinct_tables(count: int) -> list[str]:
    """`count` different own tables: every measure by one or two breakdowns (that it can be
    broken down by)."""
    from datameent.domain.statistics import BREAKDOWNS, MEASURES, check_request
    from datameent.errors import InvalidInput

    found = []
    for first in BREAKDOWNS:
        for second in ["", *BREAKDOWNS]:
            for measure in MEASURES:
                try:
                    check_request(measure, [first, second])
                except InvalidInput:
                    continue
                found.append(f"maat={measure}&indeling={first}&indeling={second}")
    return found[:count]


def timed(client: httpx.Client, path: str, count: int) -> list[float]:
    took = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(path)
        took.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return took


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        env = prepare(directory)
        env["DATAMEENT_WAREHOUSE_DIR"] = str(directory / "warehouse")
        started = time.perf_counter()
        warehouse(args.persons, directory / "warehouse")
        print(
            f"warehouse of {args.persons:,} persons built in {time.perf_counter() - started:.1f} s"
        )
        process, base = start("datameent", env, 1)
        try:
            with httpx.Client(base_url=base, timeout=60) as client:
                form = client.get("/inloggen").text
                token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form)
                assert token
                login = {"username": "analist1", "password": "demo", "next": "/"}
                client.post("/inloggen", data={**login, "csrf_token": token.group(1)})
                first = timed(client, "/statistiek", 1)  # nothing cached yet
                page = timed(client, "/statistiek", args.requests)
                own = [
                    timed(client, f"/statistiek?{query}", 1)[0]
                    for query in distinct_tables(args.requests)
                ]
                health = timed(client, "/health", args.requests)
        finally:
            process.terminate()
            process.wait()
    print(f"statistics page, first view (every table counted): {first[0]:.1f} ms")
    for label, values in (
        ("statistics page, again (key figures counted before)", page),
        ("a new own table each time (never counted before) + key figures", own),
        ("baseline /health", health),
    ):
        print(f"{label}: p50 {p(values, 50):.1f} ms, p95 {p(values, 95):.1f} ms")
    print(
        f"page p95 / baseline p95: {p(page, 95) / p(health, 95):.1f} (target: page p95 <= 300 ms)"
    )


if __name__ == "__main__":
    main()

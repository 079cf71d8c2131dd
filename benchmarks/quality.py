"""Benchmark: validating 1,000,000 ZRM rows, next to a baseline in the same run.

    .venv/bin/python -m benchmarks.quality [--rows 1000000] [--runs 3]

Takes the ZRM assessments of a synthetic town (in the warehouse's form: a person pseudonym,
month, instrument version, scorer and the 13 domains) repeated to `rows` rows, and times
`analytics.quality`: the pandera schema of the warehouse's ZRM table (coercion and every column
rule) plus the ZRM plausibility checks. The baseline is one Polars pass over the same table
computing each column's null count, minimum and maximum. Target (issue): 1,000,000 rows in <= 2 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import polars as pl

from datameent.analytics import quality
from datameent.analytics.synth import population


def table(rows: int) -> pl.DataFrame:
    town = population(200_000, seed=3)
    zrm = town.zrm.select(
        pl.col("person_id").cast(pl.String).str.zfill(32).alias("person"),
        pl.col("assessed_on").dt.strftime("%Y-%m").alias("assessed_month"),
        "instrument_version",
        pl.col("scorer").cast(pl.String),
        *quality.ZRM,
    )
    repeats = -(-rows // zrm.height)
    return pl.concat([zrm] * repeats).head(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    data = table(args.rows)
    ours, bases = [], []
    for run in range(args.runs):
        start = time.perf_counter()
        data.select(
            [pl.col(c).null_count().alias(f"{c}_n") for c in data.columns]
            + [pl.col(c).min().alias(f"{c}_lo") for c in data.columns]
            + [pl.col(c).max().alias(f"{c}_hi") for c in data.columns]
        )
        bases.append(time.perf_counter() - start)
        start = time.perf_counter()
        findings = quality.check_schema(data, quality.warehouse_zrm())
        findings += quality.zrm_plausibility(data)
        ours.append(time.perf_counter() - start)
        print(f"run {run + 1}: validation {ours[-1]:.2f} s ({len(findings)} findings), "
              f"baseline {bases[-1]:.3f} s")  # fmt: skip
    mine, base = statistics.median(ours), statistics.median(bases)
    print(f"median: validation {mine:.2f} s for {data.height:,} rows (target 2 s); "
          f"baseline {base:.3f} s; ratio {mine / base:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()

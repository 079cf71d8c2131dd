"""Benchmark: `datameent synth` of a large municipality, next to a baseline in the same run.

    .venv/bin/python -m benchmarks.synth [--persons 1000000] [--runs 3]

Times building the synthetic town (`analytics.synth.population`: residents, clients, ZRM,
instruments and potential outcomes, the statistics office's noisy extract) and writing its
Parquet files, as `datameent synth` does. The baseline is the irreducible part of that work:
drawing a table of the same number of rows and columns of plain random numbers with NumPy and
writing it to Parquet with Polars. Target (issue): 1,000,000 persons in <= 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from datameent.analytics.synth import population


def build(persons: int, out: Path) -> tuple[float, dict[str, float]]:
    steps: dict[str, float] = {}
    start = last = time.perf_counter()
    name = "start"

    def tell(step: str) -> None:
        nonlocal last, name
        now = time.perf_counter()
        steps[name] = now - last
        last, name = now, step

    town = population(persons, seed=7, progress=tell)
    tell("write")
    town.write(out)
    tell("done")
    steps.pop("start", None)
    return time.perf_counter() - start, steps


def baseline(persons: int, columns: int, out: Path) -> float:
    start = time.perf_counter()
    rng = np.random.default_rng(7)
    table = pl.DataFrame({f"c{i}": rng.random(persons) for i in range(columns)})
    table.write_parquet(out / "baseline.parquet")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    totals, bases, last_steps = [], [], {}
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as directory:
            total, last_steps = build(args.persons, Path(directory))
            persons = pl.read_parquet(Path(directory) / "persons.parquet")
            bases.append(baseline(args.persons, persons.width, Path(directory)))
        totals.append(total)
        print(f"run {run + 1}: synth {total:.2f} s, baseline {bases[-1]:.2f} s")
    print("steps of the last run: " + ", ".join(f"{k} {v:.2f} s" for k, v in last_steps.items()))
    synth, base = statistics.median(totals), statistics.median(bases)
    print(f"median: synth {synth:.2f} s for {args.persons:,} persons (target 30 s); "
          f"baseline {base:.2f} s; ratio {synth / base:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()

"""Benchmark: record linkage of the synthetic municipality with its statistics-office extract.

    .venv/bin/python -m benchmarks.linkage [--persons 100000] [--large 1000000]
        [--bloom-persons 30000] [--kernel 10000] [--no-baseline]

The extract has the issue's noise (`synth.LINKAGE_BENCHMARK`: 10 % typos per name field, date
and postcode noise, 60 % overlap, equal sizes). Every figure has a baseline from the same run:

* probabilistic, `--persons` each side: datameent's model against a straightforward Splink
  configuration (Splink's out-of-the-box name, date and exact comparisons on the raw fields,
  blocking on birth date, full name and postcode), both resolved one-to-one at 0.9;
* probabilistic, `--large` each side: datameent's model only, in a child process whose peak
  memory is read from the kernel (the baseline's figure from the issue: F1 0.987 in 2.9 min);
* Bloom filters: encodings per second, Dice comparisons per second of the raw kernel
  (`--kernel` squared pairs), F1 at `--bloom-persons`, and `--large` with blocking, against
  clkhash and anonlink (Data61, unmaintained) run in the same run in a virtual environment of
  their own, made under `.cache/bench-clkhash` on first use (needs uv and PyPI).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

from datameent.analytics.linkage import bloom, evaluate, probabilistic
from datameent.analytics.linkage.prepare import standardise
from datameent.analytics.synth import LINKAGE_BENCHMARK, linkage_sources

ROOT = Path(__file__).parents[1]
SECRET = bytes(range(32))
BASELINE = ("clkhash==0.18.3", "anonlink==0.15.3", "setuptools<81")


def _truth(links: pl.DataFrame) -> pl.DataFrame:
    return links.drop_nulls().select(
        pl.col("person_id").cast(pl.String).alias("left_id"),
        pl.col("record_id").cast(pl.String).alias("right_id"),
    )


def _score(links: pl.DataFrame, truth: pl.DataFrame) -> evaluate.Accuracy:
    return evaluate.accuracy(links.rename({links.columns[2]: "score"}), truth, 0.0)


def _line(name: str, seconds: float, accuracy: evaluate.Accuracy, extra: str = "") -> None:
    print(
        f"  {name:<34} {seconds:7.1f} s  precision {accuracy.precision:.5f}  "
        f"recall {accuracy.recall:.5f}  F1 {accuracy.f1:.5f}{extra}",
        flush=True,
    )


# Probabilistic ---------------------------------------------------------------------------------


def straightforward_splink(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """What a first Splink model looks like: library comparisons on the raw fields."""
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    api = DuckDBAPI(duckdb.connect(config={"temp_directory": tempfile.mkdtemp()}))
    columns = ["given_name", "family_name", "birth_date", "sex", "postcode", "house_number"]
    a = left.select(pl.col("person_id").cast(pl.String).alias("uid"), *columns)
    b = right.select(pl.col("record_id").alias("uid"), *columns)
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        comparisons=[
            cl.NameComparison("given_name"), cl.NameComparison("family_name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=False),
            cl.ExactMatch("sex"), cl.ExactMatch("postcode"), cl.ExactMatch("house_number"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("birth_date"), block_on("given_name", "family_name"), block_on("postcode"),
        ],
    )  # fmt: skip
    linker = Linker(
        [api.register(a.to_arrow(), dataset_display_name="a"),
         api.register(b.to_arrow(), dataset_display_name="b")],
        settings, log_level=None,
    )  # fmt: skip
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in (block_on("birth_date"), block_on("postcode")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except ValueError:
            pass
    table = pl.from_arrow(linker.inference.predict(0.9).as_pyarrow_table())
    assert isinstance(table, pl.DataFrame)
    first = pl.col("source_dataset_l") == "a"
    pairs = table.select(
        pl.when(first).then(pl.col("uid_l")).otherwise(pl.col("uid_r")).alias("left_id"),
        pl.when(first).then(pl.col("uid_r")).otherwise(pl.col("uid_l")).alias("right_id"),
        "match_probability",
    )
    return bloom.one_to_one_links(pairs, "match_probability")


def run_probabilistic(persons: int) -> None:
    town = linkage_sources(persons, seed=1, noise=LINKAGE_BENCHMARK)
    truth = _truth(town.links)
    print(f"Probabilistic, {persons:,} x {town.statistics_office.height:,} records:")
    start = time.perf_counter()
    ours = probabilistic.link(
        town.municipality, town.statistics_office, left_id="person_id", right_id="record_id"
    )
    mine = time.perf_counter() - start
    _line("datameent (Splink, Dutch model)", mine, _score(ours.links, truth))
    start = time.perf_counter()
    theirs = straightforward_splink(town.municipality, town.statistics_office)
    baseline = time.perf_counter() - start
    _line("straightforward Splink (baseline)", baseline, _score(theirs, truth))
    print(f"  time ratio datameent / baseline: {mine / baseline:.2f}")


def _child_probabilistic(folder: str, queue: Any) -> None:
    left = pl.read_parquet(Path(folder) / "left.parquet")
    right = pl.read_parquet(Path(folder) / "right.parquet")
    start = time.perf_counter()
    scored = probabilistic.link(left, right, left_id="person_id", right_id="record_id")
    seconds = time.perf_counter() - start
    scored.links.write_parquet(Path(folder) / "links.parquet")
    queue.put(seconds)


def _child_bloom(folder: str, queue: Any) -> None:
    left = pl.read_parquet(Path(folder) / "left.parquet")
    right = pl.read_parquet(Path(folder) / "right.parquet")
    start = time.perf_counter()
    a = bloom.encode(left, "person_id", SECRET)
    b = bloom.encode(right, "record_id", SECRET)
    encoded = time.perf_counter() - start
    matched = bloom.match(a, b)
    seconds = time.perf_counter() - start
    matched.links.select(
        pl.col("left_id").cast(pl.String), pl.col("right_id"), "dice"
    ).write_parquet(Path(folder) / "links.parquet")
    queue.put((seconds, encoded, matched.comparisons))


def _in_child(target: Any, folder: str) -> tuple[Any, float]:
    """Run `target` in a fresh process; its result and its peak memory in GB."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(folder, queue))
    process.start()
    result = queue.get()
    process.join()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6  # kB -> GB
    return result, peak


def run_large(persons: int) -> None:
    town = linkage_sources(persons, seed=1, noise=LINKAGE_BENCHMARK)
    truth = _truth(town.links)
    with tempfile.TemporaryDirectory() as folder:
        town.municipality.write_parquet(Path(folder) / "left.parquet")
        town.statistics_office.write_parquet(Path(folder) / "right.parquet")
        del town
        print(f"At national scale, {persons:,} x about {persons:,} records (child processes):")
        seconds, peak = _in_child(_child_probabilistic, folder)
        links = pl.read_parquet(Path(folder) / "links.parquet")
        _line("probabilistic (DuckDB)", seconds, _score(links, truth), f"  peak {peak:.2f} GB")
        (seconds, encoded, comparisons), peak = _in_child(_child_bloom, folder)
        links = pl.read_parquet(Path(folder) / "links.parquet")
        _line(
            "Bloom filters, blocked", seconds, _score(links, truth),
            f"  (encoding {encoded:.1f} s, {comparisons:,} comparisons)",
        )  # fmt: skip


# Bloom filters ---------------------------------------------------------------------------------


def _baseline_python() -> Path | None:
    venv = ROOT / ".cache" / "bench-clkhash"
    python = venv / "bin" / "python"
    if python.exists():
        return python
    uv = shutil.which("uv") or next(iter(sorted((ROOT / ".cache").glob("uv-*/bin/uv"))), None)
    if uv is None:
        return None
    subprocess.run([str(uv), "venv", "-q", "-p", sys.executable, str(venv)], check=True)
    subprocess.run([str(uv), "pip", "install", "-q", "-p", str(python), *BASELINE], check=True)
    return python


def run_bloom(persons: int, kernel: int, with_baseline: bool) -> None:
    town = linkage_sources(persons, seed=3, noise=LINKAGE_BENCHMARK)
    truth = _truth(town.links)
    print(f"Bloom filters (CLK, 1,024 bits), {persons:,} x {town.statistics_office.height:,}:")
    warm = bloom.encode(town.municipality.head(200), "person_id", SECRET)
    bloom.comparisons_per_second_kernel(warm.filters, warm.filters)  # compile once
    bloom.match(warm, warm)

    big = linkage_sources(max(100_000, persons), seed=4, noise=LINKAGE_BENCHMARK).municipality
    start = time.perf_counter()
    bloom.encode(big, "person_id", SECRET)
    rate = big.height / (time.perf_counter() - start)
    print(f"  datameent encodings per second:     {rate:12,.0f}  ({big.height:,} records)")

    a = bloom.encode(town.municipality, "person_id", SECRET)
    b = bloom.encode(town.statistics_office, "record_id", SECRET)
    n = min(kernel, a.filters.shape[0], b.filters.shape[0])
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        bloom.comparisons_per_second_kernel(a.filters[:n], b.filters[:n])
        runs.append(time.perf_counter() - start)
    print(f"  datameent Dice comparisons per second: {n * n / min(runs):12,.0f}  ({n:,}^2 pairs)")
    start = time.perf_counter()
    matched = bloom.match(a, b)
    seconds = time.perf_counter() - start
    links = matched.links.select(pl.col("left_id").cast(pl.String), "right_id", "dice")
    _line("datameent match (blocked, 1:1)", seconds, _score(links, truth),
          f"  ({matched.comparisons:,} comparisons)")  # fmt: skip

    if not with_baseline:
        return
    python = _baseline_python()
    if python is None:
        print("  clkhash/anonlink baseline skipped: uv is not available to make its venv")
        return
    with tempfile.TemporaryDirectory() as folder:
        for table, column, name in ((town.municipality, "person_id", "left"),
                                    (town.statistics_office, "record_id", "right")):  # fmt: skip
            standardise(table, column).select(
                pl.col(column).cast(pl.String).alias("id"),
                "given_name", "surname", "birth_date", "sex", "postcode", "house",
            ).fill_null("").write_csv(Path(folder) / f"{name}.csv")  # fmt: skip
        truth.write_csv(Path(folder) / "truth.csv")
        script = ROOT / "benchmarks" / "_clk_baseline.py"
        files = [str(Path(folder) / f) for f in ("left.csv", "right.csv", "truth.csv")]
        done = subprocess.run(
            [str(python), str(script), *files, str(n)], capture_output=True, text=True, check=True
        )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  clkhash encodings per second:       {figures['encodings_per_second']:12,.0f}")
    print(f"  anonlink Dice comparisons per second: {figures['comparisons_per_second']:12,.0f}")
    print(
        f"  {'anonlink match (all pairs, greedy)':<34} {figures['match_seconds']:7.1f} s  "
        f"precision {figures['precision']:.5f}  recall {figures['recall']:.5f}  "
        f"F1 {figures['f1']:.5f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000, help="0 to skip")
    parser.add_argument("--bloom-persons", type=int, default=30_000)
    parser.add_argument("--kernel", type=int, default=10_000)
    parser.add_argument("--no-baseline", action="store_true", help="skip clkhash/anonlink")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")  # fmt: skip
    run_probabilistic(args.persons)
    run_bloom(args.bloom_persons, args.kernel, not args.no_baseline)
    if args.large:
        run_large(args.large)


if __name__ == "__main__":
    main()

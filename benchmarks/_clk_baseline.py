"""The Data61 baseline for `benchmarks.linkage`: clkhash encodings and anonlink matching.

Runs in its own virtual environment (clkhash and anonlink are unmaintained since 2023 and are
not datameent dependencies; `benchmarks.linkage` makes the environment). It reads the two
standardised sources as CSV, encodes them with a clkhash schema of the same fields and bits per
token as datameent's encoding, and prints one JSON line of figures.

    <venv>/bin/python benchmarks/_clk_baseline.py LEFT.csv RIGHT.csv TRUTH.csv KERNEL_N
"""

from __future__ import annotations

import csv
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")

import anonlink  # noqa: E402
from clkhash import clk  # noqa: E402
from clkhash.schema import from_json_dict  # noqa: E402

FIELDS = ("given_name", "surname", "birth_date", "sex", "postcode", "house")


def feature(name: str, n: int, bits: int, positional: bool = False) -> dict[str, object]:
    return {
        "identifier": name,
        "format": {"type": "string", "encoding": "utf-8"},
        "hashing": {
            "comparison": {"type": "ngram", "n": n, "positional": positional},
            "strategy": {"bitsPerToken": bits},
            "hash": {"type": "doubleHash"},
            "missingValue": {"sentinel": ""},
        },
    }


SCHEMA = {
    "version": 3,
    "clkConfig": {
        "l": 1024,
        "kdf": {"type": "HKDF", "hash": "SHA256", "keySize": 64,
                "salt": "ZGF0YW1lZW50", "info": "ZGF0YW1lZW50"},
    },
    "features": [
        {"identifier": "id", "ignored": True},
        feature("given_name", 2, 12),
        feature("surname", 2, 12),
        feature("birth_date", 1, 10, positional=True),
        feature("sex", 1, 6),
        feature("postcode", 2, 8),
        feature("house", 1, 8, positional=True),
    ],
}  # fmt: skip


def read(path: str) -> list[list[str]]:
    with open(path, newline="") as f:
        return [[row["id"], *[row[c] for c in FIELDS]] for row in csv.DictReader(f)]


def main() -> None:
    left_path, right_path, truth_path, kernel_n = sys.argv[1:5]
    schema = from_json_dict(SCHEMA)
    left, right = read(left_path), read(right_path)
    start = time.perf_counter()
    a = clk.generate_clks(left, schema, "shared secret", validate=False, max_workers=2)
    b = clk.generate_clks(right, schema, "shared secret", validate=False, max_workers=2)
    encoding = time.perf_counter() - start

    n = int(kernel_n)
    start = time.perf_counter()
    anonlink.similarities.dice_coefficient_accelerated([a[:n], b[:n]], threshold=0.75)
    kernel = time.perf_counter() - start

    start = time.perf_counter()
    candidates = anonlink.candidate_generation.find_candidate_pairs(
        [a, b], anonlink.similarities.dice_coefficient_accelerated, 0.75
    )
    groups = anonlink.solving.greedy_solve(candidates)
    matching = time.perf_counter() - start
    with open(truth_path, newline="") as f:
        truth = {(row["left_id"], row["right_id"]) for row in csv.DictReader(f)}
    links = set()
    for group in groups:
        if len(group) == 2:
            (d1, r1), (d2, r2) = sorted(group)
            links.add((left[r1][0], right[r2][0]))
    hits = len(links & truth)
    precision = hits / len(links) if links else 1.0
    recall = hits / len(truth)
    print(json.dumps({
        "encodings_per_second": (len(left) + len(right)) / encoding,
        "comparisons_per_second": n * n / kernel,
        "match_seconds": matching,
        "precision": precision, "recall": recall,
        "f1": 2 * precision * recall / (precision + recall),
    }))  # fmt: skip


if __name__ == "__main__":
    main()

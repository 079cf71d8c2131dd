"""How good a linkage is: against the true links when they are known, and without them.

With the truth (the synthetic generator keeps it): precision, recall and F1 at the chosen
threshold, and a precision-recall curve over all thresholds. Without it: the distribution of
scores (a good linkage has two clear humps, few pairs in between), how many records have more
than one candidate above the threshold (clusters), and the model's own estimate of how many
matches there are. Either way, a sample of the uncertain pairs, the ones a person should look
at, with only the fields that person needs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import polars as pl

from datameent.analytics.linkage.prepare import standardise

REVIEW_FIELDS = ("given_name", "surname_prefix", "surname", "birth_date", "postcode", "house")
"""What a clerical reviewer sees of each side of a pair, standardised: enough to judge, no BSN,
no street, no research variable."""


@dataclass(frozen=True)
class Accuracy:
    threshold: float
    links: int
    true_links: int
    true_positives: int
    precision: float
    recall: float
    f1: float


def accuracy(links: pl.DataFrame, truth: pl.DataFrame, threshold: float) -> Accuracy:
    """`links` (left_id, right_id, score) at `threshold` against `truth` (left_id, right_id)."""
    chosen = links.filter(pl.col("score") >= threshold)
    hits = chosen.join(truth, on=["left_id", "right_id"], how="semi").height
    precision = hits / chosen.height if chosen.height else 1.0
    recall = hits / truth.height if truth.height else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Accuracy(threshold, chosen.height, truth.height, hits, precision, recall, f1)


def precision_recall_curve(
    links: pl.DataFrame, truth: pl.DataFrame, points: int = 41
) -> pl.DataFrame:
    """threshold, precision, recall, f1 at `points` thresholds over the scores' range."""
    marked = links.join(
        truth.with_columns(pl.lit(True).alias("true")), on=["left_id", "right_id"], how="left"
    ).sort("score", descending=True)
    true = marked["true"].fill_null(False).to_numpy()
    scores = marked["score"].to_numpy()
    hits = np.cumsum(true)
    low, high = (float(scores.min()), float(scores.max())) if scores.size else (0.0, 1.0)
    rows = []
    for threshold in np.linspace(low, high, points):
        taken = int(np.searchsorted(-scores, -threshold, side="right"))
        tp = int(hits[taken - 1]) if taken else 0
        precision = tp / taken if taken else 1.0
        recall = tp / truth.height if truth.height else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append((float(threshold), precision, recall, f1))
    return pl.DataFrame(rows, schema=["threshold", "precision", "recall", "f1"], orient="row")


def label_free(pairs: pl.DataFrame, links: pl.DataFrame, threshold: float) -> dict[str, Any]:
    """What can be said without the truth: score histogram, candidates per record above the
    threshold (before one-to-one), links made."""
    above = pairs.filter(pl.col("score") >= threshold)
    counts, edges = np.histogram(pairs["score"].to_numpy(), bins=20)

    def per_record(column: str) -> dict[str, int]:
        sizes = above.group_by(column).len()["len"]
        return {
            "1": int((sizes == 1).sum()),
            "2": int((sizes == 2).sum()),
            "3+": int((sizes >= 3).sum()),
        }

    return {
        "candidate_pairs": pairs.height,
        "pairs_above_threshold": above.height,
        "links": links.height,
        "score_histogram": [
            {"from": float(edges[i]), "to": float(edges[i + 1]), "pairs": int(c)}
            for i, c in enumerate(counts)
        ],
        "candidates_per_left_record": per_record("left_id"),
        "candidates_per_right_record": per_record("right_id"),
    }


def review_sample(
    pairs: pl.DataFrame,
    left: pl.DataFrame,
    right: pl.DataFrame,
    *,
    left_id: str,
    right_id: str,
    low: float,
    high: float,
    size: int = 50,
    seed: int = 1,
) -> pl.DataFrame:
    """Up to `size` pairs scored between `low` and `high`, side by side with only the
    `REVIEW_FIELDS` of each record (for clerical review by the data holders, never for the
    research output)."""
    uncertain = pairs.filter(pl.col("score").is_between(low, high, closed="left"))
    chosen = uncertain.sample(min(size, uncertain.height), seed=seed, shuffle=True)
    sides = []
    for table, column, key, side in (
        (left, left_id, "left_id", "l"),
        (right, right_id, "right_id", "r"),
    ):  # noqa: E501
        fields = standardise(
            table.join(chosen.select(pl.col(key).alias(column)), on=column, how="semi"), column
        ).select(
            pl.col(column).alias(key), *[pl.col(f).alias(f"{f}_{side}") for f in REVIEW_FIELDS]
        )
        sides.append(fields)
    out = chosen.join(sides[0], on="left_id", how="left").join(sides[1], on="right_id", how="left")
    return out.select(
        "left_id", "right_id", "score",
        *[f"{f}_{s}" for f in REVIEW_FIELDS for s in ("l", "r")],
    ).sort("score")  # fmt: skip


def as_dict(value: Accuracy) -> dict[str, Any]:
    return asdict(value)

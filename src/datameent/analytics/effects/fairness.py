"""The fairness audit of an effect model, across the sensitive groups (fairlearn).

Per group of age band, sex, migration background and household type: how often each instrument
is suggested, the expected gain of the suggestion, and, where the truth is known (the synthetic
municipality), the error of the estimated effects and the regret (how much chance of work the
suggestion leaves on the table against the truly best instrument). For each measure the largest
difference between two groups is the headline. Groups smaller than the dashboards' minimum are
not shown (they would single people out), but they count in the totals.

The groups are columns beside the model's inputs, never inputs themselves (`data`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from datameent.analytics.effects.data import AUDIT_GROUPS, INSTRUMENTS, Array
from datameent.analytics.effects.model import Prediction

MEASURES = (
    *(f"suggested_{name}" for name in INSTRUMENTS),
    "expected_gain",
    "error",
    "regret",
)
"""`suggested_<instrument>`: the share of the group it is suggested to ("none": nothing is)."""


@dataclass(frozen=True)
class GroupRow:
    attribute: str
    group: str
    clients: int
    measures: dict[str, float]


@dataclass(frozen=True)
class FairnessReport:
    minimum_group: int
    rows: tuple[GroupRow, ...]
    """Shown groups only."""
    differences: dict[str, dict[str, float]]
    """Per attribute, per measure: the largest minus the smallest value over shown groups."""
    hidden: dict[str, int]
    """Per attribute: how many groups were too small to show."""

    def largest(self, measure: str) -> tuple[str, float]:
        """The attribute with the largest difference in `measure`, and that difference."""
        attribute = max(self.differences, key=lambda a: self.differences[a].get(measure, 0.0))
        return attribute, self.differences[attribute].get(measure, 0.0)


def audit(
    prediction: Prediction,
    groups: pl.DataFrame,
    truth: pl.DataFrame | None = None,
    *,
    minimum_group: int = 10,
) -> FairnessReport:
    """Audit `prediction` across the `groups` (one row per predicted client, columns named in
    `data.AUDIT_GROUPS`). `truth`: true effects and chances in the same order, if known."""
    from fairlearn.metrics import MetricFrame

    n = len(prediction.effect)
    suggested = prediction.suggestions()
    rows = np.arange(n)
    gain = np.where(suggested > 0, prediction.effect[rows, np.maximum(suggested, 1) - 1], 0.0)
    per_client: dict[str, Array] = {f"suggested_{name}": suggested == i
                                    for i, name in enumerate(INSTRUMENTS)}  # fmt: skip
    per_client["expected_gain"] = gain
    if truth is not None:
        tau = truth.select([f"tau_{name}" for name in INSTRUMENTS[1:]]).to_numpy()
        chance = truth.select([f"p_{name}" for name in INSTRUMENTS]).to_numpy()
        per_client["error"] = np.sqrt(np.mean((prediction.effect - tau) ** 2, axis=1))
        per_client["regret"] = chance.max(axis=1) - chance[rows, suggested]
    names = list(per_client)
    values = np.column_stack([per_client[m].astype(float) for m in names])

    def mean_of(column: int) -> Callable[[Any, Any], float]:
        return lambda _true, picked: float(np.mean(values[np.asarray(picked), column]))

    metrics = {m: mean_of(i) for i, m in enumerate(names)}
    metrics["clients"] = lambda _true, picked: float(len(picked))
    shown: list[GroupRow] = []
    differences: dict[str, dict[str, float]] = {}
    hidden: dict[str, int] = {}
    for attribute in AUDIT_GROUPS:
        if attribute not in groups.columns:
            continue
        labels = groups[attribute].cast(pl.String).fill_null("onbekend").to_numpy()
        frame = MetricFrame(
            metrics=metrics, y_true=np.zeros(n), y_pred=rows, sensitive_features=labels
        )
        table = frame.by_group
        big = table[table["clients"] >= minimum_group]
        hidden[attribute] = int(len(table) - len(big))
        for group, row in big.iterrows():
            measures = {m: float(row[m]) for m in names}
            shown.append(GroupRow(attribute, str(group), int(row["clients"]), measures))
        differences[attribute] = (
            {m: float(big[m].max() - big[m].min()) for m in names} if len(big) else {}
        )
    return FairnessReport(minimum_group, tuple(shown), differences, hidden)

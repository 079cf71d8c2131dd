"""Differentially private counts: the table's cells do not depend on the data, the noise is what
epsilon says, and the margins add up."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest

from datameent.analytics.disclosure import TOTAL
from datameent.analytics.privacy import noisy_counts

CATEGORIES = {"a": ["x", "y", "z"], "b": ["1", "2"]}


def test_every_public_category_is_released_even_when_nobody_is_in_it() -> None:
    finest = pl.DataFrame({"a": ["x"], "b": ["1"], "count": [40]})
    table = noisy_counts(finest, ["a", "b"], CATEGORIES, epsilon=1.0)
    inner = table.filter((pl.col("a") != TOTAL) & (pl.col("b") != TOTAL))
    assert sorted(inner.select("a", "b").rows()) == sorted(
        itertools.product(CATEGORIES["a"], CATEGORIES["b"])
    )
    assert (table["count"] >= 0).all() and set(table["status"]) == {"noisy"}
    total = table.filter((pl.col("a") == TOTAL) & (pl.col("b") == TOTAL))["count"].item()
    assert total == inner["count"].sum(), "margins are sums of the noisy cells"


def test_the_noise_at_epsilon_one_is_small_and_real() -> None:
    rng = np.random.default_rng(4)
    a = [f"c{i}" for i in range(100)]
    b = [f"d{i}" for i in range(50)]
    true = rng.integers(5, 200, size=len(a) * len(b))
    finest = pl.DataFrame(
        {
            "a": [x for x, _ in itertools.product(a, b)],
            "b": [y for _, y in itertools.product(a, b)],
            "count": true,
        }
    )
    table = noisy_counts(finest, ["a", "b"], {"a": a, "b": b}, epsilon=1.0)
    inner = table.filter((pl.col("a") != TOTAL) & (pl.col("b") != TOTAL))
    released = finest.join(inner, on=["a", "b"], suffix="_noisy")
    error = (released["count"] - released["count_noisy"]).abs()
    assert 0.5 < error.mean() <= 1.0, "discrete Laplace of scale 1: about 0.85 on average"  # type: ignore[operator]
    assert (error > 0).any(), "there is noise"


def test_epsilon_outside_the_sane_range_is_refused() -> None:
    finest = pl.DataFrame({"a": ["x"], "count": [3]})
    for epsilon in (0.0, -1.0, 50.0):
        with pytest.raises(ValueError):
            noisy_counts(finest, ["a"], {"a": ["x"]}, epsilon)

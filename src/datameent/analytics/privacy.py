"""Differentially private counts (OpenDP), for readers who want noise instead of suppression.

A table of counts in which each person falls in exactly one finest cell changes by at most one
in one cell when a person is added or removed (L1 sensitivity 1). Adding discrete Laplace noise
of scale 1/ε to every finest cell (OpenDP's `make_laplace` on integers) therefore releases the
whole table with ε-differential privacy. The cells released must not depend on the data: the
table spans every combination of the breakdowns' *public* categories, present or not. Negative
noisy counts are shown as 0 and the margins are sums of the noisy cells (post-processing, which
costs no privacy), so the table adds up.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import polars as pl

from datameent.analytics.disclosure import Rules, with_margins


def noisy_counts(
    finest: pl.DataFrame,
    breakdowns: Sequence[str],
    categories: Mapping[str, Sequence[str]],
    epsilon: float,
) -> pl.DataFrame:
    """Every cell of the table (the public categories' full grid and its margins) with a
    noisy `count` and the `status` "noisy"."""
    import opendp.prelude as dp

    dp.enable_features("contrib")  # OpenDP marks its constructors contrib until vetted
    if not 0 < epsilon <= 10:
        raise ValueError("epsilon must be in (0, 10]")
    grid = pl.DataFrame(
        list(itertools.product(*(categories[b] for b in breakdowns))) if breakdowns else [()],
        schema=list(breakdowns),
        orient="row",
    )
    counted = (
        grid.join(finest.select(*breakdowns, "count"), on=list(breakdowns), how="left")
        if breakdowns
        else finest.select("count")
    ).with_columns(pl.col("count").fill_null(0).cast(pl.Int64))
    mechanism = dp.m.make_laplace(
        dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=1.0 / epsilon
    )
    spent = mechanism.map(1)  # type: ignore[no-untyped-call]
    if abs(spent - epsilon) > 1e-9:  # one person moves one count by one: the loss is epsilon
        raise RuntimeError("the mechanism's privacy loss is not the epsilon asked for")
    noisy = [max(0, value) for value in mechanism(counted["count"].to_list())]
    released = counted.with_columns(pl.Series("count", noisy, dtype=pl.Int64))
    table = with_margins(released, breakdowns, None, Rules())
    return table.with_columns(pl.lit("noisy").alias("status"))

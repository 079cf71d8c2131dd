"""Disclosure control: primary and secondary suppression, checked by an attacker who solves the
table's linear relations for every suppressed cell."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from datameent.analytics.disclosure import TOTAL, Rules, Status, protect, tabulate, with_rate


def attack(cells: pl.DataFrame, breakdowns: list[str]) -> dict[int, tuple[float, float]]:
    """What someone who sees the published table can work out: for every hidden cell, its
    lowest and highest possible count, from the relations "a total is the sum of the cells it
    totals" and counts that are not negative. Written apart from the code under test."""
    rows = cells.select(breakdowns).rows()
    index = {row: i for i, row in enumerate(rows)}
    counts = cells["count"].to_list()
    hidden = [i for i, c in enumerate(counts) if c is None]
    column = {cell: j for j, cell in enumerate(hidden)}
    equations, right = [], []
    for row, i in index.items():
        for d, level in enumerate(row):
            if level != TOTAL:
                continue
            children = [index[r] for r in rows if r[:d] + r[d + 1 :] == row[:d] + row[d + 1 :]
                        and r[d] != TOTAL]  # fmt: skip
            coefficients = np.zeros(len(hidden))
            constant = 0.0
            for cell, sign in [(i, -1.0), *[(c, 1.0) for c in children]]:
                if cell in column:
                    coefficients[column[cell]] += sign
                else:
                    constant += sign * counts[cell]
            if coefficients.any():
                equations.append(coefficients)
                right.append(-constant)
    found = {}
    for cell in hidden:
        objective = np.zeros(len(hidden))
        objective[column[cell]] = 1.0
        low = linprog(objective, A_eq=np.array(equations), b_eq=right, bounds=(0, None))
        high = linprog(-objective, A_eq=np.array(equations), b_eq=right, bounds=(0, None))
        found[cell] = (low.fun, -high.fun if high.status == 0 else float("inf"))
    return found


def facts(seed: int, size: int, shape: tuple[int, ...]) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    columns = {}
    for d, categories in enumerate(shape):
        weights = rng.dirichlet(np.full(categories, 0.6))
        columns[f"b{d}"] = rng.choice([f"c{k}" for k in range(categories)], size, p=weights)
    columns["amount"] = rng.lognormal(6, 1.2, size)
    return pl.DataFrame(columns)


def test_the_attacker_recovers_a_cell_that_only_primary_suppression_hid() -> None:
    data = facts(3, 400, (4, 3))
    table = tabulate(data, ["b0", "b1"], None, Rules())
    small = (table["count"] > 0) & (table["count"] < 10)
    assert small.any(), "the example needs a small cell"
    naive = table.with_columns(pl.when(small).then(None).otherwise(pl.col("count")).alias("count"))
    truth = table["count"].to_list()
    recovered = [c for c, (low, high) in attack(naive, ["b0", "b1"]).items() if high - low < 1e-6]
    assert recovered and all(abs(attack(naive, ["b0", "b1"])[c][0] - truth[c]) < 1e-6
                             for c in recovered)  # fmt: skip


@settings(max_examples=40)
@given(
    seed=st.integers(0, 10_000),
    size=st.integers(20, 600),
    shape=st.lists(st.integers(2, 5), min_size=1, max_size=3).map(tuple),
)
def test_no_suppressed_cell_can_be_narrowed_below_the_protection_interval(
    seed: int, size: int, shape: tuple[int, ...]
) -> None:
    breakdowns = [f"b{d}" for d in range(len(shape))]
    protected = protect(facts(seed, size, shape), breakdowns)
    assert protected.audited and not protected.exposures
    counts = tabulate(facts(seed, size, shape), breakdowns, None, Rules())["count"].to_list()
    primary = set(
        protected.cells.with_row_index()
        .filter(pl.col("status").is_in([Status.TOO_FEW, Status.DOMINANT]))["index"]
        .to_list()
    )
    for cell, (low, high) in attack(protected.cells, breakdowns).items():
        assert low - 1e-6 <= counts[cell] <= high + 1e-6, "the attack is sound"
        if cell in primary:
            assert high - low >= Rules().interval - 1e-6, (cell, low, high)
    published = protected.cells.filter(pl.col("count").is_not_null())
    assert (published["count"] == 0).any() or (published["count"] >= 10).all(), "no small count"


def test_dominance_hides_an_amount_one_person_makes_up() -> None:
    data = pl.DataFrame(
        {
            "wijk": ["Noord"] * 12 + ["Zuid"] * 15 + ["Oost"] * 14,
            "schuld": [90_000.0] + [100.0] * 11 + [1_000.0] * 15 + [900.0] * 14,
        }
    )
    protected = protect(data, ["wijk"], measure="schuld")
    by = {r["wijk"]: r for r in protected.cells.rows(named=True)}
    assert by["Noord"]["status"] == Status.DOMINANT and by["Noord"]["sum"] is None
    assert by["Noord"]["mean"] is None and by["Noord"]["count"] is None
    assert by["Zuid"]["status"] == Status.SECONDARY or by["Oost"]["status"] == Status.SECONDARY
    assert by[TOTAL]["sum"] == pytest.approx(data["schuld"].sum())
    assert set(protected.cells.columns) == {"wijk", "count", "sum", "mean", "status"}, "no min/max"


def test_rounding_and_rules() -> None:
    data = facts(5, 500, (3,))
    rounded = protect(data, ["b0"], rules=Rules(rounding=5))
    assert all(c % 5 == 0 for c in rounded.cells["count"].drop_nulls().to_list())
    strict = protect(data, ["b0"], rules=Rules(min_frequency=400))
    assert strict.everything_suppressed
    for bad in ({"min_frequency": 0}, {"dominance_k": 1.5}, {"rounding": 0}):
        with pytest.raises(ValueError):
            Rules(**bad)  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        protect(data, ["no_such_breakdown"])


def test_margins_add_up_and_every_level_is_there() -> None:
    data = facts(8, 300, (3, 2))
    table = tabulate(data, ["b0", "b1"], None, Rules())
    assert table.height == (3 + 1) * (2 + 1)
    grand = table.filter((pl.col("b0") == TOTAL) & (pl.col("b1") == TOTAL))["count"].item()
    assert grand == 300
    for b0, b1 in itertools.product(["c0", "c1", "c2"], ["c0", "c1"]):
        expected = data.filter((pl.col("b0") == b0) & (pl.col("b1") == b1)).height
        found = table.filter((pl.col("b0") == b0) & (pl.col("b1") == b1))["count"]
        assert (found.item() if found.len() else 0) == expected


def test_duckdb_counts_the_same_cells_and_refuses_unknown_columns() -> None:
    import duckdb

    from datameent.analytics.disclosure import aggregate, aggregate_duckdb, protect_cells

    data = facts(12, 800, (4, 3)).with_columns(
        pl.when(pl.int_range(pl.len()) % 97 == 0).then(None).otherwise(pl.col("b1")).alias("b1")
    )
    with duckdb.connect() as db:
        db.execute("CREATE TABLE feiten (b0 VARCHAR, b1 VARCHAR, amount DOUBLE)")
        db.executemany("INSERT INTO feiten VALUES (?, ?, ?)", data.rows())
        in_duckdb = aggregate_duckdb(db, "feiten", ["b0", "b1"], "amount", Rules())
        for bad in (("feiten", ["b0; DROP TABLE feiten"]), ("nope", ["b0"])):
            with pytest.raises(KeyError):
                aggregate_duckdb(db, bad[0], bad[1], None, Rules())
        assert db.execute("SELECT count(*) FROM feiten").fetchone() == (800,)
    in_polars = aggregate(data, ["b0", "b1"], "amount", Rules())
    key = ["b0", "b1"]
    left, right = in_duckdb.sort(key), in_polars.sort(key)
    assert left["count"].to_list() == right["count"].to_list()
    assert np.allclose(left["sum"].to_numpy(), right["sum"].to_numpy())
    assert "Onbekend" in left["b1"].to_list(), "a missing category is its own cell"
    one = protect_cells(in_duckdb, key, measure="amount")
    two = protect_cells(in_polars, key, measure="amount")
    assert one.cells.sort(key)["status"].to_list() == two.cells.sort(key)["status"].to_list()


def test_a_table_without_breakdowns_is_its_total_and_hides_it_when_small() -> None:
    many = protect(pl.DataFrame({"x": range(12)}), [])
    assert many.cells.rows(named=True) == [{"count": 12, "status": "safe"}]
    few = protect(pl.DataFrame({"x": range(4)}), [])
    assert few.cells.rows(named=True) == [{"count": None, "status": "too_few"}]


def test_a_rate_per_inhabitants_is_published_only_where_its_count_is() -> None:
    facts = pl.DataFrame({"band": ["18-26"] * 12 + ["27-34"] * 3 + ["35-44"] * 20})
    people = pl.DataFrame(
        {"band": ["18-26", "27-34", "35-44", "45-54"], "people": [400, 100, 8, 50]}
    )
    cells = {
        r["band"]: r
        for r in with_rate(protect(facts, ["band"]), people, 1000).cells.rows(named=True)
    }
    assert cells[TOTAL]["rate"] == pytest.approx(35 * 1000 / 558)
    assert cells["27-34"]["rate"] is None and cells["27-34"]["status"] == "too_few"
    assert cells["18-26"]["rate"] is None, "hidden with it, or 35 - 20 - 12 gives it away"
    # 20 clients among 8 inhabitants: the count is safe, a rate over 8 people is not.
    assert cells["35-44"]["count"] == 20 and cells["35-44"]["rate"] is None
    assert cells["35-44"]["status"] == "too_few"
    assert cells["45-54"]["count"] == 0 and cells["45-54"]["rate"] == 0.0, "no one: rate 0"
    overall = with_rate(protect(facts, []), people, 1000).cells
    assert overall["rate"].item() == pytest.approx(35 * 1000 / 558)

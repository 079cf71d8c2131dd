"""Statistical disclosure control for tables, as statistics offices apply it.

A table is the cross-classification of fact rows by one or more breakdowns, with all its
margins (every breakdown also totalled: the level `TOTAL`), so that what is published adds up.
Before anything is published:

1. **Primary suppression.** A cell with fewer than `min_frequency` people (but more than none)
   is suppressed, and in a table of amounts a cell where the `dominance_n` largest contributions
   make up more than `dominance_k` of the total (the (n,k)-dominance rule).
2. **Secondary suppression.** A suppressed cell must not be recomputable from the published
   cells: in every relation (a margin and the cells it totals) a suppressed cell gets a partner,
   chosen among the smallest cells large enough to hide it, until no relation holds exactly one
   suppressed cell.
3. **Audit.** An attacker who knows every published cell and that counts are not negative
   solves the linear relations for the lowest and highest value each suppressed cell can have
   (linear programming, HiGHS). If that interval is narrower than `protection`, more cells are
   suppressed and the audit runs again. Tables too large to audit in reasonable time are
   protected by step 2 only, and say so (`audited`).

Only counts, sums and means are published: never the minimum or maximum, which is one
person's value. Optionally, published figures are rounded to a base.

Written here rather than taken from a library: the mature implementations (tau-ARGUS, sdcTable,
GaussSuppression) are Java or R programs, and there is no maintained Python package for cell
suppression with an audit.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import polars as pl
from scipy.sparse import csr_matrix

from datameent.domain.text import Text

TOTAL = "Totaal"
"""The level of a breakdown that totals all its categories."""
UNKNOWN = "Onbekend"
"""The category of facts whose breakdown value is missing."""
AUDIT_LIMIT = 1_000
"""Tables with more cells than this are protected without the linear-programming audit."""


@dataclass(frozen=True)
class Rules:
    """The output rules. Defaults: a minimum of 10 people per cell (the threshold Dutch
    municipalities and Statistics Netherlands commonly apply to published counts), the
    (2, 85 %) dominance rule (the example of the ESSnet Handbook on Statistical Disclosure
    Control, Hundepool et al.), a protection interval as wide as the minimum frequency, no
    rounding."""

    min_frequency: int = 10
    dominance_n: int = 2
    dominance_k: float = 0.85
    protection: int | None = None
    """How wide the interval an attacker can derive for a suppressed cell must at least be;
    default: `min_frequency`."""
    rounding: int | None = None
    """Round published counts and amounts to a multiple of this (e.g. 5)."""

    def __post_init__(self) -> None:
        if self.min_frequency < 1 or self.dominance_n < 1 or not 0 < self.dominance_k <= 1:
            raise ValueError("min_frequency and n are at least 1; k is a share in (0, 1]")
        if (self.protection is not None and self.protection < 0) or (
            self.rounding is not None and self.rounding < 1
        ):
            raise ValueError("protection and rounding are positive")

    @property
    def interval(self) -> int:
        return self.min_frequency if self.protection is None else self.protection


class Status(StrEnum):
    SAFE = "safe"
    TOO_FEW = "too_few"
    DOMINANT = "dominant"
    SECONDARY = "secondary"


REASONS: dict[Status, Text] = {
    Status.SAFE: Text("", ""),
    Status.TOO_FEW: Text(
        "Te weinig mensen: dan zou u iemand kunnen herkennen.",
        "Too few people: someone could be recognised.",
    ),
    Status.DOMINANT: Text(
        "Eén of twee mensen bepalen bijna het hele bedrag: dan zou u hun bedrag kunnen afleiden.",
        "One or two people make up almost the whole amount: their amount could be worked out.",
    ),
    Status.SECONDARY: Text(
        "Ook verborgen, omdat u anders een verborgen getal zou kunnen terugrekenen.",
        "Also hidden, because otherwise a hidden number could be calculated back.",
    ),
}

STATISTICS = ("count", "sum", "mean")
"""What may be published. Never a minimum or maximum: that is one person's value."""


@dataclass(frozen=True)
class Protected:
    """A table after disclosure control: `cells` holds the breakdowns, `count` (and, for a
    table of amounts, `sum` and `mean`), null where suppressed, and the `status` of each cell."""

    breakdowns: tuple[str, ...]
    measure: str | None
    cells: pl.DataFrame
    rules: Rules
    audited: bool
    exposures: tuple[Exposure, ...] = field(default=())
    """What the audit could still narrow down after protection (empty when it succeeded)."""

    @property
    def suppressed(self) -> int:
        return int((self.cells["status"] != Status.SAFE).sum())

    @property
    def everything_suppressed(self) -> bool:
        """Every cell at the finest level is hidden: the breakdowns are too fine to show
        anything but totals."""
        if not self.breakdowns:
            return bool((self.cells["status"] != Status.SAFE).all())
        finest = self.cells.filter(pl.all_horizontal([pl.col(b) != TOTAL for b in self.breakdowns]))
        return finest.height > 0 and bool((finest["status"] != Status.SAFE).all())


@dataclass(frozen=True)
class Exposure:
    """A suppressed cell the audit could pin down to [low, high]."""

    cell: int
    low: float
    high: float


def aggregate(
    facts: pl.DataFrame, breakdowns: Sequence[str], measure: str | None, rules: Rules
) -> pl.DataFrame:
    """The finest cells of the table from fact rows held in memory (Polars): breakdowns,
    `count`, and for a measure its `sum` and `largest` (the `dominance_n` largest
    contributions, as a list)."""
    missing = [c for c in (*breakdowns, *([measure] if measure else [])) if c not in facts.columns]
    if missing:
        raise KeyError(f"unknown columns: {', '.join(missing)}")
    n = rules.dominance_n
    aggregations = [pl.len().alias("count")]
    if measure:
        value = pl.col(measure).cast(pl.Float64).fill_null(0.0)
        aggregations += [value.sum().alias("sum"), value.abs().top_k(n).alias("largest")]
    if not breakdowns:
        return facts.select([a.implode() if i == 2 else a for i, a in enumerate(aggregations)])
    return _named(facts.group_by(list(breakdowns)).agg(aggregations), breakdowns, measure, n)


Dialect = Literal["duckdb", "spark"]
"""The SQL engine a table is counted in: "duckdb" (default, in-process) or "spark"."""

_QUOTE = {"duckdb": '"', "spark": "`"}
_LARGEST = {
    # The n largest contributions of a cell, for the dominance rule.
    "duckdb": "max(abs({value}), {n})",
    "spark": "slice(sort_array(collect_list(abs({value})), false), 1, {n})",
}


def aggregate_sql(
    table: str,
    breakdowns: Sequence[str],
    measure: str | None,
    rules: Rules,
    dialect: Dialect = "duckdb",
) -> str:
    """The one query that counts a table's finest cells, written once for every engine: the
    dialects differ only in how identifiers are quoted and how the largest contributions are
    collected. Names must have been checked against the engine's catalogue by the caller."""
    quote = _QUOTE[dialect]
    quoted = [f"{quote}{b}{quote}" for b in breakdowns]
    figures = ["count(*) AS count"]
    if measure:
        value = f"coalesce(CAST({quote}{measure}{quote} AS DOUBLE), 0)"
        largest = _LARGEST[dialect].format(value=value, n=int(rules.dominance_n))
        figures += [f"sum({value}) AS sum", f"{largest} AS largest"]
    group = f" GROUP BY {', '.join(quoted)}" if breakdowns else ""
    return f"SELECT {', '.join([*quoted, *figures])} FROM {quote}{table}{quote}{group}"


def _check_columns(known: set[str], table: str, wanted: Sequence[str]) -> None:
    if not known or any(c not in known for c in wanted):
        raise KeyError(f"unknown table or columns: {table}, {', '.join(wanted)}")


def aggregate_duckdb(
    connection: Any,
    table: str,
    breakdowns: Sequence[str],
    measure: str | None,
    rules: Rules,
) -> pl.DataFrame:
    """The finest cells of the table from fact rows in a DuckDB table (the warehouse): the
    grouping runs in DuckDB, only the cells come back. `table`, `breakdowns` and `measure` must
    be columns DuckDB knows; they are checked against its catalogue, never pasted unchecked."""
    _check_columns(
        columns_of(connection, table), table, [*breakdowns, *([measure] if measure else [])]
    )
    relation = connection.sql(aggregate_sql(table, breakdowns, measure, rules))
    cells = pl.from_arrow(relation.to_arrow_table())  # columnar: no Python row per cell
    assert isinstance(cells, pl.DataFrame)
    cells = cells.with_columns(pl.col("count").cast(pl.Int64))
    return _named(cells, breakdowns, measure, rules.dominance_n) if breakdowns else cells


def aggregate_spark(
    session: Any,
    table: str,
    breakdowns: Sequence[str],
    measure: str | None,
    rules: Rules,
) -> pl.DataFrame:
    """`aggregate_duckdb` on Spark, for warehouses at national scale: the same query (see
    `aggregate_sql`) on a table or view the session knows; the cells come back as Arrow and are
    protected by the same code."""
    known = set(session.table(table).columns) if session.catalog.tableExists(table) else set()
    _check_columns(known, table, [*breakdowns, *([measure] if measure else [])])
    frame = session.sql(aggregate_sql(table, breakdowns, measure, rules, "spark"))
    cells = pl.from_arrow(frame.toArrow())
    assert isinstance(cells, pl.DataFrame)
    if "count" in cells.columns:
        cells = cells.with_columns(pl.col("count").cast(pl.Int64))
    return _named(cells, breakdowns, measure, rules.dominance_n) if breakdowns else cells


def columns_of(connection: Any, table: str) -> set[str]:
    """The columns of a DuckDB table or view, from its catalogue (empty: no such table)."""
    rows = connection.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
    ).fetchall()
    return {str(row[0]) for row in rows}


def _named(
    cells: pl.DataFrame, breakdowns: Sequence[str], measure: str | None, n: int
) -> pl.DataFrame:
    """Categories as text, a missing value as its own category (`UNKNOWN`)."""
    cells = cells.with_columns(
        [pl.col(b).cast(pl.String).fill_null(UNKNOWN).alias(b) for b in breakdowns]
    )
    if cells.select(breakdowns).is_duplicated().any():
        merge = [pl.col("count").sum()]
        if measure:
            merge += [pl.col("sum").sum(), pl.col("largest").explode().top_k(n)]
        cells = cells.group_by(list(breakdowns)).agg(merge)
    return cells


def tabulate(
    facts: pl.DataFrame, breakdowns: Sequence[str], measure: str | None, rules: Rules
) -> pl.DataFrame:
    """Every cell of the table of `facts` and its margins (see `with_margins`)."""
    return with_margins(aggregate(facts, breakdowns, measure, rules), breakdowns, measure, rules)


def with_margins(
    finest: pl.DataFrame, breakdowns: Sequence[str], measure: str | None, rules: Rules
) -> pl.DataFrame:
    """The finest cells and every margin: breakdowns (`TOTAL` where totalled), `count`, and for
    a measure its `sum` and `top` (the sum of the `dominance_n` largest contributions)."""
    n = rules.dominance_n
    columns = [*breakdowns, "count", *(["sum", "largest"] if measure else [])]
    merge = [pl.col("count").sum()]
    if measure:
        merge += [pl.col("sum").sum(), pl.col("largest").explode().top_k(n).alias("largest")]
    queries = []
    lazy = finest.lazy()
    for size in range(len(breakdowns), -1, -1):
        for kept in itertools.combinations(breakdowns, size):
            if size == len(breakdowns):
                level = lazy
            elif kept:
                level = lazy.group_by(list(kept)).agg(merge)
            else:  # the grand total: one row
                level = lazy.select(
                    [m.implode() if measure and i == 2 else m for i, m in enumerate(merge)]
                )
            totalled = [pl.lit(TOTAL).alias(b) for b in breakdowns if b not in kept]
            queries.append(level.with_columns(totalled).select(columns))
    table = pl.concat(pl.collect_all(queries))  # the levels are counted in parallel
    if measure:
        table = table.with_columns(pl.col("largest").list.sum().alias("top")).drop("largest")
    return table.sort(list(breakdowns)) if breakdowns else table


def protect(
    facts: pl.DataFrame,
    breakdowns: Sequence[str],
    *,
    measure: str | None = None,
    rules: Rules | None = None,
    audit: bool | None = None,
) -> Protected:
    """The table of `facts` by `breakdowns` (counts; with `measure`, also its sum and mean),
    with primary and secondary suppression and, for tables up to `AUDIT_LIMIT` cells (or when
    `audit` says so), the linear-programming audit."""
    rules = rules or Rules()
    finest = aggregate(facts, breakdowns, measure, rules)
    return protect_cells(finest, breakdowns, measure=measure, rules=rules, audit=audit)


def protect_cells(
    finest: pl.DataFrame,
    breakdowns: Sequence[str],
    *,
    measure: str | None = None,
    rules: Rules | None = None,
    audit: bool | None = None,
) -> Protected:
    """`protect` for a table whose finest cells are already counted (`aggregate`,
    `aggregate_duckdb`)."""
    rules = rules or Rules()
    breakdowns = tuple(breakdowns)
    table = with_margins(finest, breakdowns, measure, rules)
    counts = table["count"].to_numpy().astype(float)
    status = np.full(table.height, Status.SAFE, dtype=object)
    status[(counts > 0) & (counts < rules.min_frequency)] = Status.TOO_FEW
    if measure:
        sums = table["sum"].to_numpy().astype(float)
        tops = table["top"].to_numpy().astype(float)
        dominant = (np.abs(sums) > 0) & (tops > rules.dominance_k * np.abs(sums))
        status[dominant & (status == Status.SAFE)] = Status.DOMINANT
    structure = _Structure(table, breakdowns)
    _secondary(structure, counts, status, rules)
    do_audit = audit if audit is not None else table.height <= AUDIT_LIMIT
    exposures: list[Exposure] = []
    if do_audit:
        for _ in range(50):
            exposures = structure.audit(counts, status, rules.interval)
            if not exposures:
                break
            if not _widen(structure, counts, status, exposures, rules):
                break
            _secondary(structure, counts, status, rules)
    cells = _publish(table, status, measure, rules)
    return Protected(breakdowns, measure, cells, rules, do_audit, tuple(exposures))


class _Structure:
    """The linear relations of a table: every margin cell is the sum of the cells it totals."""

    def __init__(self, table: pl.DataFrame, breakdowns: tuple[str, ...]) -> None:
        self.size = table.height
        self.breakdowns = breakdowns
        self._table = table
        indexed = table.select(breakdowns).with_row_index("_cell")
        queries = []
        lazy = indexed.lazy()
        for d in breakdowns:
            others = [b for b in breakdowns if b != d]
            at_total = pl.col(d) == TOTAL
            parent = pl.col("_cell").filter(at_total).first().alias("parent")
            children = pl.col("_cell").filter(~at_total).alias("children")
            if others:
                pairs = lazy.group_by(others, maintain_order=True).agg(parent, children)
            else:
                pairs = lazy.select(parent, children.implode())
            queries.append(pairs.select("parent", "children").drop_nulls("parent"))
        found = pl.collect_all(queries)  # one relation set per breakdown, in parallel
        relations = (
            pl.concat(found).with_row_index("relation")
            if found
            else pl.DataFrame(
                {"relation": [], "parent": [], "children": []},
                schema={"relation": pl.UInt32, "parent": pl.UInt32, "children": pl.List(pl.UInt32)},
            )
        )
        self.parents = relations["parent"].to_numpy().astype(np.int64)
        members = relations.select(
            "relation", pl.concat_list(pl.col("parent"), pl.col("children")).alias("cell")
        ).explode("cell")
        self.incidence = csr_matrix(
            (
                np.ones(members.height),
                (members["relation"].to_numpy(), members["cell"].to_numpy()),
            ),
            shape=(relations.height, self.size),
        )
        """Relations × cells: which cells each relation holds (the margin first is not kept here:
        see `parents`)."""
        # Without breakdowns the one cell (the total) is the table's only interior cell.
        inside = [pl.col(b) != TOTAL for b in breakdowns] or [pl.lit(True)]
        interior = indexed.filter(pl.all_horizontal(inside))
        self.interior = interior["_cell"].to_numpy().astype(np.int64)

    def members(self, relation: int) -> tuple[int, list[int]]:
        """A relation: its margin cell and the cells it totals."""
        start, end = self.incidence.indptr[relation], self.incidence.indptr[relation + 1]
        parent = int(self.parents[relation])
        return parent, [int(c) for c in self.incidence.indices[start:end] if c != parent]

    @functools.cached_property
    def relations(self) -> list[tuple[int, list[int]]]:
        """Every relation as (margin cell, the cells one level finer along one breakdown that it
        totals)."""
        return [self.members(r) for r in range(len(self.parents))]

    @functools.cached_property
    def covers(self) -> list[list[int]]:
        """Per cell: the interior cells (by position in `interior`) it is the sum of."""
        rows = self._table.select(self.breakdowns).rows() if self.breakdowns else [()] * self.size
        index = {row: i for i, row in enumerate(rows)}
        position = {cell: k for k, cell in enumerate(self.interior)}
        covers: list[list[int]] = [[] for _ in range(self.size)]
        for row, i in index.items():
            if TOTAL in row:
                continue
            for mask in itertools.product((False, True), repeat=len(row)):
                margin = tuple(TOTAL if m else v for m, v in zip(mask, row, strict=True))
                covers[index[margin]].append(position[i])
        return covers

    def ancestors(self, cell: int) -> set[int]:
        """The totals a cell counts in (at any level)."""
        found: set[int] = set()
        frontier = [cell]
        while frontier:
            current = frontier.pop()
            for parent, children in self.relations:
                if current in children and parent not in found:
                    found.add(parent)
                    frontier.append(parent)
        return found

    def audit(self, counts: np.ndarray, status: np.ndarray, interval: int) -> list[Exposure]:
        """The attacker's linear programme: for each primary-suppressed cell, its lowest and
        highest value given every published cell and non-negative counts. (A secondary cell
        holds no one at risk; it only has to keep the primary ones hidden.)"""
        hidden = status != Status.SAFE
        unknown = [k for k, cell in enumerate(self.interior) if hidden[cell]]
        if not unknown:
            return []
        column = {k: j for j, k in enumerate(unknown)}
        rows: list[int] = []
        cols: list[int] = []
        right: list[float] = []
        for cell in range(self.size):
            if hidden[cell]:
                continue
            members = self.covers[cell]
            free = [column[k] for k in members if k in column]
            if not free:
                continue
            known = float(sum(counts[self.interior[k]] for k in members if k not in column))
            r = len(right)
            rows += [r] * len(free)
            cols += free
            right.append(counts[cell] - known)
        equalities = csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(right), len(unknown))
        )
        exposures = []
        primary = (status == Status.TOO_FEW) | (status == Status.DOMINANT)
        for found_at in np.flatnonzero(primary):
            cell = int(found_at)
            members = self.covers[cell]
            objective = np.zeros(len(unknown))
            for k in members:
                if k in column:
                    objective[column[k]] = 1.0
            known = float(sum(counts[self.interior[k]] for k in members if k not in column))
            bounds = []
            for sign in (1.0, -1.0):
                found = _linprog()(
                    sign * objective,
                    A_eq=equalities if right else None,
                    b_eq=np.asarray(right) if right else None,
                    bounds=(0, None),
                    method="highs",
                )
                bounds.append(sign * found.fun + known if found.status == 0 else None)
            low, high = bounds
            if high is None:  # unbounded above: safe
                continue
            low = 0.0 if low is None else low
            if high - low < interval - 1e-6:
                exposures.append(Exposure(cell, low, high))
        return exposures


def _secondary(structure: _Structure, counts: np.ndarray, status: np.ndarray, rules: Rules) -> None:
    """Until no relation holds exactly one hidden cell: give each lonely hidden cell a partner.
    Each pass counts the hidden cells of every relation at once (a sparse product) and visits
    only the relations with exactly one; a visit works on the relation's slice of the sparse
    matrix (its cells, margin included), not on Python lists."""
    hidden = status != Status.SAFE
    starts, cells = structure.incidence.indptr, structure.incidence.indices
    while True:
        lonely_relations = np.flatnonzero(structure.incidence @ hidden.astype(float) == 1)
        if lonely_relations.size == 0:
            return
        changed = False
        for r in lonely_relations:
            members = cells[starts[r] : starts[r + 1]]
            hidden_here = hidden[members]
            if np.count_nonzero(hidden_here) != 1:  # an earlier fix in this pass changed it
                continue
            parent = structure.parents[r]
            lonely_is_margin = members[hidden_here][0] == parent
            # A hidden margin is hidden again by one of the cells it totals; a hidden cell by
            # any other member (its margin included). Never the hidden cell itself.
            pool = (
                members[~hidden_here & (members != parent)]
                if lonely_is_margin
                else (members[~hidden_here])
            )
            chosen = _partner_of(pool, counts, rules.interval)
            if chosen is not None:
                status[chosen] = Status.SECONDARY
                hidden[chosen] = True
                changed = True
        if not changed:
            return


def _partner_of(options: np.ndarray, counts: np.ndarray, need: float) -> int | None:
    """Of `options` (cells still published), the one to suppress next to a lonely hidden
    cell: the smallest that can hide it (at least `need`), else the largest there is."""
    if options.size == 0:
        return None
    values = counts[options]
    big = values >= need
    if big.any():  # the smallest that can hide it (ties: the first cell)
        candidates, keys = options[big], values[big]
        return int(candidates[keys == keys.min()].min())
    top = values.max()  # else the largest there is (ties: the first cell)
    return int(options[values == top].min())


def _widen(
    structure: _Structure,
    counts: np.ndarray,
    status: np.ndarray,
    exposures: list[Exposure],
    rules: Rules,
) -> bool:
    """After a failed audit: for each exposed cell, suppress one more cell in one of its
    relations; when those are all hidden already, the smallest published total above it (a
    total smaller than the protection interval gives the cell away)."""
    widened = False
    for exposure in exposures:
        chosen = None
        for parent, children in structure.relations:
            members = [parent, *children]
            if exposure.cell in members:
                options = np.array([m for m in members if status[m] == Status.SAFE], dtype=int)
                chosen = _partner_of(options, counts, rules.interval)
                if chosen is not None:
                    break
        if chosen is None:
            above = [a for a in structure.ancestors(exposure.cell) if status[a] == Status.SAFE]
            chosen = min(above, key=lambda a: (counts[a], a)) if above else None
        if chosen is not None:
            status[chosen] = Status.SECONDARY
            widened = True
    return widened


def _publish(
    table: pl.DataFrame, status: np.ndarray, measure: str | None, rules: Rules
) -> pl.DataFrame:
    hidden = pl.Series(status != Status.SAFE)
    cells = table.with_columns(pl.Series("status", status.astype(str), dtype=pl.String))
    figures = ["count", "sum"] if measure else ["count"]
    if measure:
        cells = cells.with_columns((pl.col("sum") / pl.col("count")).alias("mean")).drop("top")
        figures.append("mean")
    if rules.rounding:
        base = rules.rounding
        cells = cells.with_columns(
            [
                ((pl.col(f) / base).round(0) * base).alias(f)
                for f in ("count", "sum")
                if f in figures
            ]
        )
    return cells.with_columns(
        [pl.when(hidden).then(None).otherwise(pl.col(f)).alias(f) for f in figures]
    )


def with_rate(table: Protected, population: pl.DataFrame, per: int) -> Protected:
    """A protected table of counts with, per cell, the count per `per` people of `population`
    (its finest cells: the same breakdowns and `people`; margins are summed here). A rate is
    published only where its count is, and only over at least `min_frequency` people: a rate
    over a handful of inhabitants would point at them."""
    breakdowns = table.breakdowns
    finest = population.select(*breakdowns, pl.col("people").alias("count"))
    if breakdowns:
        finest = finest.group_by(list(breakdowns)).agg(pl.col("count").sum())
    else:
        finest = finest.select(pl.col("count").sum())
    totals = with_margins(finest, breakdowns, None, table.rules).rename({"count": "people"})
    if breakdowns:
        # Where people live but no one is counted, the rate is 0: those cells are added.
        empty = totals.join(table.cells, on=list(breakdowns), how="anti").select(
            *breakdowns,
            pl.lit(0, dtype=table.cells["count"].dtype).alias("count"),
            pl.lit(str(Status.SAFE)).alias("status"),
        )
        cells = pl.concat([table.cells, empty], how="diagonal").join(
            totals, on=list(breakdowns), how="left"
        )
        cells = cells.sort(list(breakdowns))
    else:
        cells = table.cells.with_columns(totals["people"])
    small = pl.col("people").is_null() | (pl.col("people") < table.rules.min_frequency)
    rate = pl.col("count").cast(pl.Float64) * per / pl.col("people")
    cells = cells.with_columns(
        pl.when(pl.col("count").is_null() | small).then(None).otherwise(rate).alias("rate"),
        pl.when((pl.col("status") == Status.SAFE) & small)
        .then(pl.lit(str(Status.TOO_FEW)))
        .otherwise(pl.col("status"))
        .alias("status"),
    )
    return dataclasses.replace(table, cells=cells.drop("people"))


def _linprog() -> Any:
    """SciPy's LP solver, imported when an audit needs it: `scipy.optimize` takes most of a
    second to import, and the pages that only protect tables never do."""
    from scipy.optimize import linprog

    return linprog

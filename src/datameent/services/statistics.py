"""Tables from the statistics warehouse, only through disclosure control.

Policy officers (the municipality's warehouse) and the client council (its own) compose a table
from a fixed vocabulary (`domain.statistics`); the figures are counted in the warehouse's DuckDB
file and protected (`analytics.disclosure`) before they leave this module. The warehouse holds
no personal data a person can be found by, and what comes out is aggregated: reading it is not
logged per person; who may read which warehouse is decided by the policy.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from datameent.analytics.disclosure import (
    Protected,
    Rules,
    aggregate_duckdb,
    columns_of,
    protect_cells,
    with_rate,
)
from datameent.analytics.privacy import noisy_counts
from datameent.domain.accounts import User
from datameent.domain.policy import Action, allows
from datameent.domain.statistics import (
    BUDGETS,
    CHILDREN_BAND,
    PUBLIC_CATEGORIES,
    TableRequest,
    check_noisy,
    domain_for,
)
from datameent.domain.text import Text
from datameent.errors import AccessDenied, InvalidInput, NotFound, Problem
from datameent.services.clock import utcnow
from datameent.store.uow import Store

if TYPE_CHECKING:
    from datameent.analytics import quality

NO_WAREHOUSE = Text(
    "Er zijn nog geen cijfers: de gegevens voor de statistiek zijn nog niet klaargezet.",
    "There are no figures yet: the data for statistics has not been prepared.",
)


class NoWarehouse(NotFound):
    """The consumer's warehouse has not been exported yet."""

    title = Text("Nog geen cijfers", "No figures yet")


@dataclass(frozen=True)
class Figures:
    request: TableRequest
    table: Protected
    domain: str
    exported_on: str | None
    coarser: str | None = None
    """When everything below the total is suppressed: the breakdown to leave out (the one with
    the most categories)."""


def may_read(actor: User | None) -> bool:
    """Whether to offer `actor` the statistics pages."""
    return actor is not None and allows(actor, Action.VIEW_STATISTICS)


def ensure_may_read(actor: User) -> None:
    if not may_read(actor):
        raise AccessDenied(("only analysts, the privacy officer and the client council",))


def make_table(
    warehouse: Path, actor: User, request: TableRequest, rules: Rules | None = None
) -> Figures:
    """The requested table from `actor`'s warehouse, after disclosure control."""
    domain, database = _warehouse_of(warehouse, actor)
    rules = rules or Rules()
    key = (
        str(database),
        database.stat().st_mtime_ns,
        request.measure.code,
        request.breakdowns,
        tuple(sorted(request.filters.items())),
        rules,
    )
    cached = _PROTECTED.get(key)
    if cached is None:
        # A rate without population counts is refused before anything is counted.
        population = _population(database, request) if request.measure.per else None
        finest = _count(database, request, rules)
        table = protect_cells(
            finest,
            request.breakdowns,
            measure=request.measure.column,
            rules=rules if request.measure.amount else _counts_only(rules),
        )
        if population is not None and request.measure.per:
            table = with_rate(table, population, request.measure.per)
        sizes = {b: finest[b].n_unique() for b in request.breakdowns}
        cached = _PROTECTED.put(key, (table, sizes))
    table, sizes = cached
    coarser = None
    if table.everything_suppressed and request.breakdowns:
        coarser = max(request.breakdowns, key=lambda b: sizes[b])
    return Figures(request, table, domain, _exported_on(database), coarser)


def _warehouse_of(warehouse: Path, actor: User) -> tuple[str, Path]:
    """The consumer domain `actor` reads and its warehouse's DuckDB file."""
    ensure_may_read(actor)
    domain = domain_for(actor)
    if domain is None:
        raise AccessDenied(("no warehouse for this role",))
    database = warehouse / domain / "warehouse.duckdb"
    if not database.exists():
        raise NoWarehouse(detail=NO_WAREHOUSE)
    return domain, database


def _exported_on(database: Path) -> str | None:
    manifest = database.parent / "manifest.json"
    if not manifest.exists():
        return None
    found: str | None = json.loads(manifest.read_text()).get("exported_on")
    return found


def _count(database: Path, request: TableRequest, rules: Rules) -> pl.DataFrame:
    """The finest cells, counted in the warehouse (a warehouse from an older export that lacks
    a column counts as no warehouse)."""
    try:
        return _count_in(database, request, rules)
    except KeyError:
        raise NoWarehouse(detail=NO_WAREHOUSE) from None


class NoPopulation(NoWarehouse):
    """The warehouse has no population counts: no rate per inhabitants can be made."""

    title = Text("Nog geen inwonersaantallen", "No population counts yet")


NO_POPULATION = Text(
    "Er zijn nog geen inwonersaantallen bij deze cijfers, dus ook geen cijfer per 1.000 "
    "inwoners. De beheerder laadt ze met 'datameent warehouse population'.",
    "There are no population counts with these figures yet, so no figure per 1,000 "
    "inhabitants. The administrator loads them with 'datameent warehouse population'.",
)


def _population(database: Path, request: TableRequest) -> pl.DataFrame:
    """Inhabitants aged 18 and over by the request's breakdowns (finest cells), with its
    filters: the denominators of a rate."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        known = columns_of(connection, "population")
        if not known or any(c not in known for c in (*request.breakdowns, *request.filters)):
            raise NoPopulation(detail=NO_POPULATION)
        where = ["age_band <> ?"]
        values: list[str] = [CHILDREN_BAND]
        for column, value in request.filters.items():
            where.append(f'CAST("{column}" AS VARCHAR) = ?')
            values.append(value)
        quoted = ", ".join(f'"{b}"' for b in request.breakdowns)
        select = f"{quoted}, " if quoted else ""
        group = f" GROUP BY {quoted}" if quoted else ""
        query = (
            f"SELECT {select}CAST(sum(people) AS BIGINT) AS people FROM population "
            f"WHERE {' AND '.join(where)}{group}"
        )
        result = connection.execute(query, values)
        names = [d[0] for d in result.description]
        found = pl.DataFrame(result.fetchall(), schema=names, orient="row")
    return found.with_columns(pl.col(b).cast(pl.String) for b in request.breakdowns)


def _count_in(database: Path, request: TableRequest, rules: Rules) -> pl.DataFrame:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        source = "persons"
        if request.filters:
            clauses = " AND ".join(f'CAST("{column}" AS VARCHAR) = ?' for column in request.filters)
            known = columns_of(connection, "persons")
            if any(column not in known for column in request.filters):
                raise KeyError("unknown filter column")
            connection.execute(
                f"CREATE TEMP TABLE chosen AS SELECT * FROM persons WHERE {clauses}",
                list(request.filters.values()),
            )
            source = "chosen"
        return aggregate_duckdb(
            connection, source, request.breakdowns, request.measure.column, rules
        )


class _Cache:
    """Protected tables of unchanged warehouses (keyed by the file's modification time): the
    key figures every reader opens are counted once per export. Holds only what may be
    published anyway."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, tuple[Protected, dict[str, int]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[Protected, dict[str, int]] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(
        self, key: Hashable, value: tuple[Protected, dict[str, int]]
    ) -> tuple[Protected, dict[str, int]]:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


_PROTECTED = _Cache(256)


def _counts_only(rules: Rules) -> Rules:
    """Scores and years are not amounts one person could dominate: the count rule only."""
    return dataclasses.replace(rules, dominance_k=1.0)


class OverBudget(InvalidInput):
    """The reader's privacy budget does not cover the table asked for; nothing was released."""


@dataclass(frozen=True)
class Noisy:
    request: TableRequest
    cells: pl.DataFrame
    """Breakdowns, a noisy `count` per cell (margins are sums of the noisy cells), `status`."""
    epsilon: float
    remaining: float
    domain: str
    exported_on: str | None


def remaining_budget(store: Store, actor: User) -> float | None:
    """What `actor`'s domain can still spend on noisy tables."""
    domain = domain_for(actor)
    if not may_read(actor) or domain is None:
        return None
    with store.unit_of_work() as uow:
        left = uow.budgets.remaining(domain, BUDGETS[domain])
        uow.commit()
    return left


def noisy_table(
    store: Store, warehouse: Path, actor: User, request: TableRequest, epsilon: float
) -> Noisy:
    """A table of counts with differential privacy (OpenDP), paid from the reader's domain's
    budget: refused, with what remains, when the budget does not cover `epsilon`."""
    domain, database = _warehouse_of(warehouse, actor)
    check_noisy(request, epsilon)
    finest = _count(database, request, Rules())
    categories = {b: PUBLIC_CATEGORIES[b] for b in request.breakdowns}
    cells = noisy_counts(finest, request.breakdowns, categories, epsilon)
    description = f"{request.measure.code} by {', '.join(request.breakdowns) or '-'}"
    with store.unit_of_work() as uow:
        left = uow.budgets.spend(domain, BUDGETS[domain], epsilon, actor.id, utcnow(), description)
        if left is None:
            have = uow.budgets.remaining(domain, BUDGETS[domain])
            message = Text(
                f"Het privacybudget is op: er is nog {have:.2f} over, deze tabel kost {epsilon}.",
                f"The privacy budget is spent: {have:.2f} is left, this table costs {epsilon}.",
            )
            raise OverBudget(Problem("epsilon", message))
        uow.commit()
    return Noisy(request, cells, epsilon, left, domain, _exported_on(database))


def may_check_quality(actor: User) -> bool:
    return allows(actor, Action.VIEW_DATA_QUALITY)


def quality_report(warehouse: Path, actor: User) -> quality.Report | None:
    """The data-quality report of the municipality's warehouse, for analysts and the privacy
    officer (None when nothing has been exported yet)."""
    if not may_check_quality(actor):
        raise AccessDenied(("the quality report is for analysts and the privacy officer",))
    directory = warehouse / "beleid"
    if not (directory / "persons.parquet").exists():
        return None
    # Imported here: pandera takes seconds to import, and only this page needs it.
    from datameent.analytics.quality import warehouse_report

    return warehouse_report(directory)

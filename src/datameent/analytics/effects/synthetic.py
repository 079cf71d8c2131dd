"""The synthetic municipality as the warehouse would hold it, with its truth kept apart.

Training and the benchmark read a synthetic town through the same `data.observations` as a real
warehouse export, so the town is first put into the warehouse's shape: birth year and age band
instead of the birth date, years on benefit instead of the start date, the latest ZRM
assessment, pseudonyms instead of numbers. The truth (potential outcomes, true effects) comes
back in a separate table, in the same row order, for `evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from datameent.analytics.effects.data import INSTRUMENTS
from datameent.analytics.synth import ZRM_COLUMNS, Population
from datameent.domain.warehouse import AGE_BANDS


@dataclass(frozen=True)
class SyntheticWarehouse:
    persons: pl.DataFrame
    """Warehouse-shaped rows, one per client."""
    audit: pl.DataFrame
    """`person` and the migration background (the statistics office's, for the audit only)."""
    truth: pl.DataFrame
    """`person`, `p_<instrument>` and `tau_<instrument>` per client."""
    reference_year: int


def warehouse(town: Population) -> SyntheticWarehouse:
    """The clients of `town` in the warehouse's shape (see the module's description)."""
    year = town.reference_date.year
    latest = (
        town.zrm.sort("assessed_on")
        .group_by("client_number", maintain_order=True)
        .last()
        .select("client_number", *ZRM_COLUMNS)
    )
    people = town.persons.select("person_id", "sex", "birth_date", "age", "household_type")
    band = pl.lit(None, pl.String)
    for low, high in reversed(AGE_BANDS):
        label = f"{low}+" if high >= 200 else f"{low}-{high}"
        band = pl.when(pl.col("age").is_between(low, high)).then(pl.lit(label)).otherwise(band)
    clients = (
        town.clients.join(people, on="person_id", how="left")
        .join(latest, on="client_number", how="left")
        .sort("client_number")
    )
    person = pl.format("p{}", pl.col("client_number")).alias("person")
    persons = clients.select(
        person,
        pl.col("birth_date").dt.year().alias("birth_year"),
        band.alias("age_band"),
        "sex",
        "household_type",
        (pl.lit(year) - pl.col("benefit_start").dt.year()).alias("benefit_years"),
        "education_level",
        "dutch_language_level",
        "work_experience_years",
        "hours_available",
        "work_obligation_exempt",
        pl.col("debts").cast(pl.Float64).round(0).alias("debts"),
        "debt_counselling",
        "driving_licence",
        *ZRM_COLUMNS,
        pl.col("instrument").alias("reintegration_instrument"),
        pl.col("exit_to_work_12m").alias("exit_to_work"),
    )
    truth = town.truth.sort("client_number")
    audit = truth.select(person, "migration_background")
    effects = [pl.col(f"tau_{n}") for n in INSTRUMENTS[1:]]
    return SyntheticWarehouse(
        persons=persons,
        audit=audit,
        truth=truth.select(person, *[pl.col(f"p_{n}") for n in INSTRUMENTS], *effects),
        reference_year=year,
    )

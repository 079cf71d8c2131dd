"""The inputs of the effect model, read from the warehouse's `persons` table.

The model sees what a case manager choosing support towards work may see under the purpose
*re-integratie* (`domain.purposes`), and nothing more: education, Dutch, work experience, hours
available, exemption from the duty to work, driving licence, the ZRM domains about work, money,
housing and daily life, and the age, because the effect of a wage subsidy differs by age (the
algorithm-register entry says so). Debts and benefit history are not inputs: that purpose does
not cover them. It
does **not** see sex, migration background, household type or neighbourhood: those are the
groups the fairness audit compares, and nothing else. ZRM domains that hold health data (GDPR
art. 9) or data about offences (art. 10) are not inputs either.

The same reading serves training (the warehouse export, pseudonymised) and a suggestion for one
client (their current values, generalised by `domain.warehouse.person_row` exactly as the
export does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from datameent.analytics.effects import refused
from datameent.domain import zrm
from datameent.domain.text import Text

Array = NDArray[np.float64]

INSTRUMENTS = ("none", "training", "coaching", "work_placement", "wage_subsidy", "language_course")
"""The catalogue's reintegration instruments; "none" is the comparison every effect is against."""

INSTRUMENT_LABELS = {
    "none": Text("Geen hulp naar werk", "No support towards work"),
    "training": Text("Opleiding of training", "Training"),
    "coaching": Text("Coaching", "Coaching"),
    "work_placement": Text("Werkervaringsplaats", "Work placement"),
    "wage_subsidy": Text("Loonkostensubsidie", "Wage subsidy"),
    "language_course": Text("Taalcursus", "Language course"),
}

EDUCATION = ("none", "vmbo", "mbo", "havo_vwo", "hbo", "wo")
LANGUAGE = ("native", "B2", "B1", "A2", "A1", "A0")
"""Levels of Dutch, from native to none: a higher index means less Dutch."""

EXCLUDED_ZRM = zrm.HEALTH_DOMAINS | zrm.CRIMINAL_DOMAINS
ZRM_INPUTS = tuple(d for d, _ in zrm.DOMAINS if d not in EXCLUDED_ZRM)

AUDIT_GROUPS: dict[str, Text] = {
    "age_band": Text("Leeftijdsgroep", "Age band"),
    "sex": Text("Geslacht", "Sex"),
    "migration_background": Text("Migratieachtergrond", "Migration background"),
    "household_type": Text("Huishouden", "Household type"),
}
"""The sensitive groups of the fairness audit. Never model inputs."""


def _years(value: float) -> Text:
    return Text(f"{value:.0f} jaar", f"{value:.0f} years")


def _level(levels: Sequence[str]) -> Callable[[float], Text]:
    def describe(value: float) -> Text:
        name = levels[int(value)]
        return Text(name, name)

    return describe


def _yes_no(value: float) -> Text:
    return Text("ja", "yes") if value else Text("nee", "no")


def _hours(value: float) -> Text:
    return Text(f"{value:.0f} uur per week", f"{value:.0f} hours a week")


def _score(value: float) -> Text:
    label = zrm.SCORE_LABELS[int(value)]
    return Text(f"{value:.0f}, {label.nl.lower()}", f"{value:.0f}, {label.en.lower()}")


@dataclass(frozen=True)
class Feature:
    """One model input: the warehouse column it comes from and how a person's value reads."""

    column: str
    label: Text
    describe: Callable[[float], Text]
    levels: tuple[str, ...] = ()
    """For an ordered choice: its values in order (the input is the index)."""


FEATURES: tuple[Feature, ...] = (
    Feature("age", Text("leeftijd", "age"), _years),
    Feature("education_level", Text("opleiding", "education"), _level(EDUCATION), EDUCATION),
    Feature(
        "dutch_language_level",
        Text("niveau Nederlands", "level of Dutch"),
        _level(LANGUAGE),
        LANGUAGE,
    ),  # fmt: skip
    Feature("work_experience_years", Text("werkervaring", "work experience"), _years),
    Feature("hours_available", Text("uren beschikbaar", "hours available"), _hours),
    Feature(
        "work_obligation_exempt",
        Text("ontheffing van de arbeidsplicht", "exempt from work"),
        _yes_no,
    ),  # fmt: skip
    Feature("driving_licence", Text("rijbewijs", "driving licence"), _yes_no),
    *(
        Feature(
            f"zrm_{d}",
            Text(f"ZRM {label.nl.lower()}", f"ZRM {label.en.lower()}"),
            _score,
        )
        for d, label in zrm.DOMAINS
        if d in ZRM_INPUTS
    ),
)
NAMES = tuple(f.column for f in FEATURES)
ATTRIBUTES = frozenset(NAMES) - {"age"} | {"birth_date"}
"""The vault attributes the inputs come from (the age from the birth date)."""
TREATMENT = "reintegration_instrument"
OUTCOME = "exit_to_work"


@dataclass(frozen=True)
class Observations:
    """What a training run learns from: one row per client with a known instrument and outcome."""

    persons: tuple[str, ...]
    """Each row's pseudonym (the warehouse's)."""
    x: Array
    treatment: NDArray[np.int64]
    """Index into `INSTRUMENTS`."""
    outcome: Array
    groups: pl.DataFrame
    """The audit groups per row (columns of `AUDIT_GROUPS` that the warehouse holds)."""
    skipped: Mapping[str, int]
    """Rows left out, and why: no instrument, no outcome yet, missing inputs."""

    def __len__(self) -> int:
        return len(self.persons)


def features(rows: pl.DataFrame, reference_year: int) -> Array:
    """The model's input matrix for warehouse-shaped `rows`; a missing value is NaN."""
    if "birth_year" not in rows.columns:
        raise refused("De tabel heeft geen geboortejaar.", "The table has no birth year.")
    frame = rows.with_columns((pl.lit(reference_year) - pl.col("birth_year")).alias("age"))
    columns = []
    for f in FEATURES:
        if f.column not in frame.columns:
            columns.append(np.full(frame.height, np.nan))
            continue
        series = frame[f.column]
        if f.levels:
            order = {v: float(i) for i, v in enumerate(f.levels)}
            series = series.cast(pl.String).replace_strict(order, default=None)
        columns.append(series.cast(pl.Float64).fill_nan(None).to_numpy().astype(float))
    if not columns:
        return np.zeros((frame.height, 0))
    return np.column_stack(columns)


def missing(x: Array) -> list[Feature]:
    """The inputs one person's row (1-d) lacks."""
    return [f for f, value in zip(FEATURES, x, strict=True) if np.isnan(value)]


def observations(
    persons: pl.DataFrame, reference_year: int, audit: pl.DataFrame | None = None
) -> Observations:
    """The training rows of a warehouse `persons` table. `audit`: extra audit groups by `person`
    (the migration background comes from the statistics office, never from the municipality)."""
    needed = {"person", TREATMENT, OUTCOME}
    if absent := sorted(needed - set(persons.columns)):
        raise refused(
            f"De tabel mist kolommen: {', '.join(absent)}.",
            f"The table lacks columns: {', '.join(absent)}.",
        )
    if audit is not None:
        persons = persons.join(audit, on="person", how="left")
    skipped = {
        "no_instrument": persons[TREATMENT].is_null().sum(),
        "no_outcome": persons.filter(pl.col(TREATMENT).is_not_null())[OUTCOME].is_null().sum(),
    }
    known = persons.filter(pl.col(TREATMENT).is_not_null() & pl.col(OUTCOME).is_not_null())
    unknown = known.filter(~pl.col(TREATMENT).is_in(INSTRUMENTS))
    if unknown.height:
        raise refused(
            "De tabel noemt een onbekende soort hulp.", "The table names an unknown instrument."
        )
    x = features(known, reference_year)
    complete = ~np.isnan(x).any(axis=1)
    skipped["missing_inputs"] = int((~complete).sum())
    known = known.filter(pl.Series(complete))
    code = {name: i for i, name in enumerate(INSTRUMENTS)}
    groups = [c for c in AUDIT_GROUPS if c in known.columns]
    return Observations(
        persons=tuple(str(p) for p in known["person"].to_list()),
        x=x[complete],
        treatment=known[TREATMENT].replace_strict(code).to_numpy().astype(np.int64),
        outcome=known[OUTCOME].cast(pl.Float64).to_numpy(),
        groups=known.select(groups),
        skipped={k: int(v) for k, v in skipped.items()},
    )

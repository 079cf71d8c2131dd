"""Data quality of the warehouse and of registry extracts, before anyone counts with them.

Two kinds of checks:

- **Schemas** (pandera on Polars): every column of the warehouse's `persons` and `zrm` tables
  and of the statistics office's extract, with its type, allowed values and ranges, checked on
  every row. A failure is reported per rule with the number of rows and the first row numbers:
  never the value itself, which may be personal data.
- **ZRM plausibility**: assessments with empty domains; half or out-of-range scores; impossible
  combinations; an instrument version that is unknown, or mixed within one person's history
  (scores of different versions are not comparable); and **scorer drift**: a scorer whose
  scores lie far from colleagues' for similar clients.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from datameent.domain import catalogue
from datameent.domain.bsn import is_valid_bsn
from datameent.domain.warehouse import AGE_BAND_LABELS
from datameent.domain.zrm import DOMAINS, INSTRUMENT_VERSIONS

ZRM = tuple(f"zrm_{d}" for d, _ in DOMAINS)


def _codes(key: str) -> list[str]:
    return [c.code for c in catalogue.BY_KEY[key].choices]


EXAMPLES = 5
"""Row numbers shown per failed rule."""


def _zrm_score() -> pa.Column:
    return pa.Column(pl.Int64, pa.Check.in_range(1, 5), nullable=True, required=False)


def warehouse_persons() -> pa.DataFrameSchema:
    """The warehouse's `persons` table (`services.warehouse`)."""
    this_year = date.today().year
    columns = {
        "person": pa.Column(pl.String, pa.Check.str_matches(r"^[0-9a-f]{32}$"), unique=True),
        "birth_year": pa.Column(pl.Int64, pa.Check.in_range(1900, this_year), nullable=True),
        "age_band": pa.Column(pl.String, pa.Check.isin(AGE_BAND_LABELS), nullable=True),
        "sex": pa.Column(pl.String, pa.Check.isin(_codes("sex")), nullable=True),
        "pc4": pa.Column(pl.String, pa.Check.str_matches(r"^[1-9][0-9]{3}$"), nullable=True),
        "household_type": pa.Column(
            pl.String, pa.Check.isin(_codes("household_type")), nullable=True
        ),
        "household_size": pa.Column(pl.Int64, pa.Check.in_range(1, 20), nullable=True),
        "children_count": pa.Column(pl.Int64, pa.Check.in_range(0, 15), nullable=True),
        "education_level": pa.Column(
            pl.String, pa.Check.isin(_codes("education_level")), nullable=True
        ),
        "monthly_benefit": pa.Column(pl.Int64, pa.Check.in_range(0, 10_000), nullable=True),
        "net_monthly_income": pa.Column(pl.Int64, pa.Check.ge(0), nullable=True),
        "debts": pa.Column(pl.Int64, pa.Check.ge(0), nullable=True),
        "provisions": pa.Column(pl.Int64, pa.Check.in_range(0, 3), required=False),
        **{z: _zrm_score() for z in ZRM},
    }
    return pa.DataFrameSchema(columns, name="warehouse persons", coerce=True)


def warehouse_zrm() -> pa.DataFrameSchema:
    """The warehouse's `zrm` table: one row per assessment."""
    columns = {
        "person": pa.Column(pl.String, pa.Check.str_matches(r"^[0-9a-f]{32}$")),
        "assessed_month": pa.Column(pl.String, pa.Check.str_matches(r"^\d{4}-(0[1-9]|1[0-2])$")),
        "instrument_version": pa.Column(pl.String, nullable=True),
        "scorer": pa.Column(pl.String, nullable=True),
        **{z: pa.Column(pl.Float64, nullable=True, required=False) for z in ZRM},
    }
    return pa.DataFrameSchema(columns, name="warehouse ZRM", coerce=True)


def _valid_bsn(data: pa.PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(
        pl.col(data.key).map_elements(
            lambda b: b is None or is_valid_bsn(b), return_dtype=pl.Boolean, skip_nulls=False
        )
    )


def registry_extract() -> pa.DataFrameSchema:
    """A statistics office's person extract (`analytics.synth`'s, or a real one in the same
    form)."""
    columns = {
        "record_id": pa.Column(pl.String, unique=True),
        "bsn": pa.Column(
            pl.String, pa.Check(_valid_bsn, name="eleven_test", element_wise=False), nullable=True
        ),
        "given_name": pa.Column(pl.String, pa.Check.str_length(1, 100), nullable=True),
        "family_name": pa.Column(pl.String, pa.Check.str_length(1, 100)),
        "sex": pa.Column(pl.String, pa.Check.isin(["V", "M", "X"]), nullable=True),
        "birth_date": pa.Column(pl.Date, pa.Check.le(date.today()), nullable=True),
        "postcode": pa.Column(
            pl.String, pa.Check.str_matches(r"^[1-9][0-9]{3} ?[A-Z]{2}$"), nullable=True
        ),
        "house_number": pa.Column(pl.String, pa.Check.str_matches(r"^[1-9][0-9]*"), nullable=True),
    }
    return pa.DataFrameSchema(columns, name="registry extract", coerce=False)


def population_counts() -> pa.DataFrameSchema:
    """Inhabitants counted per postcode area, age band, sex and household type (an aggregate of
    the BRP, as a municipality's statistics office delivers it): the denominator of rates."""
    columns = {
        "pc4": pa.Column(pl.String, pa.Check.str_matches(r"^[1-9][0-9]{3}$")),
        "age_band": pa.Column(pl.String, pa.Check.isin(AGE_BAND_LABELS)),
        "sex": pa.Column(pl.String, pa.Check.isin(_codes("sex"))),
        "household_type": pa.Column(pl.String, pa.Check.isin(_codes("household_type"))),
        "people": pa.Column(pl.Int64, pa.Check.ge(0)),
    }
    unique = ["pc4", "age_band", "sex", "household_type"]
    return pa.DataFrameSchema(
        columns, name="population counts", coerce=False, strict=True, unique=unique
    )


@dataclass(frozen=True)
class Finding:
    """One rule that rows break: how many, and the first row numbers (0-based), never values."""

    table: str
    rule: str
    column: str | None
    rows: int
    examples: tuple[int, ...] = ()


@dataclass(frozen=True)
class Report:
    tables: dict[str, int] = field(default_factory=dict)
    """Rows checked per table."""
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def check_schema(table: pl.DataFrame, schema: pa.DataFrameSchema) -> list[Finding]:
    """Every rule of `schema` that rows of `table` break (pandera, lazily: all at once)."""
    name = schema.name or "table"
    try:
        schema.validate(table, lazy=True)
    except SchemaErrors as errors:
        return _findings(name, errors.failure_cases)
    return []


def _findings(table: str, cases: pl.DataFrame) -> list[Finding]:
    found = []
    grouped = cases.group_by("check", "column", maintain_order=True).agg(
        pl.len().alias("rows"), pl.col("index").drop_nulls().sort().head(EXAMPLES)
    )
    for row in grouped.rows(named=True):
        rule = re.sub(r"\(.*\)$", "", str(row["check"])) or "schema"
        found.append(
            Finding(table, rule, row["column"], int(row["rows"]), tuple(row["index"] or ()))
        )
    return found


# ZRM plausibility ------------------------------------------------------------------------------

IMPOSSIBLE = (
    (
        "basale_adl_vs_instrumentele_adl",
        (pl.col("zrm_basale_adl") <= 2) & (pl.col("zrm_instrumentele_adl") == 5),
        "Fully self-sufficient in instrumental daily activities (shopping, cooking, money) while "
        "not in basic ones (washing, dressing, eating): the instrumental build on the basic.",
    ),
    (
        "huisvesting_vs_huiselijke_relaties",
        (pl.col("zrm_huisvesting") == 1) & (pl.col("zrm_huiselijke_relaties") == 5),
        "Acute housing problems (homeless) with fully self-sufficient domestic relations.",
    ),
)
"""(rule, condition, why): combinations of scores that cannot both be true."""


def zrm_plausibility(zrm: pl.DataFrame) -> list[Finding]:
    """Empty domains, half or out-of-range scores, impossible combinations, and instrument
    versions (unknown, or mixed in one person's history), for a table of assessments with a
    `person` column and the `zrm_<domain>` columns."""
    table = "zrm plausibility"
    rows = zrm.with_row_index("_row")
    findings = []

    def add(rule: str, column: str | None, hits: pl.DataFrame) -> None:
        if hits.height:
            examples = tuple(hits["_row"].head(EXAMPLES).to_list())
            findings.append(Finding(table, rule, column, hits.height, examples))

    present = [z for z in ZRM if z in zrm.columns]
    add("empty_domains", None, rows.filter(pl.any_horizontal(pl.col(c).is_null() for c in present)))
    for column in present:
        score = pl.col(column).cast(pl.Float64)
        add("half_score", column, rows.filter(score.is_not_null() & (score != score.round(0))))
        add("out_of_range", column, rows.filter((score < 1) | (score > 5)))
    if all(z in zrm.columns for z in ZRM):
        for rule, condition, _ in IMPOSSIBLE:
            add(f"impossible:{rule}", None, rows.filter(condition))
    if "instrument_version" in zrm.columns:
        version = pl.col("instrument_version")
        add("unknown_instrument", "instrument_version",
            rows.filter(version.is_null() | ~version.is_in(INSTRUMENT_VERSIONS)))  # fmt: skip
        mixed = rows.filter(version.n_unique().over("person") > 1)
        add("mixed_instrument_versions", "instrument_version", mixed)
    return findings


@dataclass(frozen=True)
class Drift:
    scorer: str
    assessments: int
    difference: float
    """Mean score minus what colleagues score for similar clients (ZRM points)."""
    z: float


def scorer_drift(
    zrm: pl.DataFrame,
    profiles: pl.DataFrame,
    strata: Sequence[str],
    *,
    person: str = "person",
    minimum: int = 20,
    threshold: float = 0.25,
) -> list[Drift]:
    """Scorers whose mean ZRM score lies more than `threshold` points from what colleagues
    score for similar clients (the same `strata`, e.g. age band, household type, education),
    and significantly so (|z| > 3), with at least `minimum` assessments."""
    mean = pl.mean_horizontal([pl.col(z).cast(pl.Float64) for z in ZRM])
    data = (
        zrm.filter(pl.col("scorer").is_not_null())
        .with_columns(mean.alias("_mean"))
        .join(profiles.select(person, *strata), on=person, how="left")
        .with_columns([pl.col(s).cast(pl.String).fill_null("?") for s in strata])
    )
    data = data.with_columns(
        (pl.col("_mean") - pl.col("_mean").mean().over(list(strata))).alias("_residual")
    )
    spread = float(data.select(pl.col("_residual").std().fill_null(1.0)).item()) or 1.0
    per_scorer = data.group_by("scorer").agg(
        pl.len().alias("n"), pl.col("_residual").mean().alias("difference")
    )
    found = []
    for row in per_scorer.rows(named=True):
        if row["n"] < minimum:
            continue
        z = row["difference"] / (spread / row["n"] ** 0.5)
        if abs(row["difference"]) > threshold and abs(z) > 3:
            found.append(Drift(str(row["scorer"]), row["n"], round(row["difference"], 3), z))
    return sorted(found, key=lambda d: -abs(d.difference))


def drift_findings(drifts: list[Drift]) -> list[Finding]:
    return [
        Finding("zrm plausibility", f"scorer_drift:{d.difference:+.2f}", d.scorer, d.assessments)
        for d in drifts
    ]


def warehouse_report(directory: Path) -> Report:
    """Every check on a warehouse written by `datameent warehouse export`."""
    persons = pl.read_parquet(directory / "persons.parquet")
    zrm = pl.read_parquet(directory / "zrm.parquet")
    findings = check_schema(persons, warehouse_persons()) + check_schema(zrm, warehouse_zrm())
    findings += zrm_plausibility(zrm)
    strata = [s for s in ("age_band", "household_type", "education_level") if s in persons.columns]
    findings += drift_findings(scorer_drift(zrm, persons, strata))
    return Report({"persons": persons.height, "zrm": zrm.height}, findings)


def extract_report(path: Path) -> Report:
    """The schema checks on a registry extract (Parquet)."""
    extract = pl.read_parquet(path)
    return Report({"extract": extract.height}, check_schema(extract, registry_extract()))

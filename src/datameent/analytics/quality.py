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
from datetime import UTC, datetime
from pathlib import Path

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from datameent.domain import catalogue
from datameent.domain.bsn import is_valid_bsn
from datameent.domain.deadlines import dutch_day
from datameent.domain.text import Text
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
    this_year = dutch_day(datetime.now(UTC)).year
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
        "birth_date": pa.Column(pl.Date, pa.Check.le(dutch_day(datetime.now(UTC))), nullable=True),
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


MISSING_COLUMN = "missing_column"


def check_schema(table: pl.DataFrame, schema: pa.DataFrameSchema) -> list[Finding]:
    """Every rule of `schema` that rows of `table` break (pandera, lazily: all at once). A
    required column that is not there is one finding (every row lacks it), and the other
    columns are still checked."""
    name = schema.name or "table"
    missing = [c for c, column in schema.columns.items() if column.required and c not in table]
    found = [Finding(name, MISSING_COLUMN, c, table.height) for c in missing]
    try:
        schema.remove_columns(missing).validate(table, lazy=True)
    except SchemaErrors as errors:
        found += _findings(name, errors.failure_cases)
    return found


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
        Text(
            "Volledig zelfredzaam in instrumentele ADL (boodschappen, koken, geld), maar niet in "
            "basale ADL (wassen, aankleden, eten): dat kan niet samen.",
            "Fully self-sufficient in instrumental daily activities (shopping, cooking, money) "
            "but not in basic ones (washing, dressing, eating): the instrumental build on the "
            "basic.",
        ),
    ),
    (
        "huisvesting_vs_huiselijke_relaties",
        (pl.col("zrm_huisvesting") == 1) & (pl.col("zrm_huiselijke_relaties") == 5),
        Text(
            "Acute problemen met huisvesting (dakloos) en volledig zelfredzaam in huiselijke "
            "relaties: dat kan niet samen.",
            "Acute housing problems (homeless) with fully self-sufficient domestic relations: "
            "these cannot both be true.",
        ),
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


# In words, for the report as a page ---------------------------------------------------------

TABLE_NAMES = {
    "persons": Text("Personen", "Persons"),
    "warehouse persons": Text("Personen", "Persons"),
    "zrm": Text("ZRM-scores", "ZRM scores"),
    "warehouse ZRM": Text("ZRM-scores", "ZRM scores"),
    "zrm plausibility": Text("Samenhang van de ZRM-scores", "Consistency of the ZRM scores"),
    "extract": Text("Extract uit de basisregistratie", "Registry extract"),
    "registry extract": Text("Extract uit de basisregistratie", "Registry extract"),
    "population counts": Text("Inwoners per groep", "Inhabitants per group"),
}
"""What the checked tables are, as the people who read the report call them."""

RULES = {
    MISSING_COLUMN: Text("De kolom ontbreekt.", "The column is missing."),
    "column_in_dataframe": Text("De kolom ontbreekt.", "The column is missing."),
    "column_in_schema": Text(
        "Een kolom die hier niet hoort.", "A column that does not belong here."
    ),
    "not_nullable": Text("De waarde ontbreekt.", "The value is missing."),
    "field_uniqueness": Text(
        "Dezelfde waarde staat in meer rijen.", "The same value is in more rows."
    ),
    "multiple_fields_uniqueness": Text(
        "Dezelfde groep staat in meer rijen.", "The same group is in more rows."
    ),
    "dtype": Text(
        "Een verkeerd soort waarde (tekst, getal of datum).",
        "The wrong kind of value (text, number or date).",
    ),
    "in_range": Text("De waarde ligt buiten wat kan.", "The value is outside what is possible."),
    "greater_than_or_equal_to": Text(
        "De waarde is te klein (bijvoorbeeld onder 0).",
        "The value is too small (below 0, for example).",
    ),
    "less_than_or_equal_to": Text(
        "De waarde is te groot (bijvoorbeeld een datum in de toekomst).",
        "The value is too large (a date in the future, for example).",
    ),
    "isin": Text(
        "De waarde staat niet in de lijst van mogelijke waarden.",
        "The value is not in the list of possible values.",
    ),
    "str_matches": Text(
        "De waarde heeft niet de juiste vorm.", "The value does not have the right form."
    ),
    "str_length": Text("De tekst is leeg of te lang.", "The text is empty or too long."),
    "eleven_test": Text("Het BSN haalt de elfproef niet.", "The BSN fails the eleven test."),
    "empty_domains": Text(
        "Niet alle levensgebieden zijn gescoord.", "Not every life domain was scored."
    ),
    "half_score": Text(
        "Een halve score (de ZRM kent alleen 1 tot en met 5).",
        "A half score (the ZRM knows only 1 to 5).",
    ),
    "out_of_range": Text("Een score buiten 1 tot en met 5.", "A score outside 1 to 5."),
    "unknown_instrument": Text(
        "Een onbekende versie van de ZRM.", "An unknown version of the ZRM."
    ),
    "mixed_instrument_versions": Text(
        "Verschillende versies van de ZRM bij één persoon: die scores zijn niet te vergelijken.",
        "Different versions of the ZRM for one person: those scores cannot be compared.",
    ),
}
"""Each rule a finding can name, in words."""

_IMPOSSIBLE_WORDS = {rule: why for rule, _, why in IMPOSSIBLE}

_ZRM_DOMAIN_NAMES = {f"zrm_{code}": label for code, label in DOMAINS}


def rule_in_words(finding: Finding) -> Text:
    """What a finding's rule means, for the report as a page (the command prints the rule's
    name); a rule without words keeps its name."""
    kind, _, detail = finding.rule.partition(":")
    if kind == "impossible" and detail in _IMPOSSIBLE_WORDS:
        return _IMPOSSIBLE_WORDS[detail]
    if kind == "scorer_drift" and detail:
        points = abs(float(detail))
        nl, en = f"{points:.2f}".replace(".", ","), f"{points:.2f}"
        higher = float(detail) > 0
        return Text(
            f"Deze scoorder geeft gemiddeld {nl} punt {'hoger' if higher else 'lager'} dan "
            "collega's bij vergelijkbare cliënten. Bespreek de scores samen.",
            f"This scorer scores {en} points {'higher' if higher else 'lower'} on average than "
            "colleagues do for similar clients. Talk the scores through together.",
        )
    return RULES.get(finding.rule, Text(finding.rule, finding.rule))


def column_in_words(finding: Finding) -> Text:
    """The column a finding is about: a ZRM domain by its name; for scorer drift, the scorer
    (a pseudonym, never who they are)."""
    column = finding.column or ""
    if finding.rule.startswith("scorer_drift"):
        return Text(f"Scoorder {column[:8]}", f"Scorer {column[:8]}")
    if column in _ZRM_DOMAIN_NAMES:
        label = _ZRM_DOMAIN_NAMES[column]
        return Text(f"ZRM {label.nl.lower()}", f"ZRM {label.en.lower()}")
    return Text(column, column)

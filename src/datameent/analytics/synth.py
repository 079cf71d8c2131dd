"""The synthetic municipality: a whole town of residents with known structure, from a seed.

The default data of every demo, test and benchmark, and the ground truth that lets linkage and
effect estimates be measured honestly. Deterministic: the same `persons`, `seed` and
`reference_date` give the same town, byte for byte. Nobody in it is real.

`population` makes the town, vectorised (NumPy, Polars): everyone's age, sex, neighbourhood,
household and migration background; who lives on bijstand (about 3.5 % of adults 18 to 66,
more often single, single parents, with weaker self-sufficiency and in poorer neighbourhoods);
for those clients their benefit, income, work history and two ZRM assessments whose 13 domains
hang together through a general and four cluster factors; the reintegration instrument a case
manager chose for them (by profile and by the case manager's own habits: **confounded**);
whether they found paid work within 12 months, drawn from potential outcomes with **known
heterogeneous effects**; and a **statistics-office extract** of the same people with the noise
of a real register, plus people present in only one of the two sources. The ground truth
(potential outcomes, true effects, true propensities, the true links, drifting scorers) is kept
in tables of its own, apart from what an analyst observes.

`generate` is the demo's view of the same code path: the first clients of a town large enough
to hold them, as `SynthPerson` records the seed turns into a municipality's database.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from datameent.analytics import _names
from datameent.domain.zrm import DOMAINS, INSTRUMENT_VERSIONS

REFERENCE_DATE = date(2026, 10, 1)
"""The "today" of the default synthetic municipality, fixed so that output is reproducible."""

FORMAT_VERSION = 1
"""Bumped when the written tables change shape."""

CLIENTS_PER_CASE_MANAGER = 60
CASE_MANAGERS_PER_TEAM = 8
BIJSTAND_RATE = 0.035
"""Share of adults 18 to 66 living on bijstand (Dutch municipalities: 2 to 5 %)."""
STATE_PENSION_AGE = 67

INSTRUMENTS = ("none", "training", "coaching", "work_placement", "wage_subsidy", "language_course")
"""Reintegration instruments; "none" is no instrument (the comparison)."""

HOUSEHOLD_TYPES = ("single", "single_parent", "couple", "couple_children", "other")
MIGRATION = ("none", "western", "non_western")
EDUCATION = ("none", "vmbo", "mbo", "havo_vwo", "hbo", "wo")
LANGUAGE = ("native", "B2", "B1", "A2", "A1", "A0")
HOUSING = ("social_rent", "private_rent", "owner", "lodger", "homeless")
CLUSTERS = ("money", "work", "health", "social")

# Approximate monthly net bijstand norms (21 to AOW age) in euro, for plausible amounts.
_NORMS = {"single": 1401.0, "single_parent": 1401.0, "couple": 2002.0}

# Population by five-year age band, 0-4 to 95-99 (the shape of the Dutch pyramid, 2025).
_AGE_BANDS = (5.1, 5.4, 5.7, 6.0, 6.4, 6.7, 6.5, 6.3, 6.0, 6.2, 6.9, 7.0, 6.7, 5.9, 5.2, 4.3,
              2.7, 1.4, 0.5, 0.1)  # fmt: skip

# Household type by age: (upper age bound, weights over HOUSEHOLD_TYPES).
_HOUSEHOLDS = (
    (17, (0.0, 0.20, 0.0, 0.80, 0.0)),
    (26, (0.35, 0.03, 0.12, 0.05, 0.45)),
    (44, (0.22, 0.10, 0.18, 0.45, 0.05)),
    (66, (0.25, 0.08, 0.33, 0.30, 0.04)),
    (200, (0.40, 0.0, 0.55, 0.0, 0.05)),
)
# Who lives on bijstand (log-odds, added to a calibrated intercept).
_BIJSTAND_HOUSEHOLD = (1.6, 2.0, -0.4, -0.6, 0.7)

# ZRM domain -> (mean score, loading on the general factor, cluster, loading on the cluster)
_ZRM_MODEL: dict[str, tuple[float, float, str, float]] = {
    "financien": (2.7, 0.7, "money", 0.6),
    "werk_opleiding": (2.4, 0.6, "work", 0.7),
    "tijdsbesteding": (3.2, 0.6, "social", 0.5),
    "huisvesting": (3.7, 0.5, "money", 0.4),
    "huiselijke_relaties": (3.7, 0.5, "social", 0.5),
    "geestelijke_gezondheid": (3.3, 0.7, "health", 0.7),
    "lichamelijke_gezondheid": (3.5, 0.5, "health", 0.6),
    "middelengebruik": (4.3, 0.4, "health", 0.5),
    "basale_adl": (4.7, 0.2, "health", 0.3),
    "instrumentele_adl": (4.1, 0.4, "health", 0.4),
    "sociaal_netwerk": (3.3, 0.6, "social", 0.6),
    "maatschappelijke_participatie": (3.1, 0.6, "social", 0.6),
    "justitie": (4.6, 0.3, "social", 0.2),
}
ZRM_COLUMNS = tuple(f"zrm_{d}" for d, _ in DOMAINS)
DRIFTING_SCORERS = 0.05
"""Share of case managers who score the ZRM systematically too high (for the quality checks)."""


@dataclass(frozen=True)
class ExtractNoise:
    """How the statistics office's extract differs from the municipality's own records."""

    overlap: float = 0.975
    """Share of the municipality's residents the extract holds."""
    only_there: float = 0.02
    """People in the extract the municipality does not have (as a share of its residents)."""
    typos: float = 0.03
    """Chance of a keying error in each name field (given name, surname)."""

    def __post_init__(self) -> None:
        for name in ("overlap", "only_there", "typos"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} is a share between 0 and 1")


LINKAGE_BENCHMARK = ExtractNoise(overlap=0.6, only_there=0.4, typos=0.10)
"""The linkage issue's benchmark: equal sizes, 60 % overlap, 10 % typos per name field."""

Array = NDArray[Any]
Progress = Callable[[str], None]


# The demo's view -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    street: str
    house_number: str
    postcode: str
    city: str


@dataclass(frozen=True)
class SynthStaff:
    number: int
    """1-based; the demo account is ``klantmanager{number}``."""
    display_name: str
    team: str


@dataclass(frozen=True)
class SynthPerson:
    number: int
    """1-based; the demo account is ``inwoner{number}``."""
    bsn: str
    given_name: str
    name_prefix: str
    family_name: str
    sex: str
    birth_date: date
    address: Address
    earlier_address: Address | None
    moved_on: date | None
    phone: str
    household: dict[str, object]
    income: dict[str, object]
    benefit: dict[str, object]
    work: dict[str, object]
    zrm: dict[str, int]
    zrm_earlier: dict[str, int]
    zrm_dates: tuple[date, date]
    case_manager: int
    """`SynthStaff.number` of the case manager."""
    client_since: date
    instrument: str
    """The reintegration instrument (`INSTRUMENTS`), started on `instrument_started_on`."""
    instrument_started_on: date
    exit_to_work: bool
    """Started paid work within 12 months of the instrument's start."""


@dataclass(frozen=True)
class Municipality:
    name: str
    seed: int
    reference_date: date
    persons: list[SynthPerson]
    case_managers: list[SynthStaff]
    teams: list[str] = field(default_factory=list)


def generate(persons: int, seed: int, reference_date: date = REFERENCE_DATE) -> Municipality:
    """The demo's municipality: the first `persons` clients (by client number) of a synthetic
    town large enough to hold them (`demo_town`), with their case managers.

    Examples:
        >>> town = generate(persons=3, seed=42)
        >>> [p.number for p in town.persons]
        [1, 2, 3]
    """
    return demo_town(persons, seed, reference_date).demo(persons)


def demo_town(clients: int, seed: int, reference_date: date = REFERENCE_DATE) -> Population:
    """The smallest town (of the sizes tried) with at least `clients` people on bijstand: the
    demo's clients are its first ones, and its inhabitants the demo's population."""
    if clients < 1:
        raise ValueError("a municipality needs at least one person")
    size = math.ceil(clients / (BIJSTAND_RATE * 0.55)) + 500
    while True:
        town = population(size, seed, reference_date)
        if town.clients.height >= clients:
            return town
        size *= 2


def population_counts(persons: pl.DataFrame) -> pl.DataFrame:
    """Inhabitants counted per postcode area, age band, sex and household type, as a BRP
    aggregate holds them (no one can be found in it; small counts are the reader's to protect):
    the denominator of rates such as bijstand per 1,000 inhabitants aged 18 and over."""
    from datameent.domain.warehouse import AGE_BANDS, age_band

    bands = pl.lit(None, dtype=pl.String)
    for low, high in reversed(AGE_BANDS):
        bands = (
            pl.when(pl.col("age").is_between(low, high))
            .then(pl.lit(age_band(low)))
            .otherwise(bands)
        )
    return (
        persons.select(
            pl.col("postcode").str.slice(0, 4).alias("pc4"),
            bands.alias("age_band"),
            "sex",
            "household_type",
        )
        .group_by("pc4", "age_band", "sex", "household_type")
        .agg(pl.len().cast(pl.Int64).alias("people"))
        .sort("pc4", "age_band", "sex", "household_type")
    )


# The town --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Population:
    """A synthetic town: what the municipality and the statistics office observe, and, apart,
    the truth behind it. Every table is keyed by `person_id` (1..persons), except the
    statistics office's extract, which has its own `record_id`."""

    seed: int
    reference_date: date
    persons: pl.DataFrame
    """Everyone registered in the municipality: identity, address, household."""
    clients: pl.DataFrame
    """Residents on bijstand: benefit, income, work, case manager, instrument, outcome."""
    zrm: pl.DataFrame
    """Two ZRM assessments per client, one row each, with scorer and instrument version."""
    case_managers: pl.DataFrame
    neighbourhoods: pl.DataFrame
    extract: pl.DataFrame
    """The statistics office's extract of the same town, with a register's noise."""
    truth: pl.DataFrame
    """Per client: propensity of each instrument, probability and potential outcome of exit to
    work under each, and the true effect of each against none."""
    links: pl.DataFrame
    """The true link between extract records and persons (`person_id` null: only there)."""
    drifting_scorers: tuple[int, ...]
    """Case managers who score the ZRM too high."""

    def demo(self, count: int) -> Municipality:
        """The first `count` clients as `SynthPerson` records, for seeding a database."""
        chosen = self.clients.head(count).join(self.persons, on="person_id", how="left")
        zrm = self.zrm.filter(pl.col("client_number") <= count)
        staff_numbers = sorted(set(chosen["case_manager"].to_list()))
        staff_rows = self.case_managers.filter(pl.col("number").is_in(staff_numbers))
        staff = [
            SynthStaff(r["number"], r["display_name"], r["team"])
            for r in staff_rows.rows(named=True)
        ]
        by_number: dict[int, list[dict[str, Any]]] = {}
        for row in zrm.sort("assessed_on").rows(named=True):
            by_number.setdefault(row["client_number"], []).append(row)
        people = [
            _synth_person(row, by_number[row["client_number"]]) for row in chosen.rows(named=True)
        ]
        teams = sorted({s.team for s in staff}, key=lambda t: int(t.rsplit(" ", 1)[1]))
        return Municipality(_names.CITY, self.seed, self.reference_date, people, staff, teams)

    def write(self, out: Path) -> dict[str, int]:
        """Write the observed tables to `out`, the truth to `out/ground_truth`, as Parquet, with a
        manifest. Returns the row count per file."""
        truth = out / "ground_truth"
        truth.mkdir(parents=True, exist_ok=True)
        files = {
            "persons.parquet": self.persons,
            "clients.parquet": self.clients,
            "zrm.parquet": self.zrm,
            "case_managers.parquet": self.case_managers,
            "neighbourhoods.parquet": self.neighbourhoods.drop("deprivation"),
            "statistics_office_extract.parquet": self.extract,
            "population_counts.parquet": population_counts(self.persons),
            "ground_truth/potential_outcomes.parquet": self.truth,
            "ground_truth/statistics_office_links.parquet": self.links,
            "ground_truth/neighbourhood_deprivation.parquet": self.neighbourhoods.select(
                "neighbourhood", "deprivation"
            ),
        }
        counts = {}
        for name, table in files.items():
            table.write_parquet(out / name)
            counts[name] = table.height
        manifest = {
            "generator": "datameent synth",
            "format": FORMAT_VERSION,
            "seed": self.seed,
            "persons": self.persons.height,
            "reference_date": self.reference_date.isoformat(),
            "instruments": list(INSTRUMENTS),
            "drifting_scorers": list(self.drifting_scorers),
            "files": counts,
        }
        (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        return counts


def population(
    persons: int,
    seed: int,
    reference_date: date = REFERENCE_DATE,
    *,
    noise: ExtractNoise = ExtractNoise(),
    progress: Progress | None = None,
) -> Population:
    """A synthetic town of `persons` residents (see the module's description)."""
    if persons < 1:
        raise ValueError("a municipality needs at least one person")
    tell = progress or (lambda _: None)
    rng = np.random.default_rng(seed)
    today = np.datetime64(reference_date, "D")

    tell("neighbourhoods")
    hoods = _neighbourhoods(rng, persons)
    tell("residents")
    only_there = max(1, round(persons * noise.only_there))
    bsns = _bsns(rng, persons + only_there)
    people = _residents(rng, persons, today, hoods, bsns[:persons])
    tell("clients")
    on_bijstand = _bijstand(rng, people, hoods)
    clients, latent = _clients(rng, people, on_bijstand, today)
    staff = _case_managers(rng, clients.height)
    drifting = _drifting(rng, staff.height)
    zrm = _zrm(rng, clients, latent, today, drifting)
    tell("instruments and outcomes")
    clients, truth = _instruments_and_outcomes(rng, clients, zrm, staff.height, latent, today)
    tell("statistics office extract")
    others = _residents(rng, only_there, today, hoods, bsns[persons:], first_id=persons + 1)
    extract, links = _extract(rng, people, others, noise)
    names = hoods["neighbourhood"].to_numpy()[people["neighbourhood_index"].to_numpy()]
    persons_table = (
        people.drop("general", "migration", *[f"c_{c}" for c in CLUSTERS])
        .with_columns(_strings(names, "neighbourhood"))
        .drop("neighbourhood_index")
    )
    return Population(
        seed,
        reference_date,
        persons_table,
        clients,
        zrm,
        staff,
        hoods,
        extract,
        truth,
        links,
        drifting,
    )


IDENTITY = ("bsn", "given_name", "name_prefix", "family_name", "sex", "birth_date", "street",
            "house_number", "postcode", "city")  # fmt: skip
"""The columns both sources of a linkage hold about a person."""


@dataclass(frozen=True)
class LinkageSources:
    """Two sources about the same town, for record linkage, and the truth about who is who."""

    municipality: pl.DataFrame
    """`person_id`, the `IDENTITY` columns and the address before the last move, as the
    municipality's own records (from the BRP) hold them."""
    statistics_office: pl.DataFrame
    """`record_id` and the `IDENTITY` columns (and a few more), with a register's noise."""
    links: pl.DataFrame
    """`record_id` -> `person_id`, null for people only the statistics office holds."""


def linkage_sources(
    persons: int,
    seed: int,
    noise: ExtractNoise = LINKAGE_BENCHMARK,
    reference_date: date = REFERENCE_DATE,
) -> LinkageSources:
    """Only the residents and the extract of a town of `persons` (`population` without the
    clients): the inputs of the linkage benchmarks and tests, made fast at national scale."""
    if persons < 1:
        raise ValueError("a municipality needs at least one person")
    rng = np.random.default_rng(seed)
    today = np.datetime64(reference_date, "D")
    hoods = _neighbourhoods(rng, persons)
    only_there = max(1, round(persons * noise.only_there))
    bsns = _bsns(rng, persons + only_there)
    people = _residents(rng, persons, today, hoods, bsns[:persons])
    others = _residents(rng, only_there, today, hoods, bsns[persons:], first_id=persons + 1)
    extract, links = _extract(rng, people, others, noise)
    history = ("earlier_postcode", "earlier_house_number")
    return LinkageSources(people.select("person_id", *IDENTITY, *history), extract, links)


# Drawing helpers -------------------------------------------------------------------------------


def _sigmoid(x: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-x))


def _categorical(rng: np.random.Generator, weights: Array) -> Array:
    """One draw per row of `weights` (rows: people, columns: categories): the category index."""
    cumulative: Array = np.cumsum(weights, axis=1)
    cumulative = cumulative / cumulative[:, -1:]
    u: Array = rng.random((weights.shape[0], 1))
    chosen: Array = np.minimum((u > cumulative).sum(axis=1), weights.shape[1] - 1)
    return chosen


def _pick(rng: np.random.Generator, options: tuple[Any, ...], size: int, p: Any = None) -> Array:
    chosen = rng.choice(len(options), size=size, p=None if p is None else np.asarray(p) / sum(p))
    return np.asarray(options, dtype=object)[chosen]


def _days(today: np.datetime64, days_back: Array) -> Array:
    return today - days_back.astype("timedelta64[D]")


def _date_series(name: str, values: Array) -> pl.Series:
    return pl.Series(name, values.astype("datetime64[D]")).cast(pl.Date)


def _strings(values: Array, name: str = "") -> pl.Series:
    """Text (None for missing) from a NumPy array of Python strings, as Polars wants it."""
    return pl.Series(name, values.tolist(), dtype=pl.String)


def _or_none(keep: Array, values: Array) -> Array:
    """`values` where `keep`, None elsewhere."""
    out = np.full(values.shape[0], None, dtype=object)
    out[keep] = values[keep]
    return out


def _money(values: Array) -> Array:
    return np.round(values.astype(float), 2)


# The town's parts ------------------------------------------------------------------------------

_LETTERS = np.array(list("ABCDEGHJKLMNPRSTVWXZ"), dtype=object)
_NEXT_PAIR = {"SA": "SB", "SD": "SE", "SS": "ST"}
_PAIRS = np.array([_NEXT_PAIR.get(a + b, a + b) for a in _LETTERS for b in _LETTERS], dtype=object)
"""A postcode's letters by address block (0-399). PostNL never uses SA, SD and SS
(`domain.attributes.UNUSED_POSTCODE_LETTERS`): those blocks share the next pair's postcode."""
STREETS_PER_NEIGHBOURHOOD = 6


def _neighbourhoods(rng: np.random.Generator, persons: int) -> pl.DataFrame:
    """The fixed neighbourhoods of the demo town, and more for larger towns (one per 2,500
    residents, at most 400), each with its postcode area (PC4), streets and deprivation."""
    count = max(len(_names.NEIGHBOURHOODS), min(400, persons // 2500))
    names, pc4s, streets = [], [], []
    for name, pc4, known in _names.NEIGHBOURHOODS:
        names.append(name)
        pc4s.append(pc4)
        streets.append([known[i % len(known)] for i in range(STREETS_PER_NEIGHBOURHOOD)])
    combos = [f"{q} {p}" for p in _names.QUARTER_PARTS for q in _names.QUARTERS]
    for i in range(count - len(names)):
        suffix = "" if i < len(combos) else f" {i // len(combos) + 1}"
        names.append(combos[i % len(combos)] + suffix)
        pc4s.append(str(3701 + len(pc4s)))
        stems = rng.choice(len(_names.SURNAME_STEMS), size=STREETS_PER_NEIGHBOURHOOD, replace=False)
        kinds = rng.integers(0, len(_names.STREET_TYPES), size=STREETS_PER_NEIGHBOURHOOD)
        streets.append(
            [
                _names.SURNAME_STEMS[s] + _names.STREET_TYPES[k]
                for s, k in zip(stems, kinds, strict=True)
            ]
        )
    return pl.DataFrame(
        {
            "neighbourhood": names,
            "pc4": pc4s,
            "streets": streets,
            "deprivation": np.round(rng.standard_normal(count), 3),
            "share": np.round(rng.lognormal(0.0, 0.4, count), 4),
        }
    )


def _name_pools() -> dict[str, Array]:
    migrant_given = _names.MIGRANT_GIVEN | _names.MORE_MIGRANT_GIVEN
    female = _names.GIVEN_FEMALE + _names.MORE_GIVEN_FEMALE
    male = _names.GIVEN_MALE + _names.MORE_GIVEN_MALE
    dutch_f = [g for g in female if g not in migrant_given]
    dutch_m = [g for g in male if g not in migrant_given]
    migrant_f = [g for g in female if g in migrant_given]
    migrant_m = [g for g in male if g in migrant_given]
    dutch_family = [f for f in _names.FAMILY if f[1] not in _names.MIGRANT_FAMILY]
    built = [
        (_names.SURNAME_PREFIXES[(i * 7) % len(_names.SURNAME_PREFIXES)], stem + ending)
        for i, (stem, ending) in enumerate(
            (s, e) for e in _names.SURNAME_ENDINGS for s in _names.SURNAME_STEMS
        )
    ]
    seen = {f for _, f in dutch_family}
    dutch_family += [(p, f) for p, f in built if f not in seen]
    migrant_family = [f for f in _names.FAMILY if f[1] in _names.MIGRANT_FAMILY]
    migrant_family += [("", f) for f in _names.MORE_MIGRANT_FAMILY]
    return {
        "dutch_f": np.asarray(dutch_f, dtype=object),
        "dutch_m": np.asarray(dutch_m, dtype=object),
        "migrant_f": np.asarray(migrant_f, dtype=object),
        "migrant_m": np.asarray(migrant_m, dtype=object),
        "dutch_prefix": np.asarray([p for p, _ in dutch_family], dtype=object),
        "dutch_family": np.asarray([f for _, f in dutch_family], dtype=object),
        "migrant_prefix": np.asarray([p for p, _ in migrant_family], dtype=object),
        "migrant_family": np.asarray([f for _, f in migrant_family], dtype=object),
    }


def _bsns(rng: np.random.Generator, count: int) -> Array:
    """Distinct valid BSNs (eleven test): in the 999 series, commonly used for test numbers,
    while it has room (about 90,000); beyond that in the 9 series, all synthetic."""
    series, width = (999, 5) if count <= 80_000 else (9, 7)
    space = 10**width
    candidates = rng.choice(space, size=min(space, int(count * 1.15) + 100), replace=False)
    first = series * space + candidates
    digits = np.stack([(first // 10**k) % 10 for k in range(7, -1, -1)], axis=1)
    check = (digits * np.arange(9, 1, -1)).sum(axis=1) % 11
    valid = first[check < 10] * 10 + check[check < 10]
    if valid.size < count:
        raise ValueError("too many persons for the synthetic BSN series")
    numbers: Array = valid[:count].astype(str).astype(object)
    return numbers


def _residents(
    rng: np.random.Generator,
    n: int,
    today: np.datetime64,
    hoods: pl.DataFrame,
    bsns: Array,
    *,
    first_id: int = 1,
) -> pl.DataFrame:
    """Residents with identity, address, household, education and their latent traits."""
    bands = np.asarray(_AGE_BANDS)
    age = rng.choice(bands.size, size=n, p=bands / bands.sum()) * 5 + rng.integers(0, 5, n)
    birth = _days(today, (age * 365.25).astype(int) + rng.integers(0, 365, n))
    sex = _pick(rng, ("V", "M", "X"), n, p=(50.5, 49.4, 0.1))
    hood = rng.choice(hoods.height, size=n, p=(s := hoods["share"].to_numpy()) / s.sum())
    deprivation = hoods["deprivation"].to_numpy()[hood]
    p_non_western = _sigmoid(np.log(0.16 / 0.84) + 0.5 * deprivation)
    u = rng.random(n)
    migration = np.where(u < p_non_western, 2, np.where(u < p_non_western + 0.09, 1, 0))

    bracket = np.searchsorted([upper for upper, _ in _HOUSEHOLDS], age)
    household = _categorical(rng, np.asarray([w for _, w in _HOUSEHOLDS])[bracket])
    with_children = np.isin(household, (1, 3))
    children = np.where(with_children, 1 + rng.choice(4, size=n, p=(0.35, 0.4, 0.18, 0.07)), 0)
    ones = np.ones(n, dtype=int)
    size: Array = np.choose(
        household, (ones, 1 + children, 2 * ones, 2 + children, 2 + rng.integers(0, 2, n))
    )

    general = rng.standard_normal(n)
    clusters = {c: rng.standard_normal(n) for c in CLUSTERS}
    latent_education = 0.7 * general + 0.7 * rng.standard_normal(n) - 0.3 * (migration == 2)
    cuts = np.quantile(latent_education, (0.10, 0.30, 0.63, 0.72, 0.90)) if n > 1 else []
    education = np.where(age >= 18, np.searchsorted(cuts, latent_education), -1)

    pools = _name_pools()
    migrant_pool = rng.random(n) < np.choose(migration, (0.05, 0.4, 0.85))
    female = (sex == "V") | ((sex == "X") & (rng.random(n) < 0.5))
    given = np.empty(n, dtype=object)
    for is_migrant in (False, True):
        for is_female in (False, True):
            mask = (migrant_pool == is_migrant) & (female == is_female)
            pool = pools[f"{'migrant' if is_migrant else 'dutch'}_{'f' if is_female else 'm'}"]
            given[mask] = pool[rng.integers(0, pool.size, mask.sum())]
    prefix = np.empty(n, dtype=object)
    family = np.empty(n, dtype=object)
    migrant_family = migrant_pool & (rng.random(n) < 0.9)
    ranks = np.arange(pools["dutch_family"].size)
    zipf = 1.0 / (ranks + 3.0) ** 1.05
    chosen = rng.choice(ranks.size, size=(~migrant_family).sum(), p=zipf / zipf.sum())
    prefix[~migrant_family] = pools["dutch_prefix"][chosen]
    family[~migrant_family] = pools["dutch_family"][chosen]
    chosen = rng.integers(0, pools["migrant_family"].size, migrant_family.sum())
    prefix[migrant_family] = pools["migrant_prefix"][chosen]
    family[migrant_family] = pools["migrant_family"][chosen]

    street, number, postcode = _addresses(rng, hoods, hood)
    moved = rng.random(n) < 0.12
    earlier = _addresses(rng, hoods, rng.choice(hoods.height, size=n))
    moved_on = _days(today, rng.integers(30, 700, n))
    phone = pl.Series(rng.integers(0, 10**8, n)).cast(pl.String).str.zfill(8)
    return pl.DataFrame(
        {
            "person_id": np.arange(first_id, first_id + n, dtype=np.int64),
            "bsn": _strings(bsns),
            "given_name": _strings(given),
            "name_prefix": _strings(prefix),
            "family_name": _strings(family),
            "sex": _strings(sex),
            "birth_date": _date_series("birth_date", birth),
            "age": age.astype(np.int16),
            "street": _strings(street),
            "house_number": _strings(number),
            "postcode": _strings(postcode),
            "city": pl.repeat(_names.CITY, n, eager=True),
            "neighbourhood_index": hood.astype(np.int32),
            "household_type": _strings(np.asarray(HOUSEHOLD_TYPES)[household]),
            "household_size": size.astype(np.int16),
            "children_count": children.astype(np.int16),
            "education_level": _strings(
                _or_none(education >= 0, np.asarray(EDUCATION)[np.maximum(education, 0)])
            ),
            "phone": ("06" + phone) if n else phone,
            "moved_on": _date_series("moved_on", moved_on).set(pl.Series(~moved), None),
            "earlier_street": _strings(_or_none(moved, earlier[0])),
            "earlier_house_number": _strings(_or_none(moved, earlier[1])),
            "earlier_postcode": _strings(_or_none(moved, earlier[2])),
            "migration": migration.astype(np.int8),
            "general": general,
            **{f"c_{c}": v for c, v in clusters.items()},
        }
    )


def _addresses(
    rng: np.random.Generator, hoods: pl.DataFrame, hood: Array
) -> tuple[Array, Array, Array]:
    """Street, house number (with additions such as 12A or 7-2) and PC6 postcode. Houses on the
    same stretch of a street share their postcode, as in the real postcode table."""
    n = hood.size
    flat = np.asarray([s for streets in hoods["streets"].to_list() for s in streets], dtype=object)
    which = hood * STREETS_PER_NEIGHBOURHOOD + rng.integers(0, STREETS_PER_NEIGHBOURHOOD, n)
    number = rng.integers(1, 180, n)
    addition = _pick(rng, ("", "A", "B", "-1", "-2", " bis"), n, p=(85, 5, 3, 3, 3, 1))
    block = (which * 37 + number // 16) % 400
    pc4 = hoods["pc4"].to_numpy().astype(object)[hood]
    postcode = pc4 + " " + _PAIRS[block]
    return flat[which], number.astype(str).astype(object) + addition, postcode


# Clients ---------------------------------------------------------------------------------------


def _bijstand(rng: np.random.Generator, people: pl.DataFrame, hoods: pl.DataFrame) -> Array:
    """Who lives on bijstand: adults up to the state pension age, more often single or single
    parents, with weaker self-sufficiency, in poorer neighbourhoods; calibrated to
    `BIJSTAND_RATE` of adults 18 to 66."""
    age = people["age"].to_numpy()
    eligible = (age >= 18) & (age < STATE_PENSION_AGE)
    household = pl.Series(people["household_type"]).replace_strict(
        {h: i for i, h in enumerate(HOUSEHOLD_TYPES)}, return_dtype=pl.Int8
    )
    education = people["education_level"].is_in(["hbo", "wo"]).fill_null(False).to_numpy()
    deprivation = hoods["deprivation"].to_numpy()[people["neighbourhood_index"].to_numpy()]
    base = (
        -0.9 * people["general"].to_numpy()
        + np.asarray(_BIJSTAND_HOUSEHOLD)[household.to_numpy()]
        + 0.35 * deprivation
        + 0.4 * (people["migration"].to_numpy() == 2)
        - 0.25 * education
    )
    low, high = -15.0, 5.0
    for _ in range(50):  # bisection on the intercept: the rate is monotone in it
        middle = (low + high) / 2
        rate = _sigmoid(middle + base[eligible]).mean() if eligible.any() else 0.0
        low, high = (middle, high) if rate < BIJSTAND_RATE else (low, middle)
    chance = _sigmoid(low + base)
    return eligible & (rng.random(age.size) < chance)


def _case_managers(rng: np.random.Generator, clients: int) -> pl.DataFrame:
    count = max(1, math.ceil(clients / CLIENTS_PER_CASE_MANAGER))
    given = _pick(rng, _names.GIVEN_FEMALE + _names.GIVEN_MALE, count)
    family = [_names.FAMILY[i] for i in rng.integers(0, len(_names.FAMILY), count)]
    names = [
        " ".join(p for p in (g, prefix, f) if p)
        for g, (prefix, f) in zip(given, family, strict=True)
    ]
    numbers = np.arange(1, count + 1)
    return pl.DataFrame(
        {
            "number": numbers,
            "display_name": names,
            "team": [f"Team {(n - 1) // CASE_MANAGERS_PER_TEAM + 1}" for n in numbers],
        }
    )


def _drifting(rng: np.random.Generator, staff: int) -> tuple[int, ...]:
    count = round(staff * DRIFTING_SCORERS)
    return tuple(sorted(int(n) for n in rng.choice(staff, size=count, replace=False) + 1))


_LANGUAGE_BY_MIGRATION = (
    (1.0, 0, 0, 0, 0, 0),
    (0.5, 0.3, 0.2, 0, 0, 0),
    (0.35, 0.15, 0.17, 0.15, 0.12, 0.06),
)


def _clients(
    rng: np.random.Generator, people: pl.DataFrame, on_bijstand: Array, today: np.datetime64
) -> tuple[pl.DataFrame, dict[str, Array]]:
    """Benefit, income, housing and work of everyone on bijstand, numbered as clients in the
    order of the register."""
    chosen = people.filter(pl.Series(on_bijstand))
    n = chosen.height
    age = chosen["age"].to_numpy().astype(int)
    general = chosen["general"].to_numpy()
    clusters = {c: chosen[f"c_{c}"].to_numpy() for c in CLUSTERS}
    household = chosen["household_type"].to_numpy().astype(object)
    migration = chosen["migration"].to_numpy()

    years = np.minimum(
        np.minimum(20.0, rng.exponential(2.5 + 2 * np.maximum(0.0, -general))), age - 17.5
    )
    start = _days(today, (years * 365).astype(int) + 30)
    u = rng.random(n)
    benefit_type = np.where(
        (age >= 55) & (u < 0.03), "ioaz", np.where((age >= 50) & (u < 0.15), "ioaw", "bijstand")
    )
    norm = np.where(
        np.isin(household, ("couple", "couple_children")),
        "couple",
        np.where(household == "single_parent", "single_parent", "single"),
    )
    amount = np.vectorize(_NORMS.__getitem__)(norm) * _pick(rng, (1.0, 1.0, 1.0, 0.95, 0.8), n)
    exempt = rng.random(n) < np.where(general < -1, 0.25, 0.06)

    part_time = rng.random(n) < 0.12
    debts = np.where(rng.random(n) < 0.45, 0.0, rng.lognormal(8.3 - 0.5 * clusters["money"], 1.0))
    net = amount + np.where(part_time, rng.uniform(150, 700, n), 0.0)
    savings = np.where(rng.random(n) < 0.6, np.maximum(0.0, rng.normal(900, 1200, n)), 0.0)
    housing = _pick(rng, HOUSING, n, p=(68, 15, 3, 11, 3))
    rent = np.where(np.isin(housing, ("social_rent", "private_rent")), rng.uniform(450, 850, n), 0)
    rent = np.where(housing == "private_rent", rent * rng.uniform(1.1, 1.6, n), rent)

    language = _categorical(rng, np.asarray(_LANGUAGE_BY_MIGRATION)[migration])
    ability = general + clusters["work"]
    experience = np.clip(
        np.rint(rng.normal((age - 18) * 0.45 + 2 * ability, 4)), 0, np.maximum(age - 17, 0)
    ).astype(int)
    worked = experience > 0
    occupation = _or_none(worked, _pick(rng, _names.OCCUPATIONS, n))
    last_job = _days(today, rng.integers(60, 3650, n))
    staff = max(1, math.ceil(n / CLIENTS_PER_CASE_MANAGER))
    number = np.arange(1, n + 1)

    table = pl.DataFrame(
        {
            "person_id": chosen["person_id"],
            "client_number": number,
            "case_manager": (number - 1) % staff + 1,
            "client_since": _date_series("client_since", start),
            "benefit_type": benefit_type,
            "benefit_norm": norm,
            "benefit_start": _date_series("benefit_start", start),
            "monthly_benefit": _money(amount),
            "work_obligation_exempt": exempt,
            "income_source": np.where(part_time, "part_time_and_benefit", "benefit"),
            "net_monthly_income": _money(net),
            "savings": _money(savings),
            "debts": _money(debts),
            "debt_counselling": (debts > 5000) & (rng.random(n) < 0.6),
            "housing": _strings(housing),
            "monthly_rent": _money(rent),
            "education_level": chosen["education_level"],
            "dutch_language_level": np.asarray(LANGUAGE)[language],
            "work_experience_years": experience.astype(np.int16),
            "last_occupation": _strings(occupation),
            "last_employment_end": _date_series("last_employment_end", last_job).set(
                pl.Series(~worked), None
            ),
            "hours_available": _pick(rng, (0, 12, 16, 20, 24, 32, 36, 40), n).astype(np.int16),
            "driving_licence": rng.random(n) < 0.45 + 0.1 * ability,
        }
    )
    latent = {"general": general, **clusters, "debts": debts, "age": age.astype(float)}
    latent["migration"] = migration
    latent["years_on_benefit"] = years
    return table, latent


def _zrm(
    rng: np.random.Generator,
    clients: pl.DataFrame,
    latent: dict[str, Array],
    today: np.datetime64,
    drifting: tuple[int, ...],
) -> pl.DataFrame:
    """Two ZRM assessments per client, half a year apart: 13 domains driven by a general and
    four cluster factors, debts weighing on finances, experience lifting work; some scorers
    score too high."""
    n = clients.height
    experience = clients["work_experience_years"].to_numpy()
    scorer = clients["case_manager"].to_numpy()
    drift = np.where(np.isin(scorer, drifting), 0.6, 0.0)
    now: dict[str, Array] = {}
    for domain, _ in DOMAINS:
        mean, load_general, cluster, load_cluster = _ZRM_MODEL[domain]
        score = mean + load_general * latent["general"] + load_cluster * latent[cluster]
        score = score + rng.normal(0, 0.45, n) + drift
        if domain == "financien":
            score = score - 0.8 * (latent["debts"] > 5000)
        if domain == "werk_opleiding":
            score = score + 0.08 * np.minimum(10, experience)
        now[domain] = np.clip(np.rint(score), 1, 5).astype(np.int8)
    change = rng.choice((0, 0, 0, 1, -1), size=(n, len(DOMAINS)))
    assessed = _days(today, rng.integers(20, 150, n))
    earlier_version = np.where(rng.random(n) < 0.1, INSTRUMENT_VERSIONS[1], INSTRUMENT_VERSIONS[0])
    rows = []
    for when, version, scores in (
        (assessed - np.timedelta64(182, "D"), earlier_version, "earlier"),
        (assessed, np.full(n, INSTRUMENT_VERSIONS[0]), "now"),
    ):
        columns: dict[str, Any] = {
            "person_id": clients["person_id"],
            "client_number": clients["client_number"],
            "assessed_on": _date_series("assessed_on", when),
            "scorer": scorer,
            "instrument_version": version,
        }
        for i, (domain, _) in enumerate(DOMAINS):
            value = now[domain] if scores == "now" else now[domain] - change[:, i]
            columns[f"zrm_{domain}"] = np.clip(value, 1, 5).astype(np.int8)
        rows.append(pl.DataFrame(columns))
    return pl.concat(rows).sort("client_number", "assessed_on")


def _instruments_and_outcomes(
    rng: np.random.Generator,
    clients: pl.DataFrame,
    zrm: pl.DataFrame,
    staff: int,
    latent: dict[str, Array],
    today: np.datetime64,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The instrument each client got and whether they found work within 12 months.

    Case managers choose by profile (and by habit: each has a preference of their own), so who
    gets what is **confounded** with the outcome. Each client has a probability of exit to work
    under every instrument (the potential outcomes, drawn with one shared uniform, so they are
    consistent); the effects differ by profile: training helps the low-educated and not those
    close to pension, coaching those with a weak network, a work placement those without
    experience, wage subsidy those over 50, a language course those with little Dutch."""
    n = clients.height
    latest = zrm.sort("assessed_on").group_by("client_number").last()
    latest = clients.select("client_number").join(latest, on="client_number", how="left")
    work = latest["zrm_werk_opleiding"].to_numpy().astype(float)
    social = (
        latest["zrm_sociaal_netwerk"].to_numpy().astype(float)
        + latest["zrm_maatschappelijke_participatie"].to_numpy()
    ) / 2
    overall = latest.select(ZRM_COLUMNS).mean_horizontal().to_numpy()
    education = clients["education_level"].to_numpy().astype(object)
    level = np.vectorize(EDUCATION.index, otypes=[float])(education) if n else np.zeros(0)
    low_education = level <= 1
    language = clients["dutch_language_level"].to_numpy().astype(object)
    little_dutch = np.isin(language, ("A2", "A1", "A0"))
    new_to_work = clients["work_experience_years"].to_numpy() < 3
    exempt = clients["work_obligation_exempt"].to_numpy()
    hours = clients["hours_available"].to_numpy()
    age = latent["age"]
    over_50, near_pension = age >= 50, age >= 55

    choice = np.zeros((n, len(INSTRUMENTS)))
    choice[:, 1] = -0.6 + 0.8 * low_education + 0.3 * (age < 35) - 0.5 * near_pension
    choice[:, 2] = -0.4 + 0.7 * (social <= 2.5) + 0.3 * (overall < 3)
    choice[:, 3] = -0.8 + 0.9 * new_to_work + 0.2 * (work >= 3)
    choice[:, 4] = -1.2 + 0.9 * over_50 + 0.4 * (work >= 3)
    choice[:, 5] = -2.5 + 3.0 * little_dutch
    choice[:, 1:] -= 2.0 * exempt[:, None]
    habits = rng.normal(0, 0.5, (staff, len(INSTRUMENTS)))
    habits[:, 0] = 0
    choice += habits[clients["case_manager"].to_numpy() - 1]
    propensity = np.exp(choice - choice.max(axis=1, keepdims=True))
    propensity /= propensity.sum(axis=1, keepdims=True)
    assigned = _categorical(rng, propensity)

    baseline = (
        -1.3
        + 0.45 * (work - 2.4)
        + 0.25 * (level - 2)
        - 0.025 * (age - 40)
        - 0.08 * latent["years_on_benefit"]
        + 0.2 * (hours >= 24)
        - 0.6 * exempt
        - 0.2 * little_dutch
    )
    effect = np.zeros((n, len(INSTRUMENTS)))
    effect[:, 1] = 0.15 + 0.55 * low_education - 0.4 * near_pension
    effect[:, 2] = 0.1 + 0.6 * (social <= 2.5)
    effect[:, 3] = 0.1 + 0.7 * new_to_work
    effect[:, 4] = 0.3 + 0.7 * over_50
    effect[:, 5] = -0.05 + 1.0 * little_dutch
    probability = _sigmoid(baseline[:, None] + effect)
    shared = rng.random(n)[:, None]
    potential = shared < probability
    observed = potential[np.arange(n), assigned]
    started = _days(today, rng.integers(365, 545, n))

    clients = clients.with_columns(
        _strings(np.asarray(INSTRUMENTS)[assigned], "instrument"),
        _date_series("instrument_started_on", started),
        pl.Series("exit_to_work_12m", observed),
    )
    truth: dict[str, Any] = {
        "person_id": clients["person_id"],
        "client_number": clients["client_number"],
        "instrument": clients["instrument"],
        "migration_background": np.asarray(MIGRATION)[latent["migration"]],
    }
    for i, name in enumerate(INSTRUMENTS):
        truth[f"propensity_{name}"] = np.round(propensity[:, i], 6)
        truth[f"p_{name}"] = np.round(probability[:, i], 6)
        truth[f"y_{name}"] = potential[:, i]
        if i:
            truth[f"tau_{name}"] = np.round(probability[:, i] - probability[:, 0], 6)
    return clients, pl.DataFrame(truth)


# The statistics office's extract ---------------------------------------------------------------

_TYPO_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _typo(text: str, draw: int) -> str:
    """One keying error: a letter substituted, dropped, doubled, or two letters swapped."""
    if len(text) < 3:
        return text
    at = 1 + draw % (len(text) - 2)
    kind = (draw // 97) % 4
    if kind == 0:
        return text[:at] + _TYPO_LETTERS[draw % 26] + text[at + 1 :]
    if kind == 1:
        return text[:at] + text[at + 1 :]
    if kind == 2:
        return text[:at] + text[at] + text[at:]
    return text[:at] + text[at + 1] + text[at] + text[at + 2 :]


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _vary(values: Array, chosen: Array, change: Callable[[str, int], str], draws: Array) -> None:
    for i in np.flatnonzero(chosen):
        if values[i] is not None:
            values[i] = change(values[i], int(draws[i]))


def _extract(
    rng: np.random.Generator, people: pl.DataFrame, others: pl.DataFrame, noise: ExtractNoise
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The same town as a statistics office holds it: most residents, some people the
    municipality does not have, and the noise of a register kept by others: typing errors,
    initials for given names, surname prefixes written into the surname, diacritics dropped,
    an address from before a move, postcodes without their space, house-number additions
    written differently, missing fields, day and month swapped."""
    present = rng.random(people.height) < noise.overlap
    base = pl.concat([people.filter(pl.Series(present)), others])
    n = base.height
    draws = rng.integers(0, 2**31, n)
    u = rng.random((n, 12))

    given = base["given_name"].to_numpy().astype(object)
    prefix = base["name_prefix"].to_numpy().astype(object)
    family = base["family_name"].to_numpy().astype(object)
    _vary(given, u[:, 0] < noise.typos, _typo, draws)
    _vary(family, u[:, 1] < noise.typos, _typo, draws)
    _vary(given, u[:, 2] < 0.04, lambda s, _: s[0] + ".", draws)
    merge = (u[:, 3] < 0.1) & (prefix != "")
    family[merge] = [
        f"{p[0].upper()}{p[1:]} {f}" for p, f in zip(prefix[merge], family[merge], strict=True)
    ]
    prefix[merge] = ""
    _vary(given, u[:, 4] < 0.5, lambda s, _: _ascii(s), draws)
    _vary(family, u[:, 4] < 0.5, lambda s, _: _ascii(s), draws)

    street = base["street"].to_numpy().astype(object)
    number = base["house_number"].to_numpy().astype(object)
    postcode = base["postcode"].to_numpy().astype(object)
    before = base["earlier_street"].to_numpy().astype(object)
    stale = (before != None) & (u[:, 5] < 0.5)  # noqa: E711 (elementwise)
    street[stale] = before[stale]
    number[stale] = base["earlier_house_number"].to_numpy().astype(object)[stale]
    postcode[stale] = base["earlier_postcode"].to_numpy().astype(object)[stale]
    elsewhere = u[:, 6] < 0.03
    source = rng.integers(0, n, elsewhere.sum())
    street[elsewhere], number[elsewhere] = street[source], number[source]
    postcode[elsewhere] = postcode[source]
    _vary(postcode, u[:, 7] < 0.05, lambda s, _: s.replace(" ", ""), draws)
    _vary(number, u[:, 8] < 0.3, lambda s, d: _rewrite_addition(s, d), draws)

    birth = base["birth_date"].to_numpy().copy()
    swap = (u[:, 9] < 0.01) & (base["birth_date"].dt.day() <= 12).to_numpy()
    for i in np.flatnonzero(swap):
        day = birth[i].astype(object)
        birth[i] = np.datetime64(day.replace(month=day.day, day=day.month), "D")
    births = _date_series("birth_date", birth).set(pl.Series(rng.random(n) < 0.02), None)
    sex = base["sex"].to_numpy().astype(object)
    sex[u[:, 10] < 0.01] = None
    bsn = base["bsn"].to_numpy().astype(object)
    bsn[u[:, 11] < 0.01] = None

    table = pl.DataFrame(
        {
            "bsn": _strings(bsn),
            "given_name": _strings(given),
            "name_prefix": _strings(prefix),
            "family_name": _strings(family),
            "sex": _strings(sex),
            "birth_date": births,
            "street": _strings(street),
            "house_number": _strings(number),
            "postcode": _strings(postcode),
            "city": base["city"],
            "household_type": base["household_type"],
            "migration_background": _strings(np.asarray(MIGRATION)[base["migration"].to_numpy()]),
            "person_id": base["person_id"],
            "_missing_postcode": rng.random(n) < 0.03,
        }
    ).with_columns(
        pl.when(pl.col("_missing_postcode"))
        .then(None)
        .otherwise(pl.col("postcode"))
        .alias("postcode")
    )
    order = rng.permutation(n)
    table = table[order].with_columns(
        ("R" + pl.int_range(1, n + 1, eager=True).cast(pl.String).str.zfill(9)).alias("record_id")
    )
    municipal = people["person_id"].max()
    links = table.select(
        "record_id",
        pl.when(pl.col("person_id") <= municipal).then(pl.col("person_id")).alias("person_id"),
    )
    extract = table.select("record_id", *[c for c in table.columns if c not in _HIDDEN])
    return extract, links


_HIDDEN = ("record_id", "person_id", "_missing_postcode")


def _rewrite_addition(number: str, draw: int) -> str:
    """ "12A" written as "12 A" or "12-A", and back: registers disagree on the form."""
    digits = number.rstrip("ABbis -12")
    rest = number[len(digits) :].strip(" -")
    if not rest or not digits:
        return number
    return digits + (" ", "-", "")[draw % 3] + rest


# The demo's records ----------------------------------------------------------------------------


def _text(value: float) -> str:
    return f"{value:.2f}"


def _synth_person(row: dict[str, Any], assessments: list[dict[str, Any]]) -> SynthPerson:
    earlier, latest = assessments[0], assessments[-1]
    moved = row["moved_on"] is not None
    return SynthPerson(
        number=row["client_number"],
        bsn=row["bsn"],
        given_name=row["given_name"],
        name_prefix=row["name_prefix"],
        family_name=row["family_name"],
        sex=row["sex"],
        birth_date=row["birth_date"],
        address=Address(row["street"], row["house_number"], row["postcode"], row["city"]),
        earlier_address=Address(
            row["earlier_street"], row["earlier_house_number"], row["earlier_postcode"], row["city"]
        )
        if moved
        else None,
        moved_on=row["moved_on"],
        phone=row["phone"],
        household={
            "household_type": row["household_type"],
            "household_size": row["household_size"],
            "children_count": row["children_count"],
            "housing": row["housing"],
            "monthly_rent": _text(row["monthly_rent"]),
        },
        income={
            "income_source": row["income_source"],
            "net_monthly_income": _text(row["net_monthly_income"]),
            "savings": _text(row["savings"]),
            "debts": _text(row["debts"]),
            "debt_counselling": row["debt_counselling"],
        },
        benefit={
            "benefit_type": row["benefit_type"],
            "benefit_norm": row["benefit_norm"],
            "benefit_start": row["benefit_start"],
            "monthly_benefit": _text(row["monthly_benefit"]),
            "work_obligation_exempt": row["work_obligation_exempt"],
        },
        work={
            "education_level": row["education_level"],
            "dutch_language_level": row["dutch_language_level"],
            "work_experience_years": row["work_experience_years"],
            "last_occupation": row["last_occupation"],
            "last_employment_end": row["last_employment_end"],
            "hours_available": row["hours_available"],
            "driving_licence": row["driving_licence"],
        },
        zrm={d: latest[f"zrm_{d}"] for d, _ in DOMAINS},
        zrm_earlier={d: earlier[f"zrm_{d}"] for d, _ in DOMAINS},
        zrm_dates=(earlier["assessed_on"], latest["assessed_on"]),
        case_manager=row["case_manager"],
        client_since=row["client_since"],
        instrument=row["instrument"],
        instrument_started_on=row["instrument_started_on"],
        exit_to_work=row["exit_to_work_12m"],
    )

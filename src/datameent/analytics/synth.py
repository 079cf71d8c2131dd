"""The synthetic municipality: realistic residents with known structure, from a seed.

The default data of every demo, test and benchmark. Deterministic: the same `persons`, `seed`
and `reference_date` give the same municipality, byte for byte. Everyone in it is a client of
the social domain; the figures follow the shape of a Dutch municipality's bijstand population
(ages, households, benefit norms, ZRM scores that hang together), not any real person.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from datameent.analytics import _names
from datameent.domain.bsn import check_digit_complete
from datameent.domain.zrm import DOMAINS

REFERENCE_DATE = date(2026, 10, 1)
"""The "today" of the default synthetic municipality, fixed so that output is reproducible."""

CLIENTS_PER_CASE_MANAGER = 60
CASE_MANAGERS_PER_TEAM = 8

# Approximate monthly net bijstand norms (21 to AOW age) in euro, for plausible amounts.
_NORMS = {"single": 1401.0, "single_parent": 1401.0, "couple": 2002.0}

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


@dataclass(frozen=True)
class Municipality:
    name: str
    seed: int
    reference_date: date
    persons: list[SynthPerson]
    case_managers: list[SynthStaff]
    teams: list[str] = field(default_factory=list)


def generate(persons: int, seed: int, reference_date: date = REFERENCE_DATE) -> Municipality:
    """A synthetic municipality of `persons` clients.

    Examples:
        >>> town = generate(persons=3, seed=42)
        >>> [p.number for p in town.persons]
        [1, 2, 3]
    """
    if persons < 1:
        raise ValueError("a municipality needs at least one person")
    rng = random.Random(seed)
    staff = _case_managers(rng, persons)
    bsns = _bsns(rng, persons)
    people = [_person(rng, n + 1, bsns[n], reference_date, len(staff)) for n in range(persons)]
    teams = sorted({s.team for s in staff}, key=lambda t: int(t.rsplit(" ", 1)[1]))
    return Municipality(_names.CITY, seed, reference_date, people, staff, teams)


def _case_managers(rng: random.Random, persons: int) -> list[SynthStaff]:
    count = max(1, math.ceil(persons / CLIENTS_PER_CASE_MANAGER))
    staff = []
    for n in range(1, count + 1):
        given = rng.choice(_names.GIVEN_FEMALE + _names.GIVEN_MALE)
        prefix, family = rng.choice(_names.FAMILY)
        name = " ".join(p for p in (given, prefix, family) if p)
        team = f"Team {(n - 1) // CASE_MANAGERS_PER_TEAM + 1}"
        staff.append(SynthStaff(n, name, team))
    return staff


def _bsns(rng: random.Random, count: int) -> list[str]:
    """Distinct valid BSNs in the 999 series (the series commonly used for test numbers)."""
    found: set[str] = set()
    ordered: list[str] = []
    while len(ordered) < count:
        first_eight = f"999{rng.randrange(100000):05d}"
        last = check_digit_complete(first_eight)
        if last is None or first_eight + last in found:
            continue
        found.add(first_eight + last)
        ordered.append(first_eight + last)
    return ordered


def _person(rng: random.Random, number: int, bsn: str, today: date, staff: int) -> SynthPerson:
    sex = rng.choices(("V", "M", "X"), weights=(52, 47, 1))[0]
    given_pool = _names.GIVEN_FEMALE if sex == "V" else _names.GIVEN_MALE
    prefix, family = rng.choice(_names.FAMILY)
    age = _age(rng)
    birth = today - timedelta(days=int(age * 365.25) + rng.randrange(365))
    household = _household(rng, age)
    general = rng.gauss(0, 1)
    clusters = {c: rng.gauss(0, 1) for c in ("money", "work", "health", "social")}
    benefit = _benefit(rng, today, household["household_type"], general)
    income = _income(rng, benefit, clusters["money"])
    work = _work(rng, age, today, general + clusters["work"])
    zrm_now = _zrm(rng, general, clusters, income, work)
    zrm_before = {k: max(1, min(5, v - rng.choice((0, 0, 0, 1, -1)))) for k, v in zrm_now.items()}
    address = _address(rng)
    moved = rng.random() < 0.25
    assessed = today - timedelta(days=rng.randrange(20, 150))
    return SynthPerson(
        number=number,
        bsn=bsn,
        given_name=rng.choice(given_pool),
        name_prefix=prefix,
        family_name=family,
        sex=sex,
        birth_date=birth,
        address=address,
        earlier_address=_address(rng) if moved else None,
        moved_on=today - timedelta(days=rng.randrange(30, 700)) if moved else None,
        phone=f"06{rng.randrange(10**8):08d}",
        household=household,
        income=income,
        benefit=benefit,
        work=work,
        zrm=zrm_now,
        zrm_earlier=zrm_before,
        zrm_dates=(assessed - timedelta(days=182), assessed),
        case_manager=(number - 1) % staff + 1,
        client_since=benefit["benefit_start"],  # type: ignore[arg-type]
    )


def _age(rng: random.Random) -> int:
    """Ages of bijstand clients: 18 to the state pension age, most between 27 and 60."""
    return int(min(66, max(18, rng.triangular(18, 66, 45))))


def _address(rng: random.Random) -> Address:
    _, pc4, streets = rng.choice(_names.NEIGHBOURHOODS)
    number = str(rng.randrange(1, 180))
    if rng.random() < 0.15:
        number += rng.choice(("A", "B", "-1", "-2", " bis"))
    letters = "".join(rng.choice("ABCDEGHJKLMNPRSTVWXZ") for _ in range(2))
    return Address(rng.choice(streets), number, f"{pc4} {letters}", _names.CITY)


def _household(rng: random.Random, age: int) -> dict[str, object]:
    kind = rng.choices(
        ("single", "single_parent", "couple", "couple_children", "other"),
        weights=(56, 19, 9, 12, 4),
    )[0]
    children = rng.randint(1, 4) if kind in ("single_parent", "couple_children") else 0
    if age > 55:
        children = 0 if kind in ("single", "couple") else children
    adults = 2 if kind.startswith("couple") else (1 if kind != "other" else rng.randint(2, 3))
    housing = rng.choices(
        ("social_rent", "private_rent", "owner", "lodger", "homeless"),
        weights=(68, 15, 3, 11, 3),
    )[0]
    rent = round(rng.uniform(450, 850), 2) if housing in ("social_rent", "private_rent") else 0
    if housing == "private_rent":
        rent = round(rent * rng.uniform(1.1, 1.6), 2)
    return {
        "household_type": kind,
        "household_size": adults + children,
        "children_count": children,
        "housing": housing,
        "monthly_rent": f"{rent:.2f}",
    }


def _benefit(
    rng: random.Random, today: date, household: object, general: float
) -> dict[str, object]:
    norm = {"single": "single", "single_parent": "single_parent"}.get(str(household), "couple")
    # Weaker self-sufficiency, longer on benefit: durations have a long tail.
    years = min(20.0, rng.expovariate(1 / (2.5 + max(0.0, -general) * 2)))
    start = today - timedelta(days=int(years * 365) + 30)
    amount = _NORMS[norm] * rng.choice((1.0, 1.0, 1.0, 0.95, 0.8))
    return {
        "benefit_type": rng.choices(("bijstand", "ioaw", "ioaz"), weights=(94, 5, 1))[0],
        "benefit_norm": norm,
        "benefit_start": start,
        "monthly_benefit": f"{amount:.2f}",
        "work_obligation_exempt": rng.random() < (0.25 if general < -1 else 0.06),
    }


def _income(rng: random.Random, benefit: dict[str, object], money: float) -> dict[str, object]:
    part_time = rng.random() < 0.12
    debts = 0.0 if rng.random() < 0.45 else round(rng.lognormvariate(8.3 - 0.5 * money, 1.0), 2)
    net = float(str(benefit["monthly_benefit"])) + (rng.uniform(150, 700) if part_time else 0)
    return {
        "income_source": "part_time_and_benefit" if part_time else "benefit",
        "net_monthly_income": f"{net:.2f}",
        "savings": f"{max(0.0, rng.gauss(900, 1200)) if rng.random() < 0.6 else 0:.2f}",
        "debts": f"{debts:.2f}",
        "debt_counselling": debts > 5000 and rng.random() < 0.6,
    }


def _work(rng: random.Random, age: int, today: date, ability: float) -> dict[str, object]:
    education = (
        rng.choices(
            ("none", "vmbo", "mbo", "havo_vwo", "hbo", "wo"),
            weights=(22 - 4 * ability, 26, 30 + 3 * ability, 9, 8 + 3 * ability, 5),
        )[0]
        if ability > -3
        else "none"
    )
    years = max(0, min(age - 17, int(rng.gauss((age - 18) * 0.45 + 2 * ability, 4))))
    last_job = today - timedelta(days=rng.randrange(60, 3650)) if years > 0 else None
    return {
        "education_level": education,
        "dutch_language_level": rng.choices(
            ("native", "B2", "B1", "A2", "A1", "A0"), weights=(62, 10, 10, 9, 6, 3)
        )[0],
        "work_experience_years": years,
        "last_occupation": rng.choice(_names.OCCUPATIONS) if years > 0 else None,
        "last_employment_end": last_job,
        "hours_available": rng.choice((0, 12, 16, 20, 24, 32, 36, 40)),
        "driving_licence": rng.random() < 0.45 + 0.1 * ability,
    }


def _zrm(
    rng: random.Random,
    general: float,
    clusters: dict[str, float],
    income: dict[str, object],
    work: dict[str, object],
) -> dict[str, int]:
    scores = {}
    for domain, _ in DOMAINS:
        mean, load_general, cluster, load_cluster = _ZRM_MODEL[domain]
        score = mean + load_general * general + load_cluster * clusters[cluster]
        score += rng.gauss(0, 0.45)
        if domain == "financien" and float(str(income["debts"])) > 5000:
            score -= 0.8
        if domain == "werk_opleiding":
            score += 0.08 * min(10, int(str(work["work_experience_years"])))
        scores[domain] = max(1, min(5, round(score)))
    return scores

"""What leaves the operational store for the statistics warehouse, and in which form.

The warehouse holds no direct identifiers (name, address, phone, e-mail, BSN, free-text
occupation) and only generalised quasi-identifiers: the birth year and an age band instead of
the birth date, the four digits of the postcode (PC4) instead of the full one, years instead of
days, amounts in whole euros. Persons and case managers appear only as keyed pseudonyms of one
consumer domain (`analytics.pseudonyms`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from datameent.domain import zrm
from datameent.domain.attributes import JsonValue
from datameent.domain.text import Text

CONSUMER_DOMAINS: dict[str, Text] = {
    "beleid": Text("Beleid en statistiek van de gemeente", "The municipality's policy"),
    "clientenraad": Text("De cliëntenraad", "The client council"),
    "onderzoek": Text("Onderzoek (met waarborgen, AVG art. 89)", "Research (GDPR art. 89)"),
}
"""Who receives a warehouse: each gets pseudonyms of its own, so two cannot join their tables."""

DIRECT_IDENTIFIERS = frozenset(
    {"given_name", "name_prefix", "family_name", "street", "house_number", "phone", "email",
     "last_occupation"}
)  # fmt: skip
"""Never exported. (The BSN is not an attribute and is never exported either.)"""

GENERALISED = {
    "birth_date": ("birth_year", "age_band"),
    "postcode": ("pc4",),
    "benefit_start": ("benefit_start_year", "benefit_years"),
    "last_employment_end": ("last_employment_year",),
}
"""Quasi-identifiers and dates, exported only in a coarser form."""

DROPPED = frozenset({"city"})
"""Not identifying on its own, but the same for everyone in one municipality's warehouse."""

AMOUNTS = frozenset({"monthly_rent", "net_monthly_income", "savings", "debts", "monthly_benefit"})
"""Money, exported in whole euros."""

ZRM_KEYS = tuple(f"zrm_{domain}" for domain, _ in zrm.DOMAINS)

AGE_BANDS = ((0, 17), (18, 26), (27, 34), (35, 44), (45, 54), (55, 66), (67, 200))


def age_band(age: int) -> str:
    """The band of an age, as policy tables break it down.

    Examples:
        >>> age_band(30), age_band(67), age_band(12)
        ('27-34', '67+', '0-17')
    """
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}+" if high >= 200 else f"{low}-{high}"
    raise ValueError("an age is not negative")


AGE_BAND_LABELS = tuple(age_band(low) for low, _ in AGE_BANDS)
"""Every band's label, in order: "0-17" ... "67+"."""


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _euros(value: JsonValue) -> int | None:
    try:
        return int(Decimal(str(value)).quantize(Decimal(1)))
    except (InvalidOperation, ValueError):
        return None


PROVISIONS = (
    ("benefit_type", lambda v: v is not None and v != "none"),
    ("debt_counselling", lambda v: v is True),
    ("reintegration_instrument", lambda v: v is not None and v != "none"),
)
"""The provisions of the social domain datameent's store knows of a person: a municipal
benefit, debt counselling, support towards work. (Wmo support, youth care and special
assistance are not kept here; when they are, they count too.)"""


def provisions(values: Mapping[str, JsonValue]) -> int:
    """How many provisions a person has at once (their *stacking*).

    Examples:
        >>> provisions({"benefit_type": "bijstand", "debt_counselling": True})
        2
        >>> provisions({"benefit_type": "none", "reintegration_instrument": "none"})
        0
    """
    return sum(1 for key, held in PROVISIONS if held(values.get(key)))


def person_row(values: Mapping[str, JsonValue], reference: date) -> dict[str, JsonValue]:
    """One person's current values as the warehouse holds them (without their pseudonym)."""
    row: dict[str, JsonValue] = {"provisions": provisions(values)}
    for key, value in values.items():
        if key in DIRECT_IDENTIFIERS or key in DROPPED or key.startswith("zrm_"):
            continue
        if key == "birth_date" and isinstance(value, str):
            born = date.fromisoformat(value)
            row["birth_year"] = born.year
            row["age_band"] = age_band(age_on(born, reference))
        elif key == "postcode" and isinstance(value, str):
            row["pc4"] = value[:4]
        elif key in GENERALISED and isinstance(value, str):
            year = date.fromisoformat(value).year
            row[GENERALISED[key][0]] = year
            if key == "benefit_start":
                row["benefit_years"] = max(0, reference.year - year)
        elif key in AMOUNTS:
            row[key] = _euros(value)
        elif key not in GENERALISED:
            row[key] = value
    return row


@dataclass(frozen=True)
class Score:
    """One ZRM domain score as the vault holds it (one version of one value)."""

    key: str
    value: int
    assessed_on: date
    instrument_version: str | None
    scorer: str | None
    """The scorer's pseudonym."""


def assessments(scores: Iterable[Score]) -> list[dict[str, JsonValue]]:
    """ZRM scores grouped into assessments (one per day, version and scorer), each with its month
    instead of its day."""
    grouped: dict[tuple[date, str | None, str | None], dict[str, JsonValue]] = {}
    for s in scores:
        if s.key not in ZRM_KEYS:
            continue
        group = (s.assessed_on, s.instrument_version, s.scorer)
        row = grouped.setdefault(
            group,
            {
                "assessed_month": s.assessed_on.strftime("%Y-%m"),
                "instrument_version": s.instrument_version,
                "scorer": s.scorer,
            },
        )
        row[s.key] = s.value
    return [grouped[k] for k in sorted(grouped, key=lambda k: (k[0], k[1] or "", k[2] or ""))]

"""What policy officers and the client council may ask of the statistics warehouse.

A table is one measure broken down by at most three breakdowns, optionally filtered; every
figure goes through disclosure control (`analytics.disclosure`) before anyone sees it. The
vocabulary is fixed here, so that a request can only name columns the warehouse has and that
are meant to be counted: never a pseudonym, never a case manager.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from datameent.domain import catalogue
from datameent.domain.accounts import Role, User
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem


@dataclass(frozen=True)
class Measure:
    code: str
    label: Text
    column: str | None
    """The warehouse column; None: count the people."""
    statistic: Literal["count", "mean"]
    unit: Text | None = None
    amount: bool = False
    """Money: the dominance rule applies (one person's amount must not show)."""


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure("clients", Text("Aantal cliënten", "Number of clients"), None, "count"),
        Measure(
            "monthly_benefit",
            Text("Gemiddelde uitkering per maand", "Average benefit per month"),
            "monthly_benefit",
            "mean",
            Text("euro", "euro"),
            amount=True,
        ),
        Measure(
            "debts",
            Text("Gemiddelde schuld", "Average debt"),
            "debts",
            "mean",
            Text("euro", "euro"),
            amount=True,
        ),
        Measure(
            "net_monthly_income",
            Text("Gemiddeld netto inkomen per maand", "Average net income per month"),
            "net_monthly_income",
            "mean",
            Text("euro", "euro"),
            amount=True,
        ),
        Measure(
            "work_experience_years",
            Text("Gemiddelde werkervaring", "Average work experience"),
            "work_experience_years",
            "mean",
            Text("jaar", "years"),
        ),
        Measure(
            "zrm_werk_opleiding",
            Text("Gemiddelde ZRM-score werk en opleiding", "Average ZRM score work and education"),
            "zrm_werk_opleiding",
            "mean",
            Text("op een schaal van 1 tot 5", "on a scale of 1 to 5"),
        ),
        Measure(
            "zrm_financien",
            Text("Gemiddelde ZRM-score financiën", "Average ZRM score finances"),
            "zrm_financien",
            "mean",
            Text("op een schaal van 1 tot 5", "on a scale of 1 to 5"),
        ),
    )
}

BREAKDOWNS: dict[str, Text] = {
    "age_band": Text("Leeftijd", "Age"),
    "sex": Text("Geslacht", "Sex"),
    "household_type": Text("Huishouden", "Household"),
    "pc4": Text("Postcodegebied (4 cijfers)", "Postcode area (4 digits)"),
    "education_level": Text("Opleiding", "Education"),
    "dutch_language_level": Text("Niveau Nederlands", "Level of Dutch"),
    "benefit_type": Text("Soort uitkering", "Type of benefit"),
    "benefit_start_year": Text("Uitkering sinds (jaar)", "Benefit since (year)"),
    "housing": Text("Woonsituatie", "Housing"),
    "debt_counselling": Text("In schuldhulpverlening", "In debt counselling"),
}
MAX_BREAKDOWNS = 3
MAX_FILTERS = 3

_UNKNOWN_MEASURE = Text("Kies een van de maten uit de lijst.", "Choose one of the listed measures.")
_UNKNOWN_BREAKDOWN = Text("Kies een indeling uit de lijst.", "Choose a breakdown from the list.")
_TOO_MANY = Text(
    f"Kies hoogstens {MAX_BREAKDOWNS} indelingen.", f"Choose at most {MAX_BREAKDOWNS} breakdowns."
)
_TWICE = Text("Elke indeling maar één keer.", "Each breakdown only once.")
_FILTER = Text(
    "Een filter is een indeling uit de lijst met een waarde.",
    "A filter is a breakdown from the list with a value.",
)


@dataclass(frozen=True)
class TableRequest:
    measure: Measure
    breakdowns: tuple[str, ...]
    filters: Mapping[str, str] = field(default_factory=dict)


def check_request(
    measure: str, breakdowns: Sequence[str], filters: Mapping[str, str] | None = None
) -> TableRequest:
    """A table request from what someone chose, or `InvalidInput` naming every problem."""
    problems = []
    chosen = [b for b in breakdowns if b]
    if measure not in MEASURES:
        problems.append(Problem("measure", _UNKNOWN_MEASURE))
    if any(b not in BREAKDOWNS for b in chosen):
        problems.append(Problem("breakdowns", _UNKNOWN_BREAKDOWN))
    elif len(chosen) > MAX_BREAKDOWNS:
        problems.append(Problem("breakdowns", _TOO_MANY))
    elif len(set(chosen)) != len(chosen):
        problems.append(Problem("breakdowns", _TWICE))
    given = {k: v for k, v in (filters or {}).items() if v}
    if len(given) > MAX_FILTERS or any(
        k not in BREAKDOWNS or len(v) > 64 or k in chosen for k, v in given.items()
    ):
        problems.append(Problem("filters", _FILTER))
    if problems:
        raise InvalidInput(*problems)
    return TableRequest(MEASURES[measure], tuple(chosen), given)


def category_label(breakdown: str, code: str, locale: str) -> str:
    """How a category is shown: the catalogue's label where it has one."""
    definition = catalogue.BY_KEY.get(breakdown)
    if definition is not None and definition.choices:
        label = definition.choice_label(code)
        if label is not None:
            return label.in_(locale)
    if code in ("true", "false"):
        return {"true": Text("Ja", "Yes"), "false": Text("Nee", "No")}[code].in_(locale)
    return code


def domain_for(actor: User) -> str | None:
    """Which warehouse someone reads: the client council its own; policy and supervision the
    municipality's."""
    if actor.has(Role.COUNCIL_MEMBER):
        return "clientenraad"
    if actor.has(Role.ANALYST) or actor.has(Role.PRIVACY_OFFICER):
        return "beleid"
    return None

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
from datameent.domain.warehouse import AGE_BAND_LABELS
from datameent.errors import InvalidInput, Problem


@dataclass(frozen=True)
class Measure:
    code: str
    label: Text
    column: str | None
    """The warehouse column; None: count the people."""
    statistic: Literal["count", "mean", "rate"]
    unit: Text | None = None
    amount: bool = False
    """Money: the dominance rule applies (one person's amount must not show)."""
    per: int | None = None
    """For a rate: clients per this many inhabitants of 18 and over (the population table)."""


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure("clients", Text("Aantal cliënten", "Number of clients"), None, "count"),
        Measure(
            "clients_per_1000",
            Text(
                "Cliënten per 1.000 inwoners van 18 jaar en ouder",
                "Clients per 1,000 inhabitants aged 18 and over",
            ),
            None,
            "rate",
            Text("per 1.000 inwoners van 18+", "per 1,000 inhabitants aged 18+"),
            per=1000,
        ),
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
            "benefit_years",
            Text("Gemiddelde duur in de uitkering", "Average time on benefit"),
            "benefit_years",
            "mean",
            Text("jaar (naar kalenderjaar)", "years (by calendar year)"),
        ),
        Measure(
            "work_experience_years",
            Text("Gemiddelde werkervaring", "Average work experience"),
            "work_experience_years",
            "mean",
            Text("jaar", "years"),
        ),
        Measure(
            "exit_to_work",
            Text(
                "Aandeel dat binnen 12 maanden aan het werk ging",
                "Share who started paid work within 12 months",
            ),
            "exit_to_work",
            "mean",
            Text("van 0 (niemand) tot 1 (iedereen)", "from 0 (nobody) to 1 (everybody)"),
        ),
        Measure(
            "provisions",
            Text(
                "Gemiddeld aantal voorzieningen tegelijk",
                "Average number of provisions at once",
            ),
            "provisions",
            "mean",
            Text(
                "van 0 tot 3: uitkering, schuldhulp, hulp naar werk",
                "from 0 to 3: benefit, debt help, support towards work",
            ),
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
    "reintegration_instrument": Text("Hulp naar werk", "Support towards work"),
    "provisions": Text(
        "Aantal voorzieningen (uitkering, schuldhulp, hulp naar werk)",
        "Number of provisions (benefit, debt help, support towards work)",
    ),
}
MAX_BREAKDOWNS = 3
POPULATION_BREAKDOWNS = ("age_band", "sex", "household_type", "pc4")
CHILDREN_BAND = "0-17"
"""The age band left out of the denominator: a rate is per inhabitant aged 18 and over."""
"""What the population table (inhabitants from the BRP, aggregated) is broken down by: a rate
per 1,000 inhabitants can only use these."""

UNKNOWN = "Onbekend"
"""The category of people whose value is missing (as `analytics.disclosure` names it)."""


def _codes(key: str) -> tuple[str, ...]:
    return (*(c.code for c in catalogue.BY_KEY[key].choices), UNKNOWN)


PUBLIC_CATEGORIES: dict[str, tuple[str, ...]] = {
    "age_band": (*AGE_BAND_LABELS, UNKNOWN),
    "sex": _codes("sex"),
    "household_type": _codes("household_type"),
    "education_level": _codes("education_level"),
    "dutch_language_level": _codes("dutch_language_level"),
    "benefit_type": _codes("benefit_type"),
    "housing": _codes("housing"),
    "debt_counselling": ("true", "false", UNKNOWN),
    "reintegration_instrument": _codes("reintegration_instrument"),
    "provisions": ("0", "1", "2", "3", UNKNOWN),
}
"""Breakdowns whose categories are known without looking at the data: only these can be used
with differential privacy (the cells released must not depend on who is in the data)."""

BUDGETS = {"beleid": 10.0, "clientenraad": 5.0, "onderzoek": 5.0}
"""The epsilon each consumer domain may spend on noisy tables, in all (the privacy officer sets
a new budget by changing it in the database; see the guide)."""
EPSILONS = (0.1, 0.5, 1.0)
"""The choices offered per table: less epsilon, more noise, less of the budget spent."""
MAX_FILTERS = 3

_UNKNOWN_MEASURE = Text("Kies een van de maten uit de lijst.", "Choose one of the listed measures.")
_UNKNOWN_BREAKDOWN = Text("Kies een indeling uit de lijst.", "Choose a breakdown from the list.")
_TOO_MANY = Text(
    f"Kies hoogstens {MAX_BREAKDOWNS} indelingen.", f"Choose at most {MAX_BREAKDOWNS} breakdowns."
)
_TWICE = Text("Elke indeling maar één keer.", "Each breakdown only once.")
_NOT_IN_POPULATION = Text(
    "Per 1.000 inwoners kan alleen naar leeftijd, geslacht, huishouden of postcodegebied: van "
    "alle inwoners weten we niet meer.",
    "Per 1,000 inhabitants can only be broken down by age, sex, household or postcode area: "
    "that is all we know of every inhabitant.",
)
_FILTER = Text(
    "Een filter is een indeling uit de lijst met een waarde.",
    "A filter is a breakdown from the list with a value.",
)


@dataclass(frozen=True)
class TableRequest:
    measure: Measure
    breakdowns: tuple[str, ...]
    filters: Mapping[str, str] = field(default_factory=dict)

    @property
    def figure(self) -> str:
        """The column of a protected table that holds what was asked: `count`, `mean` or
        `rate`."""
        return {"count": "count", "mean": "mean", "rate": "rate"}[self.measure.statistic]


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
    given = {k: v.strip() for k, v in (filters or {}).items() if v.strip()}
    if len(given) > MAX_FILTERS or any(
        k not in BREAKDOWNS or len(v) > 64 or k in chosen for k, v in given.items()
    ):
        problems.append(Problem("filters", _FILTER))
    else:
        codes = {key: category_code(key, text) for key, text in given.items()}
        unknown = [key for key, code in codes.items() if code is None]
        problems.extend(Problem("filters", _no_such_category(key)) for key in unknown)
        given = {key: code for key, code in codes.items() if code is not None}
    if (
        not problems
        and MEASURES[measure].statistic == "rate"
        and any(b not in POPULATION_BREAKDOWNS for b in (*chosen, *given))
    ):
        problems.append(Problem("breakdowns", _NOT_IN_POPULATION))
    if problems:
        raise InvalidInput(*problems)
    return TableRequest(MEASURES[measure], tuple(chosen), given)


_NO_PUBLIC_LIST = Text(
    "Met ruis kan alleen een indeling met een vaste lijst (niet postcode of jaar).",
    "With noise, only breakdowns with a fixed list can be used (not postcode or year).",
)
_EPSILON = Text("Kies 0,1, 0,5 of 1.", "Choose 0.1, 0.5 or 1.")
_COUNTS_ONLY = Text(
    "Met ruis kunnen nu alleen aantallen, geen gemiddelden.",
    "With noise, only counts can be made for now, not averages.",
)


def check_noisy(request: TableRequest, epsilon: float) -> None:
    """A noisy table needs counts, public categories and one of the offered epsilons."""
    problems = []
    if epsilon not in EPSILONS:
        problems.append(Problem("epsilon", _EPSILON))
    if request.measure.statistic != "count":
        problems.append(Problem("measure", _COUNTS_ONLY))
    if any(b not in PUBLIC_CATEGORIES for b in (*request.breakdowns, *request.filters)):
        problems.append(Problem("breakdowns", _NO_PUBLIC_LIST))
    if problems:
        raise InvalidInput(*problems)


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


def category_code(breakdown: str, text: str) -> str | None:
    """The category someone typed to filter on, as the table shows it (in Dutch or English,
    in any case) or as its code; None for a breakdown with a fixed list that has no such
    category. Postcode areas and years have no fixed list: they are taken as typed."""
    codes = PUBLIC_CATEGORIES.get(breakdown)
    if codes is None:
        return text
    wanted = text.casefold()
    for code in codes:
        names = (code, category_label(breakdown, code, "nl"), category_label(breakdown, code, "en"))
        if wanted in (name.casefold() for name in names):
            return code
    return None


def category_labels(locale: str) -> list[str]:
    """Every category of the breakdowns with a fixed list, as the tables show them: the values
    someone can filter on, to suggest while they type."""
    seen = dict.fromkeys(
        category_label(b, code, locale) for b, codes in PUBLIC_CATEGORIES.items() for code in codes
    )
    return list(seen)


def _no_such_category(breakdown: str) -> Text:
    codes = PUBLIC_CATEGORIES[breakdown]
    names = {
        locale: ", ".join(category_label(breakdown, code, locale) for code in codes)
        for locale in ("nl", "en")
    }
    return Text(
        f"{BREAKDOWNS[breakdown].nl} heeft die waarde niet. Kies uit: {names['nl']}.",
        f"{BREAKDOWNS[breakdown].en} has no such value. Choose from: {names['en']}.",
    )


def filter_title(request: TableRequest, locale: str) -> str:
    """What a filtered table is about, to add to its title (so that a download or a screenshot
    of it says so too): ", alleen met huishouden: Alleenstaand"."""
    if not request.filters:
        return ""
    parts = [
        f"{BREAKDOWNS[key].in_(locale).lower()}: {category_label(key, value, locale)}"
        for key, value in request.filters.items()
    ]
    return (", alleen met " if locale == "nl" else ", only with ") + ", ".join(parts)


def domain_for(actor: User) -> str | None:
    """Which warehouse someone reads: the client council its own; policy and supervision the
    municipality's."""
    if actor.has(Role.COUNCIL_MEMBER):
        return "clientenraad"
    if actor.has(Role.ANALYST) or actor.has(Role.PRIVACY_OFFICER):
        return "beleid"
    return None

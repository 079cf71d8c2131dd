"""The attribute catalogue: every kind of fact datameent can hold about a resident.

Kept in code, reviewed like code: adding an attribute is a decision about what the municipality
may know, so it goes through review rather than an admin screen.
"""

from __future__ import annotations

from decimal import Decimal

from datameent.domain import zrm
from datameent.domain.attributes import (
    AttributeDefinition as Def,
)
from datameent.domain.attributes import (
    Category,
    Choice,
    Sensitivity,
    TextFormat,
    ValueType,
)
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem

EUR_PER_MONTH = Text("euro per maand", "euro per month")
EUR = Text("euro", "euro")


def _choices(*items: tuple[str, str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(code, Text(nl, en)) for code, nl, en in items)


_PERSONAL = (
    Def(
        "given_name",
        Category.PERSONAL,
        Text("Voornaam", "Given name"),
        ValueType.TEXT,
        max_length=100,
    ),
    Def(
        "name_prefix",
        Category.PERSONAL,
        Text("Tussenvoegsel", "Surname prefix"),
        ValueType.TEXT,
        max_length=20,
    ),
    Def(
        "family_name",
        Category.PERSONAL,
        Text("Achternaam", "Family name"),
        ValueType.TEXT,
        max_length=100,
    ),
    Def(
        "birth_date",
        Category.PERSONAL,
        Text("Geboortedatum", "Date of birth"),
        ValueType.DATE,
        past_only=True,
    ),
    Def(
        "sex",
        Category.PERSONAL,
        Text("Geslacht", "Sex"),
        ValueType.CHOICE,
        choices=_choices(
            ("V", "Vrouw", "Female"),
            ("M", "Man", "Male"),
            ("X", "Anders of onbekend", "Other or unknown"),
        ),
    ),
    Def("street", Category.PERSONAL, Text("Straat", "Street"), ValueType.TEXT),
    Def(
        "house_number",
        Category.PERSONAL,
        Text("Huisnummer", "House number"),
        ValueType.TEXT,
        max_length=12,
    ),
    Def(
        "postcode",
        Category.PERSONAL,
        Text("Postcode", "Postcode"),
        ValueType.TEXT,
        max_length=7,
        text_format=TextFormat.POSTCODE,
    ),
    Def("city", Category.PERSONAL, Text("Woonplaats", "Place of residence"), ValueType.TEXT),
    Def(
        "phone",
        Category.PERSONAL,
        Text("Telefoonnummer", "Phone number"),
        ValueType.TEXT,
        max_length=20,
        text_format=TextFormat.PHONE,
    ),
    Def(
        "email",
        Category.PERSONAL,
        Text("E-mailadres", "Email address"),
        ValueType.TEXT,
        max_length=254,
        text_format=TextFormat.EMAIL,
    ),
)

_HOUSEHOLD = (
    Def(
        "household_type",
        Category.HOUSEHOLD,
        Text("Soort huishouden", "Household type"),
        ValueType.CHOICE,
        choices=_choices(
            ("single", "Alleenstaand", "Single"),
            ("single_parent", "Alleenstaande ouder", "Single parent"),
            ("couple", "Samenwonend zonder kinderen", "Couple without children"),
            ("couple_children", "Samenwonend met kinderen", "Couple with children"),
            ("other", "Anders", "Other"),
        ),
    ),
    Def(
        "household_size",
        Category.HOUSEHOLD,
        Text("Aantal personen in huis", "People in home"),
        ValueType.INTEGER,
        minimum=1,
        maximum=20,
    ),
    Def(
        "children_count",
        Category.HOUSEHOLD,
        Text("Aantal kinderen", "Number of children"),
        ValueType.INTEGER,
        minimum=0,
        maximum=20,
    ),
    Def(
        "housing",
        Category.HOUSEHOLD,
        Text("Woonsituatie", "Housing situation"),
        ValueType.CHOICE,
        choices=_choices(
            ("social_rent", "Sociale huurwoning", "Social rented home"),
            ("private_rent", "Particuliere huurwoning", "Private rented home"),
            ("owner", "Koopwoning", "Owner-occupied home"),
            ("lodger", "Inwonend", "Living with others"),
            ("homeless", "Geen vaste woonplek", "No fixed home"),
        ),
    ),
    Def(
        "monthly_rent",
        Category.HOUSEHOLD,
        Text("Huur", "Rent"),
        ValueType.DECIMAL,
        sensitivity=Sensitivity.FINANCIAL,
        unit=EUR_PER_MONTH,
        minimum=0,
        maximum=10000,
    ),
)

_INCOME = (
    Def(
        "income_source",
        Category.INCOME,
        Text("Bron van inkomen", "Source of income"),
        ValueType.CHOICE,
        sensitivity=Sensitivity.FINANCIAL,
        choices=_choices(
            ("none", "Geen inkomen", "No income"),
            ("benefit", "Uitkering", "Benefit"),
            ("employment", "Loon uit werk", "Wages"),
            ("self_employed", "Eigen bedrijf", "Self-employed"),
            ("part_time_and_benefit", "Deeltijdwerk en uitkering", "Part-time work and benefit"),
            ("alimony", "Alimentatie", "Alimony"),
        ),
    ),
    Def(
        "net_monthly_income",
        Category.INCOME,
        Text("Netto inkomen", "Net income"),
        ValueType.DECIMAL,
        sensitivity=Sensitivity.FINANCIAL,
        unit=EUR_PER_MONTH,
        minimum=0,
        maximum=Decimal(100000),
    ),
    Def(
        "savings",
        Category.INCOME,
        Text("Spaargeld en bezit", "Savings and assets"),
        ValueType.DECIMAL,
        sensitivity=Sensitivity.FINANCIAL,
        unit=EUR,
        minimum=0,
        maximum=Decimal(10_000_000),
    ),
    Def(
        "debts",
        Category.INCOME,
        Text("Schulden", "Debts"),
        ValueType.DECIMAL,
        sensitivity=Sensitivity.FINANCIAL,
        unit=EUR,
        minimum=0,
        maximum=Decimal(10_000_000),
    ),
    Def(
        "debt_counselling",
        Category.INCOME,
        Text("In schuldhulpverlening", "In debt counselling"),
        ValueType.BOOLEAN,
        sensitivity=Sensitivity.FINANCIAL,
    ),
)

_BENEFIT = (
    Def(
        "benefit_type",
        Category.BENEFIT,
        Text("Soort uitkering", "Type of benefit"),
        ValueType.CHOICE,
        sensitivity=Sensitivity.FINANCIAL,
        self_declarable=False,
        choices=_choices(
            ("bijstand", "Bijstand (Participatiewet)", "Social assistance (Participation Act)"),
            ("ioaw", "IOAW", "IOAW (older unemployed)"),
            ("ioaz", "IOAZ", "IOAZ (older self-employed)"),
            ("none", "Geen uitkering van de gemeente", "No municipal benefit"),
        ),
    ),
    Def(
        "benefit_norm",
        Category.BENEFIT,
        Text("Bijstandsnorm", "Benefit standard"),
        ValueType.CHOICE,
        sensitivity=Sensitivity.FINANCIAL,
        self_declarable=False,
        choices=_choices(
            ("single", "Alleenstaande", "Single person"),
            ("single_parent", "Alleenstaande ouder", "Single parent"),
            ("couple", "Gehuwden of samenwonenden", "Married or cohabiting"),
        ),
    ),
    Def(
        "benefit_start",
        Category.BENEFIT,
        Text("Uitkering sinds", "Benefit since"),
        ValueType.DATE,
        self_declarable=False,
    ),
    Def(
        "monthly_benefit",
        Category.BENEFIT,
        Text("Uitkering per maand", "Monthly benefit"),
        ValueType.DECIMAL,
        sensitivity=Sensitivity.FINANCIAL,
        unit=EUR_PER_MONTH,
        minimum=0,
        maximum=Decimal(10000),
        self_declarable=False,
    ),
    Def(
        "work_obligation_exempt",
        Category.BENEFIT,
        Text("Ontheffing van de arbeidsplicht", "Exempt from the duty to work"),
        ValueType.BOOLEAN,
        self_declarable=False,
    ),
)

_WORK = (
    Def(
        "education_level",
        Category.WORK,
        Text("Hoogste opleiding", "Highest education"),
        ValueType.CHOICE,
        choices=_choices(
            ("none", "Geen of basisonderwijs", "None or primary school"),
            ("vmbo", "Vmbo of mbo 1", "Pre-vocational or MBO level 1"),
            ("mbo", "Mbo 2, 3 of 4", "MBO level 2, 3 or 4"),
            ("havo_vwo", "Havo of vwo", "Senior general secondary"),
            ("hbo", "Hbo", "Higher professional education"),
            ("wo", "Universiteit", "University"),
        ),
    ),
    Def(
        "dutch_language_level",
        Category.WORK,
        Text("Niveau Nederlands", "Level of Dutch"),
        ValueType.CHOICE,
        choices=_choices(
            ("A0", "Nog geen Nederlands", "No Dutch yet"),
            ("A1", "A1", "A1"),
            ("A2", "A2", "A2"),
            ("B1", "B1", "B1"),
            ("B2", "B2 of hoger", "B2 or higher"),
            ("native", "Moedertaal", "Native speaker"),
        ),
    ),
    Def(
        "work_experience_years",
        Category.WORK,
        Text("Jaren werkervaring", "Years of work"),
        ValueType.INTEGER,
        minimum=0,
        maximum=60,
    ),
    Def(
        "last_occupation", Category.WORK, Text("Laatste beroep", "Last occupation"), ValueType.TEXT
    ),
    Def(
        "last_employment_end",
        Category.WORK,
        Text("Laatste baan tot", "Last job ended"),
        ValueType.DATE,
        past_only=True,
    ),
    Def(
        "hours_available",
        Category.WORK,
        Text("Uren beschikbaar", "Hours available"),
        ValueType.INTEGER,
        unit=Text("uur per week", "hours per week"),
        minimum=0,
        maximum=60,
    ),
    Def(
        "driving_licence",
        Category.WORK,
        Text("Rijbewijs B", "Driving licence B"),
        ValueType.BOOLEAN,
    ),
    Def(
        "reintegration_instrument",
        Category.WORK,
        Text("Hulp naar werk", "Support towards work"),
        ValueType.CHOICE,
        self_declarable=False,
        choices=_choices(
            ("none", "Geen", "None"),
            ("training", "Scholing", "Training"),
            ("coaching", "Begeleiding door een coach", "Coaching"),
            ("work_placement", "Werkervaringsplek", "Work placement"),
            ("wage_subsidy", "Loonkostensubsidie", "Wage subsidy"),
            ("language_course", "Taalcursus", "Language course"),
        ),
    ),
    Def(
        "exit_to_work",
        Category.WORK,
        Text(
            "Binnen 12 maanden aan het werk gegaan",
            "Started paid work within 12 months",
        ),
        ValueType.BOOLEAN,
        self_declarable=False,
    ),
)


def _zrm_definition(domain: str, label: Text) -> Def:
    sensitivity = Sensitivity.ORDINARY
    if domain in zrm.HEALTH_DOMAINS:
        sensitivity = Sensitivity.SPECIAL
    elif domain in zrm.CRIMINAL_DOMAINS:
        sensitivity = Sensitivity.CRIMINAL
    return Def(
        zrm.attribute_key(domain),
        Category.ZRM,
        Text(f"ZRM: {label.nl}", f"ZRM: {label.en}"),
        ValueType.ZRM_SCORE,
        sensitivity=sensitivity,
        self_declarable=False,
    )


_ZRM = tuple(_zrm_definition(domain, label) for domain, label in zrm.DOMAINS)

DEFINITIONS: tuple[Def, ...] = _PERSONAL + _HOUSEHOLD + _INCOME + _BENEFIT + _WORK + _ZRM
BY_KEY: dict[str, Def] = {d.key: d for d in DEFINITIONS}

UNKNOWN_KEY = Text("Dit soort gegeven bestaat niet.", "This kind of data does not exist.")


def definition(key: str) -> Def:
    """The definition of `key`, or `InvalidInput` for a key the catalogue does not hold."""
    try:
        return BY_KEY[key]
    except KeyError:
        raise InvalidInput(Problem("key", UNKNOWN_KEY)) from None

"""The public registers: processing activities (GDPR art. 30) and algorithms (the Dutch
Algoritmeregister publication standard). Anyone may read them, without logging in.

The register of processing activities is the one the processing log points into
(`domain/processing.py`); here is how its entries are published and checked. Both registers are
versioned documents kept in the database: publishing a change makes a new version; log records
keep pointing at the activity version they were made under, and decisions at the algorithm
entry that supported them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from datameent.domain import processing
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem

MAX_FIELD = 5000

_REQUIRED = Text("Vul dit in.", "Fill this in.")
_TOO_LONG = Text("Deze tekst is te lang.", "This text is too long.")
_CODE = Text(
    "Gebruik kleine letters, cijfers en streepjes.", "Use lower-case letters, digits and dashes."
)


# The register of processing activities ---------------------------------------------------------

ACTIVITY_TEXTS: dict[str, Text] = {
    # field: its label on the form; each is written in Dutch (`<field>_nl`) and English (`_en`)
    "name": Text("Naam", "Name"),
    "purpose": Text("Doel", "Purpose"),
    "data_subjects": Text("Van wie (betrokkenen)", "Whose data (data subjects)"),
    "recipients": Text("Ontvangers", "Recipients"),
    "retention": Text("Bewaartermijn", "Retention period"),
    "security": Text("Beveiliging", "Security measures"),
    "controller": Text("Verwerkingsverantwoordelijke", "Controller"),
    "dpo": Text("Functionaris gegevensbescherming", "Data protection officer"),
    "transfers": Text("Doorgifte buiten de EU", "Transfers outside the EU"),
}
MAX_LEGAL_BASIS = 1000
_CATEGORY = Text("Kies minstens één soort gegevens.", "Choose at least one category of data.")


def activity_document(activity: processing.ProcessingActivity) -> dict[str, Any]:
    """One entry of the register of processing activities, with every field of art. 30(1), as
    published (API and page)."""
    return {
        "id": activity.uri,
        "code": activity.code,
        "version": activity.version,
        "name": activity.name._asdict(),
        "purposes": activity.purpose._asdict(),
        "legalBasis": activity.legal_basis,
        "dataSubjects": activity.data_subjects._asdict(),
        "dataCategories": list(activity.categories),
        "recipients": activity.recipients._asdict(),
        "retention": activity.retention._asdict(),
        "securityMeasures": activity.security._asdict(),
        "controller": activity.controller._asdict(),
        "dpo": activity.dpo._asdict(),
        "transfersOutsideEu": activity.transfers._asdict(),
    }


def activity_form(activity: processing.ProcessingActivity) -> dict[str, Any]:
    """The form fields that describe `activity`: for publishing a new version of it."""
    form: dict[str, Any] = {
        "code": activity.code,
        "legal_basis": activity.legal_basis,
        "categories": list(activity.categories),
    }
    for name in ACTIVITY_TEXTS:
        text: Text = getattr(activity, name)
        form[f"{name}_nl"], form[f"{name}_en"] = text.nl, text.en
    return form


def _code_problem(code: str) -> Problem | None:
    if not code:
        return Problem("code", _REQUIRED)
    if len(code) > 64 or not all(c.islower() or c.isdigit() or c == "-" for c in code):
        return Problem("code", _CODE)
    return None


def check_activity(values: dict[str, Any]) -> processing.ProcessingActivity:
    """A register entry from the form's fields (its version assigned when published), or
    `InvalidInput` naming every problem. Both languages of every text are required: residents
    read the register in the language they chose."""
    problems: list[Problem] = []
    code = str(values.get("code", "")).strip()
    if (problem := _code_problem(code)) is not None:
        problems.append(problem)
    texts: dict[str, Text] = {}
    for name in ACTIVITY_TEXTS:
        pair = []
        for lang in ("nl", "en"):
            key = f"{name}_{lang}"
            text = str(values.get(key, "")).strip()
            if not text:
                problems.append(Problem(key, _REQUIRED))
            elif len(text) > MAX_FIELD:
                problems.append(Problem(key, _TOO_LONG))
            pair.append(text)
        texts[name] = Text(*pair)
    legal_basis = str(values.get("legal_basis", "")).strip()
    if not legal_basis:
        problems.append(Problem("legal_basis", _REQUIRED))
    elif len(legal_basis) > MAX_LEGAL_BASIS:
        problems.append(Problem("legal_basis", _TOO_LONG))
    raw = values.get("categories", ())
    chosen = [raw] if isinstance(raw, str) else list(raw)
    categories = tuple(c for c in processing.CATEGORIES if c in chosen)
    if not categories or len(categories) != len(set(chosen)):
        problems.append(Problem("categories", _CATEGORY))
    if problems:
        raise InvalidInput(*problems)
    return processing.ProcessingActivity(
        code, 0, legal_basis=legal_basis, categories=categories, **texts
    )


# The algorithm register ------------------------------------------------------------------------


class AlgorithmStatus(StrEnum):
    IN_DEVELOPMENT = "in_development"
    IN_USE = "in_use"
    OUT_OF_USE = "out_of_use"


STATUS_LABELS = {
    AlgorithmStatus.IN_DEVELOPMENT: Text("In ontwikkeling", "In development"),
    AlgorithmStatus.IN_USE: Text("In gebruik", "In use"),
    AlgorithmStatus.OUT_OF_USE: Text("Buiten gebruik", "Out of use"),
}


@dataclass(frozen=True)
class AlgorithmEntry:
    """The fields of the Algoritmeregister publication standard (texts in Dutch, as published)."""

    code: str
    name: str
    description: str
    organisation: str
    status: AlgorithmStatus
    purpose_and_impact: str
    considerations: str
    human_involvement: str
    risk_management: str
    legal_basis: str
    processing_activity: str
    """The processing register entry it belongs to (code)."""
    impact_assessments: str
    data_and_sources: str
    technical_working: str
    supplier: str
    source_code: str
    version: int = 0
    """Assigned when published."""


FIELD_LABELS: dict[str, Text] = {
    "code": Text("Code", "Code"),
    "name": Text("Naam", "Name"),
    "description": Text("Korte omschrijving", "Short description"),
    "organisation": Text("Organisatie", "Organisation"),
    "status": Text("Status", "Status"),
    "purpose_and_impact": Text("Doel en impact", "Purpose and impact"),
    "considerations": Text("Afwegingen", "Considerations"),
    "human_involvement": Text("Menselijke tussenkomst", "Human involvement"),
    "risk_management": Text("Risicobeheer", "Risk management"),
    "legal_basis": Text("Wettelijke grondslag", "Legal basis"),
    "processing_activity": Text("Verwerkingsregister", "Processing register"),
    "impact_assessments": Text("Impacttoetsen (DPIA, IAMA)", "Impact assessments (DPIA, IAMA)"),
    "data_and_sources": Text("Gegevens en bronnen", "Data and sources"),
    "technical_working": Text("Technische werking", "Technical working"),
    "supplier": Text("Leverancier", "Supplier"),
    "source_code": Text("Broncode", "Source code"),
}
OPTIONAL = frozenset({"supplier", "source_code", "impact_assessments"})
_STATUS = Text("Kies een status.", "Choose a status.")
_ACTIVITY = Text(
    "Kies een verwerking uit het verwerkingsregister.",
    "Choose an activity of the processing register.",
)


def check_algorithm(values: dict[str, str], activities: Collection[str]) -> AlgorithmEntry:
    """An entry from typed fields, or `InvalidInput` naming every problem. `activities`: the
    codes of the processing register, one of which the entry must name."""
    problems: list[Problem] = []
    clean: dict[str, Any] = {}
    for f in fields(AlgorithmEntry):
        if f.name == "version":
            continue
        text = str(values.get(f.name, "")).strip()
        if not text and f.name not in OPTIONAL:
            problems.append(Problem(f.name, _REQUIRED))
        elif len(text) > MAX_FIELD:
            problems.append(Problem(f.name, _TOO_LONG))
        clean[f.name] = text
    if clean["code"] and (problem := _code_problem(clean["code"])) is not None:
        problems.append(problem)
    try:
        clean["status"] = AlgorithmStatus(clean["status"])
    except ValueError:
        problems.append(Problem("status", _STATUS))
    if clean["processing_activity"] and clean["processing_activity"] not in activities:
        problems.append(Problem("processing_activity", _ACTIVITY))
    if problems:
        raise InvalidInput(*problems)
    return AlgorithmEntry(**clean)


def algorithm_document(entry: AlgorithmEntry) -> dict[str, Any]:
    return {f.name: getattr(entry, f.name) for f in fields(AlgorithmEntry)}


SEED: tuple[dict[str, str], ...] = (
    {
        "code": "wat-werkt-voor-wie",
        "name": "Wat werkt voor wie: suggesties voor hulp naar werk",
        "description": (
            "Een model schat per soort hulp (training, coaching, werkervaringsplaats, "
            "loonkostensubsidie, taalcursus) hoe groot de kans op betaald werk binnen een jaar "
            "wordt. De klantmanager ziet de suggestie met de onzekerheid en beslist zelf."
        ),
        "organisation": "Gemeente (demo)",
        "status": "in_development",
        "purpose_and_impact": (
            "Inwoners sneller de hulp geven die bij hen past. Het model wijst geen fraude aan en "
            "beslist niets: een suggestie wordt pas een besluit als een klantmanager dat neemt."
        ),
        "considerations": (
            "Alleen inzetten als het model beter is dan een vaste schatting per soort hulp; "
            "anders toont datameent alleen gemiddelden."
        ),
        "human_involvement": (
            "De klantmanager bespreekt de suggestie met de inwoner en beslist. De inwoner ziet "
            "de suggestie en kan bezwaar maken tegen het besluit."
        ),
        "risk_management": (
            "Eerlijkheidstoets per leeftijdsgroep, geslacht, migratieachtergrond en huishouden; "
            "gevoelige gegevens worden niet als invoer gebruikt."
        ),
        "legal_basis": "Participatiewet art. 7 lid 1 sub a; AVG art. 6 lid 1 sub e",
        "processing_activity": "uitvoering-participatiewet",
        "impact_assessments": "DPIA en IAMA in voorbereiding",
        "data_and_sources": "ZRM-scores, opleiding, werkervaring, uren beschikbaar (gemeente)",
        "technical_working": "Causal forest (EconML) op gepseudonimiseerde gegevens",
        "supplier": "Eigen ontwikkeling (datameent)",
        "source_code": "In de repository van datameent, map src/datameent/analytics",
    },
)

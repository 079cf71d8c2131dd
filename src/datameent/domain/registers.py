"""The public registers: processing activities (GDPR art. 30) and algorithms (the Dutch
Algoritmeregister publication standard). Anyone may read them, without logging in.

The register of processing activities is the one the processing log points into
(`domain/processing.py`); here it gets the further fields article 30 asks. Algorithm entries are
versioned documents kept in the database: publishing a change makes a new version, and
decisions keep naming the entry that supported them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from datameent.domain import processing
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem

CONTROLLER = Text(
    "Het college van burgemeester en wethouders van de gemeente",
    "The municipal executive (college van burgemeester en wethouders)",
)
DPO = Text(
    "De functionaris gegevensbescherming (FG) van de gemeente, bereikbaar via de privacy "
    "officer in datameent of het algemene adres van de gemeente",
    "The municipality's data protection officer (FG), reachable through the privacy officer in "
    "datameent or the municipality's general address",
)
SECURITY = Text(
    "Versleuteling per persoon (AES-256-GCM), toegang alleen per doel en toestemming, elke "
    "toegang vastgelegd in een controleerbaar logboek, wachtwoorden met argon2id, "
    "pseudonimisering voor onderzoek.",
    "Encryption per person (AES-256-GCM), access only per purpose and grant, every access in a "
    "verifiable log, passwords with argon2id, pseudonymisation for research.",
)
_RESIDENTS = Text(
    "Inwoners die bijstand, ondersteuning of hulp naar werk aanvragen of krijgen",
    "Residents who apply for or receive assistance, support or help towards work",
)
_STAFF = Text("Medewerkers van de gemeente", "Employees of the municipality")
_NONE = Text("Geen ontvangers buiten de gemeente", "No recipients outside the municipality")

ART30: dict[str, tuple[Text, Text]] = {
    # code: (categories of data subjects, recipients)
    "inzage-eigen-gegevens": (_RESIDENTS, _NONE),
    "uitvoering-participatiewet": (
        _RESIDENTS,
        Text(
            "UWV en SVB waar de wet dat voorschrijft (Wet SUWI)",
            "UWV and SVB where the law requires it (SUWI Act)",
        ),
    ),
    "aanvraag-intake": (_RESIDENTS, _NONE),
    "caseloadbeheer": (
        Text("Inwoners en hun klantmanagers", "Residents and their case managers"),
        _NONE,
    ),
    "rechten-betrokkenen": (_RESIDENTS, _NONE),
    "toezicht-verwerkingen": (
        Text("Inwoners en medewerkers", "Residents and employees"),
        Text(
            "De Autoriteit Persoonsgegevens, als die daarom vraagt",
            "The Dutch Data Protection Authority, when it asks",
        ),
    ),
    "gegevenslevering-basisregistraties": (_RESIDENTS, _NONE),
    "schuldhulpverlening": (
        _RESIDENTS,
        Text(
            "Schuldeisers en de kredietbank, alleen met toestemming",
            "Creditors and the municipal credit bank, with consent only",
        ),
    ),
    "wmo-ondersteuning": (
        _RESIDENTS,
        Text(
            "Zorgaanbieders die de ondersteuning leveren", "Care providers delivering the support"
        ),
    ),
    "onderzoek-statistiek": (
        _RESIDENTS,
        Text(
            "Onderzoekers, alleen gepseudonimiseerd en samengevat",
            "Researchers, pseudonymised and aggregated only",
        ),
    ),
    "noodtoegang": (_RESIDENTS, _NONE),
    "besluiten-en-bezwaar": (
        _RESIDENTS,
        Text("De rechtbank, als u in beroep gaat", "The court, when the resident appeals"),
    ),
}
_DEFAULT = (_RESIDENTS, _NONE)


def processing_entry(activity: processing.ProcessingActivity) -> dict[str, Any]:
    """One entry of the register of processing activities, with every field of art. 30(1)."""
    subjects, recipients = ART30.get(activity.code, _DEFAULT)
    return {
        "id": activity.uri,
        "code": activity.code,
        "version": activity.version,
        "name": activity.name._asdict(),
        "purposes": activity.purpose._asdict(),
        "legalBasis": activity.legal_basis,
        "dataSubjects": subjects._asdict(),
        "dataCategories": list(activity.categories),
        "recipients": recipients._asdict(),
        "retention": activity.retention._asdict(),
        "securityMeasures": SECURITY._asdict(),
        "controller": CONTROLLER._asdict(),
        "dpo": DPO._asdict(),
        "transfersOutsideEu": "none",
    }


def processing_register(all_versions: bool = False) -> list[dict[str, Any]]:
    chosen = processing.REGISTER if all_versions else tuple(processing.CURRENT.values())
    return [processing_entry(a) for a in chosen]


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
MAX_FIELD = 5000

_REQUIRED = Text("Vul dit in.", "Fill this in.")
_TOO_LONG = Text("Deze tekst is te lang.", "This text is too long.")
_CODE = Text(
    "Gebruik kleine letters, cijfers en streepjes.", "Use lower-case letters, digits and dashes."
)
_STATUS = Text("Kies een status.", "Choose a status.")
_ACTIVITY = Text(
    "Kies een verwerking uit het verwerkingsregister.",
    "Choose an activity of the processing register.",
)


def check_algorithm(values: dict[str, str]) -> AlgorithmEntry:
    """An entry from typed fields, or `InvalidInput` naming every problem."""
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
    code = clean["code"]
    if code and not (len(code) <= 64 and all(c.islower() or c.isdigit() or c == "-" for c in code)):
        problems.append(Problem("code", _CODE))
    try:
        clean["status"] = AlgorithmStatus(clean["status"])
    except ValueError:
        problems.append(Problem("status", _STATUS))
    if clean["processing_activity"] and clean["processing_activity"] not in processing.CURRENT:
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

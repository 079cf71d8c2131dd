"""The resident's vault: facts with their provenance, and their history.

A fact is never overwritten. Recording a new value for a key makes it the current one and keeps
the earlier versions, each with where it came from, who recorded it, when, for which period it
holds, and whether someone checked it against a document or a register.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from datameent.domain import zrm
from datameent.domain.attributes import AttributeDefinition, Category, JsonValue, ValueType
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem


class Source(StrEnum):
    """Where a fact came from."""

    SELF_DECLARED = "self_declared"
    MUNICIPALITY = "municipality"
    UWV = "uwv"
    BELASTINGDIENST = "belastingdienst"
    BRP = "brp"


SOURCE_LABELS: dict[Source, Text] = {
    Source.SELF_DECLARED: Text("Zelf opgegeven", "Self-declared"),
    Source.MUNICIPALITY: Text("Gemeente", "Municipality"),
    Source.UWV: Text("UWV", "UWV (employee insurance agency)"),
    Source.BELASTINGDIENST: Text("Belastingdienst", "Tax administration"),
    Source.BRP: Text("BRP (basisregistratie personen)", "BRP (personal records database)"),
}

CATEGORY_LABELS: dict[Category, Text] = {
    Category.PERSONAL: Text("Persoonlijke gegevens", "Personal details"),
    Category.HOUSEHOLD: Text("Huishouden en wonen", "Household and housing"),
    Category.INCOME: Text("Inkomen en geld", "Income and money"),
    Category.BENEFIT: Text("Uitkering", "Benefit"),
    Category.WORK: Text("Werk en opleiding", "Work and education"),
    Category.ZRM: Text("Zelfredzaamheid (ZRM)", "Self-sufficiency (ZRM)"),
}


@dataclass(frozen=True)
class Provenance:
    source: Source
    recorded_by: UUID | None
    recorded_at: datetime
    valid_from: date | None = None
    valid_to: date | None = None
    verified: bool = False
    instrument_version: str | None = None
    """For instrument scores (the ZRM): the version of the instrument used."""


@dataclass(frozen=True)
class AttributeValue:
    """One version of one fact about one person."""

    id: UUID
    person_id: UUID
    key: str
    value: JsonValue
    provenance: Provenance
    current: bool


@dataclass(frozen=True)
class NewValue:
    """What someone asks to record, before the rules have looked at it."""

    key: str
    value: object
    source: Source
    valid_from: date | None = None
    valid_to: date | None = None
    verified: bool = False
    instrument_version: str | None = None


_RESIDENT_SOURCE = Text(
    "U kunt alleen gegevens toevoegen als 'zelf opgegeven'.",
    "You can only add data as 'self-declared'.",
)
_RESIDENT_VERIFIED = Text(
    "Alleen een medewerker kan een gegeven als gecontroleerd markeren.",
    "Only an employee can mark data as verified.",
)
_NOT_SELF_DECLARABLE = Text(
    "Dit gegeven kunt u niet zelf toevoegen. Vraag uw klantmanager.",
    "You cannot add this data yourself. Ask your case manager.",
)
_PERIOD = Text("De einddatum ligt voor de begindatum.", "The end date is before the start date.")
_VERSION_NEEDED = Text(
    "Kies de versie van de ZRM waarmee gescoord is.",
    "Choose the ZRM version used for the score.",
)
_VERSION_UNKNOWN = Text("Deze ZRM-versie kennen we niet.", "This ZRM version is unknown.")
_VERSION_NOT_ALLOWED = Text(
    "Een versie hoort alleen bij een ZRM-score.", "A version belongs only with a ZRM score."
)


def check_new_value(
    definition: AttributeDefinition, new: NewValue, *, by_resident: bool
) -> JsonValue:
    """Apply the vault's rules to a value someone wants to record; return the stored form.

    Residents add what they declare themselves; only staff record values from other sources
    or mark them as verified. Every problem is reported at once.
    """
    problems: list[Problem] = []
    stored: JsonValue = None
    try:
        stored = definition.validate(new.value)
    except InvalidInput as error:
        problems.extend(Problem("value", p.message) for p in error.problems)
    if by_resident:
        if new.source is not Source.SELF_DECLARED:
            problems.append(Problem("source", _RESIDENT_SOURCE))
        if new.verified:
            problems.append(Problem("verified", _RESIDENT_VERIFIED))
        if not definition.self_declarable:
            problems.append(Problem("key", _NOT_SELF_DECLARABLE))
    if new.valid_from and new.valid_to and new.valid_to < new.valid_from:
        problems.append(Problem("validTo", _PERIOD))
    problems.extend(_instrument_problems(definition, new.instrument_version))
    if problems:
        raise InvalidInput(*problems)
    return stored


def _instrument_problems(definition: AttributeDefinition, version: str | None) -> list[Problem]:
    if definition.value_type is ValueType.ZRM_SCORE:
        if not version:
            return [Problem("instrumentVersion", _VERSION_NEEDED)]
        if version not in zrm.INSTRUMENT_VERSIONS:
            return [Problem("instrumentVersion", _VERSION_UNKNOWN)]
    elif version:
        return [Problem("instrumentVersion", _VERSION_NOT_ALLOWED)]
    return []


def current_values(values: Iterable[AttributeValue]) -> dict[str, AttributeValue]:
    """The current version of each key."""
    return {v.key: v for v in values if v.current}


def history_by_key(values: Iterable[AttributeValue]) -> dict[str, list[AttributeValue]]:
    """Every version of each key: the current one first, then the rest newest first."""
    grouped: dict[str, list[AttributeValue]] = {}
    for value in sorted(values, key=lambda v: (v.current, v.provenance.recorded_at), reverse=True):
        grouped.setdefault(value.key, []).append(value)
    return grouped

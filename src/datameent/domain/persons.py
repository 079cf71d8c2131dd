"""Persons: the residents whose data the vault holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from datameent.domain import catalogue
from datameent.domain.bsn import parse_bsn
from datameent.errors import InvalidInput, Problem


@dataclass(frozen=True)
class Person:
    id: UUID
    client_number: str
    """The municipality's number for the client: what staff say aloud instead of the BSN."""
    created_at: datetime
    erased_at: datetime | None = None


@dataclass(frozen=True)
class Intake:
    """What a case manager registers for a new applicant, checked."""

    bsn: str
    given_name: str
    name_prefix: str | None
    family_name: str
    birth_date: date


def check_intake(
    bsn: str, given_name: str, name_prefix: str | None, family_name: str, birth_date: object
) -> Intake:
    """Validate an applicant's core details; every problem is reported at once."""
    problems: list[Problem] = []
    checked: dict[str, object] = {}
    fields: dict[str, Callable[[], object]] = {
        "bsn": lambda: parse_bsn(bsn),
        "givenName": lambda: catalogue.definition("given_name").validate(given_name),
        "familyName": lambda: catalogue.definition("family_name").validate(family_name),
        "birthDate": lambda: catalogue.definition("birth_date").validate(birth_date),
    }
    if name_prefix:
        fields["namePrefix"] = lambda: catalogue.definition("name_prefix").validate(name_prefix)
    for name, check in fields.items():
        try:
            checked[name] = check()
        except InvalidInput as error:
            problems.extend(Problem(name, p.message) for p in error.problems)
    if problems:
        raise InvalidInput(*problems)
    return Intake(
        bsn=str(checked["bsn"]),
        given_name=str(checked["givenName"]),
        name_prefix=str(checked["namePrefix"]) if "namePrefix" in checked else None,
        family_name=str(checked["familyName"]),
        birth_date=date.fromisoformat(str(checked["birthDate"])),
    )


def display_name(given: object, prefix: object, family: object) -> str:
    """'Fatima el Amrani', 'Jan van der Berg': the name as Dutch letters write it."""
    parts = [str(p) for p in (given, prefix, family) if p]
    return " ".join(parts) if parts else "—"

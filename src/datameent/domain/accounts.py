"""Accounts and roles: who can log in, and in which capacity."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from datameent.domain.text import Text
from datameent.errors import InvalidInput, NotFound, Problem


class Role(StrEnum):
    RESIDENT = "resident"
    CASE_MANAGER = "case_manager"
    TEAM_LEAD = "team_lead"
    PRIVACY_OFFICER = "privacy_officer"
    ANALYST = "analyst"
    COUNCIL_MEMBER = "council_member"
    FACILITATOR = "facilitator"
    ADMIN = "admin"
    SYSTEM = "system"
    """A connection to another register (BRP, UWV, ...): records data, never logs in."""


ROLE_LABELS: dict[Role, Text] = {
    Role.RESIDENT: Text("Inwoner", "Resident"),
    Role.CASE_MANAGER: Text("Klantmanager", "Case manager"),
    Role.TEAM_LEAD: Text("Teamleider", "Team lead"),
    Role.PRIVACY_OFFICER: Text("Privacy officer", "Privacy officer"),
    Role.ANALYST: Text("Analist", "Analyst"),
    Role.COUNCIL_MEMBER: Text("Lid cliëntenraad", "Client council member"),
    Role.FACILITATOR: Text("Gespreksleider datadialoog", "Data dialogue facilitator"),
    Role.ADMIN: Text("Beheerder", "Administrator"),
    Role.SYSTEM: Text("Koppeling", "System connection"),
}

STAFF_ROLES = frozenset(
    {Role.CASE_MANAGER, Role.TEAM_LEAD, Role.PRIVACY_OFFICER, Role.ANALYST, Role.ADMIN}
)

MIN_PASSWORD_LENGTH = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")

_BAD_USERNAME = Text(
    "Een gebruikersnaam heeft 3 tot 64 tekens: kleine letters, cijfers, punt, streepje.",
    "A username has 3 to 64 characters: lower-case letters, digits, dot, dash.",
)
_SHORT_PASSWORD = Text(
    f"Een wachtwoord heeft minstens {MIN_PASSWORD_LENGTH} tekens.",
    f"A password has at least {MIN_PASSWORD_LENGTH} characters.",
)
_RESIDENT_NEEDS_PERSON = Text(
    "Een inwoner-account hoort bij precies één persoon.",
    "A resident account belongs to exactly one person.",
)
_NO_ROLE = Text("Kies minstens één rol.", "Choose at least one role.")


@dataclass(frozen=True)
class User:
    id: UUID
    username: str
    display_name: str
    roles: frozenset[Role]
    person_id: UUID | None = None
    """For residents: the person whose vault this account opens."""
    team: str | None = None
    active: bool = True

    def has(self, role: Role) -> bool:
        return self.active and role in self.roles

    def own_person_id(self) -> UUID:
        """The person a resident's account opens; `NotFound` for accounts without one (the
        resident's own pages do not exist for staff)."""
        if self.person_id is None:
            raise NotFound()
        return self.person_id


def check_new_account(
    username: str, password: str | None, roles: frozenset[Role], person_id: UUID | None
) -> None:
    """The rules for a new account, every problem at once. `password=None` means no login."""
    problems = []
    if not _USERNAME.match(username):
        problems.append(Problem("username", _BAD_USERNAME))
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Problem("password", _SHORT_PASSWORD))
    if not roles:
        problems.append(Problem("roles", _NO_ROLE))
    if (Role.RESIDENT in roles) != (person_id is not None):
        problems.append(Problem("person", _RESIDENT_NEEDS_PERSON))
    if problems:
        raise InvalidInput(*problems)

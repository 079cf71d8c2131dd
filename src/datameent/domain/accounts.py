"""Accounts and roles: who can log in, and in which capacity."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from datameent.domain.text import Text
from datameent.errors import AccessDenied, InvalidInput, NotFound, Problem, SignOnRefused


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

ADMINISTERED_ROLES = frozenset(Role) - {Role.RESIDENT, Role.SYSTEM}
"""The roles an administrator gives and takes: an employee's. A resident's account belongs to
one person and a system connection to the operator; neither is administered on the web."""

MIN_PASSWORD_LENGTH = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
"""With @: an employee's username is the one the municipality's identity provider gives
(often an e-mail address), so that single sign-on finds the account."""

_BAD_USERNAME = Text(
    "Een gebruikersnaam heeft 3 tot 64 tekens: kleine letters, cijfers, punt, streepje, @.",
    "A username has 3 to 64 characters: lower-case letters, digits, dot, dash, @.",
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
    must_change_password: bool = False
    """The password was given by an administrator or the operator: its holder chooses their
    own before anything else."""
    sso: bool = False
    """Logs in through the municipality's identity provider (single sign-on), and has no
    password here."""
    representative: str | None = None
    """For a resident's session opened with DigiD Machtigen: someone the resident authorised
    acts for them (a keyed pseudonym of that person's BSN, the same for each of their logins);
    None: the account's holder."""

    def has(self, role: Role) -> bool:
        return self.active and role in self.roles

    def own_person_id(self) -> UUID:
        """The person a resident's account opens; `NotFound` for accounts without one (the
        resident's own pages do not exist for staff)."""
        if self.person_id is None:
            raise NotFound()
        return self.person_id


def acting_for(user: User, representative: str) -> User:
    """The resident's user as someone they authorised (DigiD Machtigen, `representative` the
    keyed pseudonym of that person) acts with it: a password the resident must replace is not
    the representative's to replace, so it does not stop them."""
    return replace(user, representative=representative, must_change_password=False)


def refuse_representative(user: User) -> None:
    """Someone acting for a resident (DigiD Machtigen) may do in the resident's file what the
    resident may, but not manage the resident's way in: their password, their sessions."""
    if user.representative is not None:
        raise AccessDenied(("a representative does not manage the account holder's login",))


def check_new_account(
    username: str, password: str | None, roles: frozenset[Role], person_id: UUID | None
) -> None:
    """The rules for a new account, every problem at once. `password=None` means no login. An
    administrator makes employees' accounts only: `check_new_employee` as well."""
    problems = []
    if not _USERNAME.match(username):
        problems.append(Problem("username", _BAD_USERNAME))
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Problem("password", _SHORT_PASSWORD))
    if not roles:
        problems.append(Problem("roles", _NO_ROLE))
    elif (Role.RESIDENT in roles) != (person_id is not None):
        problems.append(Problem("person", _RESIDENT_NEEDS_PERSON))
    if problems:
        raise InvalidInput(*problems)


_SAME_AS_USERNAME = Text(
    "Uw wachtwoord mag niet hetzelfde zijn als uw gebruikersnaam.",
    "Your password must not be your username.",
)
_NOT_REPEATED = Text(
    "De twee nieuwe wachtwoorden zijn niet gelijk. Typ ze nog een keer.",
    "The two new passwords are not the same. Please type them again.",
)


def check_new_password(username: str, password: str, repeated: str) -> None:
    """The rules for a new password someone chooses, every problem at once."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Problem("new_password", _SHORT_PASSWORD))
    elif password.strip().lower() == username:
        problems.append(Problem("new_password", _SAME_AS_USERNAME))
    if password != repeated:
        problems.append(Problem("repeated", _NOT_REPEATED))
    if problems:
        raise InvalidInput(*problems)


# Administering employees' accounts ----------------------------------------------------------


class ChangeKind(StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    """Name, team or roles."""
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    PASSWORD = "password"
    """A new password: chosen by its holder, or set by the operator."""
    LINKED = "linked"
    """Bound to its holder's account at the identity provider, at their first login there."""
    UNLINKED = "unlinked"


CHANGE_LABELS: dict[ChangeKind, Text] = {
    ChangeKind.CREATED: Text("Account gemaakt", "Account created"),
    ChangeKind.CHANGED: Text("Naam, team of rollen gewijzigd", "Name, team or roles changed"),
    ChangeKind.DEACTIVATED: Text("Account gestopt", "Account deactivated"),
    ChangeKind.REACTIVATED: Text("Account weer actief", "Account reactivated"),
    ChangeKind.PASSWORD: Text("Nieuw wachtwoord", "New password"),
    ChangeKind.LINKED: Text(
        "Gekoppeld aan het account bij de gemeente", "Linked to the municipality account"
    ),
    ChangeKind.UNLINKED: Text(
        "Koppeling met het account bij de gemeente verbroken",
        "Link to the municipality account undone",
    ),
}


@dataclass(frozen=True)
class AccountChange:
    """One line of an account's history: what changed, when, by whom (None: the command line on
    the server), and the roles and team the account had after it."""

    kind: ChangeKind
    at: datetime
    by: UUID | None
    roles: frozenset[Role]
    team: str | None


@dataclass(frozen=True)
class AccountEdit:
    """What an administrator sets on an employee's account."""

    display_name: str
    team: str | None
    roles: frozenset[Role]


MAX_DISPLAY_NAME = 200
MAX_TEAM = 100

_NOT_ADMINISTERED = Text(
    "Deze rol geeft een beheerder niet: inwoners en koppelingen hebben hun eigen account.",
    "An administrator does not give this role: residents and system connections have their"
    " own accounts.",
)
_LONG_NAME = Text(
    f"Een naam heeft hoogstens {MAX_DISPLAY_NAME} tekens.",
    f"A name has at most {MAX_DISPLAY_NAME} characters.",
)
_LONG_TEAM = Text(
    f"Een teamnaam heeft hoogstens {MAX_TEAM} tekens.",
    f"A team name has at most {MAX_TEAM} characters.",
)
_OWN_ADMIN_ROLE = Text(
    "U kunt uw eigen beheerdersrol niet afnemen. Vraag dat aan een andere beheerder.",
    "You cannot take away your own administrator role. Ask another administrator.",
)
_OWN_ACCOUNT = Text(
    "U kunt uw eigen account niet stoppen. Vraag dat aan een andere beheerder.",
    "You cannot deactivate your own account. Ask another administrator.",
)


def is_administered(user: User) -> bool:
    """An employee's account: not a resident's (bound to a person) nor a system connection."""
    return user.person_id is None and user.roles <= ADMINISTERED_ROLES


def check_edit(actor_id: UUID | None, target: User, edit: AccountEdit) -> AccountEdit:
    """The edit as stored (names trimmed, an empty team none), or every problem at once.
    `actor_id` None: the command line on the server. A target that is not an employee's
    account is `NotFound`: residents' accounts are not listed to administrators."""
    if not is_administered(target):
        raise NotFound()
    tidy, problems = _details(edit, target.username)
    if actor_id == target.id and Role.ADMIN in target.roles and Role.ADMIN not in edit.roles:
        problems.append(Problem("roles", _OWN_ADMIN_ROLE))
    if problems:
        raise InvalidInput(*problems)
    return tidy


def check_new_employee(username: str, details: AccountEdit) -> AccountEdit:
    """An employee's account an administrator makes: the username's rule and those of an edit,
    every problem at once; the details as they will be stored."""
    tidy, problems = _details(details, username)
    if not _USERNAME.match(username):
        problems.insert(0, Problem("username", _BAD_USERNAME))
    if problems:
        raise InvalidInput(*problems)
    return tidy


def tidy(text: str | None) -> str | None:
    """A name or team as stored: runs of spaces made one, none at the ends; empty is None."""
    return " ".join((text or "").split()) or None


def _folded(text: str) -> str:
    """For searching: case and accents gone (Ö, ö and o; ß and ss), as people type names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matches(user: User, search: str) -> bool:
    """Does the account's username or name contain `search` (any case, any accents)?"""
    words = _folded(" ".join(search.split()))
    return not words or words in _folded(user.username) or words in _folded(user.display_name)


def _details(edit: AccountEdit, username: str) -> tuple[AccountEdit, list[Problem]]:
    name = tidy(edit.display_name) or username
    team = tidy(edit.team)
    problems = []
    if len(name) > MAX_DISPLAY_NAME:
        problems.append(Problem("display_name", _LONG_NAME))
    if team is not None and len(team) > MAX_TEAM:
        problems.append(Problem("team", _LONG_TEAM))
    if not edit.roles:
        problems.append(Problem("roles", _NO_ROLE))
    elif not edit.roles <= ADMINISTERED_ROLES:
        problems.append(Problem("roles", _NOT_ADMINISTERED))
    return AccountEdit(name, team, edit.roles), problems


def check_deactivation(actor_id: UUID | None, target: User) -> None:
    """An administrator stops any employee's account but their own (so that one always remains
    who can undo it)."""
    if not is_administered(target):
        raise NotFound()
    if actor_id == target.id:
        raise InvalidInput(Problem("active", _OWN_ACCOUNT))


# Single sign-on ------------------------------------------------------------------------------

_NO_ACCOUNT = Text(
    "De gemeente kent u, maar u heeft nog geen account in datameent. Vraag de beheerder om een"
    " account met dezelfde gebruikersnaam als bij de gemeente.",
    "The municipality knows you, but you have no datameent account yet. Ask the administrator"
    " for one with the same username as at the municipality.",
)
_STOPPED = Text(
    "Uw account in datameent is gestopt. Vraag de beheerder waarom.",
    "Your datameent account has been deactivated. Ask the administrator why.",
)
_LINKED_ELSEWHERE = Text(
    "Dit account in datameent hoort bij een ander account bij de gemeente. Vraag de beheerder"
    " om de koppeling te verbreken als dat niet klopt.",
    "This datameent account belongs to another account at the municipality. Ask the"
    " administrator to undo the link if that is wrong.",
)
_HAS_NO_PASSWORD = Text(
    "Dit account logt in via de gemeente en heeft hier geen wachtwoord. Verbreek eerst de"
    " koppeling als het toch een wachtwoord moet krijgen.",
    "This account logs in through the municipality and has no password here. Undo the link"
    " first if it must have a password after all.",
)


def check_sign_on(user: User | None, *, linking: bool) -> User:
    """May the holder of an account at the identity provider log in to `user`: the account
    bound to their identifier there, or (`linking`) the one with the username the provider
    gives, to be bound now. Employees only (residents log in otherwise), active, and an account
    is bound to one identifier at a time. Refusals say why: the person asking has just proved
    at the provider who they are."""
    if user is None or not is_administered(user):
        raise SignOnRefused(_NO_ACCOUNT)
    if linking and user.sso:
        raise SignOnRefused(_LINKED_ELSEWHERE)
    if not user.active:
        raise SignOnRefused(_STOPPED)
    return user


def check_may_have_password(user: User) -> None:
    """An account that logs in through the municipality gets no password here (a password
    beside it would bypass the provider's second factor); the link is undone first."""
    if user.sso:
        raise InvalidInput(Problem("password", _HAS_NO_PASSWORD))

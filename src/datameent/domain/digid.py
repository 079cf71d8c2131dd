"""Residents log in with DigiD: what the municipality's DigiD connection vouches for, and what
datameent accepts from it.

datameent does not speak SAML to Logius itself. The municipality's identity broker (Keycloak, or
a commercial broker) does that, and hands datameent an OpenID Connect ID token with the
resident's BSN and the level of assurance (*betrouwbaarheidsniveau*) they logged in with. The
BSN finds the person's file (through the blind index; it is never stored in plain text); the
level must reach the one the municipality set for this data.

DigiD's four levels are named in the SAML authentication context DigiD returns (Logius,
*Koppelvlakspecificatie DigiD SAML*). Brokers pass that class reference on as the `acr` claim,
or translate it into the level's name; both are understood here. A token without a level
cannot show it reaches the minimum and is refused.
"""

from __future__ import annotations

from enum import IntEnum
from uuid import UUID, uuid4

from datameent.domain.accounts import Role, User
from datameent.domain.bsn import is_valid_bsn
from datameent.domain.text import Text
from datameent.errors import SignOnRefused


class Level(IntEnum):
    """DigiD's levels of assurance, weakest first."""

    BASIS = 1
    """Username and password."""
    MIDDEN = 2
    """With the DigiD app, or a code by text message."""
    SUBSTANTIEEL = 3
    """The DigiD app with the identity document checked."""
    HOOG = 4
    """The identity card's chip."""


_CLASS_REFS = {
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport": Level.BASIS,
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract": Level.MIDDEN,
    "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard": Level.SUBSTANTIEEL,
    "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI": Level.HOOG,
}

SECTOR_PREFIX = "s00000000:"
"""DigiD names a resident `s00000000:<BSN>` (the sector code of the BSN); brokers that pass the
name on unchanged keep it."""


def parse_level(value: object) -> Level | None:
    """The level a claim names: DigiD's SAML class reference, or the level's Dutch name."""
    if not isinstance(value, str):
        return None
    if value in _CLASS_REFS:
        return _CLASS_REFS[value]
    return Level.__members__.get(value.strip().upper())


def bsn_of_claim(value: object) -> str | None:
    """The BSN in the broker's claim, if it holds a valid one: nine digits that pass the
    11-check, with or without DigiD's sector prefix (a number loses its leading zero in JSON)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10**9:
        value = f"{value:09d}"
    if not isinstance(value, str):
        return None
    value = value.strip().removeprefix(SECTOR_PREFIX)
    return value if is_valid_bsn(value) else None


LEVEL_NEEDED: dict[Level, Text] = {
    Level.BASIS: Text("DigiD", "DigiD"),
    Level.MIDDEN: Text(
        "DigiD met de DigiD app of met een sms-controle",
        "DigiD with the DigiD app or a text message check",
    ),
    Level.SUBSTANTIEEL: Text(
        "de DigiD app met een controle van uw identiteitsbewijs",
        "the DigiD app with your identity document checked",
    ),
    Level.HOOG: Text(
        "DigiD met uw identiteitskaart",
        "DigiD with your identity card",
    ),
}
"""How to log in at a level, in words a resident knows from DigiD's own screens."""


def check_level(level: Level | None, minimum: Level) -> None:
    """`SignOnRefused`, saying how to log in instead, unless `level` reaches `minimum`."""
    if level is None or level < minimum:
        how = LEVEL_NEEDED[minimum]
        raise SignOnRefused(
            Text(
                f"Uw gegevens zijn goed beveiligd. Log daarom in met {how.nl}. Dat kan op"
                " digid.nl. Lukt dat niet? Neem contact op met de gemeente.",
                f"Your data is well protected. So please log in with {how.en}. You can set"
                " this up at digid.nl. Does that not work? Contact the municipality.",
            )
        )


UNKNOWN_RESIDENT = Text(
    "U bent ingelogd met DigiD, maar de gemeente heeft nog geen dossier van u in datameent."
    " Hebt u bijstand of ondersteuning aangevraagd? Neem dan contact op met de gemeente.",
    "You logged in with DigiD, but the municipality has no file of yours in datameent yet."
    " Did you apply for assistance or support? Then please contact the municipality.",
)
ACCOUNT_STOPPED = Text(
    "Uw account in datameent is gestopt. Neem contact op met de gemeente.",
    "Your datameent account has been stopped. Please contact the municipality.",
)


def resident_account(person_id: UUID, client_number: str) -> User:
    """The account a resident gets at their first DigiD login: no password (DigiD is how they
    log in), named by their client number, which is on the municipality's letters to them and
    says nothing on its own."""
    return User(
        uuid4(),
        f"digid-{client_number.lower()}",
        client_number,
        frozenset({Role.RESIDENT}),
        person_id,
        sso=True,
    )

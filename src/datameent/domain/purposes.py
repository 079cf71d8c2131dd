"""The purpose register: what the municipality may ask a resident for, and why.

A purpose names its legal basis, whether answering is a legal duty or a free choice (consent),
the attributes it needs, the ones it may optionally ask, how long a grant lasts and what
refusing means. A request, a grant and every read name one purpose *version*: a change to a
purpose makes a new version, and grants keep pointing at the version they were made under.

Kept in code, like the attribute catalogue: a purpose is a legal decision, reviewed like code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from datameent.domain import catalogue, zrm
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem


class Basis(StrEnum):
    DUTY = "duty"
    """The resident must answer: the law obliges them (inlichtingenplicht)."""
    CONSENT = "consent"
    """The resident may answer: nothing happens when they do not."""


BASIS_LABELS = {
    Basis.DUTY: Text("Wettelijke plicht", "Legal duty"),
    Basis.CONSENT: Text("Uw toestemming", "Your consent"),
}

NO_CONSEQUENCE = Text(
    "U hoeft niets te delen. Als u niets deelt, heeft dat geen gevolgen voor uw uitkering of hulp.",
    "You do not have to share anything. Not sharing has no effect on your benefit or support.",
)


@dataclass(frozen=True)
class Purpose:
    code: str
    version: int
    name: Text
    description: Text
    legal_basis: str
    """The GDPR art. 6 ground and the national provision, as a lawyer would cite them."""
    basis: Basis
    required: frozenset[str]
    """Attributes the purpose needs: preselected in a request."""
    optional: frozenset[str]
    """Attributes the purpose may ask for when the case calls for it."""
    grant_days: int
    """How long a grant made for this purpose lasts."""
    retention: Text
    refusal: Text
    """What refusing to answer means, in plain words."""
    activity: str
    """The processing activity (register code) that reads under this purpose are logged under."""

    @property
    def ref(self) -> str:
        return f"{self.code}:v{self.version}"

    @property
    def attributes(self) -> frozenset[str]:
        return self.required | self.optional

    def covers(self, key: str) -> bool:
        return key in self.required or key in self.optional


_NAME = frozenset({"given_name", "name_prefix", "family_name", "birth_date"})
_CONTACT = frozenset({"street", "house_number", "postcode", "city", "phone", "email"})
_HOUSEHOLD = frozenset({"household_type", "household_size", "children_count", "housing"})
_MONEY = frozenset({"income_source", "net_monthly_income", "savings", "monthly_rent"})
_BENEFIT = frozenset({"benefit_type", "benefit_norm", "benefit_start", "monthly_benefit"})
_WORK = frozenset(
    {
        "education_level",
        "dutch_language_level",
        "work_experience_years",
        "last_occupation",
        "last_employment_end",
        "hours_available",
        "driving_licence",
    }
)
_ZRM = frozenset(f"zrm_{domain}" for domain, _ in zrm.DOMAINS)
_ZRM_SENSITIVE = frozenset(
    {"zrm_geestelijke_gezondheid", "zrm_lichamelijke_gezondheid", "zrm_middelengebruik"}
)

_DUTY_BIJSTAND = Text(
    "U moet deze gegevens geven (Participatiewet artikel 17). Geeft u ze niet, dan kan de gemeente "
    "misschien niet beslissen over uw uitkering. Uw uitkering kan dan lager worden, stoppen of "
    "niet beginnen. Heeft u een goede reden? Schrijf die erbij: de klantmanager moet daar "
    "rekening mee houden.",
    "You must give this information (Participation Act, article 17). If you do not, the "
    "municipality may be unable to decide on your benefit. Your benefit may then be lowered, "
    "stopped or not start. Do you have a good reason? Write it down: your case manager must "
    "take it into account.",
)
_DUTY_WMO = Text(
    "De gemeente heeft deze gegevens nodig om te onderzoeken welke hulp past (Wmo 2015 artikel "
    "2.3.2). Geeft u ze niet, dan kan de gemeente misschien niet beslissen over uw aanvraag.",
    "The municipality needs this information to find out which support fits (Wmo 2015 article "
    "2.3.2). If you do not give it, the municipality may be unable to decide on your request.",
)

REGISTER: tuple[Purpose, ...] = (
    Purpose(
        "bijstand-aanvraag",
        1,
        Text("Aanvraag bijstand", "Applying for social assistance"),
        Text(
            "Om te beslissen of u recht hebt op bijstand en hoeveel.",
            "To decide whether you are entitled to social assistance, and how much.",
        ),
        "AVG art. 6 lid 1 sub c; Participatiewet art. 17 lid 1 en art. 43",
        Basis.DUTY,
        _NAME | _CONTACT | _HOUSEHOLD | _MONEY | frozenset({"debts"}),
        frozenset({"benefit_type", "work_experience_years", "last_employment_end"}),
        365,
        Text("7 jaar na het besluit", "7 years after the decision"),
        _DUTY_BIJSTAND,
        "uitvoering-participatiewet",
    ),
    Purpose(
        "heronderzoek",
        1,
        Text("Controle van uw recht op bijstand", "Periodic eligibility review"),
        Text(
            "Om na te gaan of u nog recht hebt op bijstand.",
            "To check whether you are still entitled to social assistance.",
        ),
        "AVG art. 6 lid 1 sub c; Participatiewet art. 17 lid 1 en art. 53a",
        Basis.DUTY,
        _NAME | _HOUSEHOLD | _MONEY | _BENEFIT,
        frozenset({"debts"} | _CONTACT),
        180,
        Text("7 jaar na het einde van de uitkering", "7 years after the benefit ends"),
        _DUTY_BIJSTAND,
        "uitvoering-participatiewet",
    ),
    Purpose(
        # Version 2 stopped asking for the amount of savings at every review: the benefit
        # administration already receives it, and asking again retells the resident's story.
        "heronderzoek",
        2,
        Text("Controle van uw recht op bijstand", "Periodic eligibility review"),
        Text(
            "Om na te gaan of u nog recht hebt op bijstand. Wat de gemeente al weet, vragen we "
            "niet opnieuw.",
            "To check whether you are still entitled to social assistance. What the "
            "municipality already knows is not asked again.",
        ),
        "AVG art. 6 lid 1 sub c; Participatiewet art. 17 lid 1 en art. 53a",
        Basis.DUTY,
        _NAME | _HOUSEHOLD | frozenset({"income_source", "net_monthly_income"}) | _BENEFIT,
        frozenset({"debts", "savings"} | _CONTACT),
        180,
        Text("7 jaar na het einde van de uitkering", "7 years after the benefit ends"),
        _DUTY_BIJSTAND,
        "uitvoering-participatiewet",
    ),
    Purpose(
        "re-integratie",
        1,
        Text("Hulp bij het vinden van werk", "Reintegration: support towards work"),
        Text(
            "Om samen met u te kiezen welke hulp u het best verder helpt naar werk.",
            "To choose with you which support helps you best on your way to work.",
        ),
        "AVG art. 6 lid 1 sub e; Participatiewet art. 7 lid 1 sub a en art. 9",
        Basis.DUTY,
        _NAME
        | _WORK
        | (_ZRM - _ZRM_SENSITIVE)
        | frozenset({"phone", "email"})
        # whether the duty to work applies decides which support is possible at all
        | frozenset({"work_obligation_exempt"}),
        _ZRM_SENSITIVE | frozenset({"children_count"}),
        730,
        Text("5 jaar na het einde van het traject", "5 years after the trajectory ends"),
        Text(
            "U moet meewerken aan hulp naar werk (Participatiewet artikel 9). Geeft u deze "
            "gegevens niet, dan kan de klantmanager minder goed passende hulp kiezen. Zonder "
            "goede reden kan de gemeente uw uitkering tijdelijk verlagen.",
            "You must take part in support towards work (Participation Act, article 9). "
            "Without this information your case manager can choose less suitable support. "
            "Without a good reason the municipality may lower your benefit for a time.",
        ),
        "uitvoering-participatiewet",
    ),
    Purpose(
        "schuldhulp",
        1,
        Text("Hulp bij schulden", "Debt help"),
        Text(
            "Om u te helpen met uw schulden. U kiest zelf of u dit deelt.",
            "To help you with your debts. You choose whether you share this.",
        ),
        "AVG art. 6 lid 1 sub a; Wet gemeentelijke schuldhulpverlening art. 3 en 4",
        Basis.CONSENT,
        _NAME | frozenset({"debts", "debt_counselling", "net_monthly_income", "monthly_rent"}),
        frozenset({"savings", "household_type", "household_size", "phone", "email"}),
        365,
        Text("18 maanden na het einde van de hulp", "18 months after the help ends"),
        NO_CONSEQUENCE,
        "schuldhulpverlening",
    ),
    Purpose(
        "wmo-ondersteuning",
        1,
        Text("Ondersteuning thuis (Wmo)", "Support at home (Wmo)"),
        Text(
            "Om te onderzoeken welke ondersteuning u nodig hebt om thuis te kunnen blijven wonen.",
            "To find out which support you need to keep living at home.",
        ),
        "AVG art. 6 lid 1 sub e en art. 9 lid 2 sub h; Wmo 2015 art. 2.3.2 en 5.1.1",
        Basis.DUTY,
        _NAME
        | _CONTACT
        | _HOUSEHOLD
        | frozenset({"zrm_basale_adl", "zrm_instrumentele_adl", "zrm_sociaal_netwerk"}),
        frozenset({"zrm_lichamelijke_gezondheid", "zrm_geestelijke_gezondheid", "zrm_huisvesting"}),
        365,
        Text("15 jaar na het einde van de ondersteuning", "15 years after the support ends"),
        _DUTY_WMO,
        "wmo-ondersteuning",
    ),
    Purpose(
        "onderzoek-statistiek",
        1,
        Text("Onderzoek en statistiek", "Research and statistics"),
        Text(
            "Om te leren welke hulp werkt, zonder dat u herkenbaar bent in de uitkomsten.",
            "To learn which support works, without you being recognisable in the results.",
        ),
        "AVG art. 6 lid 1 sub a en art. 89; UAVG art. 24",
        Basis.CONSENT,
        frozenset({"birth_date", "household_type", "education_level"}),
        _ZRM - _ZRM_SENSITIVE | frozenset({"work_experience_years"}),
        730,
        Text("Zo lang het onderzoek duurt, hoogstens 5 jaar", "For the research, at most 5 years"),
        NO_CONSEQUENCE,
        "onderzoek-statistiek",
    ),
)

BY_REF: dict[str, Purpose] = {p.ref: p for p in REGISTER}
CURRENT: dict[str, Purpose] = {}
"""The newest version of each purpose: new requests are made under it."""
for _purpose in REGISTER:
    if _purpose.version >= CURRENT.get(_purpose.code, _purpose).version:
        CURRENT[_purpose.code] = _purpose

UNKNOWN_PURPOSE = Text("Dit doel bestaat niet.", "This purpose does not exist.")


def current(code: str, field: str = "purpose") -> Purpose:
    """The newest version of the purpose `code`, or `InvalidInput`."""
    purpose = CURRENT.get(code)
    if purpose is None:
        raise InvalidInput(Problem(field, UNKNOWN_PURPOSE))
    return purpose


def version(code: str, number: int) -> Purpose:
    """A purpose as it was at `number`: grants and requests keep pointing at it."""
    return BY_REF[f"{code}:v{number}"]


def _check_register() -> None:
    for purpose in REGISTER:
        unknown = purpose.attributes - catalogue.BY_KEY.keys()
        assert not unknown, f"{purpose.ref} names attributes the catalogue lacks: {unknown}"
        assert not purpose.required & purpose.optional, f"{purpose.ref}: required and optional"


_check_register()

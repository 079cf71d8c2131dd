"""The register of processing activities (AVG art. 30) and what each access is logged under.

Every log record names the processing activity it belongs to, by a URI into this register.
Activities are versioned: a change of purpose, legal basis, categories or retention makes a new
version, and records keep pointing at the version they were made under.

The register itself lives in the database, where the privacy officer keeps it (`store/
registers.py`); `SEED` below is its first version, written when the database is made. Which
activity an access falls under is decided here, in code, by the activity's *code*; the store
turns the code into the URI of its current version.
"""

from __future__ import annotations

from dataclasses import dataclass

from datameent.domain import purposes
from datameent.domain.accounts import Role, User
from datameent.domain.attributes import Category
from datameent.domain.policy import Action, Decision
from datameent.domain.text import Text

URI_PREFIX = "urn:datameent:verwerking"

RESIDENTS = Text(
    "Inwoners die bijstand, ondersteuning of hulp naar werk aanvragen of krijgen",
    "Residents who apply for or receive assistance, support or help towards work",
)
NO_RECIPIENTS = Text("Geen ontvangers buiten de gemeente", "No recipients outside the municipality")
SECURITY = Text(
    "Versleuteling per persoon (AES-256-GCM), toegang alleen per doel en toestemming, elke "
    "toegang vastgelegd in een controleerbaar logboek, wachtwoorden met argon2id, "
    "pseudonimisering voor onderzoek.",
    "Encryption per person (AES-256-GCM), access only per purpose and grant, every access in a "
    "verifiable log, passwords with argon2id, pseudonymisation for research.",
)
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
NO_TRANSFERS = Text("Geen doorgifte buiten de EU", "No transfers outside the EU")

CATEGORIES: dict[str, Text] = {
    Category.PERSONAL: Text("Persoonsgegevens", "Personal details"),
    Category.HOUSEHOLD: Text("Huishouden", "Household"),
    Category.INCOME: Text("Inkomen", "Income"),
    Category.BENEFIT: Text("Uitkering", "Benefit"),
    Category.WORK: Text("Werk en opleiding", "Work and education"),
    Category.ZRM: Text("Zelfredzaamheid (ZRM)", "Self-sufficiency (ZRM)"),
    "bsn": Text("Burgerservicenummer (BSN)", "Citizen service number (BSN)"),
    "account": Text("Account en inloggegevens", "Account and login details"),
    "processing_log": Text("Logboek van verwerkingen", "Processing log"),
}
"""The categories of personal data an activity can name (art. 30(1)(c))."""


@dataclass(frozen=True)
class ProcessingActivity:
    """One version of one entry of the register, with every field article 30(1) asks."""

    code: str
    version: int
    name: Text
    purpose: Text
    legal_basis: str
    """The GDPR art. 6 ground and the national provision, as a lawyer would cite them."""
    categories: tuple[str, ...]
    """Categories of personal data (keys of `CATEGORIES`)."""
    retention: Text
    data_subjects: Text = RESIDENTS
    recipients: Text = NO_RECIPIENTS
    security: Text = SECURITY
    controller: Text = CONTROLLER
    dpo: Text = DPO
    transfers: Text = NO_TRANSFERS

    @property
    def uri(self) -> str:
        return f"{URI_PREFIX}:{self.code}:v{self.version}"


def parse_uri(uri: str) -> tuple[str, int] | None:
    prefix = URI_PREFIX + ":"
    if not uri.startswith(prefix):
        return None
    code, _, version = uri[len(prefix) :].rpartition(":v")
    return (code, int(version)) if code and version.isdigit() else None


SEED: tuple[ProcessingActivity, ...] = (
    ProcessingActivity(
        "inzage-eigen-gegevens",
        1,
        Text("Inzage in en aanvullen van eigen gegevens", "Viewing and adding one's own data"),
        Text(
            "U kunt zien wat de gemeente over u heeft en zelf gegevens aanvullen.",
            "Residents see what the municipality holds about them and add to it.",
        ),
        "AVG art. 6 lid 1 sub c; AVG art. 15 (recht op inzage) en art. 16 (rectificatie)",
        ("personal", "household", "income", "benefit", "work", "zrm", "bsn"),
        Text("Zolang het dossier bestaat", "As long as the file exists"),
    ),
    ProcessingActivity(
        "uitvoering-participatiewet",
        1,
        Text(
            "Uitvoering Participatiewet: bijstand en re-integratie",
            "Carrying out the Participation Act: assistance and reintegration",
        ),
        Text(
            "Vaststellen van het recht op bijstand en begeleiden naar werk.",
            "Deciding on the right to assistance and supporting the way to work.",
        ),
        "AVG art. 6 lid 1 sub c en e; Participatiewet art. 7, 17 en 53a",
        ("personal", "household", "income", "benefit", "work", "zrm", "bsn"),
        Text(
            "7 jaar na het einde van de laatste uitkering", "7 years after the last benefit ended"
        ),
        recipients=Text(
            "UWV en SVB waar de wet dat voorschrijft (Wet SUWI)",
            "UWV and SVB where the law requires it (SUWI Act)",
        ),
    ),
    ProcessingActivity(
        "aanvraag-intake",
        1,
        Text("Inschrijven van een aanvraag", "Registering an application"),
        Text(
            "Een nieuwe aanvrager inschrijven en zijn of haar gegevens vastleggen.",
            "Registering a new applicant and recording their details.",
        ),
        "AVG art. 6 lid 1 sub c en e; Participatiewet art. 41 en 43",
        ("personal", "bsn"),
        Text("7 jaar na het besluit op de aanvraag", "7 years after the decision"),
    ),
    ProcessingActivity(
        "caseloadbeheer",
        1,
        Text("Verdelen van cliënten over klantmanagers", "Dividing clients among case managers"),
        Text(
            "Bepalen welke klantmanager een cliënt helpt, zodat de toegang meegaat.",
            "Deciding which case manager serves a client, so that access follows.",
        ),
        "AVG art. 6 lid 1 sub e; Participatiewet art. 7",
        ("personal",),
        Text(
            "7 jaar na het einde van de laatste uitkering", "7 years after the last benefit ended"
        ),
        data_subjects=Text("Inwoners en hun klantmanagers", "Residents and their case managers"),
    ),
    ProcessingActivity(
        "rechten-betrokkenen",
        1,
        Text("Uitvoeren van uw rechten onder de AVG", "Carrying out data subjects' rights"),
        Text(
            "Gegevens wissen, verbeteren of leveren als u daarom vraagt.",
            "Erasing, correcting or exporting data when a resident asks.",
        ),
        "AVG art. 6 lid 1 sub c; AVG art. 15 tot en met 21",
        ("personal", "household", "income", "benefit", "work", "zrm", "bsn"),
        Text("Het verzoek: 5 jaar na afhandeling", "The request: 5 years after handling"),
    ),
    ProcessingActivity(
        "toezicht-verwerkingen",
        1,
        Text("Toezicht op het gebruik van gegevens", "Supervising the use of personal data"),
        Text(
            "De privacy officer controleert wie welke gegevens heeft gebruikt.",
            "The privacy officer checks who used which data.",
        ),
        "AVG art. 6 lid 1 sub c; AVG art. 38 en 39 (taken functionaris gegevensbescherming)",
        ("processing_log",),
        Text(
            "Regels van het logboek: de bewaartermijn die de gemeente instelt (standaard 7 jaar); "
            "daarna worden hun inhoud en het pseudoniem gewist en blijft alleen een controlegetal",
            "Log lines: the retention period the municipality sets (7 years by default); then "
            "their content and the pseudonym are erased and only a checksum remains",
        ),
        data_subjects=Text("Inwoners en medewerkers", "Residents and employees"),
        recipients=Text(
            "De Autoriteit Persoonsgegevens, als die daarom vraagt",
            "The Dutch Data Protection Authority, when it asks",
        ),
    ),
    ProcessingActivity(
        "schuldhulpverlening",
        1,
        Text("Hulp bij schulden", "Debt help"),
        Text(
            "Inwoners helpen met hun schulden, met hun toestemming.",
            "Helping residents with their debts, with their consent.",
        ),
        "AVG art. 6 lid 1 sub a; Wet gemeentelijke schuldhulpverlening art. 3 en 4",
        ("personal", "household", "income"),
        Text("18 maanden na het einde van de hulp", "18 months after the help ends"),
        recipients=Text(
            "Schuldeisers en de kredietbank, alleen met toestemming",
            "Creditors and the municipal credit bank, with consent only",
        ),
    ),
    ProcessingActivity(
        "wmo-ondersteuning",
        1,
        Text("Ondersteuning thuis (Wmo)", "Support at home (Wmo)"),
        Text(
            "Onderzoeken welke ondersteuning iemand nodig heeft om thuis te blijven wonen.",
            "Finding out which support someone needs to keep living at home.",
        ),
        "AVG art. 6 lid 1 sub e en art. 9 lid 2 sub h; Wmo 2015 art. 2.3.2",
        ("personal", "household", "zrm"),
        Text("15 jaar na het einde van de ondersteuning", "15 years after the support ends"),
        recipients=Text(
            "Zorgaanbieders die de ondersteuning leveren",
            "Care providers delivering the support",
        ),
    ),
    ProcessingActivity(
        "onderzoek-statistiek",
        1,
        Text("Onderzoek en statistiek", "Research and statistics"),
        Text(
            "Leren welke hulp werkt, op gepseudonimiseerde gegevens.",
            "Learning which support works, on pseudonymised data.",
        ),
        "AVG art. 6 lid 1 sub a en art. 89; UAVG art. 24",
        ("personal", "household", "work", "zrm"),
        Text("Zo lang het onderzoek duurt, hoogstens 5 jaar", "For the research, at most 5 years"),
        recipients=Text(
            "Onderzoekers, alleen gepseudonimiseerd en samengevat",
            "Researchers, pseudonymised and aggregated only",
        ),
    ),
    ProcessingActivity(
        "beleidsstatistiek",
        1,
        Text(
            "Statistiek en beleidsinformatie op gepseudonimiseerde gegevens",
            "Statistics and policy information on pseudonymised data",
        ),
        Text(
            "Tellen hoeveel inwoners welke hulp krijgen en wat die oplevert, zonder namen, "
            "adressen of BSN, alleen samengevat en beveiligd tegen herleiding. Zo kunnen de "
            "gemeente en de cliëntenraad het beleid volgen.",
            "Counting how many residents get which support and what it brings, without names, "
            "addresses or BSNs, only aggregated and protected against re-identification, so "
            "that the municipality and the client council can follow policy.",
        ),
        "AVG art. 6 lid 1 sub e en art. 89 lid 1; UAVG art. 24",
        ("personal", "household", "income", "benefit", "work", "zrm"),
        Text(
            "Gepseudonimiseerd; elke nieuwe export vervangt de vorige",
            "Pseudonymised; every new export replaces the previous one",
        ),
        recipients=Text(
            "Beleidsmedewerkers en de cliëntenraad: alleen tabellen na statistische "
            "beveiliging; elk met eigen pseudoniemen",
            "Policy officers and the client council: only tables after disclosure control; "
            "each with pseudonyms of their own",
        ),
    ),
    ProcessingActivity(
        "koppeling-onderzoek",
        1,
        Text(
            "Gegevens koppelen met microdata voor onderzoek",
            "Linking data with statistics microdata for research",
        ),
        Text(
            "Gegevens van de gemeente koppelen aan gegevens van het statistiekbureau, zonder "
            "namen of BSN uit te wisselen: met versleutelde nummers via een vertrouwde derde "
            "partij, of met een rekenmodel op naam, geboortedatum en adres. De onderzoeker krijgt "
            "alleen een gekoppelde tabel zonder namen, adressen of BSN, om te leren welke hulp "
            "werkt.",
            "Linking the municipality's data with the statistics office's, without exchanging "
            "names or BSNs: with keyed pseudonyms through a trusted third party, or with a model "
            "on name, birth date and address. The researcher gets only a linked table without "
            "names, addresses or BSNs, to learn which support works.",
        ),
        "AVG art. 6 lid 1 sub e en art. 89 lid 1; UAVG art. 24; Wet op het CBS art. 33",
        ("personal", "household", "benefit", "work"),
        Text(
            "Koppelbestanden en filters direct na de koppeling vernietigd; de onderzoekstabel "
            "zolang het onderzoek duurt, hoogstens 5 jaar",
            "Linkage files and filters destroyed right after the linkage; the research table "
            "for the research, at most 5 years",
        ),
        recipients=Text(
            "Onderzoekers, alleen de gekoppelde tabel met onderzoekspseudoniemen; de vertrouwde "
            "derde partij ziet alleen versleutelde nummers",
            "Researchers, only the linked table with research pseudonyms; the trusted third "
            "party sees only keyed pseudonyms",
        ),
    ),
    ProcessingActivity(
        "effecten-leren",
        1,
        Text(
            "Leren welke hulp naar werk voor wie werkt",
            "Learning which support towards work works for whom",
        ),
        Text(
            "Uit gepseudonimiseerde gegevens leren welke hulp naar werk (opleiding, coaching, "
            "werkervaringsplaats, loonkostensubsidie, taalcursus) mensen met welk profiel "
            "vaker aan betaald werk helpt. Het model geeft de klantmanager suggesties; het "
            "beslist niets en zoekt geen fraude. Elke versie wordt getoetst op eerlijkheid.",
            "Learning from pseudonymised data which support towards work (training, coaching, "
            "work placement, wage subsidy, language course) helps people with which profile "
            "into paid work more often. The model gives case managers suggestions; it decides "
            "nothing and looks for no fraud. Every version is audited for fairness.",
        ),
        "AVG art. 6 lid 1 sub e en art. 89 lid 1; Participatiewet art. 7 lid 1 sub a; UAVG art. 24",
        ("personal", "household", "income", "benefit", "work", "zrm"),
        Text(
            "Gepseudonimiseerde trainingsgegevens alleen tijdens de training; elke modelversie "
            "met haar modelkaart zolang zij of een besluit dat zij ondersteunde bestaat",
            "Pseudonymised training data only during training; each model version with its "
            "model card for as long as it or a decision it supported exists",
        ),
        recipients=Text(
            "Niemand buiten de gemeente; klantmanagers zien alleen de suggestie voor hun eigen "
            "cliënt",
            "Nobody outside the municipality; case managers see only the suggestion for their "
            "own client",
        ),
    ),
    ProcessingActivity(
        "noodtoegang",
        1,
        Text("Noodtoegang tot een dossier", "Emergency access to a file"),
        Text(
            "In een noodgeval een dossier openen zonder toestemming, met een reden die de "
            "privacy officer direct controleert.",
            "Opening a file without a grant in an emergency, with a reason the privacy officer "
            "checks at once.",
        ),
        "AVG art. 6 lid 1 sub d (vitaal belang) en sub e",
        ("personal", "household", "income", "benefit", "work", "zrm", "bsn"),
        Text("Zolang het dossier bestaat", "As long as the file exists"),
    ),
    ProcessingActivity(
        "besluiten-en-bezwaar",
        1,
        Text("Besluiten nemen en bezwaren behandelen", "Making decisions and handling objections"),
        Text(
            "Besluiten over uw uitkering of hulp vastleggen, en uw vragen en bezwaren behandelen.",
            "Recording decisions about benefits or support, and handling questions and objections.",
        ),
        "AVG art. 6 lid 1 sub c en e; Awb hoofdstuk 6 en 7; Participatiewet art. 7",
        ("personal", "household", "income", "benefit", "work", "zrm"),
        Text("7 jaar na het besluit", "7 years after the decision"),
        recipients=Text(
            "De rechtbank, als u in beroep gaat", "The court, when the resident appeals"
        ),
    ),
    ProcessingActivity(
        "klachtbehandeling",
        1,
        Text("Klachten behandelen", "Handling complaints"),
        Text(
            "Uw klacht over hoe de gemeente u behandelde onderzoeken, u en de medewerker horen, "
            "en u schriftelijk laten weten wat de gemeente vindt en doet.",
            "Looking into a complaint about how the municipality treated someone, hearing them "
            "and the employee, and telling them in writing what the municipality finds and does.",
        ),
        "AVG art. 6 lid 1 sub c; Awb hoofdstuk 9",
        ("personal",),
        Text("5 jaar na de afhandeling", "5 years after handling"),
        data_subjects=Text(
            "Inwoners die klagen en de medewerkers over wie zij klagen",
            "Residents who complain and the employees they complain about",
        ),
        recipients=Text(
            "De ombudsman, als u daar naartoe gaat", "The ombudsman, when the resident goes there"
        ),
    ),
    ProcessingActivity(
        "gegevenslevering-basisregistraties",
        1,
        Text("Ontvangen van gegevens uit basisregistraties", "Receiving data from base registers"),
        Text(
            "Gegevens uit de BRP, van UWV en de Belastingdienst overnemen.",
            "Taking over data from the BRP, UWV and the tax administration.",
        ),
        "AVG art. 6 lid 1 sub c; Wet BRP art. 3.3; Participatiewet art. 64; Wet SUWI art. 62",
        ("personal", "household", "income", "work"),
        Text("Zolang het dossier bestaat", "As long as the file exists"),
    ),
    ProcessingActivity(
        "inloggen-inwoners",
        1,
        Text("Inloggen van inwoners met DigiD", "Residents logging in with DigiD"),
        Text(
            "U logt in met DigiD. Met uw BSN vinden we uw eigen dossier, en niet dat van een"
            " ander.",
            "Residents log in with DigiD. Their BSN finds their own file, and nobody else's.",
        ),
        "AVG art. 6 lid 1 sub e; Wet digitale overheid art. 5; Wabb art. 10",
        ("bsn", "account"),
        Text(
            "Het account: zolang het dossier bestaat. De regel in het logboek: de bewaartermijn"
            " van het logboek (standaard 7 jaar)",
            "The account: as long as the file exists. The log line: the log's retention period"
            " (7 years by default)",
        ),
    ),
)

SEED_CODES = frozenset(a.code for a in SEED)


_DECISIONS = frozenset(
    {
        Action.RECORD_DECISION,
        Action.READ_DECISIONS,
        Action.CONTEST,
        Action.REVIEW_OBJECTION,
        Action.RELEASE_REVIEW,
        Action.VIEW_DEADLINES,
    }
)
_COMPLAINTS = frozenset(
    {
        Action.FILE_COMPLAINT,
        Action.READ_COMPLAINT,
        Action.HANDLE_COMPLAINT,
        Action.VIEW_COMPLAINTS,
    }
)
_RIGHTS = frozenset(
    {Action.EXERCISE_RIGHTS, Action.EXPORT, Action.HANDLE_CORRECTION, Action.HANDLE_RIGHTS}
)


def activity_for(actor: User, decision: Decision) -> str:
    """The code of the processing activity an access falls under, from who acts and which rule
    allowed it.

    An access that names a purpose falls under that purpose's activity; break-glass under
    emergency access; otherwise the rule decides: a resident's own record is inzage, a case
    manager's caseload is the Participatiewet, and so on. A denied attempt is logged under the
    activity it tried to use.
    """
    action = decision.request.action
    if decision.rule == "break-glass" or action is Action.BREAK_GLASS:
        return "noodtoegang"
    purpose = purposes.CURRENT.get(decision.request.purpose or "")
    if purpose is not None:
        return purpose.activity
    if action in _DECISIONS:
        return "besluiten-en-bezwaar"
    if action in _RIGHTS:
        return "rechten-betrokkenen"
    if action in _COMPLAINTS:
        return "klachtbehandeling"
    if action is Action.ERASE_PERSON:
        return "rechten-betrokkenen"
    if action in (Action.MANAGE_REGISTERS, Action.ERASE_EXPIRED_LOG, Action.ROTATE_KEYS):
        return "toezicht-verwerkingen"
    if action is Action.SUPERVISE or (
        action is Action.READ_PROCESSING_LOG and actor.has(Role.PRIVACY_OFFICER)
    ):
        return "toezicht-verwerkingen"
    if action in (Action.ASSIGN_CASE, Action.LIST_OWN_CASELOAD, Action.VIEW_TEAM_CASES):
        return "caseloadbeheer"
    if action is Action.EXPORT_STATISTICS:
        return "beleidsstatistiek"
    if action is Action.LINK_RECORDS:
        return "koppeling-onderzoek"
    if action is Action.TRAIN_EFFECTS:
        return "effecten-leren"
    if actor.has(Role.SYSTEM):
        return "gegevenslevering-basisregistraties"
    if action is Action.REGISTER_PERSON:
        return "aanvraag-intake"
    if action is Action.LOG_IN:
        return "inloggen-inwoners"
    if actor.has(Role.RESIDENT) and decision.request.subject == actor.person_id:
        return "inzage-eigen-gegevens"
    return "uitvoering-participatiewet"

"""Decisions (besluiten) and contesting them: who decided what, on which data, and how to object.

A decision records its outcome, legal basis, the human decider, the attribute *versions* it
relied on (by reference: a later correction shows which decisions used the old value) and, when
a model supported it, the algorithm-register entry, model version, output and explanation. The
resident can ask a question about it or object (bezwaar) within the Awb period; the objection is
reviewed by someone other than the decider, and an upheld objection produces a new decision that
supersedes the old one. Both stay visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from datameent.domain import deadlines
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem

MAX_TEXT = 4000
MIN_LATE_REASON = 10
MAX_ATTACHMENT = 5 * 1024 * 1024
MAX_ATTACHMENTS = 5


class DecisionKind(StrEnum):
    BENEFIT_GRANTED = "benefit_granted"
    BENEFIT_REFUSED = "benefit_refused"
    BENEFIT_ADJUSTED = "benefit_adjusted"
    OBLIGATION_IMPOSED = "obligation_imposed"
    INSTRUMENT_ASSIGNED = "instrument_assigned"


KIND_LABELS = {
    DecisionKind.BENEFIT_GRANTED: Text("Bijstand toegekend", "Assistance granted"),
    DecisionKind.BENEFIT_REFUSED: Text("Bijstand afgewezen", "Assistance refused"),
    DecisionKind.BENEFIT_ADJUSTED: Text("Uitkering aangepast", "Benefit adjusted"),
    DecisionKind.OBLIGATION_IMPOSED: Text("Verplichting opgelegd", "Obligation imposed"),
    DecisionKind.INSTRUMENT_ASSIGNED: Text("Hulp naar werk toegekend", "Support towards work"),
}

KIND_EXPLANATIONS = {
    DecisionKind.BENEFIT_GRANTED: Text(
        "U krijgt bijstand. In dit besluit staat hoeveel en vanaf wanneer.",
        "You receive social assistance. This decision says how much and from when.",
    ),
    DecisionKind.BENEFIT_REFUSED: Text(
        "U krijgt geen bijstand. Hieronder staat waarom. Bent u het er niet mee eens? Dan kunt "
        "u bezwaar maken.",
        "You do not receive social assistance. The reason is below. Do you disagree? You can "
        "object.",
    ),
    DecisionKind.BENEFIT_ADJUSTED: Text(
        "Uw uitkering verandert. Hieronder staat wat er verandert en waarom.",
        "Your benefit changes. What changes, and why, is below.",
    ),
    DecisionKind.OBLIGATION_IMPOSED: Text(
        "U moet iets doen, bijvoorbeeld meewerken aan een traject. Hieronder staat wat en waarom.",
        "You must do something, for example take part in a trajectory. What and why is below.",
    ),
    DecisionKind.INSTRUMENT_ASSIGNED: Text(
        "U krijgt hulp op weg naar werk. Hieronder staat welke hulp en waarom.",
        "You receive support on your way to work. Which support, and why, is below.",
    ),
}


ROUTES: tuple[Text, ...] = (
    Text(
        "Bent u het niet eens met het besluit? Maak bezwaar, hier of met een brief aan de "
        "gemeente, uiterlijk op de datum die bij het besluit staat.",
        "Do you disagree with the decision? Object, here or by letter to the municipality, by "
        "the date shown with the decision.",
    ),
    Text(
        "Na de beslissing op uw bezwaar kunt u in beroep gaan bij de rechtbank.",
        "After the decision on your objection you can appeal to the court.",
    ),
    Text(
        "Een klacht over hoe de gemeente u behandelde? Dien die in bij Mijn klachten, of met een "
        "brief aan de gemeente. Bent u daarna niet tevreden, ga dan naar de ombudsman (de "
        "Nationale ombudsman of de ombudsman van uw gemeente).",
        "A complaint about how the municipality treated you? File it under My complaints, or by "
        "letter to the municipality. Not satisfied afterwards? Go to the ombudsman (the National "
        "Ombudsman or your municipality's ombudsman).",
    ),
    Text(
        "Een klacht over wat de gemeente met uw gegevens doet? Vraag het de privacy officer van "
        "de gemeente, of dien een klacht in bij de Autoriteit Persoonsgegevens "
        "(autoriteitpersoonsgegevens.nl).",
        "A complaint about what the municipality does with your data? Ask the municipality's "
        "privacy officer, or complain to the Dutch Data Protection Authority "
        "(autoriteitpersoonsgegevens.nl).",
    ),
)
"""The route to object and to complain, shown on every decision (the accountability chain)."""


@dataclass(frozen=True)
class ModelSupport:
    """When a model supported the decision: which one, what it said, and why."""

    algorithm: str
    """The algorithm-register entry (code)."""
    version: str
    output: str
    explanation: str


@dataclass(frozen=True)
class Decision:
    id: UUID
    person_id: UUID
    case_id: UUID | None
    kind: DecisionKind
    outcome: str
    """What was decided, in the decider's words (encrypted at rest)."""
    legal_basis: str
    decided_by: UUID
    decided_at: datetime
    made_known_on: date
    """The day the decision was made known to the resident: the objection period runs from it."""
    responsible: str
    """The responsible role and department, as the accountability chain names it."""
    activity_uri: str
    """The processing activity the decision falls under."""
    relied_on: tuple[UUID, ...] = ()
    """The attribute versions (value ids) the decision relied on."""
    model: ModelSupport | None = None
    supersedes: UUID | None = None

    @property
    def objection_deadline(self) -> date:
        return deadlines.objection_deadline(self.made_known_on)


class ContestKind(StrEnum):
    QUESTION = "question"
    OBJECTION = "objection"


class ContestStatus(StrEnum):
    RECEIVED = "received"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    ANSWERED = "answered"
    """For questions."""


class Outcome(StrEnum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    REJECTED = "rejected"


STATUS_LABELS = {
    ContestStatus.RECEIVED: Text("Ontvangen", "Received"),
    ContestStatus.IN_REVIEW: Text("In behandeling", "Being reviewed"),
    ContestStatus.DECIDED: Text("Besloten", "Decided"),
    ContestStatus.ANSWERED: Text("Beantwoord", "Answered"),
}
OUTCOME_LABELS = {
    Outcome.UPHELD: Text("Gegrond: u krijgt gelijk", "Upheld: you are right"),
    Outcome.PARTLY_UPHELD: Text(
        "Gedeeltelijk gegrond: u krijgt deels gelijk", "Partly upheld: you are partly right"
    ),
    Outcome.REJECTED: Text("Ongegrond: het besluit blijft", "Rejected: the decision stands"),
}


@dataclass(frozen=True)
class Attachment:
    id: UUID
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Contestation:
    id: UUID
    decision_id: UUID
    person_id: UUID
    kind: ContestKind
    grounds: str | None
    """None once the person's data was erased."""
    filed_at: datetime
    status: ContestStatus
    late: bool = False
    late_reason: str | None = None
    reviewer_id: UUID | None = None
    outcome: Outcome | None = None
    reasons: str | None = None
    """The reviewer's reasons, or the answer to a question."""
    decided_at: datetime | None = None
    extended: bool = False
    extension_reason: str | None = None
    new_decision_id: UUID | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)

    def decide_by(self, made_known_on: date) -> date:
        return deadlines.decision_deadline(made_known_on, extended=self.extended)


_GROUNDS = Text("Schrijf waarom u het niet eens bent.", "Write why you disagree.")
_QUESTION = Text("Schrijf uw vraag.", "Write your question.")
_LATE = Text(
    "De termijn om bezwaar te maken is voorbij. Schrijf waarom u te laat bent; dan kan het "
    "bezwaar toch behandeld worden als dat redelijk is.",
    "The period to object has ended. Write why you are late; the objection can still be "
    "handled if that is reasonable.",
)
_TOO_LONG = Text("Deze tekst is te lang.", "This text is too long.")
_OUTCOME_TEXT = Text("Schrijf wat er besloten is.", "Write what was decided.")
_BASIS = Text("Noem de wettelijke grondslag.", "Name the legal basis.")
_KNOWN = Text(
    "De datum van bekendmaking kan niet in de toekomst liggen.",
    "The date it was made known cannot be in the future.",
)


def check_contest(kind: ContestKind, text: str, late: bool, late_reason: str) -> tuple[str, str]:
    text, late_reason = text.strip(), late_reason.strip()
    problems = []
    if not text:
        problems.append(
            Problem("grounds", _GROUNDS if kind is ContestKind.OBJECTION else _QUESTION)
        )
    if len(text) > MAX_TEXT or len(late_reason) > MAX_TEXT:
        problems.append(Problem("grounds", _TOO_LONG))
    if kind is ContestKind.OBJECTION and late and len(late_reason) < MIN_LATE_REASON:
        problems.append(Problem("lateReason", _LATE))
    if problems:
        raise InvalidInput(*problems)
    return text, late_reason


def check_decision(outcome: str, legal_basis: str, made_known_on: date, today: date) -> None:
    problems = []
    if not outcome.strip():
        problems.append(Problem("outcome", _OUTCOME_TEXT))
    if len(outcome) > MAX_TEXT:
        problems.append(Problem("outcome", _TOO_LONG))
    if not legal_basis.strip():
        problems.append(Problem("legalBasis", _BASIS))
    if made_known_on > today:
        problems.append(Problem("madeKnownOn", _KNOWN))
    if problems:
        raise InvalidInput(*problems)


# Attachments ----------------------------------------------------------------------------------

ALLOWED_TYPES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
_TYPE = Text(
    "Dit soort bestand kunnen we niet aannemen. Stuur een PDF, JPG of PNG.",
    "We cannot accept this kind of file. Send a PDF, JPG or PNG.",
)
_SIZE = Text("Dit bestand is groter dan 5 MB.", "This file is larger than 5 MB.")
_EMPTY = Text("Dit bestand is leeg.", "This file is empty.")
_COUNT = Text("U kunt hoogstens 5 bestanden meesturen.", "You can send at most 5 files.")


def check_attachment(filename: str, declared_type: str, content: bytes, field_name: str) -> str:
    """The file's real type (by its first bytes, not by its name), or `InvalidInput`."""
    if not content:
        raise InvalidInput(Problem(field_name, _EMPTY))
    if len(content) > MAX_ATTACHMENT:
        raise InvalidInput(Problem(field_name, _SIZE))
    for content_type, signatures in ALLOWED_TYPES.items():
        if any(content.startswith(s) for s in signatures):
            if declared_type and declared_type not in (content_type, "application/octet-stream"):
                raise InvalidInput(Problem(field_name, _TYPE))
            return content_type
    raise InvalidInput(Problem(field_name, _TYPE))


def check_attachment_count(count: int) -> None:
    if count > MAX_ATTACHMENTS:
        raise InvalidInput(Problem("attachments", _COUNT))


def safe_filename(name: str) -> str:
    """A file name to show and to offer for download: no path, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable() and c not in '<>:"|?*').strip()
    return cleaned[:120] or "bijlage"

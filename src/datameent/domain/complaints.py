"""Complaints about how the municipality treated someone (Awb chapter 9, klachtbehandeling).

Not about what was decided (that is an objection, Awb chapters 6 and 7) but about conduct: a
case manager who was rude, did not call back, looked at a file without reason. The texts the
project grew from tell of residents who felt humiliated by the benefit system; this is their
formal route, and the municipality's duty to hear it:

- 9:1, 9:4: anyone may complain about conduct towards them; in writing, with the date and a
  description of the conduct (a resident who is logged in has given name and address already).
- 9:5: a complaint settled to the complainant's satisfaction needs no further handling.
- 9:6: receipt is acknowledged in writing.
- 9:7: the complaint is handled by someone who was not involved in the conduct.
- 9:8: it need not be handled when the conduct lies more than a year back, or was handled
  before, or is (or could have been) the subject of an objection or appeal.
- 9:9: the person complained about gets a copy of the complaint.
- 9:10: the complainant and the person complained about are given the chance to be heard,
  unless the complaint is manifestly unfounded or the complainant waived it.
- 9:11: handled within six weeks of receipt; postponed once by at most four weeks, in writing.
- 9:12: the complainant is told, in writing, the findings, the judgement and any conclusions,
  and that they can go to the ombudsman.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from datameent.domain.deadlines import atw_end, dutch_day
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem

HANDLING_PERIOD = timedelta(weeks=6)
"""Awb 9:11 lid 1, without an external complaints adviser."""
POSTPONEMENT = timedelta(weeks=4)
"""Awb 9:11 lid 2: at most four weeks, once."""
LONG_AGO = timedelta(days=365)
"""Awb 9:8 lid 1 sub b: conduct more than a year back need not be handled."""
MAX_TEXT = 4000


class ComplaintStatus(StrEnum):
    RECEIVED = "received"
    IN_HANDLING = "in_handling"
    SETTLED = "settled"
    """Awb 9:5: the complainant says it was put right; no judgement follows."""
    DECIDED = "decided"


class Hearing(StrEnum):
    """Awb 9:10: how the complainant and the person complained about were heard, or why not."""

    HELD = "held"
    WAIVED = "waived"
    """The complainant said they did not wish to be heard (9:10 lid 2 sub b)."""
    MANIFESTLY_UNFOUNDED = "manifestly_unfounded"
    """9:10 lid 2 sub a."""


class Judgement(StrEnum):
    FOUNDED = "founded"
    PARTLY_FOUNDED = "partly_founded"
    UNFOUNDED = "unfounded"
    NOT_HANDLED = "not_handled"
    """Awb 9:8: not handled, for a reason the findings name."""


STATUS_LABELS = {
    ComplaintStatus.RECEIVED: Text("Ontvangen", "Received"),
    ComplaintStatus.IN_HANDLING: Text("In behandeling", "Being handled"),
    ComplaintStatus.SETTLED: Text("Opgelost", "Settled"),
    ComplaintStatus.DECIDED: Text("Afgehandeld", "Handled"),
}
HEARING_LABELS = {
    Hearing.HELD: Text("Gehoord", "Heard"),
    Hearing.WAIVED: Text(
        "Niet gehoord: de inwoner wilde dat niet", "Not heard: the resident did not wish to be"
    ),
    Hearing.MANIFESTLY_UNFOUNDED: Text(
        "Niet gehoord: de klacht is kennelijk ongegrond",
        "Not heard: the complaint is manifestly unfounded",
    ),
}
JUDGEMENT_LABELS = {
    Judgement.FOUNDED: Text("Gegrond: u hebt gelijk", "Founded: you are right"),
    Judgement.PARTLY_FOUNDED: Text(
        "Gedeeltelijk gegrond: u hebt deels gelijk", "Partly founded: you are partly right"
    ),
    Judgement.UNFOUNDED: Text(
        "Ongegrond: de gemeente vindt niet dat u verkeerd behandeld bent",
        "Unfounded: the municipality does not find that you were treated wrongly",
    ),
    Judgement.NOT_HANDLED: Text(
        "Niet behandeld: de reden staat hieronder", "Not handled: the reason is below"
    ),
}
OMBUDSMAN = Text(
    "Bent u het niet eens met hoe de gemeente uw klacht heeft afgehandeld? Dan kunt u naar de "
    "ombudsman: de Nationale ombudsman (nationaleombudsman.nl, 0800 33 55 555) of de ombudsman "
    "van uw gemeente.",
    "Do you disagree with how the municipality handled your complaint? Then you can go to the "
    "ombudsman: the National Ombudsman (nationaleombudsman.nl, 0800 33 55 555) or your "
    "municipality's ombudsman.",
)
"""Awb 9:12 lid 2, shown with every judgement."""


def handling_deadline(received: date, *, postponed: bool = False) -> date:
    """The last day to handle a complaint received on `received` (Awb 9:11; Atw art. 1 on the
    last day)."""
    end = received + HANDLING_PERIOD + (POSTPONEMENT if postponed else timedelta())
    return atw_end(end)


def handle_by(filed_at: datetime, *, postponed: bool = False) -> date:
    """The last day to handle a complaint filed at `filed_at`: counted from its Dutch date."""
    return handling_deadline(dutch_day(filed_at), postponed=postponed)


@dataclass(frozen=True)
class Complaint:
    id: UUID
    person_id: UUID
    conduct: str | None
    """What happened, in the resident's words (encrypted at rest; None once erased)."""
    occurred_on: date | None
    about: UUID | None
    """The employee whose conduct it is about, when the resident named one."""
    log_index: int | None
    """The line of the resident's processing log the complaint started from, if any."""
    filed_at: datetime
    status: ComplaintStatus
    handler_id: UUID | None = None
    hearing: Hearing | None = None
    hearing_note: str | None = None
    postponed: bool = False
    postponement_reason: str | None = None
    judgement: Judgement | None = None
    findings: str | None = None
    """Findings, judgement and conclusions, in the handler's words (encrypted at rest)."""
    decided_at: datetime | None = None

    @property
    def received_on(self) -> date:
        return dutch_day(self.filed_at)

    @property
    def handle_by(self) -> date:
        return handle_by(self.filed_at, postponed=self.postponed)

    @property
    def open(self) -> bool:
        return self.status in (ComplaintStatus.RECEIVED, ComplaintStatus.IN_HANDLING)

    def overdue(self, today: date) -> bool:
        return self.open and today > self.handle_by

    def long_ago(self) -> bool:
        """The conduct lies more than a year before the complaint (Awb 9:8 lid 1 sub b): the
        handler may decide not to handle it, and must say so."""
        return self.occurred_on is not None and self.received_on - self.occurred_on > LONG_AGO


def may_handle(actor_id: UUID, about: UUID | None, handler: UUID | None) -> bool:
    """Awb 9:7, and one handler at a time: never the employee the complaint is about; once a
    handler has taken it, only that handler."""
    return actor_id != about and handler in (None, actor_id)


_CONDUCT = Text(
    "Schrijf wat er gebeurde: wie deed wat, en wanneer.",
    "Write what happened: who did what, and when.",
)
_TOO_LONG = Text("Deze tekst is te lang.", "This text is too long.")
_FUTURE = Text("Deze datum ligt in de toekomst.", "This date is in the future.")
_HEARING_NOTE = Text(
    "Schrijf kort wat de inwoner en de medewerker zeiden, of waarom niemand gehoord is.",
    "Write briefly what the resident and the employee said, or why nobody was heard.",
)
_NOT_HEARD = Text(
    "Leg eerst vast hoe de inwoner en de medewerker gehoord zijn, of waarom niet (Awb 9:10).",
    "First record how the resident and the employee were heard, or why not (Awb 9:10).",
)
_FINDINGS = Text(
    "Schrijf wat u vond, uw oordeel en wat de gemeente ermee doet.",
    "Write what you found, your judgement and what the municipality does about it.",
)
_REASON = Text("Schrijf waarom het langer duurt.", "Write why it takes longer.")


def check_complaint(conduct: str, occurred_on: date | None, today: date) -> str:
    conduct = conduct.strip()
    problems = []
    if not conduct:
        problems.append(Problem("conduct", _CONDUCT))
    elif len(conduct) > MAX_TEXT:
        problems.append(Problem("conduct", _TOO_LONG))
    if occurred_on is not None and occurred_on > today:
        problems.append(Problem("occurredOn", _FUTURE))
    if problems:
        raise InvalidInput(*problems)
    return conduct


def _written(field: str, text: str, missing: Text, limit: int = MAX_TEXT) -> str:
    """`text` without its surrounding space; `InvalidInput` on `field` if empty or too long."""
    text = text.strip()
    if not text:
        raise InvalidInput(Problem(field, missing))
    if len(text) > limit:
        raise InvalidInput(Problem(field, _TOO_LONG))
    return text


def check_hearing(note: str) -> str:
    return _written("hearingNote", note, _HEARING_NOTE)


def check_postponement(reason: str) -> str:
    return _written("reason", reason, _REASON, 1000)


def check_judgement(complaint: Complaint, judgement: Judgement, findings: str) -> str:
    """The findings; and a judgement on the merits only after the hearing was recorded (a
    complaint not handled under 9:8 needs no hearing)."""
    findings = findings.strip()
    problems = []
    if not findings:
        problems.append(Problem("findings", _FINDINGS))
    elif len(findings) > MAX_TEXT:
        problems.append(Problem("findings", _TOO_LONG))
    if judgement is not Judgement.NOT_HANDLED and complaint.hearing is None:
        problems.append(Problem("hearing", _NOT_HEARD))
    if problems:
        raise InvalidInput(*problems)
    return findings

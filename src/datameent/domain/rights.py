"""The resident's rights under the GDPR: access and portability (art. 15/20), rectification
(art. 16), erasure (art. 17) and objection (art. 21), as requests with a visible status; and a
plain question about a data item ("where does this come from?"), answered the same way; and a
question about a line of the processing log ("why did this person look?"), which only the
privacy officer answers (GDPR art. 38(4)): the case manager may be the one who looked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem

ANSWER_WITHIN = timedelta(days=30)
"""GDPR art. 12(3): a request is answered within one month."""
MAX_TEXT = 2000


class RightKind(StrEnum):
    CORRECTION = "correction"
    ERASURE = "erasure"
    OBJECTION = "objection"
    QUESTION = "question"
    ACCESS_QUESTION = "access_question"
    """About one line of the person's processing log; `subject` is the line's index."""


class RightStatus(StrEnum):
    OPEN = "open"
    GRANTED = "granted"
    REFUSED = "refused"
    ANSWERED = "answered"


RIGHT_STATUS_LABELS = {
    RightStatus.OPEN: Text("In behandeling", "Being handled"),
    RightStatus.GRANTED: Text("Toegekend", "Granted"),
    RightStatus.REFUSED: Text("Afgewezen", "Refused"),
    RightStatus.ANSWERED: Text("Beantwoord", "Answered"),
}
RIGHT_KIND_LABELS = {
    RightKind.CORRECTION: Text("Verbeteren (AVG art. 16)", "Correction (GDPR art. 16)"),
    RightKind.ERASURE: Text("Wissen (AVG art. 17)", "Erasure (GDPR art. 17)"),
    RightKind.OBJECTION: Text("Bezwaar (AVG art. 21)", "Objection (GDPR art. 21)"),
    RightKind.QUESTION: Text("Vraag over een gegeven", "Question about a data item"),
    RightKind.ACCESS_QUESTION: Text(
        "Vraag over een regel in het logboek", "Question about a line in the log"
    ),
}
ABOUT_DATA = frozenset({RightKind.CORRECTION, RightKind.QUESTION})
"""Requests about one data item: handled by the person's case manager (or the privacy
officer), not only by the privacy officer."""


def answer_by(filed_at: datetime) -> datetime:
    """When a request filed at `filed_at` must have been answered (GDPR art. 12(3))."""
    return filed_at + ANSWER_WITHIN


@dataclass(frozen=True)
class RightsRequest:
    id: UUID
    person_id: UUID
    kind: RightKind
    subject: str | None
    """The attribute key (correction, question), purpose code (objection) or index of the log
    line (access question)."""
    value_id: UUID | None
    explanation: str | None
    """None once the person's data was erased."""
    proposed: str | None
    filed_at: datetime
    status: RightStatus
    decided_by: UUID | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None

    @property
    def answer_by(self) -> datetime:
        return answer_by(self.filed_at)

    def overdue(self, now: datetime) -> bool:
        """Still open after its month."""
        return self.status is RightStatus.OPEN and now > self.answer_by

    @property
    def log_index(self) -> int | None:
        """The line of the processing log an access question is about."""
        if self.kind is not RightKind.ACCESS_QUESTION or self.subject is None:
            return None
        return int(self.subject)


@dataclass(frozen=True)
class LineQuestion:
    """That the resident asked the privacy officer about a line of their log, and whether it
    was answered: shown with the line. What they wrote is not part of it."""

    request_id: UUID
    status: RightStatus
    filed_at: datetime

    @property
    def open(self) -> bool:
        return self.status is RightStatus.OPEN

    @property
    def answer_by(self) -> datetime:
        return answer_by(self.filed_at)


@dataclass(frozen=True)
class ErasureConfirmation:
    request_id: UUID
    recipient_id: UUID
    grant_id: UUID | None
    asked_at: datetime
    confirmed_at: datetime | None


_EXPLAIN = Text("Leg in een paar woorden uit wat u vraagt.", "Explain briefly what you ask.")
_TOO_LONG = Text("Deze tekst is te lang.", "This text is too long.")
NOT_IN_YOUR_LOG = Text(
    "Deze regel staat niet in uw logboek.", "This line is not in your processing log."
)


def check_explanation(text: str, field: str = "explanation") -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(Problem(field, _EXPLAIN))
    if len(text) > MAX_TEXT:
        raise InvalidInput(Problem(field, _TOO_LONG))
    return text


def check_log_index(text: str | None) -> int:
    """The index of a log line an access question names: a whole number, at least 0. Whether
    the line is about the person is for the service to check against the log."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise InvalidInput(Problem("subject", NOT_IN_YOUR_LOG))
    return int(text)

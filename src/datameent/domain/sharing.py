"""Cases, data requests, grants and break-glass: what a case manager may read, and why.

A *case* is one purpose pursued for one resident (an application for bijstand, a reintegration
trajectory). A case manager asks for data with a *request* in a case; the resident answers per
attribute; what they share becomes a *grant*: the attributes, the purpose version, the case and
a validity period. Grants belong to the case, not to the employee, so they follow the case when
a team lead hands it over. The rules about them live here; the policy asks `readable_keys`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from datameent.domain import catalogue
from datameent.domain.purposes import Basis, Purpose
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem

MAX_REASON = 500
MIN_JUSTIFICATION = 20
MIN_BREAK_GLASS_REASON = 20
BREAK_GLASS_HOURS = 4
DUE_SOON_DAYS = 3


@dataclass(frozen=True)
class Case:
    id: UUID
    person_id: UUID
    purpose_code: str
    opened_at: datetime
    opened_by: UUID | None
    closed_at: datetime | None = None

    def open_at(self, moment: datetime) -> bool:
        return self.opened_at <= moment and (self.closed_at is None or moment < self.closed_at)


class GrantState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    PENDING = "pending"
    """Not valid yet."""


GRANT_STATE_LABELS = {
    GrantState.ACTIVE: Text("Gedeeld", "Shared"),
    GrantState.EXPIRED: Text("Verlopen", "Expired"),
    GrantState.REVOKED: Text("Ingetrokken", "Revoked"),
    GrantState.PENDING: Text("Nog niet geldig", "Not valid yet"),
}


@dataclass(frozen=True)
class Grant:
    id: UUID
    person_id: UUID
    case_id: UUID
    purpose_code: str
    purpose_version: int
    basis: Basis
    keys: frozenset[str]
    valid_from: datetime
    valid_to: datetime
    created_at: datetime
    request_id: UUID | None = None
    """The request it answers; None when the resident shared on their own initiative."""
    revoked_at: datetime | None = None

    def state(self, moment: datetime) -> GrantState:
        if self.revoked_at is not None and self.revoked_at <= moment:
            return GrantState.REVOKED
        if moment < self.valid_from:
            return GrantState.PENDING
        if moment >= self.valid_to:
            return GrantState.EXPIRED
        return GrantState.ACTIVE

    @property
    def revocable(self) -> bool:
        """Consent can be withdrawn at any moment; a legal duty cannot."""
        return self.basis is Basis.CONSENT


def readable_keys(
    grants: Iterable[Grant], cases: Mapping[UUID, Case], purpose_code: str, moment: datetime
) -> tuple[frozenset[str], tuple[UUID, ...]]:
    """The attribute keys that `grants` open for `purpose_code` right now, and which grants do.

    A grant counts only while it is active and its case is open and pursues the same purpose.
    """
    keys: set[str] = set()
    used: list[UUID] = []
    for grant in grants:
        case = cases.get(grant.case_id)
        if (
            grant.purpose_code == purpose_code
            and case is not None
            and case.purpose_code == purpose_code
            and case.open_at(moment)
            and grant.state(moment) is GrantState.ACTIVE
        ):
            keys |= grant.keys
            used.append(grant.id)
    return frozenset(keys), tuple(used)


def grant_period(purpose: Purpose, start: datetime) -> tuple[datetime, datetime]:
    return start, start + timedelta(days=purpose.grant_days)


# Requests --------------------------------------------------------------------------------------


class RequestStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    """Asks for something outside the purpose: a second officer must approve first."""
    OPEN = "open"
    ANSWERED = "answered"
    """Every item has an answer (shared, given or declined)."""
    WITHDRAWN = "withdrawn"


REQUEST_STATUS_LABELS = {
    RequestStatus.AWAITING_APPROVAL: Text("Wacht op goedkeuring", "Awaiting approval"),
    RequestStatus.OPEN: Text("Open", "Open"),
    RequestStatus.ANSWERED: Text("Beantwoord", "Answered"),
    RequestStatus.WITHDRAWN: Text("Ingetrokken", "Withdrawn"),
}


class Approval(StrEnum):
    NOT_NEEDED = "not_needed"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Answer(StrEnum):
    SHARED = "shared"
    """An existing vault value was shared."""
    GIVEN = "given"
    """A new value was given (and recorded in the vault as self-declared)."""
    DECLINED = "declined"


ANSWER_LABELS = {
    Answer.SHARED: Text("Gedeeld", "Shared"),
    Answer.GIVEN: Text("Nieuw gegeven", "New value given"),
    Answer.DECLINED: Text("Niet gedeeld", "Not shared"),
}


@dataclass
class RequestItem:
    key: str
    reason: str
    in_purpose: bool
    justification: str | None = None
    approval: Approval = Approval.NOT_NEEDED
    approved_by: UUID | None = None
    answer: Answer | None = None
    decline_reason: str | None = None
    answered_at: datetime | None = None

    @property
    def askable(self) -> bool:
        """Shown to the resident: inside the purpose, or approved by a second officer."""
        return self.approval in (Approval.NOT_NEEDED, Approval.APPROVED)


@dataclass
class DataRequest:
    id: UUID
    case_id: UUID
    person_id: UUID
    purpose_code: str
    purpose_version: int
    requested_by: UUID
    created_at: datetime
    due_date: date
    status: RequestStatus
    items: list[RequestItem] = field(default_factory=list)

    def item(self, key: str) -> RequestItem | None:
        return next((i for i in self.items if i.key == key), None)

    @property
    def askable_items(self) -> list[RequestItem]:
        return [i for i in self.items if i.askable]

    def refresh_status(self) -> None:
        """After an approval or an answer: open once nothing waits, answered once all is."""
        if self.status is RequestStatus.WITHDRAWN:
            return
        if any(i.approval is Approval.PENDING for i in self.items):
            self.status = RequestStatus.AWAITING_APPROVAL
        elif all(i.answer is not None for i in self.askable_items):
            self.status = RequestStatus.ANSWERED
        else:
            self.status = RequestStatus.OPEN

    def overdue(self, today: date) -> bool:
        return self.status is RequestStatus.OPEN and past_due(self.due_date, today)

    def due_soon(self, today: date) -> bool:
        """Open, not yet overdue, and due within a few days."""
        return (
            self.status is RequestStatus.OPEN
            and not past_due(self.due_date, today)
            and self.due_date - today <= timedelta(days=DUE_SOON_DAYS)
        )


def past_due(due_date: date, today: date) -> bool:
    """The resident is asked to answer *before* the date, so on the date itself it has passed."""
    return due_date <= today


@dataclass(frozen=True)
class Waiting:
    """What a client's requests wait for, as a caseload list shows it: no content, only how
    many and by when."""

    open: int = 0
    overdue: int = 0
    """Open requests whose answer date has passed (included in `open`)."""
    overdue_since: date | None = None
    """The earliest answer date of the overdue requests."""
    next_due: date | None = None
    """The earliest answer date of the open requests that are not overdue."""
    awaiting_approval: int = 0

    @classmethod
    def of(cls, requests: Iterable[tuple[RequestStatus, date]], today: date) -> Waiting:
        """From (status, answer date) of a client's requests; answered and withdrawn count
        for nothing."""
        states = list(requests)
        open_dates = [due for status, due in states if status is RequestStatus.OPEN]
        late = [due for due in open_dates if past_due(due, today)]
        coming = [due for due in open_dates if not past_due(due, today)]
        return cls(
            open=len(open_dates),
            overdue=len(late),
            overdue_since=min(late, default=None),
            next_due=min(coming, default=None),
            awaiting_approval=sum(1 for s, _ in states if s is RequestStatus.AWAITING_APPROVAL),
        )

    @property
    def anything(self) -> bool:
        return bool(self.open or self.awaiting_approval)


@dataclass(frozen=True)
class AskedItem:
    """One attribute a case manager wants to ask for, as typed."""

    key: str
    reason: str
    justification: str = ""


_NO_ITEMS = Text("Kies minstens één gegeven.", "Choose at least one item.")
_NO_REASON = Text("Schrijf waarom u dit nodig hebt.", "Write why you need this.")
_TOO_LONG = Text("Deze tekst is te lang.", "This text is too long.")
_DUE_PAST = Text("De datum moet in de toekomst liggen.", "The date must be in the future.")
_DUE_FAR = Text("Kies een datum binnen een jaar.", "Choose a date within a year.")
_TWICE = Text("Dit gegeven staat er twee keer in.", "This item is listed twice.")
_JUSTIFY = Text(
    "Dit gegeven hoort niet bij het doel. Leg uitgebreid uit waarom u het toch nodig hebt; "
    "een tweede medewerker moet het goedkeuren.",
    "This item is not part of the purpose. Explain in full why you still need it; a second "
    "officer must approve it.",
)


def check_request(
    purpose: Purpose, asked: list[AskedItem], due_date: date, today: date
) -> list[RequestItem]:
    """The items of a new request, or `InvalidInput` naming every problem."""
    problems: list[Problem] = []
    if not asked:
        problems.append(Problem("items", _NO_ITEMS))
    if due_date <= today:
        problems.append(Problem("dueDate", _DUE_PAST))
    elif due_date > today + timedelta(days=366):
        problems.append(Problem("dueDate", _DUE_FAR))
    items: list[RequestItem] = []
    seen: set[str] = set()
    for n, a in enumerate(asked):
        where = f"items[{n}]"
        try:
            catalogue.definition(a.key)
        except InvalidInput:
            problems.append(Problem(f"{where}.key", catalogue.UNKNOWN_KEY))
            continue
        if a.key in seen:
            problems.append(Problem(f"{where}.key", _TWICE))
        seen.add(a.key)
        reason, justification = a.reason.strip(), a.justification.strip()
        if not reason:
            problems.append(Problem(f"{where}.reason", _NO_REASON))
        if len(reason) > MAX_REASON or len(justification) > 4 * MAX_REASON:
            problems.append(Problem(f"{where}.reason", _TOO_LONG))
        inside = purpose.covers(a.key)
        if not inside and len(justification) < MIN_JUSTIFICATION:
            problems.append(Problem(f"{where}.justification", _JUSTIFY))
        items.append(
            RequestItem(
                a.key,
                reason,
                inside,
                None if inside else justification,
                Approval.NOT_NEEDED if inside else Approval.PENDING,
            )
        )
    if problems:
        raise InvalidInput(*problems)
    return items


_DECLINE_REASON = Text(
    "Schrijf kort waarom u dit niet deelt.", "Write briefly why you do not share this."
)


def check_decline_reason(reason: str, basis: Basis) -> str | None:
    """A reason is asked when answering is a duty (the case manager must weigh it)."""
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise InvalidInput(Problem("reason", _TOO_LONG))
    if basis is Basis.DUTY and not reason:
        raise InvalidInput(Problem("reason", _DECLINE_REASON))
    return reason or None


# Break-glass -----------------------------------------------------------------------------------


class Review(StrEnum):
    JUSTIFIED = "justified"
    NOT_JUSTIFIED = "not_justified"


@dataclass(frozen=True)
class BreakGlass:
    id: UUID
    actor_id: UUID
    person_id: UUID
    reason: str
    opened_at: datetime
    expires_at: datetime
    reviewed_by: UUID | None = None
    reviewed_at: datetime | None = None
    review: Review | None = None
    review_note: str | None = None

    def active_at(self, moment: datetime) -> bool:
        return self.opened_at <= moment < self.expires_at


_BREAK_GLASS_REASON = Text(
    "Beschrijf de noodsituatie in minstens 20 tekens.",
    "Describe the emergency in at least 20 characters.",
)


def check_break_glass_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < MIN_BREAK_GLASS_REASON:
        raise InvalidInput(Problem("reason", _BREAK_GLASS_REASON))
    if len(reason) > MAX_REASON:
        raise InvalidInput(Problem("reason", _TOO_LONG))
    return reason

"""Purpose-bound sharing: cases, data requests, answers, grants, revocation and break-glass."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from datameent.domain import catalogue, purposes
from datameent.domain.accounts import Role, User
from datameent.domain.attributes import JsonValue
from datameent.domain.notifications import Kind, Notification
from datameent.domain.policy import AccessRequest, Action, Permit
from datameent.domain.purposes import Basis, Purpose
from datameent.domain.sharing import (
    BREAK_GLASS_HOURS,
    Answer,
    Approval,
    AskedItem,
    BreakGlass,
    Case,
    DataRequest,
    Grant,
    GrantState,
    RequestItem,
    RequestStatus,
    Review,
    check_break_glass_reason,
    check_decline_reason,
    check_request,
    grant_period,
)
from datameent.domain.text import Text
from datameent.domain.vault import NewValue, Provenance, Source, check_new_value
from datameent.errors import AccessDenied, Conflict, InvalidInput, NotFound, Problem
from datameent.services.clock import today, utcnow
from datameent.store.uow import Store, UnitOfWork

NOT_IN_REQUEST = Text("Dit gegeven wordt niet gevraagd.", "This item is not being asked for.")
NO_VALUE_TO_SHARE = Text(
    "U hebt dit gegeven nog niet. Vul een nieuwe waarde in.",
    "You do not have this item yet. Please give a new value.",
)
ALREADY_SHARED = Text(
    "Dit gegeven is al gedeeld. Delen ongedaan maken kan door uw toestemming in te trekken.",
    "This item is already shared. To undo sharing, withdraw your consent.",
)
NOT_OPEN = Text(
    "Dit verzoek staat niet open voor antwoorden.", "This request is not open for answers."
)
DUTY_NOT_REVOCABLE = Text(
    "Dit kunt u niet intrekken: u moet deze gegevens geven volgens de wet. U kunt wel bezwaar "
    "maken of een fout laten verbeteren.",
    "You cannot withdraw this: the law requires you to give this data. You can object, or ask "
    "for a mistake to be corrected.",
)
NOT_ACTIVE = Text("Deze toestemming geldt niet meer.", "This consent is no longer in force.")
ALREADY_JUDGED = Text("Dit is al beoordeeld.", "This has already been judged.")
OUTSIDE_PURPOSE_SHARE = Text(
    "Dit gegeven hoort niet bij het doel van deze zaak.",
    "This item is not part of the purpose of this case.",
)
UNKNOWN_CASE = Text(
    "Deze zaak bestaat niet of is gesloten.", "This case does not exist or is closed."
)
REVIEW_NOTE = Text("Schrijf een korte toelichting.", "Write a short explanation.")


def _caseload_request(
    uow: UnitOfWork, actor: User, action: Action, person_id: UUID, purpose: str | None = None
) -> AccessRequest:
    in_caseload = uow.caseloads.is_active(actor.id, person_id, utcnow())
    return AccessRequest(actor, action, person_id, in_active_caseload=in_caseload, purpose=purpose)


def _notify(uow: UnitOfWork, items: list[Notification]) -> None:
    uow.notifications.add(items, utcnow())


def _note(
    user: User | None, kind: Kind, link: str | None = None, **params: str
) -> list[Notification]:
    return [Notification(uuid4(), user.id, kind, params, link)] if user is not None else []


# The file a case manager sees -------------------------------------------------------------


@dataclass(frozen=True)
class CaseFile:
    """What is going on for one resident: cases, requests and grants (never a value)."""

    person_id: UUID
    client_number: str
    cases: list[Case]
    requests: list[DataRequest]
    grants: list[Grant]
    break_glass: list[BreakGlass]
    now: datetime

    @property
    def today(self) -> date:
        """The Dutch date at `now`: what due dates are compared with."""
        return today(self.now)

    def readable_purposes(self) -> list[Purpose]:
        """Purposes with at least one active grant on an open case: what a read can name."""
        open_cases = {c.id: c for c in self.cases if c.open_at(self.now)}
        codes = {
            g.purpose_code
            for g in self.grants
            if g.state(self.now) is GrantState.ACTIVE
            and g.case_id in open_cases
            and open_cases[g.case_id].purpose_code == g.purpose_code
        }
        return [purposes.CURRENT[c] for c in sorted(codes) if c in purposes.CURRENT]


def case_file(store: Store, actor: User, person_id: UUID) -> CaseFile:
    with store.unit_of_work() as uow:
        permit = uow.authorize(_caseload_request(uow, actor, Action.VIEW_CASES, person_id))
        if uow.persons.get(person_id) is None:
            raise NotFound()
        cases = uow.sharing.cases_of(person_id)
        requests = uow.sharing.requests_of(permit, person_id)
        grants = uow.sharing.grants_of(person_id)
        glass = uow.sharing.break_glass_of(permit, person_id)
        number = uow.persons.client_number(permit, person_id)
        uow.log.touch(permit, person_id, {"case", "grant"})
        uow.commit()
    ordered = sorted(cases.values(), key=lambda c: c.opened_at, reverse=True)
    grants.sort(key=lambda g: g.created_at, reverse=True)
    return CaseFile(person_id, number, ordered, requests, grants, glass, utcnow())


# Requests ---------------------------------------------------------------------------------


def _open_case_for(
    uow: UnitOfWork, actor: User, person_id: UUID, purpose: Purpose, now: datetime
) -> Case:
    for case in uow.sharing.cases_of(person_id).values():
        if case.purpose_code == purpose.code and case.open_at(now):
            return case
    permit = uow.authorize(_caseload_request(uow, actor, Action.OPEN_CASE, person_id))
    case = Case(uuid4(), person_id, purpose.code, now, actor.id)
    uow.sharing.add_case(permit, case)
    return case


def create_request(
    store: Store,
    actor: User,
    person_id: UUID,
    purpose_code: str,
    asked: list[AskedItem],
    due_date: date,
) -> DataRequest:
    """Ask a resident for attributes for one purpose. Items outside the purpose wait for a
    second officer; the resident sees the request once nothing waits."""
    now = utcnow()
    with store.unit_of_work() as uow:
        request_ = _caseload_request(
            uow, actor, Action.REQUEST_DATA, person_id, purpose=purpose_code or None
        )
        permit = uow.authorize(request_)
        if uow.persons.get(person_id) is None:
            raise NotFound()
        purpose = purposes.current(purpose_code)
        items = check_request(purpose, asked, due_date, today(now))
        case = _open_case_for(uow, actor, person_id, purpose, now)
        request = DataRequest(
            uuid4(),
            case.id,
            person_id,
            purpose.code,
            purpose.version,
            actor.id,
            now,
            due_date,
            RequestStatus.OPEN,
            items,
        )
        request.refresh_status()
        uow.sharing.add_request(permit, request)
        client = uow.persons.client_number(permit, person_id)
        if request.status is RequestStatus.AWAITING_APPROVAL:
            _notify(uow, _approvers_notes(uow, actor, client, request.id))
        else:
            _notify(uow, _resident_request_note(uow, request, purpose))
        uow.commit()
    return request


def _approvers_notes(
    uow: UnitOfWork, requester: User, client: str, request_id: UUID
) -> list[Notification]:
    """The privacy officers are asked to judge (never the requester themselves)."""
    notes = []
    for officer in uow.accounts.by_role(Role.PRIVACY_OFFICER):
        if officer.id != requester.id and officer.active:
            notes += _note(officer, Kind.APPROVAL_NEEDED, "/privacy/goedkeuren", client=client)
    return notes


def _resident_request_note(
    uow: UnitOfWork, request: DataRequest, purpose: Purpose
) -> list[Notification]:
    resident = uow.accounts.of_person(request.person_id)
    return _note(
        resident,
        Kind.REQUEST_NEW,
        f"/mijn-verzoeken/{request.id}",
        purpose=purpose.code,
        due=request.due_date.isoformat(),
    )


def _request_of(uow: UnitOfWork, permit: Permit, request_id: UUID) -> DataRequest:
    request = uow.sharing.request(permit, request_id)
    if request is None:
        raise NotFound()
    return request


def approvals_waiting(store: Store, actor: User) -> list[tuple[DataRequest, str]]:
    """Requests with items outside their purpose, for a second officer, with client numbers."""
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.SUPERVISE))
        waiting = uow.sharing.awaiting_approval(permit)
        numbers = uow.persons.client_numbers(permit, [r.person_id for r in waiting])
        uow.commit()
    return [(r, numbers.get(r.person_id, "?")) for r in waiting]


def judge_item(store: Store, actor: User, request_id: UUID, key: str, approve: bool) -> DataRequest:
    """Four eyes: a second officer (never the requester) approves or refuses an item outside
    the purpose. A refused item is not asked."""
    with store.unit_of_work() as uow:
        facts = uow.sharing.request_facts(request_id)
        if facts is None:
            raise NotFound()
        person_id, requester = facts
        permit = uow.authorize(
            AccessRequest(actor, Action.APPROVE_REQUEST, person_id, requested_by=requester)
        )
        request = _request_of(uow, permit, request_id)
        item = request.item(key)
        if item is None:
            raise InvalidInput(Problem("key", NOT_IN_REQUEST))
        if item.approval is not Approval.PENDING:
            raise Conflict(ALREADY_JUDGED)
        item.approval = Approval.APPROVED if approve else Approval.REJECTED
        item.approved_by = actor.id
        before = request.status
        request.refresh_status()
        uow.sharing.save(permit, request, [item])
        if before is RequestStatus.AWAITING_APPROVAL and request.status is not before:
            client = uow.persons.client_number(permit, person_id)
            _notify(uow, _note(uow.accounts.get(requester), Kind.APPROVAL_DONE, client=client))
            if request.askable_items:
                purpose = purposes.version(request.purpose_code, request.purpose_version)
                _notify(uow, _resident_request_note(uow, request, purpose))
        uow.commit()
    return request


# The resident's side ----------------------------------------------------------------------


@dataclass(frozen=True)
class MySharing:
    cases: dict[UUID, Case]
    requests: list[DataRequest]
    grants: list[Grant]
    break_glass: list[BreakGlass]
    now: datetime
    held: frozenset[str] = frozenset()
    """Which attributes the resident has a current value for (no values)."""

    @property
    def today(self) -> date:
        """The Dutch date at `now`: what due dates are compared with."""
        return today(self.now)

    @property
    def open_requests(self) -> list[DataRequest]:
        return [r for r in self.requests if r.status is RequestStatus.OPEN]

    def shareable(self, case: Case) -> list[str]:
        """What the resident could still share with an open case on their own initiative:
        attributes of the case's purpose that they hold and do not share with it yet."""
        purpose = purposes.CURRENT.get(case.purpose_code)
        if purpose is None or not case.open_at(self.now):
            return []
        shared = {
            k
            for g in self.grants
            if g.case_id == case.id and g.state(self.now) is GrantState.ACTIVE
            for k in g.keys
        }
        return sorted((purpose.attributes & self.held) - shared)


def my_sharing(store: Store, actor: User) -> MySharing:
    """The resident's requests (those they can see), grants and emergency accesses."""
    person_id = actor.own_person_id()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.VIEW_CASES, person_id))
        requests = [
            r
            for r in uow.sharing.requests_of(permit, person_id)
            if r.status is not RequestStatus.AWAITING_APPROVAL
        ]
        cases = uow.sharing.cases_of(person_id)
        grants = sorted(uow.sharing.grants_of(person_id), key=lambda g: g.created_at, reverse=True)
        glass = uow.sharing.break_glass_of(permit, person_id)
        held = frozenset(uow.vault.current_keys(permit, person_id))
        uow.commit()
    return MySharing(cases, requests, grants, glass, utcnow(), held)


def my_request(store: Store, actor: User, request_id: UUID) -> tuple[DataRequest, set[str]]:
    """One request as the resident sees it, and which asked items they already hold."""
    person_id = actor.own_person_id()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.ANSWER_REQUEST, person_id))
        facts = uow.sharing.request_facts(request_id)
        if facts is None:
            raise NotFound()
        if facts[0] != person_id:
            raise _denied_after(uow, actor, facts[0], "the request belongs to someone else")
        request = _request_of(uow, permit, request_id)
        if request.status is RequestStatus.AWAITING_APPROVAL:
            raise NotFound()
        held = uow.vault.current_keys(permit, person_id)
        uow.commit()
    return request, held


def _denied_after(uow: UnitOfWork, actor: User, person_id: UUID, reason: str) -> AccessDenied:
    """Log a refused attempt on something that is not the actor's (another person's request
    or grant) and return the error to raise: it looks like the thing does not exist."""
    return uow.log_denied(AccessRequest(actor, Action.ANSWER_REQUEST, person_id), reason)


@dataclass(frozen=True)
class ItemAnswer:
    key: str
    answer: Answer
    value: JsonValue = None
    """For `Answer.GIVEN`: the new value, already parsed."""
    reason: str = ""
    """For `Answer.DECLINED`."""


def answer_request(
    store: Store, actor: User, request_id: UUID, answers: list[ItemAnswer]
) -> DataRequest:
    """Answer items of a request: share what the vault holds, give a new value, or decline.
    What is shared or given becomes (part of) the request's grant."""
    person_id = actor.own_person_id()
    now = utcnow()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.ANSWER_REQUEST, person_id))
        facts = uow.sharing.request_facts(request_id)
        if facts is None:
            raise NotFound()
        if facts[0] != person_id:
            raise _denied_after(uow, actor, facts[0], "the request belongs to someone else")
        request = _request_of(uow, permit, request_id)
        if request.status not in (RequestStatus.OPEN, RequestStatus.ANSWERED):
            raise Conflict(NOT_OPEN)
        purpose = purposes.version(request.purpose_code, request.purpose_version)
        held = uow.vault.current_keys(permit, person_id)
        changed, shared, given = _apply_answers(request, answers, held, purpose.basis, now)
        if given:
            _record_given(uow, actor, person_id, given, now)
        if shared:
            _grant_for(uow, permit, request, purpose, shared, now)
        before = request.status
        request.refresh_status()
        uow.sharing.save(permit, request, changed)
        if request.status is RequestStatus.ANSWERED and before is not RequestStatus.ANSWERED:
            client = uow.persons.client_number(permit, person_id)
            _notify(
                uow,
                _note(
                    uow.accounts.get(request.requested_by),
                    Kind.REQUEST_ANSWERED,
                    f"/clienten/{person_id}",
                    client=client,
                    purpose=purpose.code,
                ),
            )
        uow.commit()
    return request


def _apply_answers(
    request: DataRequest,
    answers: list[ItemAnswer],
    held: set[str],
    basis: Basis,
    now: datetime,
) -> tuple[list[RequestItem], set[str], list[ItemAnswer]]:
    problems: list[Problem] = []
    changed: list[RequestItem] = []
    shared: set[str] = set()
    given: list[ItemAnswer] = []
    for n, a in enumerate(answers):
        item = request.item(a.key)
        where = f"answers[{n}]"
        if item is None or not item.askable:
            problems.append(Problem(f"{where}.key", NOT_IN_REQUEST))
            continue
        if item.answer in (Answer.SHARED, Answer.GIVEN):
            problems.append(Problem(f"{where}.key", ALREADY_SHARED))
            continue
        if a.answer is Answer.SHARED and a.key not in held:
            problems.append(Problem(f"{where}.answer", NO_VALUE_TO_SHARE))
            continue
        item.decline_reason = None
        if a.answer is Answer.DECLINED:
            try:
                item.decline_reason = check_decline_reason(a.reason, basis)
            except InvalidInput as error:
                problems.extend(Problem(f"{where}.reason", p.message) for p in error.problems)
                continue
        else:
            shared.add(a.key)
        if a.answer is Answer.GIVEN:
            given.append(a)
        item.answer, item.answered_at = a.answer, now
        changed.append(item)
    if problems:
        raise InvalidInput(*problems)
    return changed, shared, given


def _record_given(
    uow: UnitOfWork, actor: User, person_id: UUID, given: list[ItemAnswer], now: datetime
) -> None:
    permit = uow.authorize(AccessRequest(actor, Action.RECORD_ATTRIBUTE, person_id))
    items = []
    problems: list[Problem] = []
    for a in given:
        new = NewValue(a.key, a.value, Source.SELF_DECLARED)
        try:
            stored = check_new_value(catalogue.definition(a.key), new, by_resident=True)
        except InvalidInput as error:
            problems.extend(Problem(f"{a.key}.value", p.message) for p in error.problems)
            continue
        items.append((a.key, stored, Provenance(Source.SELF_DECLARED, actor.id, now)))
    if problems:
        raise InvalidInput(*problems)
    uow.vault.record(permit, person_id, items)


def _grant_for(
    uow: UnitOfWork,
    permit: Permit,
    request: DataRequest,
    purpose: Purpose,
    keys: set[str],
    now: datetime,
) -> None:
    existing = uow.sharing.grant_for_request(request.id)
    if existing is not None:
        uow.sharing.extend_grant(permit, existing, keys)
        return
    start, end = grant_period(purpose, now)
    grant = Grant(
        uuid4(),
        request.person_id,
        request.case_id,
        purpose.code,
        purpose.version,
        purpose.basis,
        frozenset(keys),
        start,
        end,
        now,
        request.id,
    )
    uow.sharing.add_grant(permit, grant)


def share(store: Store, actor: User, case_id: UUID, keys: list[str]) -> Grant:
    """The resident shares on their own initiative with an open case: always consent, so they
    can withdraw it; only attributes the case's purpose covers."""
    person_id = actor.own_person_id()
    now = utcnow()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.SHARE, person_id))
        case = uow.sharing.case(case_id)
        if case is None or case.person_id != person_id or not case.open_at(now):
            raise InvalidInput(Problem("caseId", UNKNOWN_CASE))
        purpose = purposes.current(case.purpose_code)
        problems = [
            Problem(f"keys[{n}]", OUTSIDE_PURPOSE_SHARE)
            for n, k in enumerate(keys)
            if not purpose.covers(k)
        ]
        held = uow.vault.current_keys(permit, person_id)
        problems += [
            Problem(f"keys[{n}]", NO_VALUE_TO_SHARE)
            for n, k in enumerate(keys)
            if purpose.covers(k) and k not in held
        ]
        if problems or not keys:
            raise InvalidInput(*(problems or [Problem("keys", OUTSIDE_PURPOSE_SHARE)]))
        start, end = grant_period(purpose, now)
        grant = Grant(
            uuid4(),
            person_id,
            case.id,
            purpose.code,
            purpose.version,
            Basis.CONSENT,
            frozenset(keys),
            start,
            end,
            now,
        )
        uow.sharing.add_grant(permit, grant)
        uow.commit()
    return grant


def revoke(store: Store, actor: User, grant_id: UUID) -> Grant:
    """Withdraw consent, with immediate effect. A duty grant cannot be withdrawn."""
    person_id = actor.own_person_id()
    now = utcnow()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.REVOKE_GRANT, person_id))
        grant = uow.sharing.grant(grant_id)
        if grant is None:
            raise NotFound()
        if grant.person_id != person_id:
            attempt = AccessRequest(actor, Action.REVOKE_GRANT, grant.person_id)
            raise uow.log_denied(attempt, "the grant is someone else's")
        if not grant.revocable:
            raise Conflict(DUTY_NOT_REVOCABLE)
        if grant.state(now) is not GrantState.ACTIVE:
            raise Conflict(NOT_ACTIVE)
        uow.sharing.end_grant(permit, grant, now)
        assignment = uow.caseloads.open_for_person(person_id)
        if assignment is not None:
            manager = uow.accounts.get(assignment.case_manager_id)
            client = uow.persons.client_number(permit, person_id)
            _notify(
                uow, _note(manager, Kind.GRANT_REVOKED, client=client, purpose=grant.purpose_code)
            )
        uow.commit()
    return replace(grant, revoked_at=now)


# Break-glass ------------------------------------------------------------------------------


def break_glass(store: Store, actor: User, person_id: UUID, reason: str) -> BreakGlass:
    """Open a file in an emergency, without a grant: the reason is stated, the privacy officer
    is told at once, and the resident sees it prominently."""
    now = utcnow()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.BREAK_GLASS, person_id))
        if uow.persons.get(person_id) is None:
            raise NotFound()
        text = check_break_glass_reason(reason)
        access = BreakGlass(
            uuid4(), actor.id, person_id, text, now, now + timedelta(hours=BREAK_GLASS_HOURS)
        )
        uow.sharing.add_break_glass(permit, access)
        client = uow.persons.client_number(permit, person_id)
        notes = _note(uow.accounts.of_person(person_id), Kind.BREAK_GLASS, "/mijn-gegevens/logboek")
        for officer in uow.accounts.by_role(Role.PRIVACY_OFFICER):
            notes += _note(officer, Kind.BREAK_GLASS_OPENED, "/privacy/noodtoegang", client=client)
        _notify(uow, notes)
        uow.commit()
    return access


def break_glass_to_review(store: Store, actor: User) -> list[tuple[BreakGlass, str, User | None]]:
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.SUPERVISE))
        items = uow.sharing.break_glass_to_review(permit)
        numbers = uow.persons.client_numbers(permit, [b.person_id for b in items])
        actors = uow.accounts.many(b.actor_id for b in items)
        uow.commit()
    return [(b, numbers.get(b.person_id, "?"), actors.get(b.actor_id)) for b in items]


def review_break_glass(
    store: Store, actor: User, access_id: UUID, review: Review, note: str
) -> None:
    note = note.strip()
    if not note or len(note) > 1000:
        raise InvalidInput(Problem("note", REVIEW_NOTE))
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.SUPERVISE))
        if uow.sharing.review_break_glass(permit, access_id, review, note, utcnow()) is None:
            raise NotFound()
        uow.commit()

"""Complaints about conduct (Awb chapter 9): filed by the resident, acknowledged at once, sent
in copy to the employee concerned, handled by a team lead or the privacy officer who was not
involved, and answered in writing with findings, a judgement and the way to the ombudsman."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID, uuid4

from datameent.domain.accounts import Role, User
from datameent.domain.complaints import (
    Complaint,
    ComplaintStatus,
    Hearing,
    Judgement,
    check_complaint,
    check_hearing,
    check_judgement,
    check_postponement,
    handle_by,
    may_handle,
)
from datameent.domain.notifications import Kind, Notification
from datameent.domain.policy import AccessRequest, Action, Permit
from datameent.domain.rights import NOT_IN_YOUR_LOG
from datameent.domain.text import Text
from datameent.errors import Conflict, InvalidInput, NotFound, Problem
from datameent.services.clock import today, utcnow
from datameent.store.complaints import ComplaintFacts
from datameent.store.uow import Store, UnitOfWork

TAKE_FIRST = Text("Neem de klacht eerst in behandeling.", "Take the complaint to handle it first.")
CLOSED = Text("Deze klacht is al afgehandeld.", "This complaint has already been handled.")
ALREADY_POSTPONED = Text(
    "De afhandeling is al een keer uitgesteld; dat kan maar één keer (Awb 9:11).",
    "Handling has already been postponed once; that can be done only once (Awb 9:11).",
)
TAKEN = Text(
    "Een collega behandelt deze klacht al.", "A colleague is already handling this complaint."
)


# Filing ---------------------------------------------------------------------------------------


def file_complaint(
    store: Store,
    actor: User,
    conduct: str,
    *,
    occurred_on: date | None = None,
    about_case_manager: bool = False,
    log_index: int | None = None,
) -> Complaint:
    """The resident complains about how they were treated (Awb 9:1). The complaint names the
    employee concerned when the resident chooses their case manager, or starts from a line of
    their log that an employee wrote. Receipt is acknowledged at once (9:6); the employee gets a
    copy (9:9); the team leads of the employee's team (every team lead, and the privacy officer,
    when nobody is named; the privacy officer too when it starts from the log) are asked to find
    a handler who was not involved (9:7)."""
    person_id = actor.own_person_id()
    now = utcnow()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.FILE_COMPLAINT, person_id))
        text = check_complaint(conduct, occurred_on, today(now))
        about = None
        if log_index is not None:
            found, author = uow.ledger.author(log_index, store.keys.subject_pseudonym(person_id))
            if not found:
                raise InvalidInput(Problem("logIndex", NOT_IN_YOUR_LOG))
            about = _employee(uow, author)
        elif about_case_manager:
            assignment = uow.caseloads.open_for_person(person_id)
            about = assignment.case_manager_id if assignment else None
        complaint = Complaint(
            uuid4(),
            person_id,
            text,
            occurred_on,
            about,
            log_index,
            now,
            ComplaintStatus.RECEIVED,
        )
        uow.complaints.add(permit, complaint)
        _tell_on_filing(uow, permit, actor, complaint, now)
        uow.commit()
    return complaint


def _employee(uow: UnitOfWork, user_id: UUID | None) -> UUID | None:
    """`user_id` if it is an employee's account (not the resident, not a register's)."""
    user = uow.accounts.get(user_id) if user_id else None
    if user is None or user.has(Role.RESIDENT) or user.has(Role.SYSTEM):
        return None
    return user.id


def _tell_on_filing(
    uow: UnitOfWork, permit: Permit, actor: User, complaint: Complaint, now: datetime
) -> None:
    client = uow.persons.client_number(permit, complaint.person_id)
    until = complaint.handle_by.isoformat()
    notes = [
        Notification(
            uuid4(),
            actor.id,
            Kind.COMPLAINT_RECEIVED,
            {"until": until},
            f"/mijn-klachten#klacht-{complaint.id}",
        )
    ]
    about = uow.accounts.get(complaint.about) if complaint.about else None
    if about is not None:
        notes.append(_to_staff(about.id, Kind.COMPLAINT_ABOUT_YOU, client, complaint.id))
    handlers = {u.id for u in uow.accounts.by_role(Role.TEAM_LEAD, about.team if about else None)}
    if about is None or complaint.log_index is not None or not handlers:
        handlers |= {u.id for u in uow.accounts.by_role(Role.PRIVACY_OFFICER)}
    notes += [
        Notification(uuid4(), h, Kind.COMPLAINT_FILED, {"client": client}, "/klachten")
        for h in sorted(handlers - {complaint.about})
    ]
    uow.notifications.add(notes, now)


def my_complaints(store: Store, actor: User) -> list[Complaint]:
    """The resident's complaints, newest first, with where each stands."""
    person_id = actor.own_person_id()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.READ_COMPLAINT, person_id))
        found = uow.complaints.of_person(permit, person_id)
        uow.commit()
    return found


def settle(store: Store, actor: User, complaint_id: UUID) -> None:
    """Awb 9:5: the resident says the complaint was put right; it ends without a judgement."""
    person_id = actor.own_person_id()
    now = utcnow()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.FILE_COMPLAINT, person_id))
        facts = uow.complaints.facts(complaint_id)
        if facts is None:
            raise NotFound()
        if facts.person_id != person_id:
            attempt = AccessRequest(actor, Action.FILE_COMPLAINT, facts.person_id)
            raise uow.log_denied(attempt, "the complaint is someone else's")
        if facts.status not in (ComplaintStatus.RECEIVED, ComplaintStatus.IN_HANDLING):
            raise Conflict(CLOSED)
        uow.complaints.settle(permit, complaint_id, person_id, now)
        if facts.handler is not None:
            client = uow.persons.client_number(permit, person_id)
            note = _to_staff(facts.handler, Kind.COMPLAINT_SETTLED, client, complaint_id)
            uow.notifications.add([note], now)
        uow.commit()


# Handling -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingComplaint:
    """An open complaint in the list of complaints: no text, only where it stands."""

    id: UUID
    client_number: str
    filed_at: datetime
    handle_by: date
    postponed: bool
    status: ComplaintStatus
    handler: str | None
    """The handler's name, once someone has taken it."""
    mine: bool
    may_take: bool
    """Nobody handles it yet, and the reader could (Awb 9:7: not the one complained about)."""

    def overdue(self, on: date) -> bool:
        return on > self.handle_by


def waiting(store: Store, actor: User) -> list[WaitingComplaint]:
    """Every open complaint, the one due first on top: for team leads and the privacy officer.
    Client numbers and dates only; each client listed is logged."""
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.VIEW_COMPLAINTS))
        rows = uow.complaints.waiting()
        numbers = uow.persons.client_numbers(permit, [r.person_id for r in rows])
        handlers = uow.accounts.many(r.handler for r in rows if r.handler)
        for row in rows:
            uow.log.touch(permit, row.person_id, {"complaint"})
        uow.commit()
    found = [
        WaitingComplaint(
            r.id,
            numbers.get(r.person_id, "?"),
            r.filed_at,
            handle_by(r.filed_at, postponed=r.postponed),
            r.postponed,
            r.status,
            handlers[r.handler].display_name if r.handler in handlers else None,
            r.handler == actor.id,
            r.handler is None and may_handle(actor.id, r.about, None),
        )
        for r in rows
    ]
    return sorted(found, key=lambda w: (w.handle_by, w.filed_at))


@dataclass(frozen=True)
class ComplaintFile:
    complaint: Complaint
    client_number: str
    about: str | None
    """The name of the employee complained about, if one was named."""
    handler: str | None
    handling: bool
    """The reader handles it, or could take it (not only reading their copy under 9:9)."""


def open_complaint(store: Store, actor: User, complaint_id: UUID) -> ComplaintFile:
    """A complaint for its handler (or a handler who could take it), or, as a copy, for the
    employee it is about (Awb 9:9). Anyone else is refused, and the attempt logged."""
    with store.unit_of_work() as uow:
        facts = _facts(uow, complaint_id)
        action = Action.READ_COMPLAINT if facts.about == actor.id else Action.HANDLE_COMPLAINT
        permit = uow.authorize(_request(actor, action, facts))
        complaint = uow.complaints.get(permit, complaint_id)
        assert complaint is not None
        client = uow.persons.client_number(permit, facts.person_id)
        names = uow.accounts.many(x for x in (facts.about, facts.handler) if x)
        uow.commit()
    return ComplaintFile(
        complaint,
        client,
        names[facts.about].display_name if facts.about in names else None,
        names[facts.handler].display_name if facts.handler in names else None,
        action is Action.HANDLE_COMPLAINT,
    )


def take(store: Store, actor: User, complaint_id: UUID) -> None:
    """The handler takes the complaint: from now on it is theirs (Awb 9:7)."""
    with store.unit_of_work() as uow:
        facts = _facts(uow, complaint_id)
        permit = uow.authorize(_request(actor, Action.HANDLE_COMPLAINT, facts))
        if facts.status is ComplaintStatus.IN_HANDLING:
            raise Conflict(TAKEN if facts.handler != actor.id else CLOSED)
        if facts.status is not ComplaintStatus.RECEIVED:
            raise Conflict(CLOSED)
        uow.complaints.take(permit, complaint_id, facts.person_id)
        uow.commit()


def record_hearing(
    store: Store, actor: User, complaint_id: UUID, hearing: Hearing, note: str
) -> None:
    """How the resident and the employee were heard, or why not (Awb 9:10)."""
    note = check_hearing(note)
    with store.unit_of_work() as uow:
        permit, facts = _handling(uow, actor, complaint_id)
        uow.complaints.hear(permit, complaint_id, facts.person_id, hearing, note)
        uow.commit()


def postpone(store: Store, actor: User, complaint_id: UUID, reason: str) -> date:
    """Postpone once, by four weeks, with a reason the resident is told (Awb 9:11 lid 2). The
    new last day."""
    reason = check_postponement(reason)
    now = utcnow()
    with store.unit_of_work() as uow:
        permit, facts = _handling(uow, actor, complaint_id)
        if facts.postponed:
            raise Conflict(ALREADY_POSTPONED)
        uow.complaints.postpone(permit, complaint_id, facts.person_id, reason)
        until = handle_by(facts.filed_at, postponed=True)
        _tell_resident(uow, facts.person_id, Kind.COMPLAINT_POSTPONED, complaint_id, now, until)
        uow.commit()
    return until


def decide(
    store: Store, actor: User, complaint_id: UUID, judgement: Judgement, findings: str
) -> Complaint:
    """The written answer (Awb 9:12): findings, judgement and conclusions. A judgement on the
    merits needs the hearing recorded first; the resident and the employee are told."""
    now = utcnow()
    with store.unit_of_work() as uow:
        permit, facts = _handling(uow, actor, complaint_id)
        complaint = uow.complaints.get(permit, complaint_id)
        assert complaint is not None
        text = check_judgement(complaint, judgement, findings)
        uow.complaints.decide(permit, complaint_id, facts.person_id, judgement, text, now)
        _tell_resident(uow, facts.person_id, Kind.COMPLAINT_DECIDED, complaint_id, now)
        if facts.about is not None:
            client = uow.persons.client_number(permit, facts.person_id)
            note = _to_staff(facts.about, Kind.COMPLAINT_ABOUT_YOU_DECIDED, client, complaint_id)
            uow.notifications.add([note], now)
        uow.commit()
    return replace(
        complaint,
        status=ComplaintStatus.DECIDED,
        judgement=judgement,
        findings=text,
        decided_at=now,
    )


def _facts(uow: UnitOfWork, complaint_id: UUID) -> ComplaintFacts:
    facts = uow.complaints.facts(complaint_id)
    if facts is None:
        raise NotFound()
    return facts


def _request(actor: User, action: Action, facts: ComplaintFacts) -> AccessRequest:
    return AccessRequest(
        actor, action, facts.person_id, complained_about=facts.about, handler=facts.handler
    )


def _handling(uow: UnitOfWork, actor: User, complaint_id: UUID) -> tuple[Permit, ComplaintFacts]:
    """The permit to work on a complaint the actor has taken and that is still open."""
    facts = _facts(uow, complaint_id)
    permit = uow.authorize(_request(actor, Action.HANDLE_COMPLAINT, facts))
    if facts.status is ComplaintStatus.RECEIVED:
        raise Conflict(TAKE_FIRST)
    if facts.status is not ComplaintStatus.IN_HANDLING:
        raise Conflict(CLOSED)
    return permit, facts


def _to_staff(user_id: UUID, kind: Kind, client: str, complaint_id: UUID) -> Notification:
    """A message to an employee about one complaint, linking to it."""
    return Notification(uuid4(), user_id, kind, {"client": client}, f"/klachten/{complaint_id}")


def _tell_resident(
    uow: UnitOfWork,
    person_id: UUID,
    kind: Kind,
    complaint_id: UUID,
    now: datetime,
    until: date | None = None,
) -> None:
    resident = uow.accounts.of_person(person_id)
    if resident is None:
        return
    params = {"until": until.isoformat()} if until else {}
    link = f"/mijn-klachten#klacht-{complaint_id}"
    uow.notifications.add([Notification(uuid4(), resident.id, kind, params, link)], now)

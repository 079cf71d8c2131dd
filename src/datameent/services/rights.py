"""The resident's rights: take out everything (art. 15/20), ask for a correction (art. 16),
for erasure (art. 17), or object (art. 21), or ask a question about a data item or about a line
of their processing log; and the staff's side of handling those requests."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from datameent.domain import catalogue, purposes
from datameent.domain.accounts import ROLE_LABELS, Role, User
from datameent.domain.attributes import JsonValue
from datameent.domain.notifications import Kind, Notification
from datameent.domain.policy import AccessRequest, Action, Permit
from datameent.domain.purposes import Basis
from datameent.domain.rights import (
    ABOUT_DATA,
    NOT_IN_YOUR_LOG,
    ErasureConfirmation,
    RightKind,
    RightsRequest,
    RightStatus,
    check_explanation,
    check_log_index,
)
from datameent.domain.sharing import GrantState
from datameent.domain.text import Text
from datameent.domain.vault import NewValue, Provenance, Source, check_new_value
from datameent.errors import Conflict, DataErased, InvalidInput, NotFound, Problem
from datameent.services import complaints, decisions, ledger, sharing, story
from datameent.services import vault as vault_service
from datameent.services.clock import utcnow
from datameent.store.uow import Store, UnitOfWork

SELF_DECLARED = Text(
    "Dit gegeven hebt u zelf gegeven. U kunt het zelf verbeteren bij Mijn gegevens.",
    "You gave this yourself. You can correct it yourself under My data.",
)
NO_VALUE = Text("Hierover is niets vastgelegd.", "Nothing is recorded about this.")
DECIDED = Text("Over dit verzoek is al besloten.", "This request has already been decided.")
NOT_A_CORRECTION = Text(
    "Dit is geen verzoek om verbetering.", "This is not a request for correction."
)
NOT_A_QUESTION = Text("Dit is geen vraag.", "This is not a question.")
ABOUT_DATA_ITEM = Text(
    "Een vraag of verbetering over een gegeven beantwoordt u in het dossier van de klant.",
    "A question or correction about a data item is answered in the client's file.",
)
ANSWER_IT = Text(
    "Een vraag over het logboek krijgt een antwoord, geen besluit.",
    "A question about the log gets an answer, not a decision.",
)
STILL_NEEDED = Text(
    "Wissen kan nu niet: een wettelijke taak loopt nog (een open zaak met een wettelijke "
    "plicht). Uw gegevens worden gewist als de bewaartermijn voorbij is.",
    "Erasure is not possible now: a legal task is still running (an open case under a legal "
    "duty). Your data will be erased when the retention period ends.",
)
NOTE_NEEDED = Text("Schrijf een korte toelichting.", "Write a short explanation.")


# Filing ---------------------------------------------------------------------------------------


def file_request(
    store: Store,
    actor: User,
    kind: RightKind,
    explanation: str,
    *,
    subject: str | None = None,
    proposed: str = "",
) -> RightsRequest:
    """File a correction, erasure or objection request, or a question about a data item or about
    a line of the person's own processing log (`subject` its index). It is answered within a
    month."""
    person_id = actor.own_person_id()
    now = utcnow()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.EXERCISE_RIGHTS, person_id))
        text = check_explanation(explanation)
        value_id = None
        if kind is RightKind.CORRECTION:
            value_id = _held(uow, actor, person_id, subject or "", others_only=True)
        elif kind is RightKind.QUESTION:
            value_id = _held(uow, actor, person_id, subject or "", others_only=False)
        elif kind is RightKind.OBJECTION:
            subject = purposes.current(subject or "", "subject").code
        elif kind is RightKind.ACCESS_QUESTION:
            index = check_log_index(subject)
            if not uow.ledger.is_about(index, store.keys.subject_pseudonym(person_id)):
                raise InvalidInput(Problem("subject", NOT_IN_YOUR_LOG))
            subject = str(index)
        else:
            subject = None
        request = RightsRequest(
            uuid4(),
            person_id,
            kind,
            subject,
            value_id,
            text,
            proposed.strip()[:500] or None,
            now,
            RightStatus.OPEN,
        )
        uow.rights.add(permit, request)
        _notify_handlers(uow, permit, request, now)
        uow.commit()
    return request


def _held(uow: UnitOfWork, actor: User, person_id: UUID, key: str, *, others_only: bool) -> UUID:
    """The current value a request is about. A correction is only about what someone else
    recorded (what residents gave themselves, they change themselves)."""
    if key not in catalogue.BY_KEY:
        raise InvalidInput(Problem("subject", NO_VALUE))
    permit = uow.authorize(AccessRequest(actor, Action.READ_VAULT, person_id))
    current = {v.key: v for v in uow.vault.values(permit, person_id, history=False)}
    value = current.get(key)
    if value is None:
        raise InvalidInput(Problem("subject", NO_VALUE))
    if others_only and value.provenance.source is Source.SELF_DECLARED:
        raise InvalidInput(Problem("subject", SELF_DECLARED))
    return value.id


def _notify_handlers(
    uow: UnitOfWork, permit: Permit, request: RightsRequest, now: datetime
) -> None:
    """Tell who handles the request: the privacy officer; for a request about a data item also
    the person's case manager, who answers a question alone. A question about the log goes to
    the privacy officer only: the case manager may be the one who looked."""
    client = uow.persons.client_number(permit, request.person_id)
    links = {u.id: "/privacy/rechten" for u in uow.accounts.by_role(Role.PRIVACY_OFFICER)}
    if request.kind in ABOUT_DATA:
        assignment = uow.caseloads.open_for_person(request.person_id)
        if assignment is not None:
            if request.kind is RightKind.QUESTION:
                links = {}
            links[assignment.case_manager_id] = f"/clienten/{request.person_id}#over-gegevens"
    values = {"client": client, "right": request.kind}
    uow.notifications.add(
        [
            Notification(uuid4(), user_id, Kind.RIGHTS_FILED, values, link)
            for user_id, link in sorted(links.items())
        ],
        now,
    )


@dataclass(frozen=True)
class Recipient:
    """One recipient asked to remove an erased person's data, as the resident sees it."""

    confirmation: ErasureConfirmation
    who: str
    """Role and team, as the processing log shows employees."""
    purpose_code: str | None
    """The purpose of the grant through which they received data, if any."""


@dataclass(frozen=True)
class MyRights:
    requests: list[RightsRequest]
    confirmations: list[ErasureConfirmation]
    recorded_by_others: list[tuple[str, str]]
    """(key, label) of current values someone else recorded: what a correction can be about."""
    recipients: list[Recipient] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)
    """(key, label) of every current value: what a question can be about."""


def my_rights(store: Store, actor: User, locale: str = "nl") -> MyRights:
    person_id = actor.own_person_id()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.EXERCISE_RIGHTS, person_id))
        requests = uow.rights.of_person(permit, person_id)
        confirmations = uow.rights.confirmations([r.id for r in requests])
        staff = uow.accounts.many(c.recipient_id for c in confirmations)
        grants = {g.id: g.purpose_code for g in uow.sharing.grants_of(person_id)}
        uow.commit()
    recipients = [
        Recipient(
            c,
            _role_and_team(staff.get(c.recipient_id), locale),
            grants.get(c.grant_id) if c.grant_id else None,
        )
        for c in confirmations
    ]
    try:
        current = vault_service.read_vault(store, actor, person_id).current
    except DataErased:
        current = []
    known = [v for v in current if v.key in catalogue.BY_KEY]
    held = sorted(
        ((v.key, catalogue.BY_KEY[v.key].label.in_(locale)) for v in known), key=lambda i: i[1]
    )
    by_others = {v.key for v in known if v.provenance.source is not Source.SELF_DECLARED}
    others = [(key, label) for key, label in held if key in by_others]
    return MyRights(requests, confirmations, others, recipients, held)


def _role_and_team(user: User | None, locale: str) -> str:
    if user is None:
        return "?"
    roles = ", ".join(sorted(ROLE_LABELS[r].in_(locale) for r in user.roles if r in ROLE_LABELS))
    return f"{roles}, {user.team}" if user.team else roles


# Export (art. 15 and 20) ----------------------------------------------------------------------


def export(store: Store, actor: User, person_id: UUID) -> dict[str, Any]:
    """Everything datameent holds about the person, with its provenance and the processing
    log, in one document. Only for the person themselves; anyone else is refused and logged."""
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.EXPORT, person_id))
        uow.log.touch(permit, person_id, {"export"})
        uow.commit()
    view = vault_service.read_vault(store, actor, person_id, history=True)
    mine = sharing.my_sharing(store, actor)
    written = story.my_story(store, actor)
    rights = my_rights(store, actor)
    decided = decisions.my_decisions(store, actor)
    complained = complaints.my_complaints(store, actor)
    log = ledger.processing_log_of(store, actor, person_id)
    now = utcnow()
    return {
        "format": "datameent-export/1",
        "madeAt": now.isoformat(),
        "person": {
            "id": str(view.person.id),
            "clientNumber": view.person.client_number,
            "bsn": view.bsn,
            "registeredAt": view.person.created_at.isoformat(),
        },
        "attributes": [
            {
                "key": v.key,
                "label": catalogue.BY_KEY[v.key].label.nl if v.key in catalogue.BY_KEY else v.key,
                "value": v.value,
                "current": v.current,
                "source": v.provenance.source.value,
                "recordedBy": str(v.provenance.recorded_by) if v.provenance.recorded_by else None,
                "recordedAt": v.provenance.recorded_at.isoformat(),
                "validFrom": _iso(v.provenance.valid_from),
                "validTo": _iso(v.provenance.valid_to),
                "verified": v.provenance.verified,
                "instrumentVersion": v.provenance.instrument_version,
            }
            for v in view.versions
        ],
        "story": [
            {
                "sectionId": str(s.section_id),
                "version": s.version,
                "title": s.title,
                "text": s.body,
                "writtenAt": s.written_at.isoformat(),
                "current": s.current,
                "sharedWithCases": [str(x.case_id) for x in written.shared_with(s.section_id)]
                if s.current
                else [],
            }
            for s in written.history
        ],
        "cases": [
            {
                "id": str(c.id),
                "purpose": c.purpose_code,
                "openedAt": c.opened_at.isoformat(),
                "closedAt": _iso(c.closed_at),
            }
            for c in mine.cases.values()
        ],
        "requests": [
            {
                "id": str(r.id),
                "purpose": f"{r.purpose_code}:v{r.purpose_version}",
                "askedAt": r.created_at.isoformat(),
                "dueDate": r.due_date.isoformat(),
                "status": r.status.value,
                "items": [
                    {
                        "key": i.key,
                        "reason": i.reason,
                        "inPurpose": i.in_purpose,
                        "justification": i.justification,
                        "answer": i.answer.value if i.answer else None,
                        "declineReason": i.decline_reason,
                    }
                    for i in r.askable_items
                ],
            }
            for r in mine.requests
        ],
        "grants": [
            {
                "id": str(g.id),
                "purpose": f"{g.purpose_code}:v{g.purpose_version}",
                "basis": g.basis.value,
                "caseId": str(g.case_id),
                "keys": sorted(g.keys),
                "validFrom": g.valid_from.isoformat(),
                "validTo": g.valid_to.isoformat(),
                "revokedAt": _iso(g.revoked_at),
                "state": g.state(now).value,
            }
            for g in mine.grants
        ],
        "emergencyAccess": [
            {
                "openedAt": b.opened_at.isoformat(),
                "reason": b.reason,
                "review": b.review.value if b.review else None,
            }
            for b in mine.break_glass
        ],
        "rightsRequests": [
            {
                "id": str(r.id),
                "kind": r.kind.value,
                "subject": r.subject,
                "explanation": r.explanation,
                "filedAt": r.filed_at.isoformat(),
                "status": r.status.value,
                "decisionNote": r.decision_note,
            }
            for r in rights.requests
        ],
        "decisions": [
            {
                "id": str(d.id),
                "kind": d.kind.value,
                "outcome": d.outcome,
                "legalBasis": d.legal_basis,
                "decidedAt": d.decided_at.isoformat(),
                "madeKnownOn": d.made_known_on.isoformat(),
                "objectionUntil": d.objection_deadline.isoformat(),
                "responsible": d.responsible,
                "supersedes": str(d.supersedes) if d.supersedes else None,
                "model": {
                    "algorithm": d.model.algorithm,
                    "version": d.model.version,
                    "output": d.model.output,
                    "explanation": d.model.explanation,
                }
                if d.model
                else None,
                "questionsAndObjections": [
                    {
                        "kind": c.kind.value,
                        "text": c.grounds,
                        "filedAt": c.filed_at.isoformat(),
                        "status": c.status.value,
                        "outcome": c.outcome.value if c.outcome else None,
                        "reasons": c.reasons,
                        "decidedAt": _iso(c.decided_at),
                    }
                    for c in decided.of(d)
                ],
            }
            for d in decided.decisions
        ],
        "complaints": [
            {
                "id": str(c.id),
                "conduct": c.conduct,
                "occurredOn": _iso(c.occurred_on),
                "filedAt": c.filed_at.isoformat(),
                "handleBy": c.handle_by.isoformat(),
                "status": c.status.value,
                "hearing": c.hearing.value if c.hearing else None,
                "postponementReason": c.postponement_reason,
                "judgement": c.judgement.value if c.judgement else None,
                "findings": c.findings,
                "decidedAt": _iso(c.decided_at),
            }
            for c in complained
        ],
        "processingLog": [
            {
                "index": line.index,
                "at": line.started_at.isoformat(),
                "operation": line.operation,
                "outcome": line.outcome,
                "processingActivity": line.activity_uri,
                "who": line.actor_name,
                "roles": line.actor_roles,
                "team": line.actor_team,
                "attributeKeys": line.attribute_keys,
            }
            for line in log
        ],
    }


def _iso(moment: object) -> str | None:
    return moment.isoformat() if moment is not None else None  # type: ignore[attr-defined]


# Handling -------------------------------------------------------------------------------------


def about_data_of(store: Store, actor: User, person_id: UUID) -> list[RightsRequest]:
    """Open corrections and questions about a client's data items, for their case manager. None
    open: nothing is read, so nothing is logged."""
    with store.unit_of_work() as uow:
        if not uow.rights.has_open(person_id, ABOUT_DATA):
            return []
        in_caseload = uow.caseloads.is_active(actor.id, person_id, utcnow())
        permit = uow.authorize(
            AccessRequest(actor, Action.HANDLE_CORRECTION, person_id, in_caseload)
        )
        found = uow.rights.open_of(permit, person_id, ABOUT_DATA)
        uow.commit()
    return found


def decide_correction(
    store: Store,
    actor: User,
    request_id: UUID,
    *,
    corrected: JsonValue | None,
    note: str,
) -> RightsRequest:
    """Approve a correction by recording the corrected value (municipality, verified), or
    refuse it (`corrected` None) with a reason. Whoever received the old value is told."""
    now = utcnow()
    with store.unit_of_work() as uow:
        permit, request, in_caseload = _open_request(uow, actor, request_id, {RightKind.CORRECTION})
        person_id, kind = request.person_id, request.kind
        assert request.subject is not None
        text = check_explanation(note, "note")
        if corrected is not None:
            recording = uow.authorize(
                AccessRequest(actor, Action.RECORD_ATTRIBUTE, person_id, in_caseload)
            )
            new = NewValue(request.subject, corrected, Source.MUNICIPALITY, verified=True)
            definition = catalogue.definition(request.subject)
            value = check_new_value(definition, new, by_resident=False)
            provenance = Provenance(Source.MUNICIPALITY, actor.id, now, verified=True)
            uow.vault.record(recording, person_id, [(request.subject, value, provenance)])
            vault_service.tell_recipients(uow, recording, actor, person_id, request.subject)
        verdict = RightStatus.GRANTED if corrected is not None else RightStatus.REFUSED
        uow.rights.decide(permit, request_id, person_id, verdict, text, now)
        _tell_resident(uow, person_id, kind, now)
        uow.commit()
    return request


def _open_request(
    uow: UnitOfWork, actor: User, request_id: UUID, accepted: Collection[RightKind]
) -> tuple[Permit, RightsRequest, bool]:
    """The permit to handle an open request of one of the `accepted` kinds, the request, and
    whether the person is in the actor's caseload. A request about a data item is handled by
    the person's case manager or the privacy officer; a question about a line of the log by the
    privacy officer alone (GDPR art. 38(4)): the case manager may be the one who looked."""
    facts = uow.rights.facts(request_id)
    if facts is None:
        raise NotFound()
    person_id, found, status = facts
    if found is RightKind.ACCESS_QUESTION and found in accepted:
        in_caseload = False
        permit = uow.authorize(AccessRequest(actor, Action.HANDLE_RIGHTS, person_id))
    else:
        in_caseload = uow.caseloads.is_active(actor.id, person_id, utcnow())
        permit = uow.authorize(
            AccessRequest(actor, Action.HANDLE_CORRECTION, person_id, in_caseload)
        )
    if found not in accepted:
        wrong = NOT_A_CORRECTION if RightKind.CORRECTION in accepted else NOT_A_QUESTION
        raise InvalidInput(Problem("kind", wrong))
    if status is not RightStatus.OPEN:
        raise Conflict(DECIDED)
    request = uow.rights.get(permit, request_id)
    assert request is not None
    return permit, request, in_caseload


def answer_question(store: Store, actor: User, request_id: UUID, answer: str) -> RightsRequest:
    """Answer a resident's question: about a data item, their case manager or the privacy
    officer; about a line of their processing log, the privacy officer alone (GDPR art.
    38(4)), never the case manager, who may be the one the question is about."""
    now = utcnow()
    with store.unit_of_work() as uow:
        permit, request, _ = _open_request(
            uow, actor, request_id, {RightKind.QUESTION, RightKind.ACCESS_QUESTION}
        )
        person_id, kind = request.person_id, request.kind
        text = check_explanation(answer, "answer")
        uow.rights.decide(permit, request_id, person_id, RightStatus.ANSWERED, text, now)
        _tell_resident(uow, person_id, kind, now)
        uow.commit()
    return request


def _tell_resident(uow: UnitOfWork, person_id: UUID, kind: RightKind, now: datetime) -> None:
    resident = uow.accounts.of_person(person_id)
    if resident is not None:
        note = Notification(
            uuid4(), resident.id, Kind.RIGHTS_DECIDED, {"right": kind.value}, "/mijn-rechten"
        )
        uow.notifications.add([note], now)


def requests_to_handle(store: Store, actor: User) -> list[tuple[RightsRequest, str]]:
    """Open erasure and objection requests and questions, for the privacy officer, with client
    numbers. (A question about a data item is usually answered by the case manager; the privacy
    officer sees it too, for a person without one. A question about the log is theirs alone.)"""
    kinds = [
        RightKind.ERASURE,
        RightKind.OBJECTION,
        RightKind.QUESTION,
        RightKind.ACCESS_QUESTION,
    ]
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.HANDLE_RIGHTS))
        found = uow.rights.open_requests(permit, kinds)
        numbers = uow.persons.client_numbers(permit, [r.person_id for r in found])
        uow.commit()
    return [(r, numbers.get(r.person_id, "?")) for r in found]


def decide_request(
    store: Store, actor: User, request_id: UUID, *, grant: bool, note: str
) -> RightStatus:
    """The privacy officer decides on an erasure or objection.

    An upheld objection ends the grants for that purpose. A granted erasure destroys the
    person's data key (every value, the BSN, the story and every reason become unreadable),
    ends all grants, and asks every recipient to confirm they removed what they kept. Erasure
    is refused while a case under a legal duty is open: retention comes first (art. 17(3)(b)).
    """
    now = utcnow()
    with store.unit_of_work() as uow:
        facts = uow.rights.facts(request_id)
        if facts is None:
            raise NotFound()
        person_id, kind, status = facts
        permit = uow.authorize(AccessRequest(actor, Action.HANDLE_RIGHTS, person_id))
        if kind in ABOUT_DATA:
            raise InvalidInput(Problem("kind", ABOUT_DATA_ITEM))
        if kind is RightKind.ACCESS_QUESTION:
            raise InvalidInput(Problem("kind", ANSWER_IT))
        if status is not RightStatus.OPEN:
            raise Conflict(DECIDED)
        text = check_explanation(note, "note")
        request = uow.rights.get(permit, request_id)
        assert request is not None
        verdict = RightStatus.GRANTED if grant else RightStatus.REFUSED
        if grant and kind is RightKind.ERASURE:
            if _duty_still_running(uow, person_id, now):
                raise Conflict(STILL_NEEDED)
            # Decide first: the decision is stored unencrypted, the rest is shredded after.
            uow.rights.decide(permit, request_id, person_id, verdict, text, now)
            _erase(uow, actor, permit, person_id, request_id, now)
        else:
            if grant and request.subject:
                _end_grants(uow, permit, person_id, request.subject, now)
            uow.rights.decide(permit, request_id, person_id, verdict, text, now)
        _tell_resident(uow, person_id, kind, now)
        uow.commit()
    return verdict


def _duty_still_running(uow: UnitOfWork, person_id: UUID, now: datetime) -> bool:
    cases = uow.sharing.cases_of(person_id)
    return any(
        g.basis is Basis.DUTY
        and g.state(now) is GrantState.ACTIVE
        and g.case_id in cases
        and cases[g.case_id].open_at(now)
        for g in uow.sharing.grants_of(person_id)
    )


def _end_grants(
    uow: UnitOfWork, permit: Permit, person_id: UUID, purpose_code: str | None, now: datetime
) -> list[UUID]:
    """End the active grants (of one purpose, or all), as the privacy officer's decision."""
    ended = []
    for g in uow.sharing.grants_of(person_id, purpose_code):
        if g.state(now) is GrantState.ACTIVE:
            uow.sharing.end_grant(permit, g, now)
            ended.append(g.id)
    return ended


def _erase(
    uow: UnitOfWork,
    actor: User,
    permit: Permit,
    person_id: UUID,
    request_id: UUID,
    now: datetime,
) -> None:
    grants = uow.sharing.grants_of(person_id)
    recipients: dict[UUID, UUID | None] = {}
    for g in grants:
        for request in [g.request_id] if g.request_id else []:
            facts = uow.sharing.request_facts(request)
            if facts is not None:
                recipients.setdefault(facts[1], g.id)
    assignment = uow.caseloads.open_for_person(person_id)
    if assignment is not None:
        recipients.setdefault(assignment.case_manager_id, None)
    _end_grants(uow, permit, person_id, None, now)
    erasing = uow.authorize(AccessRequest(actor, Action.ERASE_PERSON, person_id))
    client = uow.persons.client_number(erasing, person_id)
    uow.persons.destroy_data_key(erasing, person_id, now)
    uow.rights.ask_confirmations(
        [ErasureConfirmation(request_id, r, g, now, None) for r, g in recipients.items()]
    )
    uow.notifications.add(
        [
            Notification(uuid4(), r, Kind.ERASURE_CONFIRM, {"client": client}, "/berichten")
            for r in sorted(recipients)
        ],
        now,
    )


def erasures_to_confirm(store: Store, actor: User) -> list[ErasureConfirmation]:
    with store.unit_of_work(write=False) as uow:
        return uow.rights.pending_confirmations_for(actor.id)


def confirm_erasure(store: Store, actor: User, request_id: UUID) -> None:
    """A recipient confirms they removed what they kept of an erased person."""
    with store.unit_of_work() as uow:
        if not uow.rights.confirm(request_id, actor.id, utcnow()):
            raise NotFound()
        uow.commit()

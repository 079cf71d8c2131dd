"""Decisions and contesting them: record, show, question, object, review, supersede, watch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple
from uuid import UUID, uuid4

from datameent.domain import deadlines
from datameent.domain.accounts import ROLE_LABELS, Role, User
from datameent.domain.decisions import (
    Attachment,
    Contestation,
    ContestKind,
    ContestStatus,
    Decision,
    DecisionKind,
    ModelSupport,
    Outcome,
    check_attachment,
    check_attachment_count,
    check_contest,
    check_decision,
    safe_filename,
)
from datameent.domain.notifications import Kind, Notification
from datameent.domain.policy import AccessRequest, Action, Permit, allows
from datameent.domain.policy import may_review as _may_review
from datameent.domain.text import Text
from datameent.errors import Conflict, InvalidInput, NotFound, Problem
from datameent.services.clock import today, utcnow
from datameent.services.vault import authorize_access
from datameent.store.uow import Store, UnitOfWork

NOT_READABLE = Text(
    "U kunt een besluit alleen baseren op gegevens die u voor dit doel mag zien.",
    "A decision can only rest on data you may see for this purpose.",
)
UNREGISTERED = Text(
    "Dit algoritme staat niet in het algoritmeregister. Een besluit kan alleen steunen op een "
    "geregistreerd algoritme.",
    "This algorithm is not in the algorithm register. A decision can only rest on a registered "
    "algorithm.",
)
ALREADY_DECIDED = Text("Hierover is al beslist.", "This has already been decided.")
ALREADY_EXTENDED = Text(
    "De beslistermijn is al een keer verlengd; dat kan maar één keer.",
    "The decision period was already extended; that can be done only once.",
)
NEW_OUTCOME = Text(
    "Schrijf het nieuwe besluit: wat verandert er?", "Write the new decision: what changes?"
)
REASONS = Text("Schrijf de redenen op.", "Write down the reasons.")
NOT_A_QUESTION = Text("Dit is geen vraag.", "This is not a question.")
NOT_AN_OBJECTION = Text("Dit is geen bezwaar.", "This is not an objection.")
NOT_IN_REVIEW = Text(
    "Niemand behandelt dit bezwaar nu; er is niets vrij te geven.",
    "Nobody is reviewing this objection now; there is nothing to release.",
)


@dataclass(frozen=True)
class NewFile:
    filename: str
    content_type: str
    content: bytes


def responsible(actor: User) -> str:
    """The responsible role and department a decision by `actor` names: "Klantmanager, Team 1"."""
    roles = sorted(ROLE_LABELS[r].nl for r in actor.roles if r in ROLE_LABELS)
    return ", ".join([*roles, actor.team or "gemeente"])


# Recording ------------------------------------------------------------------------------------


def record_decision(
    store: Store,
    actor: User,
    person_id: UUID,
    *,
    kind: DecisionKind,
    outcome: str,
    legal_basis: str,
    made_known_on: date,
    purpose: str,
    relied_on: list[UUID],
    model: ModelSupport | None = None,
) -> Decision:
    """A case manager records a decision about a client. It may rest only on attribute versions
    the case manager can see for the named purpose; the resident is told, with the last day to
    object."""
    now = utcnow()
    with store.unit_of_work() as uow:
        in_caseload = uow.caseloads.is_active(actor.id, person_id, now)
        permit = uow.authorize(
            AccessRequest(actor, Action.RECORD_DECISION, person_id, in_caseload, purpose=purpose)
        )
        if uow.persons.get(person_id) is None:
            raise NotFound()
        check_decision(outcome, legal_basis, made_known_on, today(now))
        if model is not None and not uow.registers.exists(model.algorithm):
            raise InvalidInput(Problem("model.algorithm", UNREGISTERED))
        if relied_on:
            # The data a decision rests on must be data the decider may see for the purpose.
            reading = authorize_access(uow, actor, Action.READ_VAULT, person_id, purpose)
            keys = uow.vault.keys_of_versions(person_id, relied_on)
            scope = reading.scope
            if len(keys) != len(set(relied_on)) or (
                scope is not None and not set(keys.values()) <= scope
            ):
                raise InvalidInput(Problem("reliedOn", NOT_READABLE))
            uow.log.touch(reading, person_id, set(keys.values()))
        case = next(
            (
                c.id
                for c in uow.sharing.cases_of(person_id).values()
                if c.purpose_code == purpose and c.open_at(now)
            ),
            None,
        )
        decision = Decision(
            uuid4(),
            person_id,
            case,
            kind,
            outcome.strip(),
            legal_basis.strip(),
            actor.id,
            now,
            made_known_on,
            responsible(actor),
            uow.activity_uri("besluiten-en-bezwaar"),
            tuple(sorted(set(relied_on))),
            model,
        )
        uow.decisions.add(permit, decision)
        _tell_resident(uow, decision)
        uow.commit()
    return decision


def _tell_resident(uow: UnitOfWork, decision: Decision) -> None:
    resident = uow.accounts.of_person(decision.person_id)
    if resident is not None:
        note = Notification(
            uuid4(),
            resident.id,
            Kind.DECISION_NEW,
            {"until": decision.objection_deadline.isoformat()},
            f"/mijn-besluiten#besluit-{decision.id}",
        )
        uow.notifications.add([note], utcnow())


# Reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionFile:
    decisions: list[Decision]
    contestations: list[Contestation]
    deciders: dict[UUID, User]
    today: date
    relied_on: dict[UUID, list[str]] = field(default_factory=dict)
    """Per decision, which attributes the versions it rested on are (keys, no values)."""

    def of(self, decision: Decision) -> list[Contestation]:
        return [c for c in self.contestations if c.decision_id == decision.id]

    def superseded_by(self, decision: Decision) -> Decision | None:
        return next((d for d in self.decisions if d.supersedes == decision.id), None)


def decisions_of(store: Store, actor: User, person_id: UUID) -> DecisionFile:
    """The decisions about a person with their questions and objections: for the resident and
    for their case manager."""
    with store.unit_of_work() as uow:
        in_caseload = uow.caseloads.is_active(actor.id, person_id, utcnow())
        permit = uow.authorize(AccessRequest(actor, Action.READ_DECISIONS, person_id, in_caseload))
        found = uow.decisions.of_person(permit, person_id)
        contests = uow.decisions.contestations_of(permit, person_id)
        deciders = uow.accounts.many(
            [d.decided_by for d in found] + [c.reviewer_id for c in contests if c.reviewer_id]
        )
        keys = uow.vault.keys_of_versions(person_id, (v for d in found for v in d.relied_on))
        uow.commit()
    relied_on = {d.id: [keys[v] for v in d.relied_on if v in keys] for d in found}
    return DecisionFile(found, contests, deciders, today(), relied_on)


def my_decisions(store: Store, actor: User) -> DecisionFile:
    return decisions_of(store, actor, actor.own_person_id())


# Contesting -----------------------------------------------------------------------------------


class Filed(NamedTuple):
    contestation: Contestation
    made_known_on: date
    """When the decision contested was made known: the objection's deadlines run from it."""


def contest(
    store: Store,
    actor: User,
    decision_id: UUID,
    kind: ContestKind,
    text: str,
    *,
    late_reason: str = "",
    files: list[NewFile] | None = None,
) -> Filed:
    """The resident asks a question about a decision or objects to it (bezwaar). An objection
    after the period is accepted only with a reason for the lateness, and marked late."""
    person_id = actor.own_person_id()
    now = utcnow()
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.CONTEST, person_id))
        facts = uow.decisions.facts(decision_id)
        if facts is None:
            raise NotFound()
        if facts[0] != person_id:
            attempt = AccessRequest(actor, Action.CONTEST, facts[0])
            raise uow.log_denied(attempt, "the decision is about someone else")
        made_known_on = facts[2]
        late = kind is ContestKind.OBJECTION and deadlines.is_late(today(now), made_known_on)
        grounds, reason = check_contest(kind, text, late, late_reason)
        attachments = _checked_files(files or [])
        item = Contestation(
            uuid4(),
            decision_id,
            person_id,
            kind,
            grounds,
            now,
            ContestStatus.RECEIVED,
            late,
            reason or None,
            attachments=tuple(a for a, _ in attachments),
        )
        uow.decisions.add_contestation(permit, item, attachments)
        _tell_staff(uow, permit, person_id, facts[1])
        uow.commit()
    return Filed(item, made_known_on)


def _checked_files(files: list[NewFile]) -> list[tuple[Attachment, bytes]]:
    check_attachment_count(len(files))
    checked = []
    problems: list[Problem] = []
    for n, f in enumerate(files):
        try:
            kind = check_attachment(f.filename, f.content_type, f.content, f"attachments[{n}]")
        except InvalidInput as error:
            problems.extend(error.problems)
            continue
        checked.append(
            (Attachment(uuid4(), safe_filename(f.filename), kind, len(f.content)), f.content)
        )
    if problems:
        raise InvalidInput(*problems)
    return checked


def _tell_staff(uow: UnitOfWork, permit: Permit, person_id: UUID, decider: UUID) -> None:
    """The decider, and the team leads of the decider's team (who find a reviewer)."""
    client = uow.persons.client_number(permit, person_id)
    recipients = {decider}
    decider_user = uow.accounts.get(decider)
    if decider_user is not None and decider_user.team:
        recipients |= {u.id for u in uow.accounts.by_role(Role.TEAM_LEAD, decider_user.team)}
    uow.notifications.add(
        [
            Notification(uuid4(), r, Kind.CONTEST_FILED, {"client": client}, "/bezwaren")
            for r in sorted(recipients)
        ],
        utcnow(),
    )


# Reviewing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WatchedObjection:
    id: UUID
    client_number: str
    filed_at: datetime
    decide_by: date
    extended: bool
    reviewer: UUID | None
    decider: UUID
    person_id: UUID

    def overdue(self, today: date) -> bool:
        return today > self.decide_by

    def near(self, today: date) -> bool:
        return not self.overdue(today) and self.decide_by - today <= deadlines.NEAR


def deadline_watch(store: Store, actor: User) -> list[WatchedObjection]:
    """Every open objection with its decision deadline (Awb 7:10), oldest first: for team leads
    and the privacy officer. Client numbers and dates only."""
    with store.unit_of_work() as uow:
        permit = uow.authorize(AccessRequest(actor, Action.VIEW_DEADLINES))
        rows = uow.decisions.open_objections()
        numbers = uow.persons.client_numbers(permit, [r[1] for r in rows])
        for row in rows:
            uow.log.touch(permit, row[1], {"decision.objection"})
        uow.commit()
    watched = [
        WatchedObjection(
            cid,
            numbers.get(person, "?"),
            filed,
            deadlines.decision_deadline(known, extended=extended),
            extended,
            reviewer,
            decider,
            person,
        )
        for cid, person, decider, known, filed, extended, reviewer in rows
    ]
    return sorted(watched, key=lambda w: w.decide_by)


def _review_permit(
    uow: UnitOfWork, actor: User, contest_id: UUID, *, take: bool = True
) -> tuple[Permit, Contestation]:
    """The permit to review an objection: never for its decider, and once a reviewer has taken
    it, for that reviewer only. With `take`, an objection nobody has taken becomes the actor's."""
    facts = uow.decisions.contest_facts(contest_id)
    if facts is None:
        raise NotFound()
    decision_facts = uow.decisions.facts(facts.decision_id)
    assert decision_facts is not None
    permit = uow.authorize(
        AccessRequest(
            actor,
            Action.REVIEW_OBJECTION,
            facts.person_id,
            decided_by=decision_facts[1],
            reviewer=facts.reviewer_id,
        )
    )
    if take and facts.reviewer_id is None and facts.status is ContestStatus.RECEIVED:
        uow.decisions.take_in_review(permit, contest_id, facts.person_id)
    item = uow.decisions.contestation(permit, contest_id)
    assert item is not None
    return permit, item


def for_review(store: Store, actor: User, contest_id: UUID) -> tuple[Contestation, Decision]:
    """An objection and the decision it is about, for an independent reviewer (Awb 7:5)."""
    with store.unit_of_work() as uow:
        permit, item = _review_permit(uow, actor, contest_id)
        decision = uow.decisions.get(permit, item.decision_id)
        assert decision is not None
        uow.commit()
    return item, decision


def extend_review(store: Store, actor: User, contest_id: UUID, reason: str) -> None:
    """Extend the decision period once, by six weeks, with a stated reason (Awb 7:10 lid 3)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(Problem("reason", REASONS))
    with store.unit_of_work() as uow:
        permit, item = _review_permit(uow, actor, contest_id)
        if item.status is ContestStatus.DECIDED:
            raise Conflict(ALREADY_DECIDED)
        if item.extended:
            raise Conflict(ALREADY_EXTENDED)
        uow.decisions.extend(permit, contest_id, item.person_id, reason[:1000])
        uow.commit()


def may_review(actor: User, watched: WatchedObjection) -> bool:
    """Whether to link `actor` to the review of `watched` (opening it asks the policy, and is
    logged): not the privacy officer, who watches the deadlines; not its decider; not when a
    colleague has taken it."""
    return _may_review(actor, watched.decider, watched.reviewer)


def may_release(actor: User) -> bool:
    """Whether to offer `actor` the button that releases a review (the release asks again)."""
    return allows(actor, Action.RELEASE_REVIEW)


def release_review(store: Store, actor: User, contest_id: UUID) -> None:
    """A team lead hands an objection in review back to the queue (its reviewer is away, or
    turns out to have been involved); the next reviewer to open it takes it."""
    with store.unit_of_work() as uow:
        facts = uow.decisions.contest_facts(contest_id)
        if facts is None:
            raise NotFound()
        permit = uow.authorize(AccessRequest(actor, Action.RELEASE_REVIEW, facts.person_id))
        if facts.status is not ContestStatus.IN_REVIEW:
            raise Conflict(NOT_IN_REVIEW)
        uow.decisions.release(permit, contest_id, facts.person_id)
        uow.commit()


def decide_objection(
    store: Store,
    actor: User,
    contest_id: UUID,
    outcome: Outcome,
    reasons: str,
    *,
    new_outcome: str = "",
) -> Contestation:
    """Decide on an objection, by someone other than the decider. Upheld (fully or partly), a
    new decision supersedes the old one; both stay visible."""
    reasons = reasons.strip()
    if not reasons:
        raise InvalidInput(Problem("reasons", REASONS))
    now = utcnow()
    with store.unit_of_work() as uow:
        permit, item = _review_permit(uow, actor, contest_id)
        if item.kind is not ContestKind.OBJECTION:
            raise InvalidInput(Problem("kind", NOT_AN_OBJECTION))
        if item.status is ContestStatus.DECIDED:
            raise Conflict(ALREADY_DECIDED)
        old = uow.decisions.get(permit, item.decision_id)
        assert old is not None
        new_id = None
        if outcome is not Outcome.REJECTED:
            if not new_outcome.strip():
                raise InvalidInput(Problem("newOutcome", NEW_OUTCOME))
            new = Decision(
                uuid4(),
                old.person_id,
                old.case_id,
                old.kind,
                new_outcome.strip(),
                old.legal_basis,
                actor.id,
                now,
                today(now),
                responsible(actor),
                old.activity_uri,
                old.relied_on,
                None,
                old.id,
            )
            uow.decisions.add(permit, new)
            new_id = new.id
        uow.decisions.conclude(
            permit,
            item,
            ContestStatus.DECIDED,
            outcome,
            reasons,
            now,
            new_id,
        )
        _tell_resident_answered(uow, item.person_id)
        uow.commit()
    return item


def _tell_resident_answered(uow: UnitOfWork, person_id: UUID) -> None:
    resident = uow.accounts.of_person(person_id)
    if resident is not None:
        note = Notification(uuid4(), resident.id, Kind.CONTEST_DECIDED, {}, "/mijn-besluiten")
        uow.notifications.add([note], utcnow())


def answer_question(store: Store, actor: User, contest_id: UUID, answer: str) -> None:
    """The resident's case manager (or a reviewer) answers a question about a decision."""
    answer = answer.strip()
    if not answer:
        raise InvalidInput(Problem("answer", REASONS))
    now = utcnow()
    with store.unit_of_work() as uow:
        facts = uow.decisions.contest_facts(contest_id)
        if facts is None:
            raise NotFound()
        person_id, status = facts.person_id, facts.status
        in_caseload = uow.caseloads.is_active(actor.id, person_id, now)
        permit = uow.authorize(AccessRequest(actor, Action.RECORD_DECISION, person_id, in_caseload))
        item = uow.decisions.contestation(permit, contest_id)
        assert item is not None
        if item.kind is not ContestKind.QUESTION:
            raise InvalidInput(Problem("kind", NOT_A_QUESTION))
        if status is ContestStatus.ANSWERED:
            raise Conflict(ALREADY_DECIDED)
        uow.decisions.conclude(permit, item, ContestStatus.ANSWERED, None, answer, now, None)
        _tell_resident_answered(uow, person_id)
        uow.commit()


def attachment(store: Store, actor: User, attachment_id: UUID) -> tuple[Attachment, bytes]:
    """A file sent with an objection: for the resident who sent it, or for a reviewer who may
    review that objection (never the decider)."""
    with store.unit_of_work() as uow:
        contest_id = uow.decisions.attachment_contest(attachment_id)
        if contest_id is None:
            raise NotFound()
        if actor.person_id is not None:
            permit = uow.authorize(AccessRequest(actor, Action.READ_DECISIONS, actor.person_id))
            facts = uow.decisions.contest_facts(contest_id)
            if facts is not None and facts.person_id != actor.person_id:
                attempt = AccessRequest(actor, Action.READ_DECISIONS, facts.person_id)
                raise uow.log_denied(attempt, "the attachment is someone else's")
        else:
            permit, _ = _review_permit(uow, actor, contest_id, take=False)
        found = uow.decisions.attachment(permit, attachment_id)
        if found is None:
            raise NotFound()
        uow.commit()
    return found

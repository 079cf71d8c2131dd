"""Decisions and contestations. The decider's words, the resident's grounds, the reviewer's
reasons and attachments are encrypted with the person's key; dates, kinds and statuses are not,
so deadlines can be watched without reading anyone's data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from datameent.domain.decisions import (
    Attachment,
    Contestation,
    ContestKind,
    ContestStatus,
    Decision,
    DecisionKind,
    ModelSupport,
    Outcome,
)
from datameent.domain.policy import Action, Permit
from datameent.errors import DataErased
from datameent.store.crypto import DataKey
from datameent.store.persons import PersonRepository
from datameent.store.processing_log import ProcessingLog
from datameent.store.tables import contest_attachments as ca
from datameent.store.tables import contestations as ct
from datameent.store.tables import decision_values as dv
from datameent.store.tables import decisions as dc

_RECORD = frozenset({Action.RECORD_DECISION, Action.REVIEW_OBJECTION})
_READ = frozenset(
    {
        Action.READ_DECISIONS,
        Action.RECORD_DECISION,
        Action.CONTEST,
        Action.REVIEW_OBJECTION,
        Action.EXPORT,
    }
)
_CONTEST = frozenset({Action.CONTEST})
_REVIEW = frozenset({Action.REVIEW_OBJECTION})
_RELEASE = frozenset({Action.RELEASE_REVIEW})


class ContestFacts(NamedTuple):
    """What the policy needs to know about a contestation, read without opening it."""

    person_id: UUID
    decision_id: UUID
    status: ContestStatus
    reviewer_id: UUID | None


def _open(key: DataKey | None, blob: bytes | None, context: str) -> str | None:
    if key is None or blob is None:
        return None
    return key.decrypt(blob, context).decode()


class DecisionRepository:
    def __init__(
        self, connection: Connection, persons: PersonRepository, log: ProcessingLog
    ) -> None:
        self._db = connection
        self._persons = persons
        self._log = log

    def _key(self, person_id: UUID) -> DataKey | None:
        try:
            return self._persons.data_key(person_id)
        except DataErased:
            return None

    # Decisions --------------------------------------------------------------------------------

    def add(self, permit: Permit, decision: Decision) -> None:
        self._log.check(permit, _RECORD, decision.person_id)
        self._log.touch(permit, decision.person_id, {"decision"})
        key = self._persons.data_key(decision.person_id)
        context = f"decision|{decision.id}"
        model = decision.model
        self._db.execute(
            dc.insert().values(
                id=decision.id,
                person_id=decision.person_id,
                case_id=decision.case_id,
                kind=decision.kind.value,
                outcome=key.encrypt(decision.outcome.encode(), context + "|outcome"),
                legal_basis=decision.legal_basis,
                decided_by=decision.decided_by,
                decided_at=decision.decided_at,
                made_known_on=decision.made_known_on,
                responsible=decision.responsible,
                activity_uri=decision.activity_uri,
                algorithm=model.algorithm if model else None,
                model_version=model.version if model else None,
                model_output=key.encrypt(model.output.encode(), context + "|output")
                if model
                else None,
                model_explanation=key.encrypt(model.explanation.encode(), context + "|why")
                if model
                else None,
                supersedes=decision.supersedes,
            )
        )
        if decision.relied_on:
            self._db.execute(
                dv.insert(),
                [{"decision_id": decision.id, "value_id": v} for v in decision.relied_on],
            )

    def facts(self, decision_id: UUID) -> tuple[UUID, UUID, date] | None:
        """(person, decider, made known on) of a decision: what the policy needs first."""
        row = self._db.execute(
            select(dc.c.person_id, dc.c.decided_by, dc.c.made_known_on).where(
                dc.c.id == decision_id
            )
        ).first()
        return (row.person_id, row.decided_by, row.made_known_on) if row else None

    def of_person(self, permit: Permit, person_id: UUID) -> list[Decision]:
        self._log.check(permit, _READ, person_id)
        rows = self._db.execute(
            select(dc).where(dc.c.person_id == person_id).order_by(dc.c.decided_at.desc())
        ).all()
        return self._load(permit, rows)

    def get(self, permit: Permit, decision_id: UUID) -> Decision | None:
        row = self._db.execute(select(dc).where(dc.c.id == decision_id)).first()
        if row is None:
            return None
        self._log.check(permit, _READ, row.person_id)
        return self._load(permit, [row])[0]

    def _load(self, permit: Permit, rows: Sequence[Any]) -> list[Decision]:
        relied: dict[UUID, list[UUID]] = defaultdict(list)
        ids = [r.id for r in rows]
        if ids:
            for decision_id, value_id in self._db.execute(
                select(dv.c.decision_id, dv.c.value_id).where(dv.c.decision_id.in_(ids))
            ):
                relied[decision_id].append(value_id)
        found = []
        for r in rows:
            self._log.touch(permit, r.person_id, {"decision"})
            key = self._key(r.person_id)
            context = f"decision|{r.id}"
            model = None
            if r.algorithm:
                model = ModelSupport(
                    r.algorithm,
                    r.model_version or "",
                    _open(key, r.model_output, context + "|output") or "",
                    _open(key, r.model_explanation, context + "|why") or "",
                )
            found.append(
                Decision(
                    r.id,
                    r.person_id,
                    r.case_id,
                    DecisionKind(r.kind),
                    _open(key, r.outcome, context + "|outcome") or "",
                    r.legal_basis,
                    r.decided_by,
                    r.decided_at,
                    r.made_known_on,
                    r.responsible,
                    r.activity_uri,
                    tuple(sorted(relied[r.id])),
                    model,
                    r.supersedes,
                )
            )
        return found

    def decisions_using(self, value_ids: Sequence[UUID]) -> dict[UUID, list[date]]:
        """Which decisions rested on these attribute versions: value id -> the days those
        decisions were made known (no content is read)."""
        if not value_ids:
            return {}
        using: dict[UUID, list[date]] = defaultdict(list)
        for made_known_on, value_id in self._db.execute(
            select(dc.c.made_known_on, dv.c.value_id)
            .join(dc, dc.c.id == dv.c.decision_id)
            .where(dv.c.value_id.in_(list(value_ids)))
            .order_by(dc.c.made_known_on)
        ):
            using[value_id].append(made_known_on)
        return dict(using)

    # Contestations ----------------------------------------------------------------------------

    def add_contestation(
        self,
        permit: Permit,
        item: Contestation,
        files: Sequence[tuple[Attachment, bytes]],
    ) -> None:
        self._log.check(permit, _CONTEST, item.person_id)
        self._log.touch(permit, item.person_id, {f"decision.{item.kind}"})
        key = self._persons.data_key(item.person_id)
        context = f"contest|{item.id}"
        assert item.grounds is not None
        self._db.execute(
            ct.insert().values(
                id=item.id,
                decision_id=item.decision_id,
                person_id=item.person_id,
                kind=item.kind.value,
                grounds=key.encrypt(item.grounds.encode(), context + "|grounds"),
                filed_at=item.filed_at,
                status=item.status.value,
                late=item.late,
                late_reason=key.encrypt(item.late_reason.encode(), context + "|late")
                if item.late_reason
                else None,
                extended=False,
            )
        )
        for attachment, content in files:
            actx = f"attachment|{attachment.id}"
            self._db.execute(
                ca.insert().values(
                    id=attachment.id,
                    contestation_id=item.id,
                    filename=key.encrypt(attachment.filename.encode(), actx + "|name"),
                    content_type=attachment.content_type,
                    size=attachment.size,
                    content=key.encrypt(content, actx + "|content"),
                )
            )

    def contest_facts(self, contest_id: UUID) -> ContestFacts | None:
        row = self._db.execute(
            select(ct.c.person_id, ct.c.decision_id, ct.c.status, ct.c.reviewer_id).where(
                ct.c.id == contest_id
            )
        ).first()
        if row is None:
            return None
        return ContestFacts(
            row.person_id, row.decision_id, ContestStatus(row.status), row.reviewer_id
        )

    def contestations_of(self, permit: Permit, person_id: UUID) -> list[Contestation]:
        self._log.check(permit, _READ, person_id)
        rows = self._db.execute(
            select(ct).where(ct.c.person_id == person_id).order_by(ct.c.filed_at.desc())
        ).all()
        return self._load_contestations(permit, rows)

    def contestation(self, permit: Permit, contest_id: UUID) -> Contestation | None:
        row = self._db.execute(select(ct).where(ct.c.id == contest_id)).first()
        if row is None:
            return None
        self._log.check(permit, _READ, row.person_id)
        return self._load_contestations(permit, [row])[0]

    def _load_contestations(self, permit: Permit, rows: Sequence[Any]) -> list[Contestation]:
        files: dict[UUID, list[Attachment]] = defaultdict(list)
        ids = [r.id for r in rows]
        keys = {r.person_id: self._key(r.person_id) for r in rows}
        person_of = {r.id: r.person_id for r in rows}
        if ids:
            for a in self._db.execute(
                select(ca.c.id, ca.c.contestation_id, ca.c.filename, ca.c.content_type, ca.c.size)
                .where(ca.c.contestation_id.in_(ids))
                .order_by(ca.c.id)
            ):
                name = _open(
                    keys[person_of[a.contestation_id]], a.filename, f"attachment|{a.id}|name"
                )
                files[a.contestation_id].append(
                    Attachment(a.id, name or "", a.content_type, a.size)
                )
        found = []
        for r in rows:
            self._log.touch(permit, r.person_id, {f"decision.{r.kind}"})
            key = keys[r.person_id]
            context = f"contest|{r.id}"
            found.append(
                Contestation(
                    r.id,
                    r.decision_id,
                    r.person_id,
                    ContestKind(r.kind),
                    _open(key, r.grounds, context + "|grounds"),
                    r.filed_at,
                    ContestStatus(r.status),
                    r.late,
                    _open(key, r.late_reason, context + "|late"),
                    r.reviewer_id,
                    Outcome(r.outcome) if r.outcome else None,
                    _open(key, r.reasons, context + "|reasons"),
                    r.decided_at,
                    r.extended,
                    r.extension_reason,
                    r.new_decision_id,
                    tuple(files[r.id]),
                )
            )
        return found

    def attachment_contest(self, attachment_id: UUID) -> UUID | None:
        """The contestation an attachment belongs to (nothing is read)."""
        found: UUID | None = self._db.scalar(
            select(ca.c.contestation_id).where(ca.c.id == attachment_id)
        )
        return found

    def attachment(self, permit: Permit, attachment_id: UUID) -> tuple[Attachment, bytes] | None:
        row = self._db.execute(
            select(ca, ct.c.person_id)
            .join(ct, ct.c.id == ca.c.contestation_id)
            .where(ca.c.id == attachment_id)
        ).first()
        if row is None:
            return None
        self._log.check(permit, _READ, row.person_id)
        self._log.touch(permit, row.person_id, {"decision.attachment"})
        key = self._persons.data_key(row.person_id)
        actx = f"attachment|{row.id}"
        name = key.decrypt(row.filename, actx + "|name").decode()
        content = key.decrypt(row.content, actx + "|content")
        return Attachment(row.id, name, row.content_type, row.size), content

    def open_objections(self) -> list[tuple[UUID, UUID, UUID, date, datetime, bool, UUID | None]]:
        """Every objection not decided yet, without content: (id, person, decider, made known
        on, filed at, extended, reviewer). For the queue and the deadline watch."""
        rows = self._db.execute(
            select(
                ct.c.id,
                ct.c.person_id,
                dc.c.decided_by,
                dc.c.made_known_on,
                ct.c.filed_at,
                ct.c.extended,
                ct.c.reviewer_id,
            )
            .join(dc, dc.c.id == ct.c.decision_id)
            .where(
                ct.c.kind == ContestKind.OBJECTION.value,
                ct.c.status != ContestStatus.DECIDED.value,
            )
            .order_by(ct.c.filed_at)
        )
        return [tuple(r) for r in rows]

    def take_in_review(self, permit: Permit, contest_id: UUID, person_id: UUID) -> None:
        self._log.check(permit, _REVIEW, person_id)
        self._db.execute(
            update(ct)
            .where(ct.c.id == contest_id, ct.c.status == ContestStatus.RECEIVED.value)
            .values(status=ContestStatus.IN_REVIEW.value, reviewer_id=permit.actor_id)
        )

    def release(self, permit: Permit, contest_id: UUID, person_id: UUID) -> None:
        """Hand an objection in review back to the queue: the next reviewer to open it takes it."""
        self._log.check(permit, _RELEASE, person_id)
        self._log.touch(permit, person_id, {"decision.objection"})
        self._db.execute(
            update(ct)
            .where(ct.c.id == contest_id, ct.c.status == ContestStatus.IN_REVIEW.value)
            .values(status=ContestStatus.RECEIVED.value, reviewer_id=None)
        )

    def extend(self, permit: Permit, contest_id: UUID, person_id: UUID, reason: str) -> None:
        self._log.check(permit, _REVIEW, person_id)
        self._db.execute(
            update(ct).where(ct.c.id == contest_id).values(extended=True, extension_reason=reason)
        )

    def conclude(
        self,
        permit: Permit,
        item: Contestation,
        status: ContestStatus,
        outcome: Outcome | None,
        reasons: str,
        at: datetime,
        new_decision: UUID | None,
    ) -> None:
        self._log.check(permit, _RECORD, item.person_id)
        self._log.touch(permit, item.person_id, {f"decision.{item.kind}"})
        key = self._persons.data_key(item.person_id)
        self._db.execute(
            update(ct)
            .where(ct.c.id == item.id)
            .values(
                status=status.value,
                reviewer_id=permit.actor_id,
                outcome=outcome.value if outcome else None,
                reasons=key.encrypt(reasons.encode(), f"contest|{item.id}|reasons"),
                decided_at=at,
                new_decision_id=new_decision,
            )
        )

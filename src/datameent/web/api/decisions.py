"""Decisions, questions and objections over the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Form, Response, UploadFile
from pydantic import Field

from datameent.domain.decisions import (
    MAX_ATTACHMENT,
    Contestation,
    ContestKind,
    Decision,
    DecisionKind,
    ModelSupport,
    Outcome,
)
from datameent.services import decisions
from datameent.services.clock import today
from datameent.web.api.schemas import Input, Schema
from datameent.web.deps import ApiUser, StoreDep, run

router = APIRouter(tags=["decisions"])


class ModelIn(Input):
    algorithm: str = Field(max_length=64, description="The algorithm-register entry.")
    version: str = Field(max_length=64)
    output: str = Field(max_length=2000)
    explanation: str = Field(max_length=4000)


class DecisionIn(Input):
    kind: DecisionKind
    outcome: str = Field(max_length=4000)
    legal_basis: str = Field(max_length=300)
    made_known_on: date
    purpose: str = Field(max_length=64, description="The purpose whose grants the data rests on.")
    relied_on: list[UUID] = Field(default_factory=list, max_length=100)
    model: ModelIn | None = None


class AttachmentOut(Schema):
    id: UUID
    filename: str
    content_type: str
    size: int


class ContestationOut(Schema):
    id: UUID
    decision_id: UUID
    kind: str
    grounds: str | None
    filed_at: datetime
    status: str
    late: bool
    late_reason: str | None
    outcome: str | None
    reasons: str | None
    decided_at: datetime | None
    extended: bool
    decide_by: date | None = Field(
        description="Objections: the Awb 7:10 deadline (in the list of decisions)."
    )
    new_decision_id: UUID | None
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, c: Contestation, made_known_on: date | None) -> ContestationOut:
        return cls(
            id=c.id,
            decision_id=c.decision_id,
            kind=c.kind.value,
            grounds=c.grounds,
            filed_at=c.filed_at,
            status=c.status.value,
            late=c.late,
            late_reason=c.late_reason,
            outcome=c.outcome.value if c.outcome else None,
            reasons=c.reasons,
            decided_at=c.decided_at,
            extended=c.extended,
            decide_by=c.decide_by(made_known_on)
            if c.kind is ContestKind.OBJECTION and made_known_on
            else None,
            new_decision_id=c.new_decision_id,
            attachments=[
                AttachmentOut(
                    id=a.id, filename=a.filename, content_type=a.content_type, size=a.size
                )
                for a in c.attachments
            ],
        )


class DecisionOut(Schema):
    id: UUID
    kind: str
    outcome: str
    legal_basis: str
    decided_by: UUID
    decided_at: datetime
    made_known_on: date
    objection_deadline: date
    responsible: str
    processing_activity: str
    relied_on: list[UUID]
    algorithm: str | None
    model_version: str | None
    model_output: str | None
    model_explanation: str | None
    supersedes: UUID | None
    superseded_by: UUID | None
    contestations: list[ContestationOut]

    @classmethod
    def of(cls, d: Decision, file: decisions.DecisionFile) -> DecisionOut:
        later = file.superseded_by(d)
        return cls(
            id=d.id,
            kind=d.kind.value,
            outcome=d.outcome,
            legal_basis=d.legal_basis,
            decided_by=d.decided_by,
            decided_at=d.decided_at,
            made_known_on=d.made_known_on,
            objection_deadline=d.objection_deadline,
            responsible=d.responsible,
            processing_activity=d.activity_uri,
            relied_on=list(d.relied_on),
            algorithm=d.model.algorithm if d.model else None,
            model_version=d.model.version if d.model else None,
            model_output=d.model.output if d.model else None,
            model_explanation=d.model.explanation if d.model else None,
            supersedes=d.supersedes,
            superseded_by=later.id if later else None,
            contestations=[ContestationOut.of(c, d.made_known_on) for c in file.of(d)],
        )


class ReviewIn(Input):
    outcome: Outcome
    reasons: str = Field(max_length=4000)
    new_outcome: str = Field(default="", max_length=4000, description="Upheld: the new decision.")


class ReasonIn(Input):
    reason: str = Field(max_length=1000)


class AnswerIn(Input):
    answer: str = Field(max_length=4000)


class WatchOut(Schema):
    id: UUID
    client_number: str
    filed_at: datetime
    decide_by: date
    extended: bool
    overdue: bool
    near: bool
    in_review: bool = Field(description="A reviewer has taken it; only they may decide it.")
    mine: bool = Field(description="You are the reviewer who took it.")


@router.post(
    "/persons/{person_id}/decisions",
    status_code=201,
    response_model=DecisionOut,
    response_model_by_alias=True,
)
async def record_decision(
    person_id: UUID, body: DecisionIn, user: ApiUser, store: StoreDep
) -> DecisionOut:
    """Record a decision about a client. `reliedOn` names attribute versions (value ids) the
    decider may read for `purpose`; the resident is told, with the last day to object."""
    model = (
        ModelSupport(
            body.model.algorithm, body.model.version, body.model.output, body.model.explanation
        )
        if body.model
        else None
    )
    decision = await run(
        store,
        decisions.record_decision,
        store,
        user,
        person_id,
        kind=body.kind,
        outcome=body.outcome,
        legal_basis=body.legal_basis,
        made_known_on=body.made_known_on,
        purpose=body.purpose,
        relied_on=body.relied_on,
        model=model,
    )
    file = decisions.DecisionFile([decision], [], {}, today())
    return DecisionOut.of(decision, file)


@router.get(
    "/persons/{person_id}/decisions",
    response_model=list[DecisionOut],
    response_model_by_alias=True,
)
async def list_decisions(person_id: UUID, user: ApiUser, store: StoreDep) -> list[DecisionOut]:
    """The decisions about a person, with questions and objections: for the resident and their
    case manager."""
    file = await run(store, decisions.decisions_of, store, user, person_id)
    return [DecisionOut.of(d, file) for d in file.decisions]


@router.post(
    "/decisions/{decision_id}/contestations",
    status_code=201,
    response_model=ContestationOut,
    response_model_by_alias=True,
)
async def contest(
    decision_id: UUID,
    user: ApiUser,
    store: StoreDep,
    kind: Annotated[ContestKind, Form()],
    text: Annotated[str, Form(max_length=4000)],
    late_reason: Annotated[str, Form(alias="lateReason", max_length=4000)] = "",
    files: Annotated[list[UploadFile] | None, File(description="PDF, JPG or PNG, ≤ 5 MB")] = None,
) -> ContestationOut:
    """Ask a question about a decision, or object to it (multipart form). After the objection
    period an objection needs `lateReason` and is marked late."""
    uploads = [
        decisions.NewFile(f.filename or "", f.content_type or "", await f.read(MAX_ATTACHMENT + 1))
        for f in (files or [])
    ]
    filed = await run(
        store,
        decisions.contest,
        store,
        user,
        decision_id,
        kind,
        text,
        late_reason=late_reason,
        files=uploads,
    )
    return ContestationOut.of(filed.contestation, filed.made_known_on)


@router.get("/objections/deadlines", response_model=list[WatchOut], response_model_by_alias=True)
async def deadline_watch(user: ApiUser, store: StoreDep) -> list[WatchOut]:
    """Open objections with their Awb 7:10 deadline: for team leads and the privacy officer."""
    on = today()
    watched = await run(store, decisions.deadline_watch, store, user)
    return [
        WatchOut(
            id=w.id,
            client_number=w.client_number,
            filed_at=w.filed_at,
            decide_by=w.decide_by,
            extended=w.extended,
            overdue=w.overdue(on),
            near=w.near(on),
            in_review=w.reviewer is not None,
            mine=w.reviewer == user.id,
        )
        for w in watched
    ]


@router.post("/contestations/{contest_id}/decision", status_code=204)
async def decide(contest_id: UUID, body: ReviewIn, user: ApiUser, store: StoreDep) -> Response:
    """Decide on an objection; never by the decider of the decision objected to."""
    await run(
        store,
        decisions.decide_objection,
        store,
        user,
        contest_id,
        body.outcome,
        body.reasons,
        new_outcome=body.new_outcome,
    )
    return Response(status_code=204)


@router.post("/contestations/{contest_id}/release", status_code=204)
async def release(contest_id: UUID, user: ApiUser, store: StoreDep) -> Response:
    """Hand an objection in review back to the queue (team leads); the next reviewer to open it
    takes it. Until then only the reviewer who took it may see and decide it."""
    await run(store, decisions.release_review, store, user, contest_id)
    return Response(status_code=204)


@router.post("/contestations/{contest_id}/extension", status_code=204)
async def extend(contest_id: UUID, body: ReasonIn, user: ApiUser, store: StoreDep) -> Response:
    """Extend the decision period once by six weeks, stating why (Awb 7:10 lid 3)."""
    await run(store, decisions.extend_review, store, user, contest_id, body.reason)
    return Response(status_code=204)


@router.post("/contestations/{contest_id}/answer", status_code=204)
async def answer(contest_id: UUID, body: AnswerIn, user: ApiUser, store: StoreDep) -> Response:
    """Answer a resident's question about a decision."""
    await run(store, decisions.answer_question, store, user, contest_id, body.answer)
    return Response(status_code=204)

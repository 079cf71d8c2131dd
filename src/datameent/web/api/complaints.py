"""Complaints about conduct (Awb chapter 9) over the API: the resident files and follows
theirs; a team lead or the privacy officer who was not involved handles one."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import Field

from datameent.domain.complaints import Complaint, Hearing, Judgement
from datameent.services import complaints
from datameent.web.api.schemas import Input, Schema
from datameent.web.deps import ApiUser, StoreDep, run

router = APIRouter(tags=["complaints"])


class ComplaintIn(Input):
    conduct: str = Field(max_length=4000, description="What happened: who did what, and when.")
    occurred_on: date | None = None
    about_case_manager: bool = Field(
        default=False, description="The complaint is about the resident's case manager."
    )
    log_index: int | None = Field(
        default=None,
        ge=0,
        description="The line of the resident's processing log it is about; names its writer.",
    )


class ComplaintOut(Schema):
    id: UUID
    conduct: str | None = Field(description="None once the resident's data was erased.")
    occurred_on: date | None
    about: UUID | None = Field(description="The employee it is about, if named.")
    log_index: int | None
    filed_at: datetime
    handle_by: date = Field(description="Awb 9:11: six weeks from receipt, ten if postponed.")
    status: str
    hearing: str | None
    hearing_note: str | None
    postponed: bool
    postponement_reason: str | None
    judgement: str | None
    findings: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, c: Complaint) -> ComplaintOut:
        return cls(
            id=c.id,
            conduct=c.conduct,
            occurred_on=c.occurred_on,
            about=c.about,
            log_index=c.log_index,
            filed_at=c.filed_at,
            handle_by=c.handle_by,
            status=c.status.value,
            hearing=c.hearing.value if c.hearing else None,
            hearing_note=c.hearing_note,
            postponed=c.postponed,
            postponement_reason=c.postponement_reason,
            judgement=c.judgement.value if c.judgement else None,
            findings=c.findings,
            decided_at=c.decided_at,
        )


class WaitingOut(Schema):
    id: UUID
    client_number: str
    filed_at: datetime
    handle_by: date
    postponed: bool
    status: str
    handler: str | None
    mine: bool
    may_take: bool


class HearingIn(Input):
    hearing: Hearing
    note: str = Field(max_length=4000)


class PostponementIn(Input):
    reason: str = Field(max_length=1000)


class FindingIn(Input):
    judgement: Judgement
    findings: str = Field(max_length=4000)


@router.post(
    "/me/complaints", status_code=201, response_model=ComplaintOut, response_model_by_alias=True
)
async def file_complaint(body: ComplaintIn, user: ApiUser, store: StoreDep) -> ComplaintOut:
    """A complaint about how the resident was treated; acknowledged at once (Awb 9:6)."""
    filed = await run(
        store,
        complaints.file_complaint,
        store,
        user,
        body.conduct,
        occurred_on=body.occurred_on,
        about_case_manager=body.about_case_manager,
        log_index=body.log_index,
    )
    return ComplaintOut.of(filed)


@router.get("/me/complaints", response_model=list[ComplaintOut], response_model_by_alias=True)
async def my_complaints(user: ApiUser, store: StoreDep) -> list[ComplaintOut]:
    return [ComplaintOut.of(c) for c in await run(store, complaints.my_complaints, store, user)]


@router.post("/me/complaints/{complaint_id}/settled", status_code=204)
async def settle(complaint_id: UUID, user: ApiUser, store: StoreDep) -> Response:
    """The resident says it was put right (Awb 9:5); no judgement follows."""
    await run(store, complaints.settle, store, user, complaint_id)
    return Response(status_code=204)


@router.get("/complaints", response_model=list[WaitingOut], response_model_by_alias=True)
async def waiting(user: ApiUser, store: StoreDep) -> list[WaitingOut]:
    """Open complaints, the one due first on top: for team leads and the privacy officer."""
    found = await run(store, complaints.waiting, store, user)
    return [
        WaitingOut(
            id=w.id,
            client_number=w.client_number,
            filed_at=w.filed_at,
            handle_by=w.handle_by,
            postponed=w.postponed,
            status=w.status.value,
            handler=w.handler,
            mine=w.mine,
            may_take=w.may_take,
        )
        for w in found
    ]


@router.get("/complaints/{complaint_id}", response_model=ComplaintOut, response_model_by_alias=True)
async def complaint(complaint_id: UUID, user: ApiUser, store: StoreDep) -> ComplaintOut:
    """One complaint, for its handler or, as a copy, for the employee it is about (Awb 9:9)."""
    found = await run(store, complaints.open_complaint, store, user, complaint_id)
    return ComplaintOut.of(found.complaint)


@router.post("/complaints/{complaint_id}/take", status_code=204)
async def take(complaint_id: UUID, user: ApiUser, store: StoreDep) -> Response:
    """Take the complaint to handle it (Awb 9:7: not the employee it is about)."""
    await run(store, complaints.take, store, user, complaint_id)
    return Response(status_code=204)


@router.post("/complaints/{complaint_id}/hearing", status_code=204)
async def hearing(complaint_id: UUID, body: HearingIn, user: ApiUser, store: StoreDep) -> Response:
    """How the resident and the employee were heard, or why not (Awb 9:10)."""
    await run(store, complaints.record_hearing, store, user, complaint_id, body.hearing, body.note)
    return Response(status_code=204)


@router.post("/complaints/{complaint_id}/postponement")
async def postpone(
    complaint_id: UUID, body: PostponementIn, user: ApiUser, store: StoreDep
) -> dict[str, str]:
    """Postpone once by four weeks (Awb 9:11); the resident is told. The new last day."""
    until = await run(store, complaints.postpone, store, user, complaint_id, body.reason)
    return {"handleBy": until.isoformat()}


@router.post(
    "/complaints/{complaint_id}/finding",
    response_model=ComplaintOut,
    response_model_by_alias=True,
)
async def finding(
    complaint_id: UUID, body: FindingIn, user: ApiUser, store: StoreDep
) -> ComplaintOut:
    """The written answer (Awb 9:12): findings, judgement and conclusions."""
    decided = await run(
        store, complaints.decide, store, user, complaint_id, body.judgement, body.findings
    )
    return ComplaintOut.of(decided)

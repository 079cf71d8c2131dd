"""My story and the resident's rights over the API."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import Field

from datameent.domain.rights import RightKind, RightsRequest
from datameent.domain.story import StorySection
from datameent.domain.text import Text
from datameent.errors import InvalidInput, Problem
from datameent.services import rights, story
from datameent.web.api.schemas import Input, Schema
from datameent.web.deps import ApiUser, StoreDep, run

router = APIRouter(tags=["story and rights"])
NO_CORRECTED_VALUE = Text("Geef de verbeterde waarde.", "Give the corrected value.")


class SectionOut(Schema):
    id: UUID = Field(description="This version.")
    section_id: UUID
    version: int
    title: str
    text: str
    written_at: datetime
    current: bool

    @classmethod
    def of(cls, s: StorySection) -> SectionOut:
        return cls(
            id=s.id,
            section_id=s.section_id,
            version=s.version,
            title=s.title,
            text=s.body,
            written_at=s.written_at,
            current=s.current,
        )


class ShareOut(Schema):
    id: UUID
    section_id: UUID
    case_id: UUID
    shared_at: datetime
    revoked_at: datetime | None


class StoryOut(Schema):
    sections: list[SectionOut]
    history: list[SectionOut]
    shares: list[ShareOut]


class SectionIn(Input):
    title: str = Field(max_length=200)
    text: str = Field(max_length=10000)


class StoryShareIn(Input):
    section_id: UUID
    case_id: UUID


class RightsRequestIn(Input):
    kind: RightKind
    explanation: str = Field(max_length=2000)
    subject: str | None = Field(
        default=None,
        max_length=64,
        description=(
            "Correction or question: the attribute key. Objection: the purpose code. Access "
            "question: the index of a line of the resident's own processing log."
        ),
    )
    proposed: str = Field(default="", max_length=500, description="Correction: the right value.")


class RightsRequestOut(Schema):
    id: UUID
    kind: str
    subject: str | None
    explanation: str | None
    proposed: str | None
    filed_at: datetime
    answer_by: datetime
    status: str
    decided_at: datetime | None
    decision_note: str | None

    @classmethod
    def of(cls, r: RightsRequest) -> RightsRequestOut:
        return cls(
            id=r.id,
            kind=r.kind.value,
            subject=r.subject,
            explanation=r.explanation,
            proposed=r.proposed,
            filed_at=r.filed_at,
            answer_by=r.answer_by,
            status=r.status.value,
            decided_at=r.decided_at,
            decision_note=r.decision_note,
        )


class CorrectionDecisionIn(Input):
    approve: bool
    value: Any = Field(default=None, description="When approving: the corrected value.")
    note: str = Field(max_length=2000)


class RightsDecisionIn(Input):
    grant: bool
    note: str = Field(max_length=2000)


class AnswerIn(Input):
    answer: str = Field(max_length=2000)


@router.get("/me/story", response_model=StoryOut, response_model_by_alias=True)
async def my_story(user: ApiUser, store: StoreDep) -> StoryOut:
    mine = await run(store, story.my_story, store, user)
    return StoryOut(
        sections=[SectionOut.of(s) for s in mine.sections],
        history=[SectionOut.of(s) for s in mine.history],
        shares=[
            ShareOut(
                id=s.id,
                section_id=s.section_id,
                case_id=s.case_id,
                shared_at=s.shared_at,
                revoked_at=s.revoked_at,
            )
            for s in mine.shares
        ],
    )


@router.post(
    "/me/story/sections", status_code=201, response_model=SectionOut, response_model_by_alias=True
)
async def write_section(body: SectionIn, user: ApiUser, store: StoreDep) -> SectionOut:
    """A new section of one's story."""
    section = await run(store, story.write_section, store, user, None, body.title, body.text)
    return SectionOut.of(section)


@router.put(
    "/me/story/sections/{section_id}", response_model=SectionOut, response_model_by_alias=True
)
async def rewrite_section(
    section_id: UUID, body: SectionIn, user: ApiUser, store: StoreDep
) -> SectionOut:
    """A new version of a section; the earlier one is kept, and whoever it is shared with is
    told."""
    section = await run(store, story.write_section, store, user, section_id, body.title, body.text)
    return SectionOut.of(section)


@router.post(
    "/me/story/shares", status_code=201, response_model=ShareOut, response_model_by_alias=True
)
async def share_section(body: StoryShareIn, user: ApiUser, store: StoreDep) -> ShareOut:
    """Share one section with an open case."""
    s = await run(store, story.share_section, store, user, body.section_id, body.case_id)
    return ShareOut(
        id=s.id, section_id=s.section_id, case_id=s.case_id, shared_at=s.shared_at, revoked_at=None
    )


@router.delete("/me/story/shares/{share_id}", status_code=204)
async def stop_sharing(share_id: UUID, user: ApiUser, store: StoreDep) -> Response:
    await run(store, story.stop_sharing, store, user, share_id)
    return Response(status_code=204)


@router.get(
    "/persons/{person_id}/story", response_model=list[SectionOut], response_model_by_alias=True
)
async def shared_story(person_id: UUID, user: ApiUser, store: StoreDep) -> list[SectionOut]:
    """The sections a client shares with an open case, for their case manager."""
    sections = await run(store, story.shared_story, store, user, person_id)
    return [SectionOut.of(s) for s in sections]


@router.get("/persons/{person_id}/export")
async def export(person_id: UUID, user: ApiUser, store: StoreDep) -> Response:
    """Everything held about the person, with the processing log (GDPR art. 15 and 20), as
    one JSON document. Only the person themselves; anyone else gets 404."""
    document = await run(store, rights.export, store, user, person_id)
    body = json.dumps(document, ensure_ascii=False, indent=2).encode()
    headers = {"content-disposition": 'attachment; filename="mijn-gegevens.json"'}
    return Response(body, media_type="application/json", headers=headers)


@router.get(
    "/me/rights-requests", response_model=list[RightsRequestOut], response_model_by_alias=True
)
async def my_requests(user: ApiUser, store: StoreDep) -> list[RightsRequestOut]:
    mine = await run(store, rights.my_rights, store, user)
    return [RightsRequestOut.of(r) for r in mine.requests]


@router.post(
    "/me/rights-requests",
    status_code=201,
    response_model=RightsRequestOut,
    response_model_by_alias=True,
)
async def file_request(body: RightsRequestIn, user: ApiUser, store: StoreDep) -> RightsRequestOut:
    """Ask for a correction (of data someone else recorded), erasure, or object to a purpose;
    or ask a question about a data item (`kind` question, `subject` the attribute key), or the
    privacy officer about a line of one's own processing log (`kind` access_question,
    `subject` the line's `index`)."""
    request = await run(
        store,
        rights.file_request,
        store,
        user,
        body.kind,
        body.explanation,
        subject=body.subject,
        proposed=body.proposed,
    )
    return RightsRequestOut.of(request)


@router.post("/rights-requests/{request_id}/correction", status_code=204)
async def decide_correction(
    request_id: UUID, body: CorrectionDecisionIn, user: ApiUser, store: StoreDep
) -> Response:
    """The case manager approves (recording the corrected value) or refuses a correction."""
    if body.approve and body.value is None:
        raise InvalidInput(Problem("value", NO_CORRECTED_VALUE))
    corrected = body.value if body.approve else None
    await run(
        store,
        rights.decide_correction,
        store,
        user,
        request_id,
        corrected=corrected,
        note=body.note,
    )
    return Response(status_code=204)


@router.post("/rights-requests/{request_id}/answer", status_code=204)
async def answer_question(
    request_id: UUID, body: AnswerIn, user: ApiUser, store: StoreDep
) -> Response:
    """The case manager (or the privacy officer) answers a question about a data item; the
    privacy officer alone answers a question about a line of the processing log."""
    await run(store, rights.answer_question, store, user, request_id, body.answer)
    return Response(status_code=204)


@router.post("/rights-requests/{request_id}/decision", status_code=204)
async def decide_request(
    request_id: UUID, body: RightsDecisionIn, user: ApiUser, store: StoreDep
) -> Response:
    """The privacy officer decides on an erasure or an objection."""
    await run(
        store, rights.decide_request, store, user, request_id, grant=body.grant, note=body.note
    )
    return Response(status_code=204)


@router.post("/rights-requests/{request_id}/confirm-erasure", status_code=204)
async def confirm_erasure(request_id: UUID, user: ApiUser, store: StoreDep) -> Response:
    """A recipient confirms they removed what they kept of an erased person."""
    await run(store, rights.confirm_erasure, store, user, request_id)
    return Response(status_code=204)
